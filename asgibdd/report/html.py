"""`behave -f html -o report.html`: the HTML report, and its data beside it for merging.

The alias `html` comes from `[tool.behave.formatters]` in pyproject.toml (`asgibdd init`
writes it); the scoped name `asgibdd.report.html:HTMLFormatter` works without it.
"""

from __future__ import annotations

from pathlib import Path

from asgibdd.report._formatter import CollectingFormatter
from asgibdd.report.html_render import html_parts
from asgibdd.report.model import Run, results_path, write_run

__all__ = ["HTMLFormatter"]


class HTMLFormatter(CollectingFormatter):
    """One self-contained HTML page for the run; with `-o FILE`, also `FILE`'s results
    (`report.results.json` for `report.html`), which `asgibdd report merge` reads."""

    name = "html"
    names_the_run = True
    description = "asgibdd's HTML report: summary, steps, failures, masked transcripts."

    def write(self, run: Run) -> None:
        self.open().writelines(html_parts(run))
        if self.stream_opener.name:
            write_run(run, results_path(Path(self.stream_opener.name)))
