"""The results of a run as reports show them: plain data, already masked, JSON both ways.

A formatter turns behave's model and each scenario's journal into a `Run` once the
scenario is over, when the journal's secrets know every secret the scenario met; nothing
after that point sees a raw request, so nothing after it can leak one. The same data is
what a run writes next to its HTML report (`RESULTS_SUFFIX`) and what `asgibdd report
merge` reads back.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asgibdd.errors import UsageError

__all__ = [
    "FORMAT",
    "RESULTS_SUFFIX",
    "Attempt",
    "FeatureResult",
    "RuleResult",
    "Run",
    "RunInfo",
    "ScenarioResult",
    "Section",
    "StepResult",
    "TranscriptItem",
    "read_run",
    "results_path",
    "write_run",
]

FORMAT = "asgibdd-results/1"
"""The `format` field of a results file; merge refuses any other."""

RESULTS_SUFFIX = ".results.json"
"""`report.html` writes its data to `report.results.json` beside it."""

# Statuses in the order reports list them: what needs attention first.
STATUS_ORDER = (
    "failed",
    "error",
    "hook_error",
    "undefined",
    "pending",
    "flaky",
    "passed",
    "skipped",
    "untested",
)
PROBLEMS = frozenset({"failed", "error", "hook_error", "undefined", "pending"})
NOT_RUN = frozenset({"skipped", "untested"})

# A field added after results files were first written: files without it still merge.
_LATER = {"optional": True}


@dataclass(frozen=True)
class TranscriptItem:
    """One HTTP exchange, websocket message or server-sent event, masked and cut to size.

    - `kind`: "http", "websocket" or "event stream".
    - `title`: one line (`GET /items → 200 OK`, `sent text "hi"`).
    - `text`: the full transcript (headers and bodies for HTTP), long bodies truncated.
    """

    kind: str
    step: str | None
    at: float
    title: str
    text: str
    duration: float | None = None
    curl: str | None = field(default=None, metadata=_LATER)
    """For an HTTP request the scenario sent: the curl command that sends it again, masked."""


@dataclass(frozen=True)
class StepResult:
    keyword: str
    name: str
    status: str
    duration: float
    line: int
    error_type: str | None = None
    error_message: str | None = None
    text: str | None = None
    table: list[list[str]] | None = None
    written: str | None = field(default=None, metadata=_LATER)
    """The step as the feature wrote it, when `name` (and `text`) show the values its
    `{{placeholders}}` stood for."""


@dataclass(frozen=True)
class Attempt:
    """An earlier run of a scenario that `asgibdd run --retries` ran again: how it ended,
    with its steps and transcript (the failing attempt is the one worth reading)."""

    status: str
    duration: float
    steps: list[StepResult]
    transcript: list[TranscriptItem] = field(default_factory=list)
    error_type: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    status: str
    duration: float
    filename: str
    line: int
    tags: list[str]
    steps: list[StepResult]
    transcript: list[TranscriptItem] = field(default_factory=list)
    error_type: str | None = None
    error_message: str | None = None
    """A hook's error (before/after scenario), when there was one."""
    attempts: list[Attempt] = field(default_factory=list, metadata=_LATER)
    """The earlier attempts, when `asgibdd run --retries` ran it again (status "flaky":
    it passed on a retry)."""
    flaky: str | None = field(default=None, metadata=_LATER)
    """Why the results history calls it flaky (`asgibdd.history`), if it does."""
    rule: int | None = field(default=None, metadata=_LATER)
    """The line of the `Rule:` the scenario belongs to, if any (see `FeatureResult.rules`)."""

    @property
    def failure(self) -> StepResult | None:
        """The step that failed or errored, if any."""
        return next((step for step in self.steps if step.status in PROBLEMS), None)


@dataclass(frozen=True)
class RuleResult:
    """A `Rule:` of a feature: its name, line, description and Background steps (written
    as `Given ...` lines)."""

    name: str
    line: int
    description: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeatureResult:
    name: str
    filename: str
    line: int
    tags: list[str]
    scenarios: list[ScenarioResult]
    description: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list, metadata=_LATER)
    """The feature's Background steps, as written (`Given the shop is open`)."""
    rules: list[RuleResult] = field(default_factory=list, metadata=_LATER)


