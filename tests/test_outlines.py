"""Scenario Outline rows named by their example values (`asgibdd.outlines`), in real
behave runs: the console, `--name`, `asgibdd run --list`, and a project's own schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from asgibdd.testing import run_asgibdd, run_behave, write_project

OUTLINES = """
Feature: Outlines
  Scenario Outline: Create several items
    When I GET /health?name=<name>
    Then the response status is 200

    Examples:
      | name | price | password    |
      | pen  | 3     | hunter22-pw |
      | ink  | 5     | hunter22-pw |

    Examples: repeated rows
      | name | price | password    |
      | pen  | 3     | hunter22-pw |
      | pen  | 3     | hunter22-pw |

  Scenario Outline: GET /health for <name>
    Given the request header "X-Note" is "<note>"
    When I GET /health
    Then the response status is 200

    Examples:
      | name | note                                                        |
      | long | a note much longer than forty characters, cut where it ends |
"""

# Every scenario's heading, as behave's plain formatter prints it.
NAMES = [
    "Create several items -- name=pen, price=3, password=***",
    "Create several items -- name=ink, price=5, password=***",
    "Create several items -- name=pen, price=3, password=*** (repeated rows) @2.1",
    "Create several items -- name=pen, price=3, password=*** (repeated rows) @2.2",
    # Values longer than 40 characters are cut.
    "GET /health for long -- note=a note much longer than forty character…",
]


def _project(root: Path, **files: str) -> Path:
    return write_project(
        root,
        {
            "pyproject.toml": '[tool.asgibdd]\napp = "asgibdd.demo:app"\n',
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/outlines.feature": OUTLINES,
            **files,
        },
    )


def _headings(output: str) -> list[str]:
    return [
        line.strip().removeprefix("Scenario Outline: ")
        for line in output.splitlines()
        if line.strip().startswith("Scenario Outline: ")
    ]


def test_each_row_is_named_by_its_values_secrets_masked_repeats_told_apart(
    tmp_path: Path,
) -> None:
    outcome = run_behave(_project(tmp_path), "-f", "plain", "features/")
    assert outcome.passed, outcome.output
    assert _headings(outcome.output) == NAMES
    assert "hunter22-pw" not in outcome.output


def test_name_selects_a_row_by_the_values_it_is_named_by(tmp_path: Path) -> None:
    outcome = run_behave(_project(tmp_path), "-f", "plain", "-n", "name=ink", "features/")
    assert outcome.passed, outcome.output
    assert (outcome.scenarios.passed, outcome.scenarios.skipped) == (1, 4)
    assert "When I GET /health?name=ink ... passed" in outcome.output
    assert "When I GET /health?name=pen" not in outcome.output


def test_asgibdd_run_lists_and_runs_rows_by_the_same_names(tmp_path: Path) -> None:
    root = _project(tmp_path)
    listed = run_asgibdd(root, "-j", "2", "--list", "features/")
    assert listed.returncode == 0, listed.output
    assert sorted(line.split("  ", 1)[1] for line in listed.output.splitlines()) == sorted(NAMES)


@pytest.mark.parametrize(
    ("config_file", "text"),
    [
        ("behave.ini", "[behave]\nscenario_outline_annotation_schema = {name} -- @{row.id}\n"),
        # Even behave's default, written by the project: its own choice.
        (
            "pyproject.toml",
            '[tool.asgibdd]\napp = "asgibdd.demo:app"\n\n[tool.behave]\n'
            'scenario_outline_annotation_schema = "{name} -- @{row.id} {examples.name}"\n',
        ),
    ],
)
def test_a_projects_own_schema_keeps_behaves_names(
    tmp_path: Path, config_file: str, text: str
) -> None:
    outcome = run_behave(_project(tmp_path, **{config_file: text}), "-f", "plain", "features/")
    assert outcome.passed, outcome.output
    assert _headings(outcome.output)[:2] == [
        "Create several items -- @1.1",
        "Create several items -- @1.2",
    ]
