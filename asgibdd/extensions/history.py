"""The results history of a plain `behave` run (`history_in_behave = true`): each
scenario's status and seconds added to the history file at the run's end, and the HTML
report given the history's section and flaky marks (`asgibdd.history`). `asgibdd run`
keeps the history itself, from its workers' results: its workers do not add to it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from asgibdd.history import (
    HistoryRun,
    add_run,
    code_revision,
    flaky_scenarios,
    history_section,
    mark_flaky,
    scenario_key,
)
from asgibdd.report.model import Run, Section
from asgibdd.report.sections import register_report_amendment, register_report_section
from asgibdd.world import Extension, World

__all__ = ["ResultsHistory"]


class ResultsHistory(Extension):
    """Adds the run to the history at `path` when it ends, before the reports are written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = time.time()
        self.scenarios: dict[str, tuple[str, float]] = {}
        self.runs: list[HistoryRun] = []
        self._clock = 0.0

    def run_started(self, world: World) -> None:
        self.started = time.time()
        register_report_section(self.section)
        register_report_amendment(self.mark)

    def scenario_started(self, world: World, scenario: Any) -> None:
        self._clock = time.perf_counter()

    def scenario_ended(self, world: World, scenario: Any, status: str) -> None:
        if status not in ("skipped", "untested"):
            key = scenario_key(str(scenario.filename), str(scenario.name))
            self.scenarios[key] = (status, time.perf_counter() - self._clock)

    def run_ended(self, world: World) -> None:
        if self.scenarios:
            run = HistoryRun(self.started, code_revision(), self.scenarios)
            self.runs = add_run(self.path, run)

    def section(self) -> Section | None:
        return history_section(self.runs)

    def mark(self, run: Run) -> Run:
        return mark_flaky(run, flaky_scenarios(self.runs))
