"""One worker: a behave subprocess given its scenarios' locations, watched from outside.

A worker is a process because an in-process app keeps its state per process: each worker
imports the app and runs its lifespans as a serial behave run would. It reports through
`asgibdd.parallel.records` (a JSON line per scenario, flushed at once) into a file in its
own folder; the parent reads new lines as they come, so a worker that crashes loses
nothing it finished. A scenario that runs longer than the limit gets its worker killed:
no wait in a run is unbounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from asgibdd.parallel.listing import ListedScenario

__all__ = ["RECORDS_FORMATTER", "ScenarioRecord", "Spare", "Worker", "dismiss", "spawn"]

RECORDS_FORMATTER = "asgibdd.parallel.records:RecordsFormatter"
BOOTSTRAP = "asgibdd.parallel.bootstrap"


@dataclass(frozen=True)
class Spare:
    """A worker process started early (`asgibdd.parallel.bootstrap`), waiting on its stdin
    for behave's arguments; its output goes to `log_path`."""

    process: subprocess.Popen[bytes]
    log_path: Path


def spawn(
    log_path: Path,
    environment: dict[str, str],
    number: int,
    behave_args: Sequence[str] | None = None,
) -> Spare:
    """A worker process that imports what a run needs (the app's module too, found from
    `behave_args` when given), then waits for its arguments (`asgibdd.parallel.bootstrap`)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        # Own session, so a kill reaches whatever the worker started too.
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                BOOTSTRAP,
                *([] if behave_args is None else [json.dumps(list(behave_args))]),
            ],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**environment, "ASGIBDDRUN_WORKER": str(number)},
            start_new_session=True,
        )
    return Spare(process, log_path)


def dismiss(spare: Spare) -> None:
    """End a spare that got no work: a closed stdin tells it to exit; bounded wait."""
    with contextlib.suppress(OSError):
        if spare.process.stdin is not None:
            spare.process.stdin.close()
    try:
        spare.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(spare.process.pid, signal.SIGKILL)
        spare.process.wait(timeout=10)


@dataclass(frozen=True)
class ScenarioRecord:
    """How one scheduled scenario ended, as its worker reported it (or as its end was
    inferred when the worker died first)."""

    scenario: ListedScenario
    status: str
    steps: tuple[str, ...]
    duration: float
    text: str
    worker: int


@dataclass
class Worker:
    """Worker `number` (from 1) running `scenarios` with behave options `options`."""

    number: int
    scenarios: list[ListedScenario]
    folder: Path
    options: Sequence[str]
    #: How many scenarios each feature file holds, as listed (selected or not): a file
    #: whose scenarios are all this worker's is handed to behave whole.
    file_sizes: Mapping[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    records: dict[str, ScenarioRecord] = field(default_factory=dict)
    current: str | None = None
    last_event: float = 0.0
    killed_because: str | None = None
    #: Whether the scenario running when the worker was killed counts as an error (it
    #: hung, or the worker crashed) or as untested (`--stop` ended the run).
    running_is_error: bool = True
    _stream: IO[str] | None = None
    _partial: str = ""
    _log_path: Path | None = None
    _scheduled: dict[str, ListedScenario] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._scheduled = {scenario.location: scenario for scenario in self.scenarios}

    @property
    def records_path(self) -> Path:
        return self.folder / "records.jsonl"

    @property
    def log_path(self) -> Path:
        return self._log_path or self.folder / "output.log"

    def arguments(self) -> list[str]:
        """behave's command line for this worker (without `python -m behave`)."""
        locations = self.folder / "locations.txt"
        # behave reads the lines of an @file relative to the file's own folder.
        lines = "".join(f"{os.path.abspath(place)}\n" for place in self.places())
        locations.write_text(lines, "utf-8")
        return [
            *self.options,
            "--no-summary",
            "-f",
            RECORDS_FORMATTER,
            "-o",
            str(self.records_path),
            f"@{locations}",
        ]

    def places(self) -> list[str]:
        """What behave is given to run this worker's scenarios, in their order: a feature
        file whose scenarios all run here as the file (behave then selects nothing line by
        line), any other scenario by its `path.feature:LINE`."""
        mine = Counter(scenario.feature for scenario in self.scenarios)
        whole = {
            feature for feature, count in mine.items() if self.file_sizes.get(feature) == count
        }
        places: list[str] = []
        for scenario in self.scenarios:
            if scenario.feature not in whole:
                places.append(scenario.location)
            elif scenario.feature in mine:
                places.append(scenario.feature)
                del mine[scenario.feature]  # once
        return places

    def start(self, environment: dict[str, str], spare: Spare | None = None) -> None:
        """Hand this worker's arguments to `spare` (a process started earlier), or to a
        new one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.records_path.write_text("", encoding="utf-8")
        if spare is None:
            spare = spawn(self.folder / "output.log", environment, self.number)
        self.process, self._log_path = spare.process, spare.log_path
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # a spare that died: reported as a crash
                self.process.stdin.write((json.dumps(self.arguments()) + "\n").encode())
                self.process.stdin.close()
        self._stream = self.records_path.open(encoding="utf-8")
        self.last_event = time.monotonic()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def read(self) -> list[ScenarioRecord]:
        """The scenarios finished since the last call (only those scheduled here)."""
        if self._stream is None:
            return []
        finished: list[ScenarioRecord] = []
        scheduled = self._scheduled
        self._partial += self._stream.read()
        *lines, self._partial = self._partial.split("\n")
        for line in lines:
            if not line.strip():
                continue
            event: dict[str, Any] = json.loads(line)
            location = str(event["location"])
            if location not in scheduled:
                continue  # behave lists the scenarios of other workers as skipped
            self.last_event = time.monotonic()
            if event["event"] == "start":
                self.current = location
                continue
            record = ScenarioRecord(
                scenario=scheduled[location],
                status=str(event["status"]),
                steps=tuple(event["steps"]),
                duration=float(event["duration"]),
                text=str(event["text"]),
                worker=self.number,
            )
            self.records[location] = record
            self.current = None
            finished.append(record)
        return finished

    def kill(self, reason: str, running_is_error: bool = True) -> None:
        """Stop the worker and everything it started; `reason` goes into the report."""
        if self.killed_because is None:
            self.killed_because = reason
            self.running_is_error = running_is_error
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def interrupt(self, number: int, reason: str) -> None:
        """Pass signal `number` on to the worker and what it started: behave ends the
        running scenario as on Ctrl-C, runs its after hooks and writes its outputs."""
        if self.killed_because is None:
            self.killed_because = reason
            self.running_is_error = False
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, number)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def unfinished(self) -> list[ScenarioRecord]:
        """What a worker that died early never reported: the scenario it was running
        (an error) and those it never started (untested)."""
        if not self.scenarios or len(self.records) == len(self.scenarios):
            return []
        status = self.process.returncode if self.process is not None else None
        why = self.killed_because or f"worker {self.number} exited with status {status}"
        missing: list[ScenarioRecord] = []
        for scenario in self.scenarios:
            if scenario.location in self.records:
                continue
            current = scenario.location == self.current
            running = current and self.running_is_error
            if running:
                text = f"  Scenario: {scenario.name}\n    ... {why} while this scenario ran"
            elif current:
                text = f"  Scenario: {scenario.name}\n    ... not finished: {why} while it ran"
            else:
                text = f"  Scenario: {scenario.name}\n    ... not run: {why} before it started"
            missing.append(
                ScenarioRecord(
                    scenario=scenario,
                    status="error" if running else "untested",
                    steps=("untested",) * scenario.steps,
                    duration=0.0,
                    text=text,
                    worker=self.number,
                )
            )
        return missing

    def never_started(self, why: str) -> list[ScenarioRecord]:
        """This worker's scenarios as untested: it was not started because `why`."""
        return [
            ScenarioRecord(
                scenario=scenario,
                status="untested",
                steps=("untested",) * scenario.steps,
                duration=0.0,
                text=f"  Scenario: {scenario.name}\n    ... not run: {why}",
                worker=self.number,
            )
            for scenario in self.scenarios
        ]

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
