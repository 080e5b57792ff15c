"""A report's scenarios kept on disk while the run goes on, so its memory stays flat.

The HTML report shows every scenario of the run, its steps and its masked transcript,
and is written when the run ends. Kept in memory, that data grows with the suite (~2 KB
a scenario); `ScenarioSpool` writes each feature's scenarios as page pieces, and the
feature as results JSON, into unnamed temporary files as the feature ends, and keeps in
memory only what the page's summary adds up (`PageSummary`). The files have no name in
the file system (`tempfile.TemporaryFile`): the operating system removes them when they
are closed or the process ends, however it ends (Ctrl-C, a kill), and they never hold
more than the report they become.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO

from asgibdd.report.html_render import PageSummary, feature_part, feature_rank
from asgibdd.report.model import FeatureResult

__all__ = ["ScenarioSpool", "read_back", "temporary_file"]

_CHUNK = 1 << 16


class ScenarioSpool:
    """The page pieces of a run's scenarios, and its features as results JSON if
    `results` (what `report.results.json` holds), on disk until the report is written."""

    def __init__(self, results: bool) -> None:
        self.summary = PageSummary()
        self._pieces: dict[int, IO[str]] = {}  # a file per feature rank, in the run's order
        self._results = temporary_file() if results else None
        self._scenarios = 0
        self._features = 0

    def add(self, feature: FeatureResult) -> None:
        """Spool a feature that has ended (its data is not needed in memory after this)."""
        self.summary.add(feature)
        rank = feature_rank(feature)
        pieces = self._pieces.get(rank)
        if pieces is None:
            pieces = self._pieces[rank] = temporary_file()
        pieces.write(feature_part(feature, self._scenarios))
        self._scenarios += len(feature.scenarios)
        if self._results is not None:
            self._results.write(", " if self._features else "")
            self._results.write(json.dumps(feature, ensure_ascii=False, default=vars))
        self._features += 1

    def feature_parts(self) -> Iterator[str]:
        """The features' page pieces in the page's order: by rank, then as they ran."""
        for rank in sorted(self._pieces):
            yield from read_back(self._pieces[rank])

    def features_json(self) -> Iterator[str]:
        """The features as the `features` list of a results file holds them, comma-separated."""
        if self._results is not None:
            yield from read_back(self._results)

    def close(self) -> None:
        """Remove the files (what was written is gone)."""
        for file in [*self._pieces.values(), *([self._results] if self._results else [])]:
            file.close()
        self._pieces = {}
        self._results = None


def temporary_file() -> IO[str]:
    """An unnamed temporary text file (gone when closed, or when the process ends)."""
    return tempfile.TemporaryFile("w+", encoding="utf-8", prefix="asgibdd-report-")


def read_back(file: IO[str]) -> Iterator[str]:
    """What was written to `file`, from its start, in chunks."""
    file.seek(0)
    while chunk := file.read(_CHUNK):
        yield chunk