@dataclass(frozen=True)
class Section:
    """An extra table a report shows under its summary (API coverage, say).

    `status` is "passed", "failed" or "info"; `rows` are cells under `columns`. Text only:
    the report escapes it like everything else.
    """

    title: str
    summary: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    status: str = "info"
    trend: list[list[int]] = field(default_factory=list, metadata=_LATER)
    """Counts per run for a small bar chart, oldest first: passed, flaky, failed."""


@dataclass(frozen=True)
class RunInfo:
    """Which run this is, as a report's header names it; "" where unknown.

    - `app`: the app's import path from the settings (`shop.main:app`); `project`: the
      project's name from its pyproject.toml.
    - `target`: "in-process", or the live service's base URL (password and secret-named
      query values masked).
    - `commit`: the short commit the project's git checkout is at, `dirty` when files
      differ from it; `branch` its branch.
    - `ci`: the CI service that ran it and `ci_url` its build page.
    """

    app: str = ""
    project: str = ""
    target: str = ""
    commit: str = ""
    dirty: bool = False
    branch: str = ""
    python: str = ""
    behave: str = ""
    asgibdd: str = ""
    ci: str = ""
    ci_url: str = ""


@dataclass
class Run:
    """One run (or several merged): its features, timing and extra sections."""

    features: list[FeatureResult] = field(default_factory=list)
    started: float = 0.0
    duration: float = 0.0
    sections: list[Section] = field(default_factory=list)
    runs: int = 1
    info: RunInfo = field(default_factory=RunInfo)

    def scenarios(self) -> list[ScenarioResult]:
        return [scenario for feature in self.features for scenario in feature.scenarios]

    def counts(self) -> Counter[str]:
        """Scenarios by status."""
        return Counter(scenario.status for scenario in self.scenarios())

    def pass_rate(self) -> float | None:
        """Passed scenarios among those that ran (skipped and untested ones do not count)."""
        counts = self.counts()
        ran = sum(count for status, count in counts.items() if status not in NOT_RUN)
        return counts["passed"] / ran if ran else None

    def to_json(self) -> str:
        """The run as the text of a results file."""
        # json's C encoder calls `vars` for each dataclass: much faster than asdict.
        return json.dumps({"format": FORMAT, **vars(self)}, ensure_ascii=False, default=vars)

    @classmethod
    def from_json(cls, data: Any, source: str = "results") -> Run:
        """The run a results file's JSON `data` holds; `UsageError` naming the first field
        that is not as asgibdd writes it (`source` names the file)."""
        if not isinstance(data, dict):
            raise UsageError(_not_an_object(data, source))
        if data.get("format") != FORMAT:
            raise UsageError(
                f"{source} is not an asgibdd results file (format {data.get('format')!r}, "
                f"expected {FORMAT!r}); {_WRITE_ONE}."
            )
        error = next(_validator().iter_errors(data), None)
        if error is not None:
            where = "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.instance_path
            ).lstrip(".")
            raise UsageError(
                f"{source} is not a valid asgibdd results file: at {where or 'the top level'}: "
                f"{error.message}. Results files are written, not edited: {_WRITE_ONE}."
            )
        return cls(
            features=[_feature(item) for item in data["features"]],
            started=data["started"],
            duration=data["duration"],
            sections=[Section(**item) for item in data.get("sections", [])],
            runs=data.get("runs", 1),
            info=RunInfo(**data.get("info", {})),
        )


_WRITE_ONE = (
    "write one with `behave -f html -o report.html` (it writes report.results.json beside "
    "the report) or with `asgibdd report merge --results FILE`"
)


