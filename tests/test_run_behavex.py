"""asgibdd's steps and hooks under behavex, the maintained parallel runner for behave.

behavex runs each scenario (or feature) in a process of a pool; asgibdd keeps its state
per process (the app, the World on behave's context), so nothing needs to change. This
runs the repository's own acceptance suite under behavex with 2 processes and checks it
reports the same scenarios as behave. behavex is in the dev dependency group, not a dependency of
asgibdd: `pip install behavex` to use it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from asgibdd.parallel.listing import behave_configuration, list_scenarios
from asgibdd.testing import parse_outcome

REPO = Path(__file__).resolve().parent.parent


def test_the_repositorys_features_pass_under_behavex_with_two_processes() -> None:
    # behavex's pool listens on a Unix socket under its output folder, and a socket's path
    # has at most 107 bytes: pytest's tmp_path (deeper still under pytest-xdist) is too long.
    with tempfile.TemporaryDirectory(prefix="bx-") as short:
        _run_the_repositorys_features_under_behavex(Path(short))


def _run_the_repositorys_features_under_behavex(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "behavex",
            "features/",
            "--parallel-processes",
            "2",
            "--parallel-scheme",
            "scenario",
            "-o",
            str(tmp_path),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    outcome = parse_outcome(completed.returncode, completed.stdout)
    assert outcome.returncode == 0, completed.stdout[-3000:]
    expected = len(list_scenarios(behave_configuration(["features/"])).selected)
    assert outcome.scenarios.passed == expected
    assert (outcome.scenarios.failed, outcome.scenarios.error) == (0, 0)
    status = json.loads((tmp_path / "overall_status.json").read_text())
    assert status == {"status": "passed"}
