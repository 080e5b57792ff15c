"""Run behave on a throwaway project and read what happened.

Used by asgibdd's own tests, and useful to anyone who writes steps on top of asgibdd:

```python
from asgibdd.testing import run_behave, write_project

def test_listing_items(tmp_path):
    write_project(tmp_path, {
        "steps/asgibdd_steps.py": "from asgibdd.steps import *  # noqa: F403\\n",
        "environment.py": "from asgibdd.environment import *  # noqa: F403\\n",
        "features/items.feature": '''
            Feature: Items
              Scenario: list
                When I GET /items
        ''',
    })
    outcome = run_behave(tmp_path, "features/", "-D", "asgibdd.app=asgibdd.demo:app")
    assert outcome.scenarios.passed == 1, outcome.output
```

behave runs in a subprocess (`python -m behave`), so each run starts from a clean process:
step registries, matchers and imported apps never carry over between tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BehaveOutcome", "Counts", "run_asgibdd", "run_behave", "write_project"]

# The folder holding the `asgibdd` package, so the subprocess imports this very copy.
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent

_SUMMARY_LINE = re.compile(
    r"^(?P<count>\d+) (?P<kind>features?|scenarios?|steps?) passed, (?P<rest>.*)$"
)
_COUNT = re.compile(r"(?P<count>\d+) (?P<status>[a-z_]+)")


@dataclass(frozen=True)
class Counts:
    """How many features, scenarios or steps ended in each status of behave's summary."""

    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    undefined: int = 0
    untested: int = 0

    @classmethod
    def from_summary(cls, passed: int, rest: str) -> Counts:
        counts = {"passed": passed}
        for found in _COUNT.finditer(rest):
            status = found["status"]
            counts[status.removesuffix("s") if status == "errors" else status] = int(found["count"])
        known = {name: value for name, value in counts.items() if name in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class BehaveOutcome:
    """What one behave run did: exit status, summary counts, and everything it printed."""

    returncode: int
    output: str
    features: Counts
    scenarios: Counts
    steps: Counts

    @property
    def passed(self) -> bool:
        """True when behave exited with status 0."""
        return self.returncode == 0


def write_project(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path → text, dedented) under `root`; return `root`."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_behave(
    project: Path,
    *arguments: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> BehaveOutcome:
    """Run `python -m behave --no-color --no-timings <arguments>` in `project`.

    The subprocess inherits the environment plus `env`, with asgibdd's own folder added
    to `PYTHONPATH`. Output is stdout and stderr together, as a user would see them.
    """
    return _run(["behave", "--no-color"], project, arguments, env, timeout)


def run_asgibdd(
    project: Path,
    *arguments: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> BehaveOutcome:
    """Run `python -m asgibdd run --no-timings <arguments>` in `project`, like `run_behave`."""
    return _run(["asgibdd", "run"], project, arguments, env, timeout)


def _run(
    command: list[str],
    project: Path,
    arguments: Sequence[str],
    env: Mapping[str, str] | None,
    timeout: float,
) -> BehaveOutcome:
    environment = {**os.environ, **(env or {})}
    python_path = [str(_PACKAGE_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    environment["PYTHONPATH"] = os.pathsep.join(python_path)
    argv = [sys.executable, "-m", *command, "--no-timings", *arguments]
    returncode, output = launch(argv, project, environment, timeout)
    return parse_outcome(returncode, output)


def _launch(
    arguments: list[str], cwd: Path, environment: dict[str, str], timeout: float
) -> tuple[int, str]:
    """Run `arguments` in a new process; its exit status and its stdout and stderr together."""
    completed = subprocess.run(
        arguments,
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    return completed.returncode, completed.stdout


#: How `run_behave` and `run_asgibdd` start their process, with the same arguments and
#: result as `_launch`. asgibdd's own suite sets its own (tests/forked_runs.py): processes
#: forked from one that has imported behave and FastAPI once, not a new interpreter each.
launch = _launch


def parse_outcome(returncode: int, output: str) -> BehaveOutcome:
    """Read behave's summary lines (`2 scenarios passed, 1 failed, ...`) from `output`."""
    summaries: dict[str, Counts] = {}
    for line in output.splitlines():
        found = _SUMMARY_LINE.match(line.strip())
        if found:
            kind = found["kind"].rstrip("s")
            summaries[kind] = Counts.from_summary(int(found["count"]), found["rest"])
    return BehaveOutcome(
        returncode=returncode,
        output=output,
        features=summaries.get("feature", Counts()),
        scenarios=summaries.get("scenario", Counts()),
        steps=summaries.get("step", Counts()),
    )
