"""The Cucumber JSON formatter (`behave -f cucumber -o cucumber.json`).

Every report is checked against the format's JSON Schema (tests/cucumber_json_schema.py)
and read by real consumers where they are installed (tests/node_consumers.py).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asgibdd.testing import run_behave
from tests.cucumber_json_schema import schema_errors
from tests.node_consumers import run_node_file
from tests.report_runs import SECRETS, run_small_project

MORE_FEATURE = """
Feature: More shapes
  What the report shows of backgrounds,
  outlines and hooks.

  Background:
    Given the request header "X-Trace" is "t-1"

  Scenario Outline: Pages by name
    When I GET /<page>
    Then the response status is <status>

    Examples: pages
      | page | status |
      | page | 200    |
      | nope | 404    |

  Scenario Outline: A <what> page
    When I GET /page

    Examples:
      | what  |
      | plain |

  @hook-fails
  Scenario: A hook that fails
    When I GET /page
"""

HOOKS = """
from asgibdd.environment import *  # noqa: F403
from asgibdd import environment as asgibdd


def before_scenario(context, scenario):
    asgibdd.before_scenario(context, scenario)
    if "hook-fails" in scenario.tags:
        raise RuntimeError("the hook failed on purpose")
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    project = tmp_path_factory.mktemp("cucumber")
    outcome = run_small_project(
        project,
        *("-f", "cucumber", "-o", "cucumber.json", "-f", "json", "-o", "b.json", "-f", "plain"),
        files={"features/more.feature": MORE_FEATURE, "environment.py": HOOKS},
    )
    assert outcome.scenarios.failed == 1, outcome.output
    return project, json.loads((project / "cucumber.json").read_text(encoding="utf-8"))


def _scenarios(report: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        element["name"]: element
        for feature in report
        for element in feature["elements"]
        if element["type"] == "scenario"
    }


