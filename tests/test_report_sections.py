"""Extra report sections (API coverage, say) registered by code in the same run."""

from __future__ import annotations

from pathlib import Path

from asgibdd.report.model import read_run
from tests.report_runs import run_small_project

ENVIRONMENT = """
from asgibdd.environment import *  # noqa: F403
from asgibdd import environment as asgibdd
from asgibdd.report import Section, register_report_section


def coverage():
    return Section(
        title="API coverage",
        summary="1 of 2 operations called <none skipped>",
        columns=["operation", "calls"],
        rows=[["GET /page", "1"], ["DELETE /page", "0"]],
        status="failed",
    )


def before_all(context):
    asgibdd.before_all(context)
    register_report_section(coverage)
    register_report_section(coverage)  # once is enough
    register_report_section(lambda: None)  # nothing to show
"""


def test_a_registered_section_is_shown_escaped_and_kept_in_the_results(tmp_path: Path) -> None:
    outcome = run_small_project(
        tmp_path,
        "-f",
        "html",
        "-o",
        "report.html",
        "-f",
        "plain",
        files={"environment.py": ENVIRONMENT},
    )
    assert outcome.scenarios.passed == 1, outcome.output
    page = (tmp_path / "report.html").read_text()
    assert page.count("<h2>API coverage</h2>") == 1
    assert (
        '<section class="extra failed"><h2>API coverage</h2>'
        "<p>1 of 2 operations called &lt;none skipped&gt;</p><table><thead><tr>"
        '<th scope="col">operation</th><th scope="col">calls</th></tr></thead><tbody>'
        "<tr><td>GET /page</td><td>1</td></tr><tr><td>DELETE /page</td><td>0</td></tr>"
        "</tbody></table></section>"
    ) in page
    [section] = read_run(tmp_path / "report.results.json").sections
    assert section.rows == [["GET /page", "1"], ["DELETE /page", "0"]]
