"""Signals to `asgibdd run`: a CI system cancelling the job (SIGTERM) and Ctrl-C (SIGINT to
the terminal's process group). Real signals to a real runner with real workers: the
workers end their scenario as behave does on Ctrl-C, the summary counts what finished,
the outputs are written, the temporary folder is gone and no process is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from asgibdd.parallel.pool import Interruption, Pool
from asgibdd.parallel.worker import Worker
from asgibdd.report.model import read_run
from asgibdd.testing import parse_outcome, write_project
from tests.test_run_behave import APP
from tests.test_run_split import scenario

REPO = Path(__file__).resolve().parent.parent

STEPS = """
import os
import time
from pathlib import Path

from behave import when

from asgibdd.steps import *  # noqa: F403


def _waiting():
    Path(f"waiting-{os.environ['ASGIBDDRUN_WORKER']}").write_text(str(os.getpid()))


@when("the step waits for a signal")
def wait_for_signal(context):
    _waiting()
    time.sleep(120)


@when("the step ignores signals")
def ignore_signals(context):
    _waiting()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            time.sleep(deadline - time.monotonic())
        except KeyboardInterrupt:
            Path(f"interrupted-{os.environ['ASGIBDDRUN_WORKER']}").write_text("")
"""


def feature(name: str, waiting_step: str) -> str:
    return (
        f"Feature: {name}\n"
        f"  Scenario: {name} passes\n    When I GET /items/1\n    Then the response status is 200\n"
        "\n"
        f"  Scenario: {name} waits\n    When {waiting_step}\n\n"
        f"  Scenario: {name} never starts\n    When I GET /items/2\n"
    )


def project(tmp_path: Path, waiting_step: str) -> Path:
    return write_project(
        tmp_path / "project",
        {
            "app.py": APP,
            "steps/library.py": STEPS,
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/a.feature": feature("a", waiting_step),
            "features/b.feature": feature("b", waiting_step),
        },
    )


def _processes_marked(marker: str) -> list[int]:
    """Every process whose environment carries `marker`: the runner's whole family."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if f"SIGNAL_TEST_RUN={marker}".encode() in environment.split(b"\0"):
            found.append(int(entry.name))
    return found


class Runner:
    """`asgibdd run -j 2` in its own process group, as a shell starts a foreground job."""

    def __init__(self, root: Path, temporary: Path, marker: str) -> None:
        self.root = root
        self.temporary = temporary
        self.marker = marker
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO), str(root)]),
            "TMPDIR": str(temporary),
            "SIGNAL_TEST_RUN": marker,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "asgibdd", "run", "--no-timings", "-j", "2",
             "-D", "asgibdd.app=app:app", "-f", "json", "-o", "run.json",
             "-f", "asgibdd.report.html:HTMLFormatter", "-o", "report.html",
             "--junit", "--junit-directory", "junit", "features/"],
            cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )  # fmt: skip

    def wait_for_both_workers(self, state: str = "waiting") -> None:
        """Until each worker's step has written the file `<state>-<worker>`."""
        deadline = time.monotonic() + 90
        while not all((self.root / f"{state}-{n}").exists() for n in (1, 2)):
            assert self.process.poll() is None, self.process.communicate()[0]
            assert time.monotonic() < deadline, f"no {state}-1 and {state}-2 after 90 s"
            time.sleep(0.05)

    def signal(self, number: int) -> None:
        # A terminal's Ctrl-C goes to the foreground process group; CI signals the runner.
        os.killpg(self.process.pid, number)

    def finish(self) -> tuple[int, str]:
        output, _ = self.process.communicate(timeout=60)
        return self.process.returncode, output


StartRunner = Callable[[str], Runner]


@pytest.fixture
def runner_for(tmp_path: Path) -> Iterator[StartRunner]:
    started: list[Runner] = []

    def start(waiting_step: str) -> Runner:
        temporary = tmp_path / "tmp"
        temporary.mkdir()
        runner = Runner(project(tmp_path, waiting_step), temporary, uuid.uuid4().hex)
        started.append(runner)
        return runner

    yield start
    for runner in started:  # whatever a failed test left running
        if runner.process.poll() is None:
            runner.process.kill()
            runner.process.communicate()
        for pid in _processes_marked(runner.marker):
            os.kill(pid, signal.SIGKILL)


def assert_partial_outputs(root: Path) -> None:
    """The outputs hold what ran: each feature's first two scenarios, the second aborted."""
    features = json.loads((root / "run.json").read_text("utf-8"))
    statuses = {
        element["name"]: element["status"]
        for feature in features
        for element in feature["elements"]
        if element["type"] == "scenario"
    }
    # As in a serial behave run stopped by Ctrl-C, what never started is not in the file.
    assert statuses == {
        "a passes": "passed",
        "a waits": "error",
        "b passes": "passed",
        "b waits": "error",
    }
    assert sorted(path.name for path in (root / "junit").iterdir()) == [
        "TESTS-a.xml",
        "TESTS-b.xml",
    ]
    suite = ElementTree.parse(root / "junit" / "TESTS-a.xml").getroot()
    assert suite.find("testcase[@name='a passes']") is not None