def test_the_report_is_valid_cucumber_json_with_every_scenario(
    small: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, report = small
    assert schema_errors(report) == []
    statuses = {
        name: [step["result"]["status"] for step in element["steps"]]
        for name, element in _scenarios(report).items()
    }
    assert statuses == {
        "A page that passes": ["passed", "passed"],
        "A login whose token is not the one expected <img src=x onerror=alert(1)>": [
            "passed",
            "failed",
        ],
        "A step nobody wrote": ["undefined"],
        "Pages by name (page=page, status=200)": ["passed", "passed"],
        "Pages by name (page=nope, status=404)": ["passed", "passed"],
        "A plain page": ["passed"],
        "A hook that fails": ["skipped"],
    }


def test_outline_rows_are_elements_named_by_their_values(
    small: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, report = small
    more = next(feature for feature in report if feature["uri"] == "features/more.feature")
    rows = [
        (element["keyword"], element["name"], element["line"], element["id"])
        for element in more["elements"]
        if element["type"] == "scenario" and element["keyword"] == "Scenario Outline"
    ]
    assert rows == [
        (
            "Scenario Outline",
            "Pages by name (page=page, status=200)",
            14,
            "more-shapes;pages-by-name;pages;2",
        ),
        (
            "Scenario Outline",
            "Pages by name (page=nope, status=404)",
            15,
            "more-shapes;pages-by-name;pages;3",
        ),
        ("Scenario Outline", "A plain page", 22, "more-shapes;a-what-page;;2"),
    ]
    assert more["description"] == "What the report shows of backgrounds,\noutlines and hooks."


def test_each_scenario_with_a_background_follows_the_background_it_ran(
    small: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, report = small
    more = next(feature for feature in report if feature["uri"] == "features/more.feature")
    kinds = [element["type"] for element in more["elements"]]
    assert kinds == ["background", "scenario"] * 4
    background = more["elements"][0]
    assert (background["keyword"], background["line"]) == ("Background", 5)
    assert [step["name"] for step in background["steps"]] == [
        'the request header "X-Trace" is "t-1"'
    ]


def test_durations_are_whole_nanoseconds_and_failures_carry_their_message(
    small: tuple[Path, list[dict[str, Any]]],
) -> None:
    project, report = small
    scenarios = _scenarios(report)
    failed = scenarios["A login whose token is not the one expected <img src=x onerror=alert(1)>"]
    step = failed["steps"][1]
    assert step["result"]["status"] == "failed"
    assert step["result"]["error_message"].startswith(
        'asgibdd.ExpectationFailed: The JSON at "$.access_token" is not as expected:\n'
        '  $.access_token: expected "something else", got "***"'
    )
    durations = [s["result"]["duration"] for e in scenarios.values() for s in e["steps"]]
    assert all(isinstance(duration, int) for duration in durations)
    # The very durations behave measured (its own JSON has them in seconds), in nanoseconds.
    behave_json = json.loads((project / "b.json").read_text(encoding="utf-8"))
    seconds = next(
        [step["result"]["duration"] for step in element["steps"]]
        for feature in behave_json
        for element in feature["elements"]
        if element.get("name") == failed["name"]
    )
    assert [s["result"]["duration"] for s in failed["steps"]] == [
        round(value * 1e9) for value in seconds
    ]
    undefined = scenarios["A step nobody wrote"]["steps"][0]
    assert undefined["match"] == {}
    assert undefined["result"]["error_message"] == (
        'asgibdd.UsageError: The step "When I frobnicate the widget" matches no step '
        "definition.\n  no library step looks like it: `asgibdd steps` lists them all."
    )
    # A library step is located by its module, not by a path up out of the project.
    location = scenarios["A page that passes"]["steps"][0]["match"]["location"]
    assert location.startswith("asgibdd/steps/http.py:"), location


def test_a_failed_hook_is_a_before_hook_result(
    small: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, report = small
    hooked = _scenarios(report)["A hook that fails"]
    assert hooked["before"] == [
        {
            "match": {"location": "environment.py"},
            "result": {
                "status": "failed",
                "duration": 0,
                "error_message": (
                    "HOOK-ERROR in before_scenario: RuntimeError: the hook failed on purpose"
                ),
            },
        }
    ]


def test_transcripts_are_masked_base64_embeddings_of_the_step_that_sent_them(
    small: tuple[Path, list[dict[str, Any]]],
) -> None:
    project, report = small
    login = _scenarios(report)[
        "A login whose token is not the one expected <img src=x onerror=alert(1)>"
    ]
    embeddings = login["steps"][0]["embeddings"]
    assert [(e["mime_type"], e["name"]) for e in embeddings] == [
        ("text/plain", "POST /login → 200 OK, 54 bytes")
    ]
    text = base64.b64decode(embeddings[0]["data"]).decode()
    assert text.startswith(
        "POST /login → 200 OK, 54 bytes\n\nRequest:\n  POST http://testserver/login"
    )
    assert '"password": "***"' in text and '"access_token": "***"' in text
    assert "embeddings" not in login["steps"][1]  # the check sent nothing
    raw = (project / "cucumber.json").read_text(encoding="utf-8")
    decoded = [
        base64.b64decode(e["data"]).decode()
        for element in _scenarios(report).values()
        for step in element["steps"]
        for e in step.get("embeddings", [])
    ]
    for secret in SECRETS:
        assert secret not in raw
        assert all(secret not in item for item in decoded)
    assert login["steps"][0]["doc_string"]["value"] == '{"username": "bob", "password": "***"}'


def test_real_consumers_read_the_report(
    small: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    project, _ = small
    understood = run_node_file(
        "read_cucumber_json.cjs", str(project / "cucumber.json"), str(tmp_path / "chr.html")
    )
    assert understood["features"] == 2
    assert understood["scenarios"] == 7
    assert understood["embeddings"] == 5
    html = (tmp_path / "chr.html").read_text(encoding="utf-8")
    assert "A step nobody wrote" in html and "Pages by name (page=nope, status=404)" in html


def test_a_project_made_by_init_writes_html_and_cucumber_json_in_one_run(tmp_path: Path) -> None:
    """The held-out check: a project `asgibdd init` set up, run by plain behave."""
    initialised = subprocess.run(
        [sys.executable, "-m", "asgibdd", "init", str(tmp_path), "--app", "asgibdd.demo:app"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert initialised.returncode == 0, initialised.stderr
    (tmp_path / "features" / "more.feature").write_text(
        "Feature: Pages\n"
        "  Scenario Outline: A page by path\n"
        "    When I GET <path>\n"
        "    Then the response status is <status>\n"
        "    Examples:\n"
        "      | path          | status |\n"
        "      | /health       | 200    |\n"
        "      | /no-such-page | 404    |\n"
        "  Scenario: An unknown phrase\n"
        "    When I teleport the items\n",
        encoding="utf-8",
    )
    outcome = run_behave(
        tmp_path,
        *("-f", "html", "-o", "report.html", "-f", "cucumber", "-o", "cucumber.json"),
        "features/",
    )
    assert (tmp_path / "report.html").is_file(), outcome.output
    report = json.loads((tmp_path / "cucumber.json").read_text(encoding="utf-8"))
    assert schema_errors(report) == []
    written = sorted(
        (feature["uri"], element["line"], element["steps"][-1]["result"]["status"])
        for feature in report
        for element in feature["elements"]
        if element["type"] == "scenario"
    )
    # Every scenario behave ran is in the report, as behave counted it.
    assert (outcome.scenarios.passed, outcome.scenarios.error) == (3, 1), outcome.output
    assert [(uri, status) for uri, _, status in written] == [
        ("features/example.feature", "passed"),
        ("features/more.feature", "passed"),
        ("features/more.feature", "passed"),
        ("features/more.feature", "undefined"),
    ]


def test_tags_are_listed_with_the_line_they_are_written_on(
    small: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, report = small
    scenarios = _scenarios(report)
    feature = next(f for f in report if f["uri"] == "features/report.feature")
    assert feature["tags"] == [{"name": "@reports", "line": 1}]
    assert scenarios["A page that passes"]["tags"] == [
        {"name": "@reports", "line": 1},
        {"name": "@smoke", "line": 4},
    ]
    assert scenarios["A hook that fails"]["tags"] == [{"name": "@hook-fails", "line": 24}]
