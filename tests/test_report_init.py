"""`asgibdd init` names the report formatters where behave will read them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from asgibdd.cli._behave_formatters import write_report_formatters
from asgibdd.testing import run_behave, write_project
from tests.report_runs import APP, FEATURE, FORMATTERS_ADDED, PYPROJECT

SETUP_CFG_TABLE = (
    "[behave.formatters]\n"
    "html = asgibdd.report.html:HTMLFormatter\n"
    "junit = asgibdd.report.junit:JUnitFormatter\n"
    "messages = asgibdd.report.messages:MessagesFormatter\n"
    "cucumber = asgibdd.report.cucumber:CucumberJSONFormatter\n"
)


def test_pyproject_gets_the_table_once(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.asgibdd]\napp = "app:app"\n')
    first = write_report_formatters(tmp_path)
    second = write_report_formatters(tmp_path)
    assert (str(first), str(second)) == (
        "  updated   pyproject.toml  (added [tool.behave.formatters]: "
        "-f html / -f junit / -f messages / -f cucumber)",
        "  in place  pyproject.toml  ([tool.behave.formatters] names asgibdd's report formatters)",
    )
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[tool.asgibdd]\napp = "app:app"\n\n' + PYPROJECT
    )


def test_a_setup_cfg_gets_the_table_because_behave_reads_it_after_pyproject(
    tmp_path: Path,
) -> None:
    write_project(
        tmp_path,
        {
            "pyproject.toml": '[tool.asgibdd]\napp = "app:app"\n',
            "setup.cfg": "[metadata]\nname = shop\n",
            "app.py": APP,
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/report.feature": FEATURE,
        },
    )
    action = write_report_formatters(tmp_path)
    assert str(action) == (
        "  updated   setup.cfg  (added [behave.formatters]: "
        "-f html / -f junit / -f messages / -f cucumber)"
    )
    assert (tmp_path / "setup.cfg").read_text() == "[metadata]\nname = shop\n\n" + SETUP_CFG_TABLE
    outcome = run_behave(
        tmp_path, "-f", "html", "-o", "report.html", "features/", env={"PYTHONPATH": str(tmp_path)}
    )
    assert outcome.scenarios.passed == 1, outcome.output
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_a_table_of_the_users_own_is_left_alone_with_what_to_add(tmp_path: Path) -> None:
    (tmp_path / "behave.ini").write_text("[behave.formatters]\nhtml = mine:Formatter\n")
    action = write_report_formatters(tmp_path)
    assert str(action) == (
        "  unchanged behave.ini  ([behave.formatters] exists; add by hand: "
        "html = asgibdd.report.html:HTMLFormatter, junit = asgibdd.report.junit:JUnitFormatter, "
        "messages = asgibdd.report.messages:MessagesFormatter, "
        "cucumber = asgibdd.report.cucumber:CucumberJSONFormatter)"
    )
    assert (tmp_path / "behave.ini").read_text() == "[behave.formatters]\nhtml = mine:Formatter\n"


def test_after_init_behave_writes_the_html_report_by_its_alias(tmp_path: Path) -> None:
    initialised = subprocess.run(
        [sys.executable, "-m", "asgibdd", "init", str(tmp_path), "--app", "asgibdd.demo:app"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert initialised.returncode == 0, initialised.stderr
    assert FORMATTERS_ADDED in initialised.stdout.splitlines()
    outcome = run_behave(tmp_path, "-f", "html", "-o", "report.html", "features/")
    assert outcome.passed, outcome.output
    page = (tmp_path / "report.html").read_text()
    assert "<title>asgibdd.demo:app: 1 scenario, all passed (asgibdd report)</title>" in page


def test_this_repository_names_every_report_formatter() -> None:
    from asgibdd.project import parse_pyproject
    from asgibdd.report import FORMATTERS

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    table = parse_pyproject(pyproject.read_text(encoding="utf-8"), pyproject)["tool"]["behave"]
    assert table["formatters"] == FORMATTERS
