"""asgibdd's own console lines never break a machine-readable report written to stdout.

What a run checks, a shown exchange and the API coverage table normally go to stdout, after
behave's own lines. With `behave -f json` (or another format a program reads) on stdout,
they go to stderr, so that stdout holds only what behave itself writes there (behave 1.3
adds its runner's name and its summary around the JSON document: `-o FILE` is still the way
to a clean file).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from asgibdd.testing import write_project
from tests.behave_project import HOOKS_LINE, STEPS_LINE

FEATURE = """\
Feature: Items
  Scenario: List the items
    When I GET /items
    Then the response status is 200
    And show the response
"""

ROOT = Path(__file__).resolve().parent.parent


def _behave(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    write_project(
        project,
        {
            "steps/library.py": STEPS_LINE,
            "environment.py": HOOKS_LINE,
            "features/a.feature": FEATURE,
        },
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "behave",
            "--no-color",
            "-D",
            "asgibdd.app=asgibdd.demo:app",
            *options,
        ],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_with_json_on_stdout_our_lines_go_to_stderr_and_leave_the_document_whole(
    tmp_path: Path,
) -> None:
    completed = _behave(tmp_path, "-f", "json", "features/")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    document = lines[lines.index("[") : lines.index("]") + 1]
    assert [feature["name"] for feature in json.loads("\n".join(document))] == ["Items"]
    for line in ("API contract check: on", "GET http://testserver/items", "API coverage"):
        assert line not in completed.stdout
    assert "API contract check: on" in completed.stderr
    assert "GET http://testserver/items" in completed.stderr
    assert "API coverage" in completed.stderr


def test_with_a_console_format_our_lines_stay_on_stdout(tmp_path: Path) -> None:
    completed = _behave(tmp_path, "-f", "plain", "features/")
    assert completed.returncode == 0, completed.stderr
    for line in ("API contract check: on", "GET http://testserver/items", "API coverage"):
        assert line in completed.stdout
        assert line not in completed.stderr
