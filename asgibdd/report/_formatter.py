"""What asgibdd's formatters share: collect each feature when it ends, write at close."""

from __future__ import annotations

import time
from typing import Any

from behave.formatter.base import Formatter

from asgibdd.report.collect import collect_feature
from asgibdd.report.model import Run, RunInfo
from asgibdd.report.run_info import collect_run_info
from asgibdd.report.sections import amend_run, collect_sections

__all__ = ["CollectingFormatter"]


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
