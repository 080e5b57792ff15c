"""The JUnit formatter (`behave -f junit -o junit.xml`): one file, fit for CI dashboards."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import httpx

from asgibdd.errors import ExpectationFailed
from asgibdd.report.collect import public_name
from asgibdd.report.junit import classname, render_junit
from asgibdd.report.model import FeatureResult, Run, ScenarioResult, StepResult
from tests.report_runs import SECRETS, run_small_project


def _without_times(xml: str) -> str:
    return re.sub(r' time="[0-9.]+"', "", xml)


def test_one_file_with_public_exception_types_full_messages_and_one_classname(
    tmp_path: Path,
) -> None:
    outcome = run_small_project(tmp_path, "-f", "junit", "-o", "junit.xml", "-f", "plain")
    assert outcome.scenarios.failed == 1, outcome.output
    xml = (tmp_path / "junit.xml").read_text()
    assert [secret for secret in SECRETS if secret in xml] == []
    root = ElementTree.fromstring(xml)
    assert root.attrib == {
        "name": "asgibdd",
        "tests": "3",
        "failures": "1",
        "errors": "1",
        "skipped": "0",
        "time": root.attrib["time"],
    }
    cases = root.findall("testsuite/testcase")
    assert [(case.get("classname"), case.get("name"), case.get("line")) for case in cases] == [
        ("features.report", "A page that passes", "5"),
        (
            "features.report",
            "A login whose token is not the one expected <img src=x onerror=alert(1)>",
            "10",
        ),
        ("features.report", "A step nobody wrote", "17"),
    ]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "asgibdd.ExpectationFailed"
    assert failure.get("message") == 'The JSON at "$.access_token" is not as expected:'
    assert (failure.text or "").startswith(
        'Then the JSON at "$.access_token" is "something else" (features/report.feature:15)\n\n'
        'The JSON at "$.access_token" is not as expected:\n'
        '  $.access_token: expected "something else", got "***"\n'
    )
    error = cases[2].find("error")
    assert error is not None
    # An undefined step carries the library's advice (asgibdd.steps.advice) as its error.
    assert (error.get("type"), error.get("message"), error.text) == (
        "asgibdd.UsageError",
        'The step "When I frobnicate the widget" matches no step definition.',
        "When I frobnicate the widget (features/report.feature:18)\n\n"
        'The step "When I frobnicate the widget" matches no step definition.\n'
        "  no library step looks like it: `asgibdd steps` lists them all.",
    )


def _run(*scenarios: ScenarioResult) -> Run:
    return Run(features=[FeatureResult("F", "features/f.feature", 1, [], list(scenarios))])


def test_errors_skips_and_characters_xml_cannot_hold() -> None:
    boom = StepResult("When", "boom", "error", 0.5, 3, "KeyError", "Traceback...\nKeyError: 'x'")
    skipped = StepResult("When", "later", "skipped", 0.0, 4)
    xml = render_junit(
        _run(
            ScenarioResult("errs", "error", 0.5, "features/f.feature", 2, [], [boom]),
            ScenarioResult("skips", "skipped", 0.0, "features/f.feature", 5, [], [skipped]),
            ScenarioResult(
                "bell \x07",
                "hook_error",
                0.0,
                "features/f.feature",
                7,
                [],
                [],
                [],
                "RuntimeError",
                "before_scenario broke \x1b[31m",
            ),
        )
    )
    assert _without_times(xml) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="asgibdd" tests="3" failures="0" errors="2" skipped="1">\n'
        '  <testsuite name="F" file="features/f.feature" tests="3" failures="0" errors="2" '
        'skipped="1">\n'
        '    <testcase classname="features.f" name="errs" file="features/f.feature" line="2">\n'
        '      <error type="KeyError" message="Traceback...">When boom (features/f.feature:3)\n'
        "\n"
        "Traceback...\n"
        "KeyError: 'x'</error>\n"
        "    </testcase>\n"
        '    <testcase classname="features.f" name="skips" file="features/f.feature" line="5">\n'
        "      <skipped />\n"
        "    </testcase>\n"
        '    <testcase classname="features.f" name="bell \ufffd" file="features/f.feature" '
        'line="7">\n'
        '      <error type="RuntimeError" message="before_scenario broke \ufffd[31m">'
        "features/f.feature:7\n"
        "\n"
        "before_scenario broke \ufffd[31m</error>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_the_classname_is_the_feature_path_with_dots() -> None:
    assert classname("features/auth/login.feature") == "features.auth.login"
    assert classname("features\\auth\\login.feature") == "features.auth.login"
    assert classname("login.feature") == "login"


def test_exception_types_are_named_as_users_import_them() -> None:
    assert public_name(KeyError("x")) == "KeyError"
    assert public_name(ExpectationFailed("x")) == "asgibdd.ExpectationFailed"
    assert public_name(httpx.ReadTimeout("x")) == "httpx.ReadTimeout"
    assert public_name(None) is None
