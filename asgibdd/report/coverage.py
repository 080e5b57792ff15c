"""The API coverage (`asgibdd.contracts`' coverage data) as a section of the HTML report.

The behave integration registers it for a run's own report; `asgibdd run` and `asgibdd
report merge --coverage` put the coverage of several runs, added up, in its place.
"""

from __future__ import annotations

from typing import Any

from asgibdd.contracts.coverage import render_table, render_undocumented
from asgibdd.report.model import Section

__all__ = ["COVERAGE_TITLE", "coverage_section", "unchecked_section", "with_coverage"]

COVERAGE_TITLE = "API coverage"


def coverage_section(data: dict[str, Any]) -> Section:
    """`data` (the coverage file's content) as a report section: one row per operation."""
    totals = data["totals"]
    rows = [
        [
            row["operation"],
            str(row["requests"]),
            ", ".join(
                [s["status"] for s in row["statuses"] if s["requests"]]
                + [f"{s['status']} (undocumented)" for s in row["undocumented_statuses"]]
            )
            or "-",
            ", ".join(s["status"] for s in row["statuses"] if not s["requests"]) or "-",
        ]
        for row in data["operations"]
    ]
    summary = render_table(data, limit=0).splitlines()[0]
    undocumented = render_undocumented(data)
    if undocumented:
        summary += f". {undocumented.splitlines()[0]}"
    return Section(
        title=COVERAGE_TITLE,
        summary=summary,
        columns=["operation", "requests", "exercised", "never exercised"],
        rows=rows,
        status="failed" if totals["responses_with_violations"] else "info",
    )


def unchecked_section(reason: str) -> Section:
    """The section of a run that checked no response against a document: neutral, with
    the reason (the check is off, or there is no document)."""
    return Section(title=COVERAGE_TITLE, summary=reason, columns=[], rows=[], status="info")


def with_coverage(sections: list[Section], data: dict[str, Any]) -> list[Section]:
    """`sections` with every API coverage section (one per merged run) replaced by one
    for `data`, where the first of them was (or last, if there was none)."""
    merged = coverage_section(data)
    kept: list[Section] = []
    for section in sections:
        if section.title != COVERAGE_TITLE:
            kept.append(section)
        elif merged not in kept:
            kept.append(merged)
    return kept if merged in kept else [*kept, merged]
