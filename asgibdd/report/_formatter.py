"""What asgibdd's formatters share: collect each feature when it ends, write at close;
or write each feature when it ends from what behave told as it ran."""

from __future__ import annotations

import time
from typing import Any

from behave.formatter.base import Formatter

from asgibdd.report.collect import collect_feature
from asgibdd.report.model import Run, RunInfo
from asgibdd.report.run_info import collect_run_info
from asgibdd.report.sections import amend_run, collect_sections

__all__ = ["CollectingFormatter", "FeatureWritingFormatter"]


class CollectingFormatter(Formatter):  # type: ignore[misc]
    """Keeps a `Run`: one `FeatureResult` per feature, made when the feature ends.

    A formatter with `names_the_run` reads which run this is (`RunInfo`) when it starts.
    """

    names_the_run = False

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        info = collect_run_info(config) if self.names_the_run else RunInfo()
        self.run = Run(started=time.time(), info=info)
        self._clock = time.perf_counter()
        self._feature: Any = None

    def feature(self, feature: Any) -> None:
        self._feature = feature

    def eof(self) -> None:
        if self._feature is not None:
            self.run.features.append(collect_feature(self._feature))
            self._feature = None

    def close(self) -> None:
        self.run.duration = time.perf_counter() - self._clock
        self.run.sections = collect_sections()
        self.run = amend_run(self.run)
        self.write(self.run)
        self.close_stream()

    def write(self, run: Run) -> None:
        raise NotImplementedError


class FeatureWritingFormatter(Formatter):  # type: ignore[misc]
    """Keeps what behave tells as a feature runs, for a formatter that writes the feature
    when it ends (`write_feature`): when each scenario started, each step's match and
    when each step ended, by the scenario's or step's `id()`."""

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._feature: Any = None
        self._match: Any = None
        self._started: dict[int, float] = {}
        self._matches: dict[int, Any] = {}
        self._ended: dict[int, float] = {}

    def feature(self, feature: Any) -> None:
        self._feature = feature

    def scenario(self, scenario: Any) -> None:
        self._started[id(scenario)] = time.time()

    def match(self, match: Any) -> None:
        self._match = match

    def result(self, step: Any) -> None:
        self._matches[id(step)] = self._match
        self._ended[id(step)] = time.time()
        self._match = None

    def eof(self) -> None:
        if self._feature is not None:
            self.write_feature(self._feature)
            self._feature = None
            self._started.clear()
            self._matches.clear()
            self._ended.clear()

    def write_feature(self, feature: Any) -> None:
        raise NotImplementedError
