"""The results history: how each scenario ended in the last runs, for a trend and flaky marks.

`.asgibdd/history.json` (the `history` setting), added to by every `asgibdd run` (and by a
plain `behave` run with `history_in_behave = true`):

    {"format": "asgibdd-history/1",
     "runs": [{"started": 1765148400.0, "revision": "3f2a…", "scenarios":
               {"features/items.feature::list items": ["passed", 0.0123], ...}}, ...]}

Only the last `KEPT_RUNS` runs are kept, each scenario as its status and seconds, so the
file stays small. It is written aside and renamed (a run killed half-way never leaves half
a file); a file that cannot be read is reported in one line and started afresh.

A scenario is flaky when it passed on a retry (status "flaky") in one of the runs, or when
it both failed and passed in runs of the same code (`revision`: the git commit plus a hash
of the uncommitted changes to tracked files; outside git no two runs count as the same code).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from asgibdd.parallel.listing import shown_path
from asgibdd.report.model import Run, Section

__all__ = [
    "FORMAT",
    "KEPT_RUNS",
    "HistoryRun",
    "add_run",
    "code_revision",
    "flaky_scenarios",
    "history_section",
    "mark_flaky",
    "read_history",
    "scenario_key",
    "with_history",
]

FORMAT = "asgibdd-history/1"
#: The runs the file keeps: the newest ones.
KEPT_RUNS = 30
#: The runs the report's trend shows.
SHOWN_RUNS = 20
_FAILED = frozenset({"failed", "error", "hook_error", "cleanup_error"})
_PASSED = frozenset({"passed", "flaky"})
_GIT_SECONDS = 10.0
_UTC = datetime.timezone.utc


@dataclass(frozen=True)
class HistoryRun:
    """One run: when it started, the code it ran, and each scenario's status and seconds."""

    started: float
    revision: str
    scenarios: dict[str, tuple[str, float]]

    def count(self, statuses: Iterable[str]) -> int:
        wanted = set(statuses)
        return sum(status in wanted for status, _ in self.scenarios.values())


def scenario_key(filename: str, name: str) -> str:
    """`features/items.feature::list items`: how the history (and the durations file) know
    a scenario, whatever line it moves to."""
    return f"{shown_path(filename)}::{name}"


def read_history(path: Path) -> list[HistoryRun]:
    """The runs in `path`, oldest first; none when it does not exist, and none with a
    one-line warning on stderr when it is not a history file (the next write replaces it)."""
    return _read(path)[1]


def _read(path: Path) -> tuple[str, list[HistoryRun]]:
    """The file's text ("" when it is missing or unreadable) and its runs."""
    text = ""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f'not a JSON object with "format": "{FORMAT}"')
        return text, [_run(item) for item in data["runs"]]
    except FileNotFoundError:
        return "", []
    except KeyError as error:
        why = f"a run has no {error} field"
    except (OSError, ValueError, TypeError, AttributeError, IndexError) as error:
        why = str(error)
    print(f"asgibdd: the results history {path} cannot be read ({why}); starting a new one.",
          file=sys.stderr)  # fmt: skip
    return "", []


def _run(item: Any) -> HistoryRun:
    scenarios = {
        str(key): (str(value[0]), float(value[1])) for key, value in item["scenarios"].items()
    }
    return HistoryRun(float(item["started"]), str(item["revision"]), scenarios)


#: The file's first and last lines; each run in between is one line (JSON text never holds
#: a raw line break), so a run already written is kept as its text, not encoded again.
_HEAD = json.dumps({"format": FORMAT, "runs": []})[:-2]
_TAIL = "]}"


def _run_json(run: HistoryRun) -> str:
    return json.dumps(
        {
            "started": run.started,
            "revision": run.revision,
            "scenarios": {
                key: [status, round(seconds, 4)]
                for key, (status, seconds) in sorted(run.scenarios.items())
            },
        },
        ensure_ascii=False,
    )


