"""The behave options each worker gets, and the merge of the workers' output files.

The runner owns the console (one block per scenario) and the paths: the user's
`-f FORMAT -o FILE` pairs and `--junit-directory` become files in each worker's folder,
and once the workers are done they are merged into the files the user asked for:

- behave's `json` / `json.pretty`: one JSON document, a feature split across workers
  once, its scenarios in file order;
- behave's `--junit` (one `TESTS-<feature>.xml` per feature): one file per feature again,
  its test cases from every worker, the counts added up;
- asgibdd's `html` and `junit` reports (`asgibdd.report`): merged with
  `asgibdd.report.merge.merge_runs`, the code behind `asgibdd report merge`;
- text formats written to a file (`plain`, `pretty`, `progress`...): the workers' files
  one after the other;
- asgibdd's Cucumber JSON (`cucumber`) and Cucumber Messages (`messages`): merged with
  `asgibdd.report.cucumber_merge` and `asgibdd.report.messages_merge`, the code behind
  `asgibdd report merge --cucumber` / `--messages`;
- the API coverage file (the `api_coverage` setting): each worker writes its own, and
  their counts are added up into the file the setting names (`merge_coverage`); the
  merged HTML report shows that coverage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from asgibdd.errors import UsageError
from asgibdd.parallel.worker import ScenarioRecord
from asgibdd.report.model import (
    FeatureResult,
    Run,
    ScenarioResult,
    read_run,
    results_path,
    write_run,
)

__all__ = ["RESULTS_NAME", "OutputPlan", "plan_outputs", "worker_options"]

_CONSOLE = frozenset({"plain", "pretty", "progress", "progress2", "progress3", "null"})
_BEHAVE_JSON = frozenset({"json", "json.pretty"})
_ASGIBDD_HTML = frozenset({"html", "asgibdd.report.html:HTMLFormatter"})
_ASGIBDD_JUNIT = frozenset({"junit", "asgibdd.report.junit:JUnitFormatter"})
_CUCUMBER = {
    "cucumber": "asgibdd.report.cucumber:CucumberJSONFormatter",
    "messages": "asgibdd.report.messages:MessagesFormatter",
}
_RESULTS_NAME = "asgibdd-results.html"
RESULTS_NAME = _RESULTS_NAME  # each worker's asgibdd report, in its folder
_COVERAGE_NAME = "api-coverage.json"
# Options the runner decides for each worker; the rest pass through unchanged.
_OWNED = frozenset({"format", "outfiles", "junit_directory", "jobs", "summary", "paths"})


def worker_options(behave_args: Sequence[str]) -> list[str]:
    """`behave_args` without the paths and the options the runner sets per worker."""
    from behave.configuration import setup_parser

    actions = {
        option: action for action in setup_parser()._actions for option in action.option_strings
    }
    kept: list[str] = []
    tokens = list(behave_args)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        name, equals, _ = token.partition("=")
        has_value = bool(equals)
        action = actions.get(name) if token.startswith("-") else None
        if action is None and token.startswith("-") and not token.startswith("--"):
            action = actions.get(token[:2])  # `-fjson`, `-Dkey=value`
            has_value = bool(action is not None and len(token) > 2)
        if action is None:
            if token.startswith("-"):
                kept.append(token)  # behave will say what is wrong with it
            continue  # a path: each worker gets its locations instead
        takes_value = action.nargs not in (0, "?")
        value: list[str] = []
        if takes_value and not has_value and index < len(tokens):
            value = [tokens[index]]
            index += 1
        if action.dest not in _OWNED:
            kept.extend([token, *value])
    return kept


@dataclass
class OutputPlan:
    """Which outputs the workers write, and how to merge them afterwards."""

    json_files: list[Path] = field(default_factory=list)
    text_files: list[tuple[str, Path]] = field(default_factory=list)
    html: Path | None = None
    asgibdd_junit: Path | None = None
    junit_directory: Path | None = None
    #: Names of behave's JUnit files as a worker writes them → as a serial run would.
    junit_names: dict[str, str] = field(default_factory=dict)
    #: Where the run's API coverage goes (asgibdd's `api_coverage` setting), if anywhere.
    api_coverage: Path | None = None
    #: The workers' API coverage added up, once `merge` has run (None: none was written).
    coverage: dict[str, Any] | None = None
    #: Cucumber JSON / Cucumber Messages files asked for, by kind (`cucumber`, `messages`).
    cucumber: dict[str, Path] = field(default_factory=dict)

    def options(self, folder: Path) -> list[str]:
        """The output options of the worker whose folder is `folder`."""
        options: list[str] = []
        for index, _ in enumerate(self.json_files):
            options += ["-f", "json", "-o", str(folder / f"report-{index}.json")]
        for index, (format_name, _) in enumerate(self.text_files):
            options += ["-f", format_name, "-o", str(folder / f"text-{index}.txt")]
        if self.html is not None or self.asgibdd_junit is not None:
            options += [
                "-f",
                "asgibdd.report.html:HTMLFormatter",
                "-o",
                str(folder / _RESULTS_NAME),
            ]
        if self.junit_directory is not None:
            options += ["--junit", "--junit-directory", str(folder / "junit")]
        for kind in self.cucumber:
            options += ["-f", _CUCUMBER[kind], "-o", str(folder / f"{kind}.out")]
        if self.api_coverage is not None:
            # After any -D of the user's: the last one wins.
            options += ["-D", f"asgibdd.api_coverage={folder / _COVERAGE_NAME}"]
        return options

    def merge(
        self,
        folders: Sequence[Path],
        scheduled: Sequence[set[str]],
        records: Sequence[ScenarioRecord] = (),
        amend: Callable[[Run], Run] | None = None,
        success: bool | None = None,
    ) -> list[Path]:
        """Write the merged outputs from the workers' `folders`; return what was written.

        `scheduled[i]` are the locations worker i ran: each worker's outputs also list the
        other workers' scenarios (as skipped), and only its own are kept; a scenario no
        worker ran (left out by `--tags`) is kept once, skipped, as a serial run shows it.
        A scheduled scenario that no worker's asgibdd report holds (its worker was killed,
        or a signal stopped the run first) goes into the merged report as its `records`
        entry says, with the runner's words for what happened. `amend` changes the merged
        asgibdd report before it is written (retries, history). `success` is whether the
        run passed, as its exit status says (Cucumber Messages' `testRunFinished`)."""
        keep = _Keep(scheduled)
        written: list[Path] = []
        if self.api_coverage is not None:
            written += self._merge_coverage([folder / _COVERAGE_NAME for folder in folders])
        for index, target in enumerate(self.json_files):
            parts = [folder / f"report-{index}.json" for folder in folders]
            _write(target, json.dumps(merge_behave_json(parts, keep), indent=2))
            written.append(target)
        for index, (_, target) in enumerate(self.text_files):
            parts = [folder / f"text-{index}.txt" for folder in folders]
            _write(target, "".join(p.read_text("utf-8") for p in parts if p.exists()))
            written.append(target)
        if self.html is not None or self.asgibdd_junit is not None:
            written += self._merge_asgibdd_reports(
                [folder / _RESULTS_NAME for folder in folders], keep, records, amend
            )
        for kind, target in self.cucumber.items():
            parts = [folder / f"{kind}.out" for folder in folders]
            _write(target, _merge_cucumber(kind, parts, records, keep, success))
            written.append(target)
        if self.junit_directory is not None:
            written += merge_behave_junit(
                [folder / "junit" for folder in folders], self.junit_directory, self.junit_names
            )
        return written

    def _merge_coverage(self, files: list[Path]) -> list[Path]:
        from asgibdd.contracts.coverage import merge_coverage, read_coverage, write_coverage

        found = [path for path in files if path.exists()]
        if not found or self.api_coverage is None:
            return []  # the contract check was off, or found no API document
        parts = [read_coverage(path) for path in found]
        self.coverage = merge_coverage(parts, [str(path) for path in found])
        write_coverage(self.coverage, self.api_coverage)
        return [self.api_coverage]

    def _merge_asgibdd_reports(
        self,
        results: list[Path],
        keep: _Keep,
        records: Sequence[ScenarioRecord],
        amend: Callable[[Run], Run] | None = None,
    ) -> list[Path]:
        # Imported when there is a report to merge: the runner starts faster without them.
        from asgibdd.report.html_render import render_html
        from asgibdd.report.junit import render_junit
        from asgibdd.report.merge import merge_runs

        runs = []
        for worker, path in enumerate(results):
            if not results_path(path).exists():
                continue
            run = read_run(path)
            for index, feature in enumerate(run.features):
                own = [s for s in feature.scenarios if keep(worker, s.filename, s.line)]
                run.features[index] = dataclasses.replace(feature, scenarios=own)
            runs.append(run)
        merged = merge_runs(runs)
        merged.features = _with_unreported(merged.features, records)
        if self.coverage is not None:
            from asgibdd.report.coverage import with_coverage

            merged.sections = with_coverage(merged.sections, self.coverage)
        if amend is not None:
            merged = amend(merged)
        written: list[Path] = []
        if self.html is not None:
            _write(self.html, render_html(merged))
            write_run(merged, results_path(self.html))
            written.append(self.html)
        if self.asgibdd_junit is not None:
            _write(self.asgibdd_junit, render_junit(merged))
            written.append(self.asgibdd_junit)
        return written


def _with_unreported(
    features: list[FeatureResult], records: Sequence[ScenarioRecord]
) -> list[FeatureResult]:
    """`features` plus a scenario for each record no report holds, in its feature."""
    reported = {
        f"{_relative(scenario.filename)}:{scenario.line}"
        for feature in features
        for scenario in feature.scenarios
    }
    by_file = {_relative(feature.filename): feature for feature in features}
    names = {record.scenario.feature: record.scenario.feature_name for record in records}
    added: dict[str, list[ScenarioResult]] = {}
    for record in records:
        listed = record.scenario
        if listed.location in reported:
            continue
        added.setdefault(listed.feature, []).append(
            ScenarioResult(
                name=listed.name,
                status=record.status,
                duration=record.duration,
                filename=listed.feature,
                line=int(listed.location.rsplit(":", 1)[1]),
                tags=list(listed.tags),
                steps=[],
                error_message=None if record.status == "passed" else record.text.strip(),
            )
        )
    for filename, scenarios in added.items():
        base = by_file.get(filename) or FeatureResult(names[filename], filename, 1, [], [])
        by_file[filename] = dataclasses.replace(
            base, scenarios=sorted([*base.scenarios, *scenarios], key=lambda s: s.line)
        )
    return [by_file[filename] for filename in sorted(by_file)]


def junit_file_names(features: Sequence[str], paths: Sequence[str]) -> dict[str, str]:
    """behave names a JUnit file after the feature's path less the features path it was
    given (`features/` + `features/a/b.feature` → `TESTS-a.b.xml`). A worker is given
    locations instead, so it names the file from a folder further up; this maps each name
    a worker may write back to the serial run's name."""

    def name(relative: str) -> str:
        return "TESTS-" + relative.rsplit(".", 1)[0].replace("\\", "/").replace("/", ".") + ".xml"

    names: dict[str, str] = {}
    for feature in features:
        serial = next(
            (feature[len(path) + 1 :] for path in paths if feature.startswith(path.rstrip("/"))),
            None,
        )
        absolute = Path(os.path.abspath(feature))
        for folder in absolute.parents:
            worker = name(str(absolute.relative_to(folder)))
            names.setdefault(worker, name(serial) if serial else worker)
    return names


def plan_outputs(config: Any, features: Sequence[str] = (), api_coverage: str = "") -> OutputPlan:
    """Read the formats and output files behave's configuration asks for; `api_coverage`
    is asgibdd's setting of that name (where the API coverage goes; "" for nowhere)."""
    formats = list(config.format or [])
    outfiles = list(config.outfiles or [])
    plan = OutputPlan(api_coverage=Path(api_coverage) if api_coverage else None)
    for index, format_name in enumerate(formats):
        target = Path(outfiles[index]) if index < len(outfiles) else None
        if target is None or str(target) == "-":
            if format_name in _CONSOLE:
                continue  # the console is the runner's: one block per scenario
            raise UsageError(
                f"-f {format_name} writes to the console, which asgibdd run keeps for its "
                f"own per-scenario output. Give it a file: -f {format_name} -o FILE."
            )
        if format_name in _BEHAVE_JSON:
            plan.json_files.append(target)
        elif format_name in _ASGIBDD_HTML:
            plan.html = target
        elif format_name in _ASGIBDD_JUNIT:
            plan.asgibdd_junit = target
        elif format_name in _CONSOLE:
            plan.text_files.append((format_name, target))
        elif format_name in _CUCUMBER or format_name in _CUCUMBER.values():
            kind = next(k for k, v in _CUCUMBER.items() if format_name in (k, v))
            plan.cucumber[kind] = target
        else:
            raise UsageError(
                f"asgibdd run cannot merge the outputs of -f {format_name}. It merges json, "
                "html, junit, cucumber, messages and the text formats (plain, pretty, "
                "progress); run this "
                "format with plain behave."
            )
    if config.junit:
        plan.junit_directory = Path(config.junit_directory or "reports")
        paths = [str(path).rstrip("/") for path in config.paths or ["features"]]
        plan.junit_names = junit_file_names(features, paths)
    return plan


def _merge_cucumber(
    kind: str,
    parts: Sequence[Path],
    records: Sequence[ScenarioRecord],
    keep: _Keep,
    success: bool | None,
) -> str:
    """The workers' Cucumber JSON (`kind` "cucumber") or Messages files, merged, as text:
    each scenario as the worker that ran its last attempt wrote it. The Cucumber JSON also
    has the scheduled scenarios no worker's file holds as run; the Messages have a retried
    scenario's earlier attempts, and the run's `success` when it is given."""
    found = [
        (worker, part) for worker, part in enumerate(parts) if part.exists() and part.stat().st_size
    ]
    if kind == "cucumber":
        from asgibdd.report.cucumber_merge import (
            Unfinished,
            merge_cucumber,
            read_cucumber,
            with_unfinished,
        )

        unfinished = [
            Unfinished(
                uri=Path(_relative(record.scenario.feature)).as_posix(),
                feature_name=record.scenario.feature_name,
                name=record.scenario.name,
                line=int(record.scenario.location.rsplit(":", 1)[1]),
                tags=record.scenario.tags,
                status=record.status,
                duration=record.duration,
                message=_runner_words(record),
            )
            for record in records
        ]
        documents = [
            _kept_elements(_read_or_salvage(read_cucumber, part), worker, keep)
            for worker, part in found
        ]
        features = with_unfinished(merge_cucumber(documents), unfinished)
        return json.dumps(features, indent=1, ensure_ascii=False) + "\n"
    from asgibdd.report.messages_merge import merge_messages, read_messages

    if not found:
        return ""
    workers = [worker for worker, _ in found]
    envelopes = merge_messages(
        [_read_or_salvage(read_messages, part) for _, part in found],
        owner=lambda stream, uri, line: keep(workers[stream], uri, line),
        success=success,
    )
    return "".join(
        json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in envelopes
    )


def _read_or_salvage(read: Callable[[Path], list[Any]], part: Path) -> list[Any]:
    """`read(part)`; for the file of a worker that died while writing it (it does not
    parse), the features (JSON array) or envelopes (NDJSON) it wrote whole."""
    try:
        return read(part)
    except UsageError:
        return _json_features(part)


def _json_features(part: Path) -> list[Any]:
    """The objects of a JSON array, or of NDJSON lines, that `part` holds whole: all of
    them, or as many as a worker wrote before it died."""
    text = part.read_text("utf-8")
    with contextlib.suppress(ValueError):
        return list(json.loads(text)) if text.lstrip().startswith("[") else [json.loads(text)]
    decoder = json.JSONDecoder()
    found: list[Any] = []
    if text.lstrip().startswith("["):
        index = text.index("[") + 1
        while True:
            while index < len(text) and text[index] in " \t\r\n,":
                index += 1
            try:
                item, index = decoder.raw_decode(text, index)
            except ValueError:
                break
            found.append(item)
    else:
        for line in text.splitlines():
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
    return [item for item in found if isinstance(item, dict)]


def _kept_elements(
    features: list[dict[str, Any]], worker: int, keep: _Keep
) -> list[dict[str, Any]]:
    """`features` (Cucumber JSON) with only the scenarios `keep` takes from `worker`, each
    with the background element before it."""
    kept = []
    for feature in features:
        elements: list[dict[str, Any]] = []
        background: list[dict[str, Any]] = []
        for element in feature["elements"]:
            if element.get("type") == "background":
                background = [element]
            else:
                if keep(worker, str(feature["uri"]), int(element.get("line", 0) or 0)):
                    elements += [*background, element]
                background = []
        kept.append({**feature, "elements": elements})
    return kept


def _runner_words(record: ScenarioRecord) -> str:
    """What the console said of the scenario, less its `Scenario: name` heading (and the
    `... ` before the runner's own words)."""
    lines = record.text.strip("\n").splitlines()
    if lines and lines[0].strip().endswith(record.scenario.name):
        lines = lines[1:]
    text = textwrap.dedent("\n".join(lines)).strip()
    return text.removeprefix("... ")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class _Keep:
    """Whether worker i's output of a scenario is the one to keep (see `OutputPlan.merge`)."""

    def __init__(self, scheduled: Sequence[set[str]]) -> None:
        self._scheduled = scheduled
        self._anywhere = set().union(*scheduled) if scheduled else set()

    def __call__(self, worker: int, filename: str, line: int | str) -> bool:
        location = f"{_relative(filename)}:{line}"
        if location in self._anywhere:
            return worker < len(self._scheduled) and location in self._scheduled[worker]
        return worker == 0


def _relative(filename: str) -> str:
    relative = os.path.relpath(os.path.abspath(filename))
    return relative if not relative.startswith("..") else os.path.abspath(filename)


def merge_behave_json(parts: Sequence[Path], keep: _Keep) -> list[dict[str, Any]]:
    """behave's JSON reports as one: features by file, elements in line order."""
    features: dict[str, dict[str, Any]] = {}
    for worker, part in enumerate(parts):
        if not part.exists() or not part.read_text("utf-8").strip():
            continue
        for feature in _json_features(part):
            key = str(feature.get("location", "")).rsplit(":", 1)[0]
            known = features.setdefault(key, {**feature, "elements": []})
            known["elements"].extend(
                element
                for element in feature.get("elements", [])
                if element.get("type") == "background"
                or keep(worker, *str(element.get("location", ":0")).rsplit(":", 1))
            )
    for feature in features.values():
        seen: set[str] = set()
        elements = []
        for element in sorted(feature["elements"], key=_element_line):
            if element.get("type") == "background":
                if "background" in seen:
                    continue
                seen.add("background")
            elements.append(element)
        feature["elements"] = elements
    return [features[key] for key in sorted(features)]


def _element_line(element: dict[str, Any]) -> int:
    location = str(element.get("location", ":0"))
    tail = location.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def merge_behave_junit(
    folders: Sequence[Path], target: Path, names: Mapping[str, str] | None = None
) -> list[Path]:
    """behave's per-feature JUnit files from each worker, one file per feature again.

    Test cases of scenarios a worker skipped because another worker ran them are
    dropped (behave writes them as skipped); the counts are recomputed."""
    files: dict[str, list[Path]] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.xml")) if folder.is_dir() else []:
            files.setdefault((names or {}).get(path.name, path.name), []).append(path)
    written: list[Path] = []
    for name, paths in sorted(files.items()):
        suites = [ElementTree.parse(path).getroot() for path in paths]
        merged = suites[0]
        cases: dict[str, ElementTree.Element] = {}
        for suite in suites:
            for case in suite.findall("testcase"):
                key = case.get("name", "")
                skipped = case.find("skipped") is not None
                if key not in cases or (not skipped and cases[key].find("skipped") is not None):
                    cases[key] = case
        for case in merged.findall("testcase"):
            merged.remove(case)
        for case in cases.values():
            merged.append(case)
        merged.set("tests", str(len(cases)))
        for attribute, tag in (
            ("failures", "failure"),
            ("errors", "error"),
            ("skipped", "skipped"),
        ):
            merged.set(attribute, str(sum(c.find(tag) is not None for c in cases.values())))
        merged.set("time", f"{sum(float(c.get('time', 0) or 0) for c in cases.values()):.6f}")
        target.mkdir(parents=True, exist_ok=True)
        ElementTree.ElementTree(merged).write(target / name, encoding="UTF-8", xml_declaration=True)
        written.append(target / name)
    return written
