"""The suite's forked runs (tests/forked_runs.py) are what a new `python -m` process is, as
far as a run can see: the same module run as __main__, arguments, folder, import path,
environment, exit status, output, and nothing of asgibdd's imported before the run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from asgibdd import testing
from asgibdd.testing import write_project
from tests import forked_runs

PROBE = """
import atexit, os, sys, time

atexit.register(lambda: print("atexit ran", flush=True))
print("name:", __name__, __spec__.name)
print("argv:", sys.argv[1:], os.path.basename(sys.argv[0]))
print("folder:", os.getcwd())
print("path:", sys.path)
print("environment:", os.environ.get("PROBE"), "PROBE_GONE" in os.environ)
print("time zone:", time.tzname)
print("bytecode written:", not sys.dont_write_bytecode)
print("asgibdd imported:", sorted(m for m in sys.modules if m.split(".")[0] == "asgibdd"))
print("to stderr", file=sys.stderr)
sys.stdout.flush()
if sys.argv[1] == "raise":
    raise LookupError("the probe raised")
sys.exit(int(sys.argv[1]))
"""


def both_ways(
    tmp_path: Path, argument: str, monkeypatch: pytest.MonkeyPatch, **settings: str
) -> tuple[tuple[int, str], tuple[int, str]]:
    project = write_project(tmp_path, {"probe.py": PROBE})
    monkeypatch.setenv("PROBE_GONE", "set in the pytest process only")
    environment = {
        k: v for k, v in os.environ.items() if k != "PROBE_GONE"
    }  # the run's environment is replaced whole
    environment.update(PROBE="given", PYTHONPATH=str(tmp_path / "lib"), TZ="Asia/Tokyo")
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.update(settings)
    arguments = [sys.executable, "-m", "probe", argument]
    assert forked_runs.forks(arguments, environment)
    new = testing._launch(arguments, project, environment, 60)
    forked = forked_runs.launch(arguments, project, environment, 60)
    return new, forked


@pytest.mark.parametrize(("argument", "bytecode"), [("0", ""), ("3", "1")])
def test_a_forked_run_sees_what_a_new_process_sees(
    tmp_path: Path, argument: str, bytecode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {"PYTHONDONTWRITEBYTECODE": bytecode} if bytecode else {}
    new, forked = both_ways(tmp_path, argument, monkeypatch, **settings)
    assert forked == new
    assert f"bytecode written: {not bytecode}\n" in new[1]
    assert new[0] == int(argument)
    assert "environment: given False\n" in new[1]
    assert "asgibdd imported: []\n" in new[1]
    assert "time zone: ('JST', 'JST')\n" in new[1]
    assert new[1].endswith("to stderr\natexit ran\n")


def test_an_uncaught_exception_ends_a_forked_run_as_it_ends_a_new_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (new_status, new_output), (forked_status, forked_output) = both_ways(
        tmp_path, "raise", monkeypatch
    )
    assert forked_status == new_status == 1
    # The traceback's frames above the probe are the interpreter's own, not the probe's.
    assert forked_output.splitlines()[-2:] == new_output.splitlines()[-2:]
    assert forked_output.splitlines()[-2:] == ["LookupError: the probe raised", "atexit ran"]


def test_a_run_with_a_start_up_setting_of_its_own_starts_a_new_process() -> None:
    arguments = [sys.executable, "-m", "behave"]
    assert forked_runs.forks(arguments, dict(os.environ))
    assert not forked_runs.forks(arguments, {**os.environ, "PYTHONWARNINGS": "error::UserWarning"})
    assert not forked_runs.forks(arguments, {**os.environ, "BEHAVE_STAGE": "other"})
    assert not forked_runs.forks([sys.executable, "probe.py"], dict(os.environ))
