"""The workers of one run, watched until they are done: each slot's batches one after
another, all slots at once.

Every finished scenario is printed whole as its record arrives. Every wait is bounded: a
worker whose scenario runs past the limit is killed; behave's `--stop` kills every worker
at the first failure; a signal to the runner (Ctrl-C, or SIGTERM from a CI system
cancelling the job) is passed on to the running workers, which end their scenario as
behave does on Ctrl-C and write their outputs, and whatever has not ended `GRACE_SECONDS`
later is killed. What did not run is reported untested, with the reason.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from asgibdd.config import CONTRACT_SETUP_PREFIX
from asgibdd.parallel.worker import ScenarioRecord, Spare, Worker, dismiss

__all__ = ["GRACE_SECONDS", "Interruption", "Pool"]

_POLL_SECONDS = 0.02
_STOP_ON = frozenset({"failed", "error", "hook_error", "cleanup_error"})
#: How long the workers get, after a signal, to end their scenario and write their outputs.
GRACE_SECONDS = 10.0
_SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class Interruption:
    """The signals the runner received (SIGINT, SIGTERM), recorded instead of raised while
    `catching()` is active, so the run can stop its workers and still report."""

    def __init__(self) -> None:
        self.signals: list[int] = []

    @contextlib.contextmanager
    def catching(self) -> Iterator[Interruption]:
        """Record SIGINT and SIGTERM in this block (only the main thread can catch them)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {number: signal.getsignal(number) for number in _SIGNAL_NAMES}
        for number in _SIGNAL_NAMES:
            signal.signal(number, self._record)
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _record(self, number: int, frame: FrameType | None) -> None:
        self.signals.append(number)

    @property
    def reason(self) -> str:
        """`asgibdd run was stopped by SIGTERM`, for the first signal received."""
        if not self.signals:
            return ""
        return f"asgibdd run was stopped by {_SIGNAL_NAMES[signal.Signals(self.signals[0])]}"

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process a signal ended."""
        return 128 + int(self.signals[0]) if self.signals else 0


class Pool:
    """Runs `slots` (each a list of batches run one after another) with `limit` seconds
    per scenario; `stop` is behave's `--stop`."""

    def __init__(
        self,
        slots: Sequence[Sequence[Worker]],
        limit: float,
        stop: bool = False,
        interruption: Interruption | None = None,
        said_setup: bool = False,
    ) -> None:
        self._pending = [list(slot) for slot in slots]
        self._running: list[Worker | None] = [queue.pop(0) for queue in self._pending]
        self._limit = limit
        self._stop = stop
        self._interruption = interruption or Interruption()
        self._environment = dict(os.environ)
        self._printer = _Printer()
        self._printer._said_setup = said_setup  # a retry's pool: the run's first said it
        self._stopping = ""
        self._forwarded = 0
        self._deadline: float | None = None
        self.records: list[ScenarioRecord] = []

    def run(self, spares: Sequence[Spare]) -> list[ScenarioRecord]:
        """Start the workers (on `spares`, processes started earlier, where there are
        some) and watch them until every batch has ended; return every scenario's record."""
        if self._interruption.signals:  # before anything started: nothing to wait for
            self._stopping = self._interruption.reason
            for slot in (*self._running, *(batch for queue in self._pending for batch in queue)):
                if slot is not None:
                    self.records.extend(slot.never_started(self._stopping))
            return self.records
        self._start(spares)
        try:
            while any(worker is not None for worker in self._running):
                self._check_signals()
                for index, worker in enumerate(self._running):
                    if worker is not None:
                        self._watch(index, worker)
                sys.stdout.flush()  # what ended since the last look, in one write
                time.sleep(_POLL_SECONDS)
        finally:
            for worker in self._running:
                if worker is not None:
                    worker.kill("asgibdd run ended before this worker")
                    worker.close()
        return self.records

    def _start(self, spares: Sequence[Spare]) -> None:
        for index, worker in enumerate(self._running):
            if worker is not None:
                worker.start(self._environment, spares[index] if index < len(spares) else None)
        for spare in spares[len(self._running) :]:
            dismiss(spare)  # fewer scenarios than workers

    def _watch(self, index: int, worker: Worker) -> None:
        """Read what `worker` finished; start the slot's next batch when it has ended;
        kill it when its scenario overran the limit."""
        alive = worker.running  # read first, so lines written before exit count
        for record in worker.read():
            self._printer.say_setup(worker.log_path)
            self._printer.show(record)
            self.records.append(record)
            if self._stop and record.status in _STOP_ON and not self._stopping:
                self._stop_all(f"--stop: {record.scenario.location} failed")
        if self._stopping:
            for waiting in self._pending[index]:
                self.records.extend(waiting.never_started(self._stopping))
            self._pending[index] = []
        if not alive:
            worker.close()
            self.records.extend(_report_lost(worker, self._printer))
            following = self._pending[index].pop(0) if self._pending[index] else None
            if following is not None:
                following.start(self._environment)
            self._running[index] = following
        elif self._deadline is not None and time.monotonic() > self._deadline:
            when = (
                "at the second signal"
                if len(self._interruption.signals) > 1
                else f"{GRACE_SECONDS:.0f} s after the signal"
            )
            sys.stdout.flush()
            print(
                f"asgibdd run: worker {worker.number} was still running {when}; killed.",
                file=sys.stderr,
            )
            worker.kill(self._stopping, running_is_error=False)
        elif time.monotonic() - worker.last_event > self._limit:
            what = worker.current or "its start-up"
            worker.kill(
                f"worker {worker.number} was stopped after {self._limit:.0f} s "
                f"without progress (running {what})"
            )

    def _stop_all(self, reason: str) -> None:
        """`--stop`: kill every worker; what did not run is untested, as in a serial run."""
        self._stopping = reason
        sys.stdout.flush()  # the scenarios shown so far come first
        print(f"asgibdd run: {reason}, stopping every worker.", file=sys.stderr)
        for other in self._running:
            if other is not None:
                other.kill(reason, running_is_error=False)

    def _check_signals(self) -> None:
        """Pass each new signal on: the first asks the workers to end as behave ends on
        Ctrl-C, a second one (or the grace period's end) kills them."""
        received = self._interruption.signals
        if len(received) == self._forwarded:
            return
        first, self._forwarded = not self._forwarded, len(received)
        if len(received) > 1:
            self._deadline = time.monotonic()  # a second signal: no more waiting
        if not first:
            return
        self._stopping = self._interruption.reason
        if self._deadline is None:
            self._deadline = time.monotonic() + GRACE_SECONDS
        sys.stdout.flush()
        print(
            f"asgibdd run: {self._stopping}; waiting up to {GRACE_SECONDS:.0f} s for the "
            "running scenarios to end (a second signal stops them at once).",
            file=sys.stderr,
        )
        for worker in self._running:
            if worker is not None:
                worker.interrupt(received[0], self._stopping)