def _not_an_object(data: Any, source: str) -> str:
    first = data[0] if isinstance(data, list) and data else None
    if isinstance(first, dict) and "elements" in first and "keyword" in first:
        return (
            f"{source} is behave's own JSON report (-f json), not asgibdd's results. "
            f"asgibdd report merge reads asgibdd's results files: {_WRITE_ONE}."
        )
    return (
        f"{source} holds a JSON {type(data).__name__}, not an asgibdd results file (a JSON "
        f'object with "format": "{FORMAT}"); {_WRITE_ONE}.'
    )


def _schema(kind: Any) -> dict[str, Any]:
    """The JSON Schema of a results file's values of Python type `kind` (a dataclass
    below, or one of their fields' types): what `Run.to_json` writes, and nothing else."""
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = dataclasses.fields(kind)
        return {
            "type": "object",
            "properties": {item.name: _schema(hints[item.name]) for item in fields},
            # `to_json` writes them all; files written before a later field lack it.
            "required": [item.name for item in fields if not item.metadata.get("optional")],
            "additionalProperties": False,
        }
    if typing.get_origin(kind) is list:
        return {"type": "array", "items": _schema(typing.get_args(kind)[0])}
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return {"anyOf": [_schema(option) for option in typing.get_args(kind)]}
    names = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}
    if kind not in names:  # a field of a new type: say how to make it readable
        raise TypeError(f"results files have no JSON Schema for {kind!r} yet: add it here")
    return {"type": names[kind]}


@functools.cache
def _validator() -> Any:
    import jsonschema_rs  # when a results file is read: a run's parent starts faster

    schema = _schema(Run)
    schema["properties"]["format"] = {"const": FORMAT}
    # Files written before a run's sections and count were kept have neither.
    schema["required"] = ["format", "features", "started", "duration"]
    return jsonschema_rs.validator_for(schema)


def _feature(data: dict[str, Any]) -> FeatureResult:
    rules = [RuleResult(**rule) for rule in data.get("rules", [])]
    scenarios = [
        ScenarioResult(
            **{
                **item,
                "steps": [StepResult(**step) for step in item["steps"]],
                "transcript": [TranscriptItem(**entry) for entry in item["transcript"]],
                "attempts": [_attempt(entry) for entry in item.get("attempts", [])],
            }
        )
        for item in data["scenarios"]
    ]
    return FeatureResult(**{**data, "scenarios": scenarios, "rules": rules})


def _attempt(data: dict[str, Any]) -> Attempt:
    return Attempt(
        **{
            **data,
            "steps": [StepResult(**step) for step in data["steps"]],
            "transcript": [TranscriptItem(**entry) for entry in data.get("transcript", [])],
        }
    )


def results_path(report: Path) -> Path:
    """Where the data of the HTML report `report` goes: `report.results.json`."""
    return report.with_name(report.stem + RESULTS_SUFFIX)


def write_run(run: Run, path: Path, features: Iterable[str] | None = None) -> None:
    """Write `run` as a results file (the text of `Run.to_json`) one feature at a time,
    never the whole text at once. `features`: the features' JSON, comma-separated, in
    pieces, instead of `run.features` (a report that kept them on disk)."""
    rest = {key: value for key, value in vars(run).items() if key != "features"}
    if features is None:
        features = (
            (", " if index else "") + json.dumps(feature, ensure_ascii=False, default=vars)
            for index, feature in enumerate(run.features)
        )
    with path.open("w", encoding="utf-8") as out:
        out.write(f'{{"format": {json.dumps(FORMAT)}, "features": [')
        out.writelines(features)
        out.write(f"], {json.dumps(rest, ensure_ascii=False, default=vars)[1:]}")


def read_run(path: Path) -> Run:
    """Read a results file, or the one beside an HTML report given instead."""
    if path.suffix == ".html":
        path = results_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise UsageError(
            f"{path} is a folder; give the results files in it ({path}/*{RESULTS_SUFFIX})."
        ) from None
    except OSError as error:
        raise UsageError(f"{path} cannot be read: {error.strerror}.") from None
    except ValueError as error:
        raise UsageError(f"{path} is not JSON: {error}") from None
    return Run.from_json(data, str(path))
