"""docs/outbound.md's complete example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from asgibdd.testing import run_behave, write_project

DOCS = Path(__file__).resolve().parent.parent / "docs"
_FILE_BLOCK = re.compile(r"<!-- file: (?P<name>\S+) -->\n```\w*\n(?P<body>.*?)^```$", re.S | re.M)


def test_the_documented_example_runs_as_written(tmp_path: Path) -> None:
    text = (DOCS / "outbound.md").read_text(encoding="utf-8")
    files = {found["name"]: found["body"] for found in _FILE_BLOCK.finditer(text)}
    assert sorted(files) == ["checkout.py", "features/checkout.feature", "pyproject.toml"]
    write_project(
        tmp_path,
        {
            **files,
            "features/steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "features/environment.py": "from asgibdd.environment import *  # noqa: F403\n",
        },
    )
    outcome = run_behave(tmp_path, "features/", env={"PYTHONPATH": str(tmp_path)})
    assert outcome.passed, outcome.output
    assert outcome.scenarios.passed == 4, outcome.output
