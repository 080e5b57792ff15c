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
from xml.etree import ElementTree

from asgibdd.report._formatter import CollectingFormatter
from asgibdd.report.model import NOT_RUN, PROBLEMS, Run, ScenarioResult

__all__ = ["JUnitFormatter", "classname", "render_junit"]

# Characters XML 1.0 cannot hold at all (an app's bytes can contain them): shown as U+FFFD.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class JUnitFormatter(CollectingFormatter):
    """`behave -f junit -o junit.xml`: the whole run as one JUnit XML file."""

    name = "junit"
    description = "JUnit XML for CI: one file, public exception types, full messages."

    def write(self, run: Run) -> None:
        self.open().write(render_junit(run))


def classname(filename: str) -> str:
    """`features/auth/login.feature` → `features.auth.login`."""
    path = PurePosixPath(filename.replace("\\", "/"))
    return ".".join(path.with_suffix("").parts).lstrip(".")


def render_junit(run: Run) -> str:
    suites = ElementTree.Element("testsuites", name="asgibdd")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for feature in run.features:
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite = ElementTree.SubElement(suites, "testsuite", name=feature.name)
        suite.set("file", feature.filename)
        for scenario in feature.scenarios:
            counts["tests"] += 1
            kind = _add_case(suite, scenario, classname(feature.filename))
            if kind:
                counts[kind] += 1
        time = sum(scenario.duration for scenario in feature.scenarios)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{time:.3f}")
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{run.duration:.3f}")
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


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
