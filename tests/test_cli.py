from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from asgibdd.catalogue import steps_doc
from asgibdd.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_steps_text_lists_sections_phrases_and_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["steps", "--grep", "redirects"]) == 0
    assert capsys.readouterr().out == (
        "Request settings\n"
        "================\n"
        "  redirects are not followed\n"
        "      Stop following redirects, so the 3xx response itself can be checked.\n"
        "      Given redirects are not followed\n"
    )


def test_steps_markdown_is_the_docs_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == steps_doc()


def test_steps_json_is_a_list_of_entries(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "--format", "json", "--grep", "basic authentication"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [entry["example"] for entry in entries] == [
        'Given I use basic authentication as "alice" with password "s3cret"'
    ]


def test_grep_without_matches_exits_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "--grep", "teleport"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        'asgibdd steps: error: no step mentions "teleport". Run `asgibdd steps` to see them all.\n'
    )


def test_python_dash_m_asgibdd_runs_the_cli_and_bad_options_fail_in_one_line() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "asgibdd", "steps", "--format", "xml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr == (
        "asgibdd steps: error: argument --format: invalid choice: 'xml' (choose from 'text', "
        "'markdown', 'json', 'glue') (see `asgibdd steps --help`)\n"
    )


def test_missing_command_fails_in_one_line() -> None:
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == 2
