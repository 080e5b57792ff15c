"""`behave -f html -o report.html`: the HTML report, and its data beside it for merging.

The alias `html` comes from `[tool.behave.formatters]` in pyproject.toml (`asgibdd init`
writes it); the scoped name `asgibdd.report.html:HTMLFormatter` works without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asgibdd.report._formatter import CollectingFormatter
from asgibdd.report.collect import collect_feature
from asgibdd.report.html_render import html_parts, page_parts
from asgibdd.report.model import Run, results_path, write_run
from asgibdd.report.sections import has_report_amendments
from asgibdd.report.spool import ScenarioSpool

__all__ = ["HTMLFormatter"]


class HTMLFormatter(CollectingFormatter):
    """One self-contained HTML page for the run; with `-o FILE`, also `FILE`'s results
    (`report.results.json` for `report.html`), which `asgibdd report merge` reads.

    Each feature goes to disk when it ends (`ScenarioSpool`), so the report's memory does
    not grow with the suite; the page is written from there at the end, the same page
    `html_render.render_html` makes of the whole run in memory. A run that amends its
    report when it ends (the results history's flaky marks, `history_in_behave`) keeps its
    features in memory instead: the amendment needs them all.
    """

    name = "html"
    names_the_run = True
    description = "asgibdd's HTML report: summary, steps, failures, masked transcripts."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._spool = ScenarioSpool(results=bool(self.stream_opener.name))

    def eof(self) -> None:
        if has_report_amendments():
            super().eof()
        elif self._feature is not None:
            self._spool.add(collect_feature(self._feature))
            self._feature = None

    def write(self, run: Run) -> None:
        try:
            if run.features:  # kept in memory: see the class's docstring
                self.open().writelines(html_parts(run))
                features = None
            else:
                summary = self._spool.summary
                summary.started, summary.duration = run.started, run.duration
                summary.runs, summary.info, summary.sections = run.runs, run.info, run.sections
                self.open().writelines(page_parts(summary, self._spool.feature_parts()))
                features = self._spool.features_json()
            if self.stream_opener.name:
                write_run(run, results_path(Path(self.stream_opener.name)), features)
        finally:
            self._spool.close()
