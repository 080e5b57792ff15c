"""JUnit XML for CI dashboards: one file for the run, one `<testsuite>` per feature.

Differences from behave's own `--junit` (one file per feature in `reports/`):

- One consistent `classname` for every test case: the feature file's path without
  `.feature`, with `/` as `.` (`features.auth.login`), so dashboards group by file.
- `name` is the scenario's name (an outline's example rows keep behave's ` -- @1.1 ...`).
- A failed step is a `<failure>`, an error (any other exception, an undefined step, a hook
  error) an `<error>`; `type` is the public name of the exception
  (`asgibdd.ExpectationFailed`, `AssertionError`), `message` its first line, and the
  element's text the whole message plus the step that failed.
- Skipped and untested scenarios are `<skipped/>`.
- A scenario `asgibdd run --retries` ran again has its earlier attempts as Maven
  Surefire writes reruns (Jenkins reads them): a flaky one (passed on a retry) passes with a
  `<flakyFailure>` / `<flakyError>` per failed attempt, one that failed every time has a
  `<rerunFailure>` / `<rerunError>` per earlier attempt after its `<failure>`; each holds
  the attempt's message in `<stackTrace>`.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from xml.etree import ElementTree

from asgibdd.report._formatter import CollectingFormatter
from asgibdd.report.collect import collect_feature
from asgibdd.report.model import NOT_RUN, PROBLEMS, FeatureResult, Run, ScenarioResult
from asgibdd.report.sections import has_report_amendments
from asgibdd.report.spool import read_back, temporary_file

__all__ = ["JUnitFormatter", "classname", "render_junit"]

_COUNTERS = ("tests", "failures", "errors", "skipped")
# Characters XML 1.0 cannot hold at all (an app's bytes can contain them): shown as U+FFFD.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class JUnitFormatter(CollectingFormatter):
    """`behave -f junit -o junit.xml`: the whole run as one JUnit XML file.

    Each feature's `<testsuite>` goes to an unnamed temporary file when the feature ends
    (memory keeps the counts only), and the file is written from there at the end, the
    same text `render_junit` makes of the whole run. A run that amends its report when it
    ends (the results history, `history_in_behave`) keeps its features in memory instead.
    """

    name = "junit"
    description = "JUnit XML for CI: one file, public exception types, full messages."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._suites = temporary_file()
        self._totals = dict.fromkeys(_COUNTERS, 0)
        self._spooled = 0

    def eof(self) -> None:
        if has_report_amendments():
            super().eof()
        elif self._feature is not None:
            text, counts = junit_suite(collect_feature(self._feature))
            self._feature = None
            self._suites.write(f"\n  {text}" if self._spooled else text)
            self._spooled += 1
            _add_counts(self._totals, counts)

    def write(self, run: Run) -> None:
        try:
            if run.features or not self._spooled:
                self.open().write(render_junit(run))
            else:
                stream = self.open()
                head, tail, _ = _document(self._totals, run.duration)
                stream.write(head)
                stream.writelines(read_back(self._suites))
                stream.write(tail)
        finally:
            self._suites.close()


def classname(filename: str) -> str:
    """`features/auth/login.feature` → `features.auth.login`."""
    path = PurePosixPath(filename.replace("\\", "/"))
    return ".".join(path.with_suffix("").parts).lstrip(".")


def render_junit(run: Run) -> str:
    """The JUnit XML document of `run`."""
    totals = dict.fromkeys(_COUNTERS, 0)
    suites = []
    for feature in run.features:
        text, counts = junit_suite(feature)
        suites.append(text)
        _add_counts(totals, counts)
    head, tail, empty = _document(totals, run.duration)
    return head + "\n  ".join(suites) + tail if suites else empty


def junit_suite(feature: FeatureResult) -> tuple[str, dict[str, int]]:
    """A feature's `<testsuite>`, indented as the second level of the document, and its
    counts (tests, failures, errors, skipped)."""
    counts = dict.fromkeys(_COUNTERS, 0)
    suite = ElementTree.Element("testsuite", name=feature.name)
    suite.set("file", feature.filename)
    for scenario in feature.scenarios:
        counts["tests"] += 1
        kind = _add_case(suite, scenario, classname(feature.filename))
        if kind:
            counts[kind] += 1
    time = sum(scenario.duration for scenario in feature.scenarios)
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", f"{time:.3f}")
    ElementTree.indent(suite, level=1)
    return ElementTree.tostring(suite, encoding="unicode"), counts


def _add_counts(totals: dict[str, int], counts: dict[str, int]) -> None:
    for key, value in counts.items():
        totals[key] += value


def _document(totals: dict[str, int], duration: float) -> tuple[str, str, str]:
    """The document's text before its suites, after them, and the whole document when it
    has no suite (an empty `<testsuites ... />`)."""
    root = ElementTree.Element("testsuites", name="asgibdd")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{duration:.3f}")
    empty = ElementTree.tostring(root, encoding="unicode")
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    head = f"{declaration}{empty.removesuffix(' />')}>\n  "
    return head, "\n</testsuites>\n", f"{declaration}{empty}\n"


def _add_case(suite: ElementTree.Element, scenario: ScenarioResult, cls: str) -> str | None:
    """Add the scenario's test case; return which counter it adds to (None: passed)."""
    case = ElementTree.SubElement(
        suite, "testcase", classname=cls, name=_NOT_XML.sub("\ufffd", scenario.name)
    )
    case.set("file", scenario.filename)
    case.set("line", str(scenario.line))
    case.set("time", f"{scenario.duration:.3f}")
    if scenario.status in ("passed", "flaky"):
        _add_attempts(case, scenario, "flaky")
        return None
    if scenario.status in NOT_RUN:
        ElementTree.SubElement(case, "skipped")
        return "skipped"
    step = scenario.failure
    if step is not None and step.status == "failed":
        tag, kind, counter = "failure", step.error_type or "AssertionError", "failures"
    else:
        tag, kind, counter = "error", "", "errors"
    if step is not None:
        message = step.error_message or f"Step {step.status}: {step.keyword} {step.name}"
        kind = kind or step.error_type or f"behave.{step.status}"
        where = f"{step.keyword} {step.name} ({scenario.filename}:{step.line})"
    else:
        message = scenario.error_message or f"Scenario {scenario.status}"
        kind = scenario.error_type or f"behave.{scenario.status}"
        where = f"{scenario.filename}:{scenario.line}"
    message = _NOT_XML.sub("\ufffd", message)
    element = ElementTree.SubElement(case, tag, type=kind, message=_first_line(message))
    element.text = _NOT_XML.sub("\ufffd", f"{where}\n\n{message}")
    _add_attempts(case, scenario, "rerun")
    return counter


def _add_attempts(case: ElementTree.Element, scenario: ScenarioResult, prefix: str) -> None:
    """The scenario's earlier attempts, as Surefire's `flaky…` / `rerun…` elements."""
    for attempt in scenario.attempts:
        step = next((step for step in attempt.steps if step.status in PROBLEMS), None)
        failed = step is not None and step.status == "failed"
        if step is not None:
            message = step.error_message or f"Step {step.status}: {step.keyword} {step.name}"
            kind = step.error_type or ("AssertionError" if failed else f"behave.{step.status}")
            where = f"{step.keyword} {step.name} ({scenario.filename}:{step.line})"
        else:
            message = attempt.error_message or f"Scenario {attempt.status}"
            kind = attempt.error_type or f"behave.{attempt.status}"
            where = f"{scenario.filename}:{scenario.line}"
        message = _NOT_XML.sub("\ufffd", message)
        tag = f"{prefix}{'Failure' if failed else 'Error'}"
        element = ElementTree.SubElement(
            case, tag, type=kind, message=_first_line(message), time=f"{attempt.duration:.3f}"
        )
        ElementTree.SubElement(element, "stackTrace").text = f"{where}\n\n{message}"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)