def report_statuses(root: Path) -> dict[str, tuple[str, str | None]]:
    """asgibdd's merged report: every scheduled scenario, what never ran marked so."""
    run = read_run(root / "report.html")
    return {s.name: (s.status, s.error_message) for s in run.scenarios()}


def assert_nothing_left(runner: Runner) -> None:
    assert list(runner.temporary.iterdir()) == []  # the run's temporary folder is gone
    assert _processes_marked(runner.marker) == []


@pytest.mark.parametrize(
    ("number", "name", "status"),
    [(signal.SIGTERM, "SIGTERM", 143), (signal.SIGINT, "Ctrl-C (SIGINT)", 130)],
)
def test_a_signal_ends_the_workers_scenarios_and_writes_the_summary_and_outputs(
    runner_for: StartRunner, number: int, name: str, status: int
) -> None:
    runner = runner_for("the step waits for a signal")
    runner.wait_for_both_workers()
    runner.signal(number)
    returncode, output = runner.finish()
    assert returncode == status, output
    assert "Traceback" not in output
    assert (
        f"asgibdd run: asgibdd run was stopped by {name}; waiting up to 10 s for the running "
        "scenarios to end (a second signal stops them at once)." in output
    )
    assert "ABORTED: By user (KeyboardInterrupt)." in output
    assert (
        f"  Scenario: a never starts\n    ... not run: asgibdd run was stopped by {name} "
        "before it started" in output
    )
    outcome = parse_outcome(returncode, output)
    assert (outcome.scenarios.passed, outcome.scenarios.error, outcome.scenarios.untested) == (
        2,
        2,
        2,
    )
    assert output.rstrip().endswith(
        f"asgibdd run: asgibdd run was stopped by {name}; what did not finish counts as untested."
    )
    assert_partial_outputs(runner.root)
    statuses = report_statuses(runner.root)
    assert statuses["a waits"][0] == "error"
    assert statuses["a never starts"] == ("untested", None)  # behave reported it so
    assert sorted(status for status, _ in statuses.values()) == [
        "error", "error", "passed", "passed", "untested", "untested",
    ]  # fmt: skip
    assert_nothing_left(runner)


def test_a_worker_that_ignores_the_signal_is_killed_after_the_grace_period(
    runner_for: StartRunner,
) -> None:
    runner = runner_for("the step ignores signals")
    runner.wait_for_both_workers()
    started = time.monotonic()
    runner.signal(signal.SIGTERM)
    returncode, output = runner.finish()
    # Bounded: the runner waits its grace period of 10 s, not the step's 120 s.
    assert 10 <= time.monotonic() - started < 100
    assert returncode == 143, output
    for number in (1, 2):
        assert (
            f"asgibdd run: worker {number} was still running 10 s after the signal; killed."
            in output
        )
    assert (
        "  Scenario: a waits\n    ... not finished: asgibdd run was stopped by SIGTERM "
        "while it ran" in output
    )
    outcome = parse_outcome(returncode, output)
    assert (outcome.scenarios.passed, outcome.scenarios.untested) == (2, 4)
    # The killed workers wrote no report: the merged one is made from what the runner saw.
    assert report_statuses(runner.root)["a waits"] == (
        "untested",
        "Scenario: a waits\n    ... not finished: asgibdd run was stopped by SIGTERM while it ran",
    )
    assert report_statuses(runner.root)["a passes"] == ("passed", None)
    assert_nothing_left(runner)


def test_a_second_signal_kills_the_workers_at_once(runner_for: StartRunner) -> None:
    runner = runner_for("the step ignores signals")
    runner.wait_for_both_workers()
    runner.signal(signal.SIGINT)
    runner.wait_for_both_workers("interrupted")  # the first was passed on, and ignored
    runner.signal(signal.SIGINT)
    returncode, output = runner.finish()
    assert returncode == 130, output
    assert "Traceback" not in output
    for number in (1, 2):
        assert (
            f"asgibdd run: worker {number} was still running at the second signal; killed."
            in output
        )
    outcome = parse_outcome(returncode, output)
    assert (outcome.scenarios.passed, outcome.scenarios.untested) == (2, 4)
    assert_nothing_left(runner)


def test_a_signal_before_the_workers_start_starts_none_and_counts_all_untested(
    tmp_path: Path,
) -> None:
    """Ctrl-C while the runner still lists the scenarios: nothing is started at all."""
    interruption = Interruption()
    interruption.signals.append(signal.SIGTERM)
    slots = [
        [
            Worker(1, [scenario(3), scenario(6)], tmp_path / "w1", []),
            Worker(1, [scenario(9)], tmp_path / "w1b", []),
        ],
        [Worker(2, [scenario(12)], tmp_path / "w2", [])],
    ]
    records = Pool(slots, 60.0, interruption=interruption).run([])
    assert [(r.scenario.location, r.status, r.text) for r in records] == [
        (
            f"features/a.feature:{line}",
            "untested",
            f"  Scenario: s{line}\n    ... not run: asgibdd run was stopped by SIGTERM",
        )
        for line in (3, 6, 12, 9)
    ]
    assert all(worker.process is None for slot in slots for worker in slot)
    assert not tmp_path.joinpath("w1").exists()
    assert interruption.exit_status == 143
