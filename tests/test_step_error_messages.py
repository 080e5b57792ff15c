"""A step that raises one of asgibdd's errors shows its kind and message, never a Python
traceback:
on the console (pretty and plain), in behave's JUnit and JSON reports and in asgibdd's
HTML report and JUnit file; a bug in a project's own step keeps its traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asgibdd.behave_errors import reader_message
from asgibdd.errors import ConfigError, UsageError
from tests.behave_project import CONSOLE_OPTIONS, run_feature
from tests.report_runs import PYPROJECT

FEATURE = """
Feature: Errors

  Scenario: an unknown marker
    When I GET /items
    Then the JSON at "$.count" is "#nonsense"

  Scenario: a bug in the project's step
    When I GET /items
    Then a bug happens
"""

OWN_STEPS = """
from behave import then


@then("a bug happens")
def a_bug(context):
    return {}["missing"]
"""

MARKER = (
    'Unknown marker "#nonsense". To expect this exact text, write "##nonsense". Markers: '
    "#string, #number, #integer, #boolean, #array, #object, #null, #notnull, #present, "
    "#notpresent, #ignore, #uuid, #datetime, #regex."
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("errors")
    run_feature(
        folder,
        FEATURE,
        *CONSOLE_OPTIONS,
        "-f",
        "json",
        "-o",
        "report.json",
        "-f",
        "html",
        "-o",
        "report.html",
        "-f",
        "junit",
        "-o",
        "junit.xml",
        "--junit",
        "--junit-directory",
        "reports",
        **{"steps/own.py": OWN_STEPS, "pyproject.toml": PYPROJECT},
    )
    return folder


def test_the_plain_console_shows_a_usage_errors_kind_and_message(project: Path) -> None:
    text = (project / "plain.txt").read_text()
    start = text.index("  Scenario: an unknown marker\n")
    assert text[start : text.index("\n\n", start)] == (
        "  Scenario: an unknown marker\n"
        "    When I GET /items ... passed\n"
        '    Then the JSON at "$.count" is "#nonsense" ... error\n'
        f"UsageError: {MARKER}"
    )


def test_the_pretty_console_shows_a_usage_errors_kind_and_message(project: Path) -> None:
    text = (project / "pretty.txt").read_text()
    start = text.index("  Scenario: an unknown marker \n")
    assert text[start : text.index("\n\n", start)] == (
        "  Scenario: an unknown marker \n"  # behave's pretty pads the title for its source
        "    When I GET /items\n"
        '    Then the JSON at "$.count" is "#nonsense"\n'
        f"      UsageError: {MARKER}"
    )


def test_a_bug_in_a_projects_step_keeps_its_traceback_on_both_consoles(project: Path) -> None:
    for name, indent in (("plain.txt", ""), ("pretty.txt", "      ")):
        text = (project / name).read_text()
        block = text[text.index("  Scenario: a bug in the project's step") :]
        assert f"\n{indent}Traceback (most recent call last):\n" in block, block
        assert '    return {}["missing"]\n' in block
        assert f"\n{indent}KeyError: 'missing'\n" in block


def test_behaves_junit_and_json_reports_carry_no_traceback(project: Path) -> None:
    (junit,) = (project / "reports").glob("*.xml")
    text = junit.read_text()
    assert f"Location: features/test.feature:5\nUsageError: {MARKER}]]>" in text
    assert text.count("Traceback (most recent call last)") == 1  # the project's bug
    report = json.loads((project / "report.json").read_text())
    steps = report[0]["elements"][0]["steps"]
    assert steps[1]["result"]["error_message"] == f"UsageError: {MARKER}"


def test_asgibdds_html_report_and_junit_file_carry_the_message_alone(project: Path) -> None:
    results: dict[str, Any] = json.loads((project / "report.results.json").read_text())
    marker, bug = (scenario["steps"][1] for scenario in results["features"][0]["scenarios"])
    assert (marker["error_type"], marker["error_message"]) == ("asgibdd.UsageError", MARKER)
    assert bug["error_message"].startswith("Traceback (most recent call last):\n")
    assert MARKER.replace('"', "&quot;") in (project / "report.html").read_text()
    junit = (project / "junit.xml").read_text()
    assert (
        '<error type="asgibdd.UsageError" message="'
        + MARKER.replace('"', "&quot;")
        + '">Then the JSON at "$.count" is "#nonsense" (features/test.feature:5)\n\n'
        + MARKER
        + "</error>"
    ) in junit
    assert "KeyError: 'missing'\n</error>" in junit  # the project's bug, with its traceback


def test_an_app_exception_an_asgibdd_error_names_as_its_cause_keeps_its_traceback() -> None:
    def load() -> None:
        raise ZeroDivisionError("division by zero")

    try:
        try:
            load()
        except ZeroDivisionError as cause:
            raise ConfigError("Importing the app raised ZeroDivisionError.") from cause
    except ConfigError as error:
        message = reader_message(error)
    assert message.startswith(
        "ConfigError: Importing the app raised ZeroDivisionError.\n\nIt was caused by:\n"
        "Traceback (most recent call last):\n"
    )
    assert message.endswith("ZeroDivisionError: division by zero")
    assert reader_message(UsageError("Bad input.")) == "UsageError: Bad input."


def test_the_message_only_form_is_undone_when_the_run_ends() -> None:
    import traceback

    from behave import model

    from asgibdd import behave_errors

    installed = behave_errors.install()
    assert model.traceback is not traceback
    assert behave_errors.install().model is None  # a second install changes nothing
    installed.undo()
    assert model.traceback is traceback
