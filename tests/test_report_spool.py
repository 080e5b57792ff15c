"""The HTML report keeps its scenarios on disk while the run goes on (`ScenarioSpool`), and
writes the very page and results file it would write from memory; so does the JUnit file."""

from __future__ import annotations

import re
from pathlib import Path

from asgibdd.report.html_render import render_html
from asgibdd.report.junit import render_junit
from asgibdd.report.model import read_run, write_run
from tests.report_runs import run_small_project

# A second feature: an outline, tags, a table, and statuses in another order than the first.
MORE = """
@more
Feature: More

  Scenario Outline: status <status>
    When I GET /page
    Then the response status is <status>

    Examples:
      | status |
      | 404    |
      | 200    |

  @auth
  Scenario: a form
    When I POST /login with form:
      | name     | value |
      | username | bob   |
    Then the response status is 200
"""


def test_the_spooled_page_and_results_are_those_made_in_memory(tmp_path: Path) -> None:
    project = tmp_path / "project"
    spool = tmp_path / "tmp"
    spool.mkdir()
    outcome = run_small_project(
        project,
        "-f",
        "html",
        "-o",
        "report.html",
        *("-f", "junit", "-o", "junit.xml"),
        files={"features/more.feature": MORE},
        env={"TMPDIR": str(spool)},
    )
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (3, 2), outcome.output
    run = read_run(project / "report.results.json")
    assert [len(feature.scenarios) for feature in run.features] == [3, 3]
    assert (project / "report.html").read_text(encoding="utf-8") == render_html(run)
    write_run(run, tmp_path / "again.json")  # from memory, as `asgibdd report merge` does
    assert (tmp_path / "again.json").read_bytes() == (project / "report.results.json").read_bytes()
    # Each formatter times the run itself: the documents' own `time` differs.
    run_time = re.compile(r'(<testsuites [^>]* time=")[0-9.]+"')
    junit = run_time.sub(r'\1"', (project / "junit.xml").read_text(encoding="utf-8"))
    assert junit == run_time.sub(r'\1"', render_junit(run))
    assert junit.count("<testsuite ") == 2
    assert list(spool.iterdir()) == []  # the spool's files had no name, and are gone
