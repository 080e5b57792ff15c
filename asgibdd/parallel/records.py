"""The behave formatter each worker runs: one JSON line per scenario, as it starts and ends.

`behave -f asgibdd.parallel.records:RecordsFormatter -o worker.jsonl`. Each finished
scenario's line carries its status, its steps' statuses, its duration and its console
text (behave's `plain` formatter, captured for that scenario alone), so the parent prints
whole scenarios, never interleaved lines, and counts the run without re-parsing text. A
`start` line comes first, so when a worker dies the parent knows which scenario killed it.
Each line is flushed at once: whatever a crashed worker finished is on disk.
"""

from __future__ import annotations

import functools
import io
import json
import os
import time
from typing import Any

from behave.formatter.base import Formatter, StreamOpener
from behave.formatter.plain import PlainFormatter

from asgibdd.journal import release_journals

__all__ = ["RecordsFormatter", "scenario_location"]


def scenario_location(scenario: Any) -> str:
    """`path.feature:LINE` relative to the working folder, as the runner's listing has it."""
    return f"{_shown_path(str(scenario.filename))}:{scenario.line}"


@functools.lru_cache(maxsize=1024)
def _shown_path(filename: str) -> str:
    path = os.path.abspath(filename)
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else path


class RecordsFormatter(Formatter):  # type: ignore[misc]
    name = "asgibdd.records"
    description = "asgibdd run's worker protocol: one JSON line per scenario."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self.stream = self.open()
        self._text = io.StringIO()
        self._plain = PlainFormatter(StreamOpener(stream=self._text), config)
        self._scenario: Any = None
        self._started = 0.0
        self._feature: Any = None
        self._skipping = False

    def _emit(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()

    def _finish(self) -> None:
        scenario, self._scenario = self._scenario, None
        if scenario is None:
            return
        duration = scenario.duration or (time.perf_counter() - self._started)
        self._emit(
            {
                "event": "done",
                "location": scenario_location(scenario),
                "status": scenario.status.name,
                "steps": [step.status.name for step in scenario.all_steps],
                "duration": duration,
                "text": self._text.getvalue().strip("\n"),
            }
        )

    # Formatter interface: behave calls these in order while it runs.
    def feature(self, feature: Any) -> None:
        self._finish()
        self._feature = feature

    def background(self, background: Any) -> None:
        self._plain.background(background)

    def rule(self, rule: Any) -> None:
        self._plain.rule(rule)

    def scenario(self, scenario: Any) -> None:
        self._finish()
        self._skipping = not scenario.should_run(self.config)
        if self._skipping:
            return  # another worker's (or one --tags leaves out): the runner knows it
        self._text.seek(0)
        self._text.truncate()
        self._plain.scenario(scenario)
        self._scenario = scenario
        self._started = time.perf_counter()
        self._emit({"event": "start", "location": scenario_location(scenario)})

    def step(self, step: Any) -> None:
        if not self._skipping:
            self._plain.step(step)

    def match(self, match: Any) -> None:
        if not self._skipping:
            self._plain.match(match)

    def result(self, step: Any) -> None:
        if not self._skipping:
            self._plain.result(step)

    def eof(self) -> None:
        self._finish()
        self._release_journals()

    def _release_journals(self) -> None:
        """Drop each scenario's journal once its feature has ended (see `release_journals`).
        The runner puts this formatter last, after any report that reads the journals at
        the feature's end."""
        feature, self._feature = self._feature, None
        release_journals(feature)

    def close(self) -> None:
        self._finish()
        self.close_stream()
