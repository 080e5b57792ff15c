"""Real readers of asgibdd's outputs that run on Node: Cucumber JSON readers
(@cucumber/cucumber-json-converter, cucumber-html-reporter) and the Cucumber extension's
step indexer (@cucumber/language-service). They are pinned in tests/node/package.json
and installed with `npm ci --prefix tests/node` (.ci/run does it); without them the tests
that use them are skipped, saying how to install them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_FOLDER = Path(__file__).resolve().parent / "node"


def node_consumers() -> Path:
    """The folder whose node_modules holds the consumers; skips the test when there is none."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: apt-get install nodejs npm")
    if not (NODE_FOLDER / "node_modules" / "@cucumber" / "language-service").is_dir():
        pytest.skip("the Node consumers are not installed: npm ci --prefix tests/node")
    return NODE_FOLDER


def run_node(script: str, *arguments: str, stdin: str = "") -> Any:
    """Run `node -e script arguments...` among the consumers; its stdout's JSON."""
    folder = node_consumers()
    completed = subprocess.run(
        ["node", "-e", script, "--", *arguments],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_node_file(name: str, *arguments: str, stdin: str = "") -> Any:
    """Run the script `tests/node/NAME`; its stdout's JSON."""
    folder = node_consumers()
    completed = subprocess.run(
        ["node", str(folder / name), *arguments],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])