def _written_lines(text: str, runs: int) -> list[str] | None:
    """The line of each of `runs` runs, when `text` is laid out a run to a line (as
    `add_run` writes it); None for any other layout."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) != runs + 2 or lines[0] != _HEAD or lines[-1] != _TAIL:
        return None
    middle = lines[1:-1]
    if any(not line.endswith(",") for line in middle[:-1]):
        return None
    return [line.removesuffix(",") for line in middle]


def add_run(path: Path, run: HistoryRun, kept: int = KEPT_RUNS) -> list[HistoryRun]:
    """Add `run` to the history at `path`, keep the newest `kept` runs; return them."""
    text, earlier = _read(path)
    runs = [*earlier, run][-kept:]
    older = len(runs) - 1
    written = _written_lines(text, len(earlier))
    if written is None:
        lines = [_run_json(item) for item in runs[:older]]
    else:
        lines = written[len(written) - older :] if older else []
    lines.append(_run_json(run))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(f"{_HEAD}\n" + ",\n".join(lines) + f"\n{_TAIL}\n", encoding="utf-8")
    temporary.replace(path)
    return runs


def code_revision(folder: Path | None = None) -> str:
    """The git commit checked out in `folder`, plus `+` and a hash of the uncommitted
    changes to tracked files when there are some; "" outside git (or without git)."""

    def git(*arguments: str) -> str:
        done = subprocess.run(
            ["git", *arguments],
            cwd=folder,
            capture_output=True,
            timeout=_GIT_SECONDS,
            check=True,
        )
        return done.stdout.decode("utf-8", errors="replace")

    try:
        commit = git("rev-parse", "HEAD").strip()
        changes = git("diff", "HEAD", "--no-ext-diff", "--no-color")
    except (OSError, subprocess.SubprocessError):
        return ""
    if not changes:
        return commit
    return f"{commit}+{hashlib.sha256(changes.encode('utf-8')).hexdigest()[:12]}"


def flaky_scenarios(runs: list[HistoryRun]) -> dict[str, str]:
    """Why each flaky scenario is flaky, by key: it passed on a retry in one of `runs`, or
    it failed and passed in runs of the same code."""
    notes: dict[str, str] = {}
    shown = runs[-SHOWN_RUNS:]
    by_revision: dict[str, list[HistoryRun]] = {}
    for run in shown:
        if run.revision:
            by_revision.setdefault(run.revision, []).append(run)
    for same in by_revision.values():
        keys = {key for run in same for key in run.scenarios}
        for key in sorted(keys):
            statuses = [run.scenarios[key][0] for run in same if key in run.scenarios]
            failed = sum(status in _FAILED for status in statuses)
            passed = sum(status in _PASSED for status in statuses)
            if failed and passed:
                notes[key] = (
                    f"failed {failed} and passed {passed} of {len(statuses)} runs of the same code"
                )
    for run in shown:
        for key, (status, _) in run.scenarios.items():
            if status == "flaky":
                notes.setdefault(key, "passed on a retry")
    return notes


def mark_flaky(run: Run, notes: Mapping[str, str]) -> Run:
    """`run` with each scenario `notes` names marked flaky (`ScenarioResult.flaky`)."""
    if not notes:
        return run
    for index, feature in enumerate(run.features):
        scenarios = [
            replace(scenario, flaky=note)
            if (note := notes.get(scenario_key(scenario.filename, scenario.name)))
            else scenario
            for scenario in feature.scenarios
        ]
        run.features[index] = replace(feature, scenarios=scenarios)
    return run


def history_section(runs: list[HistoryRun]) -> Section | None:
    """The report's "History" section: the last runs' counts as a table and a trend
    (`Section.trend`: passed, flaky and failed per run, oldest first), and the flaky
    scenarios."""
    shown = runs[-SHOWN_RUNS:]
    if not shown:
        return None
    notes = flaky_scenarios(runs)
    rows = [
        [
            f"{datetime.datetime.fromtimestamp(run.started, _UTC):%Y-%m-%d %H:%M} UTC",
            str(run.count(("passed",))),
            str(run.count(("flaky",))),
            str(run.count(_FAILED)),
            run.revision[:12] or "–",
        ]
        for run in reversed(shown)
    ]
    named = ", ".join(sorted(notes)[:5]) + (", …" if len(notes) > 5 else "")
    flaky = f"; {len(notes)} flaky: {named}" if notes else "; no flaky scenario"
    return Section(
        title="History",
        summary=(f"the last {len(shown)} runs, newest first" if len(shown) > 1 else "this run")
        + flaky,
        columns=["run", "passed", "flaky", "failed", "code"],
        rows=rows,
        trend=[
            [run.count(("passed",)), run.count(("flaky",)), run.count(_FAILED)] for run in shown
        ],
    )


def with_history(run: Run, runs: list[HistoryRun]) -> Run:
    """`run` with the history's section and its flaky scenarios marked (no history: as is)."""
    section = history_section(runs)
    if section is None:
        return run
    run = mark_flaky(run, flaky_scenarios(runs))
    run.sections = [*run.sections, section]
    return run
