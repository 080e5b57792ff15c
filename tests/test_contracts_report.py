"""The API coverage of a run shows as a section of the HTML report's results."""

from __future__ import annotations

import json
from pathlib import Path

from asgibdd.testing import BehaveOutcome, run_behave, write_project
from tests.behave_project import HOOKS_LINE, STEPS_LINE


def _run(tmp_path: Path, *options: str) -> BehaveOutcome:
    write_project(
        tmp_path,
        {
            "steps/library.py": STEPS_LINE,
            "environment.py": HOOKS_LINE,
            "features/items.feature": (
                "Feature: items\n"
                "  Scenario: list\n"
                "    When I GET /items\n"
                "    Then the response status is 200\n"
            ),
        },
    )
    return run_behave(
        tmp_path,
        *options,
        "-D",
        "asgibdd.app=asgibdd.demo:app",
        "-D",
        "asgibdd.api_coverage=",
        "-f",
        "asgibdd.report.html:HTMLFormatter",
        "-o",
        "report.html",
        "features/",
    )


def test_the_html_report_carries_the_api_coverage_section(tmp_path: Path) -> None:
    outcome = _run(tmp_path)
    assert outcome.passed, outcome.output
    results = json.loads((tmp_path / "report.results.json").read_text())
    [section] = results["sections"]
    assert section["title"] == "API coverage"
    assert section["summary"].startswith("API coverage: 1 of ")
    assert ["GET /items", "1", "200", "422"] in section["rows"]
    assert "API coverage" in (tmp_path / "report.html").read_text()


def test_with_the_check_off_the_section_is_neutral_and_says_why(tmp_path: Path) -> None:
    outcome = _run(tmp_path, "-D", "asgibdd.contract=false")
    assert outcome.passed, outcome.output
    [section] = json.loads((tmp_path / "report.results.json").read_text())["sections"]
    assert (section["title"], section["status"], section["rows"]) == ("API coverage", "info", [])
    assert section["summary"] == (
        "API contract check: off (contract = false); responses are not checked against "
        "app.openapi() of FastAPI, OpenAPI 3.1.0."
    )
