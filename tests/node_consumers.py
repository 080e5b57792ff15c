"""Real readers of asgibdd's outputs that run on Node: Cucumber JSON readers
(@cucumber/cucumber-json-converter, cucumber-html-reporter) and the Cucumber extension's
step indexer (@cucumber/language-service). They are pinned in tests/node/package.json
and installed with `npm ci --prefix tests/node` (.ci/run does it); without them the tests
that use them are skipped, saying how to install them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

NODE_FOLDER = Path(__file__).resolve().parent / "node"


def node_consumers() -> Path:
    """The folder whose node_modules holds the consumers. Without them the test is skipped
    on a developer's machine, and fails in CI (.ci/run installs them)."""
    if shutil.which("node") is None:
        _missing("node is not installed: apt-get install nodejs npm")
    if not (NODE_FOLDER / "node_modules" / "@cucumber" / "language-service").is_dir():
        _missing("the Node consumers are not installed: npm ci --prefix tests/node")
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


def _missing(message: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