def _report_lost(worker: Worker, printer: _Printer) -> list[ScenarioRecord]:
    """What a process that died early never reported, said on stderr and in the run."""
    lost = worker.unfinished()
    if lost and worker.killed_because and not worker.running_is_error:
        for record in lost:  # stopped on purpose (--stop, a signal): no crash to report
            printer.show(record)
    elif lost:
        status = worker.process.returncode if worker.process is not None else None
        why = worker.killed_because or f"worker {worker.number} exited with status {status}"
        sys.stdout.flush()  # the scenarios shown so far come first
        print(
            f"asgibdd run: {why}; {len(lost)} of its {len(worker.scenarios)} scenarios did "
            f"not finish. The other workers' results are complete. Its last output:\n"
            f"{worker.log_tail()}",
            file=sys.stderr,
        )
        for record in lost:
            printer.show(record)
    return lost


class _Printer:
    """Whole scenarios to the console, a feature's title when the feature changes."""

    def __init__(self) -> None:
        self._feature: str | None = None
        self._said_setup = False

    def say_setup(self, log: Path) -> None:
        """Once, before the first scenario: what the run checks, as the first worker to
        report said it (every worker reads the same settings and document)."""
        if self._said_setup:
            return
        self._said_setup = True
        with contextlib.suppress(OSError):
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith(CONTRACT_SETUP_PREFIX):
                    sys.stdout.write(line + "\n")
                    return

    def show(self, record: ScenarioRecord) -> None:
        scenario = record.scenario
        if scenario.feature != self._feature:
            self._feature = scenario.feature
            sys.stdout.write(f"Feature: {scenario.feature_name}  # {scenario.feature}\n")
        sys.stdout.write(f"\n{record.text}\n\n")
