"""`asgibdd run --retries N`: the scenarios that failed, run again, each up to N times.

A scenario that failed or errored (never one with an undefined step, never a skipped one)
runs again by its location in new worker processes, so it gets a fresh app and client as
in any run. One that passes on a retry is *flaky*: never counted as passed, reported as
flaky in the console, the reports and the history. One that fails every time stays
failed. The reports show the last attempt and keep the earlier ones (`Attempt`): the
failing transcript is the one to read. A signal (Ctrl-C, SIGTERM) or `--stop` ends the
retrying; what a cut-short retry did not finish keeps its earlier result.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asgibdd.parallel.listing import ListedScenario, shown_path
from asgibdd.parallel.pool import Interruption, Pool
from asgibdd.parallel.split import split_in_order
from asgibdd.parallel.worker import ScenarioRecord, Worker
from asgibdd.report.model import Attempt, Run, ScenarioResult, read_run, results_path

__all__ = ["RETRIED", "Retries", "retryable"]

#: The statuses a retry is for.
RETRIED = frozenset({"failed", "error", "hook_error", "cleanup_error"})


def retryable(record: ScenarioRecord) -> bool:
    """Whether `record` failed in a way another attempt may change (an undefined step
    never defines itself)."""
    return record.status in RETRIED and "undefined" not in record.steps


@dataclass
class Retries:
    """The attempts of one run: the last record of every scenario, the earlier ones of
    those run again, and the worker folder whose outputs hold each attempt."""

    records: list[ScenarioRecord]
    workers: list[Worker]
    earlier: dict[str, list[tuple[ScenarioRecord, Path]]] = field(default_factory=dict)
    _owner: dict[str, Path] = field(default_factory=dict)

    def run(
        self,
        times: int,
        jobs: int,
        durations: dict[str, float],
        serial_tag: str,
        make_worker: Callable[[int, list[ListedScenario], str], Worker],
        limit: float,
        interruption: Interruption,
    ) -> None:
        """Run each retryable scenario again up to `times` times, `jobs` workers at once;
        `make_worker(number, scenarios, round)` makes each worker."""
        owner = self.owners()  # before any retry's workers join
        for round_number in range(1, times + 1):
            again = [record for record in self.records if retryable(record)]
            if not again or interruption.signals:
                return
            count = len(again)
            print(
                f"asgibdd run: running {count} failed scenario{'s' if count != 1 else ''} "
                f"again (retry {round_number} of {times})\n",
                flush=True,
            )
            shares = split_in_order(
                [record.scenario for record in again], jobs, durations, serial_tag
            )
            workers = [
                make_worker(number, list(part.scenarios), f"retry{round_number}")
                for number, part in enumerate(shares, start=1)
                if part.scenarios
            ]
            self.workers += workers
            outcome = {
                record.scenario.location: record
                for record in Pool(
                    [[worker] for worker in workers], limit, False, interruption, said_setup=True
                ).run([])
            }
            where = {s.location: w.folder for w in workers for s in w.scenarios}
            for index, record in enumerate(self.records):
                location = record.scenario.location
                new = outcome.get(location)
                if new is None or new.status == "untested":
                    continue  # not run again (a signal came first): the last result stands
                if interruption.signals and new.status != "passed":
                    continue  # cut short by the signal: the failure before it stands
                self.earlier.setdefault(location, []).append((record, owner[location]))
                owner[location] = where[location]
                status = "flaky" if new.status == "passed" else new.status
                self.records[index] = dataclasses.replace(new, status=status)
        sys.stdout.flush()

    def owners(self) -> dict[str, Path]:
        """The folder whose outputs hold each scenario's last attempt."""
        if not self._owner:
            self._owner = {s.location: w.folder for w in self.workers for s in w.scenarios}
        return self._owner

    def scheduled(self) -> list[set[str]]:
        """For each worker, the locations whose outputs the merged reports take from it."""
        owners = self.owners()
        return [
            {location for location, folder in owners.items() if folder == worker.folder}
            for worker in self.workers
        ]

    def attempts(self, results_name: str) -> Callable[[Run], Run]:
        """What the merged report gets: each retried scenario's earlier attempts, read
        from the results its workers wrote (`results_name` in each folder), and status
        "flaky" where the last attempt passed."""
        cache: dict[Path, dict[str, ScenarioResult]] = {}

        def result(folder: Path, location: str) -> ScenarioResult | None:
            if folder not in cache:
                path = folder / results_name
                run = read_run(path) if results_path(path).exists() else Run()
                found = ((f"{shown_path(s.filename)}:{s.line}", s) for s in run.scenarios())
                # Only the retried scenarios' results are kept, not the whole run's.
                cache[folder] = {where: s for where, s in found if where in self.earlier}
            return cache[folder].get(location)

        def amend(run: Run) -> Run:
            for index, feature in enumerate(run.features):
                scenarios = []
                for scenario in feature.scenarios:
                    location = f"{shown_path(scenario.filename)}:{scenario.line}"
                    earlier = self.earlier.get(location, [])
                    if earlier:
                        attempts = [
                            _attempt(record, result(folder, location)) for record, folder in earlier
                        ]
                        status = "flaky" if scenario.status == "passed" else scenario.status
                        scenario = dataclasses.replace(scenario, status=status, attempts=attempts)
                    scenarios.append(scenario)
                run.features[index] = dataclasses.replace(feature, scenarios=scenarios)
            return run

        return amend


def _attempt(record: ScenarioRecord, result: ScenarioResult | None) -> Attempt:
    if result is None:  # its worker wrote no report (killed): what the runner saw
        return Attempt(record.status, record.duration, [], [], None, record.text.strip())
    return Attempt(
        status=result.status,
        duration=result.duration,
        steps=result.steps,
        transcript=result.transcript,
        error_type=result.error_type,
        error_message=result.error_message,
    )
