"""A `Run` as one self-contained HTML page: no network, opens from `file://`, prints.

Every field from the run (names, messages, transcripts: things the app wrote; numbers too)
goes through `html.escape`; the page's only script and style are asgibdd's own, inline,
and its Content-Security-Policy allows those two alone, by their SHA-256 hashes.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources

from asgibdd.report.model import (
    NOT_RUN,
    PROBLEMS,
    STATUS_ORDER,
    FeatureResult,
    Run,
    ScenarioResult,
    Section,
    StepResult,
    TranscriptItem,
)

__all__ = [
    "PageSummary",
    "html_parts",
    "page_parts",
    "render_html",
    "scenario_part",
    "status_rank",
]


def _asset(name: str) -> str:
    return (resources.files("asgibdd.report") / "templates" / name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    """The Content-Security-Policy source that allows exactly the inline `source`."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _label(status: str) -> str:
    return _e(status.replace("_", " "))


def duration(seconds: float) -> str:
    """`12 ms` under a second, `3.40 s` under a minute, `2 min 5 s` above."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def _rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def _statuses(counts: Counter[str]) -> list[str]:
    return sorted(counts, key=_rank)


def render_html(run: Run) -> str:
    return "".join(html_parts(run))


def html_parts(run: Run) -> Iterator[str]:
    """The page in pieces, each scenario's made when it is reached: a writer that writes
    them one by one never holds the whole page."""
    summary = PageSummary(started=run.started, duration=run.duration, runs=run.runs)
    for feature in run.features:
        summary.add(feature)
    summary.sections = run.sections
    ordered = sorted(enumerate(run.scenarios()), key=lambda pair: (_rank(pair[1].status), pair[0]))
    yield from page_parts(summary, (scenario_part(index, item) for index, item in ordered))


@dataclass
class PageSummary:
    """What the page shows above its scenarios, added up one feature at a time: all the
    page needs of the run but the scenarios themselves (which a writer may keep on disk)."""

    started: float = 0.0
    duration: float = 0.0
    runs: int = 1
    sections: list[Section] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    steps: int = 0
    features: list[Row] = field(default_factory=list)
    tag_counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    tag_durations: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, feature: FeatureResult) -> None:
        counts: Counter[str] = Counter()
        spent = 0.0
        for scenario in feature.scenarios:
            counts[scenario.status] += 1
            spent += scenario.duration
            self.steps += len(scenario.steps)
            for tag in scenario.tags:
                self.tag_counts[tag][scenario.status] += 1
                self.tag_durations[tag] += scenario.duration
        self.counts.update(counts)
        self.features.append((f"{feature.name} ({feature.filename})", counts, spent))

    def pass_rate(self) -> float | None:
        """Passed scenarios among those that ran (skipped and untested ones do not count)."""
        ran = sum(count for status, count in self.counts.items() if status not in NOT_RUN)
        return self.counts["passed"] / ran if ran else None

    def by_tag(self) -> list[Row]:
        return [
            (f"@{tag}", self.tag_counts[tag], self.tag_durations[tag])
            for tag in sorted(self.tag_counts)
        ]


def scenario_part(index: int, scenario: ScenarioResult) -> str:
    """One scenario's piece of the page (`index`: its place in the run, from 0)."""
    return _scenario(index, scenario)


def status_rank(status: str) -> int:
    """Where scenarios of `status` come on the page: those that need attention first."""
    return _rank(status)


def page_parts(summary: PageSummary, scenarios: Iterable[str]) -> Iterator[str]:
    """The page in pieces: the summary's, then `scenarios` (each `scenario_part`'s text, in
    the page's order: by `status_rank`, then as they ran), then the end."""
    counts = summary.counts
    total = sum(counts.values())
    problems = sum(counts[status] for status in PROBLEMS)
    counted = f"{total} scenario{'' if total == 1 else 's'}"
    title = f"{counted}, {problems} not passed" if problems else f"{counted}, all passed"
    style, script = _asset("report.css"), _asset("report.js")
    yield from [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network, ever, and no script or style but the page's own: the policy names
        # them by hash, so nothing a run wrote into the page can run, even unescaped.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f'style-src {_hash(style)}; script-src {_hash(script)}; img-src data:">',
        f"<title>asgibdd report: {_e(title)}</title>",
        f"<style>{style}</style></head><body>",
        '<a class="skip" href="#scenarios">Skip to the scenarios</a>',
        f'<header><h1>Test report</h1><p class="meta">{_e(_meta(summary))}</p></header>',
        '<main><section class="summary" aria-labelledby="summary-title">',
        '<h2 id="summary-title">Summary</h2>',
        _totals(summary),
        _breakdown("By feature", "feature", summary.features),
        _breakdown("By tag", "tag", summary.by_tag()),
        "</section>",
        *(_section(section) for section in summary.sections),
        _controls(counts, sorted(summary.tag_counts)),
        '<section id="scenarios" aria-label="Scenarios">',
    ]
    yield from scenarios
    yield '<p id="nothing" hidden>No scenario matches the filters.</p>'
    yield "</section></main>"
    yield f"<script>{script}</script></body></html>\n"


def _meta(summary: PageSummary) -> str:
    started = datetime.datetime.fromtimestamp(summary.started, datetime.timezone.utc)
    runs = f" from {summary.runs} runs" if summary.runs > 1 else ""
    return f"Started {started:%Y-%m-%d %H:%M:%S} UTC, took {duration(summary.duration)}{runs}"


def _totals(summary: PageSummary) -> str:
    counts = summary.counts
    rate = summary.pass_rate()
    items = [
        f'<li class="count {_e(status)}"><b>{counts[status]}</b> {_label(status)}</li>'
        for status in _statuses(counts)
    ]
    shown_rate = "–" if rate is None else f"{rate * 100:.1f}%"
    return (
        f'<ul class="totals"><li class="count total"><b>{sum(counts.values())}</b> scenarios</li>'
        f"{''.join(items)}"
        f'<li class="count rate"><b>{shown_rate}</b> pass rate</li>'
        f'<li class="count"><b>{summary.steps}</b> steps</li>'
        f'<li class="count"><b>{_e(duration(summary.duration))}</b> duration</li></ul>'
    )


Row = tuple[str, Counter[str], float]


def _breakdown(title: str, what: str, rows: list[Row]) -> str:
    if not rows:
        return ""
    seen: Counter[str] = Counter()
    for _, counts, _ in rows:
        seen.update(counts)
    statuses = _statuses(seen)
    # Rows with problems first, then by name: the table answers "what is broken".
    rows = sorted(rows, key=lambda row: (-sum(row[1][s] for s in PROBLEMS), row[0]))
    head = "".join(f'<th scope="col" class="{_e(s)}">{_label(s)}</th>' for s in statuses)
    body = "".join(
        f'<tr><th scope="row">{_e(name)}</th>'
        + "".join(f"<td>{counts[s] or ''}</td>" for s in statuses)
        + f"<td>{_e(_rate(counts))}</td><td>{_e(duration(spent))}</td></tr>"
        for name, counts, spent in rows
    )
    return (
        f'<details class="breakdown" open><summary><h3>{_e(title)}</h3></summary>'
        f'<table><thead><tr><th scope="col">{_e(what)}</th>{head}<th scope="col">pass rate</th>'
        f'<th scope="col">duration</th></tr></thead><tbody>{body}</tbody></table></details>'
    )


def _rate(counts: Counter[str]) -> str:
    ran = sum(count for status, count in counts.items() if status not in NOT_RUN)
    return f"{counts['passed'] / ran * 100:.0f}%" if ran else "–"


def _section(section: Section) -> str:
    head = "".join(f'<th scope="col">{_e(column)}</th>' for column in section.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in section.rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if head else ""
    return (
        f'<section class="extra {_e(section.status)}"><h2>{_e(section.title)}</h2>'
        f"<p>{_e(section.summary)}</p>{table}</section>"
    )


def _controls(counts: Counter[str], tags: list[str]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" name="status" value="{_e(status)}" checked> '
        f"{_e(status.replace('_', ' '))} ({counts[status]})</label>"
        for status in _statuses(counts)
    )
    options = "".join(f'<option value="{_e(tag)}">@{_e(tag)}</option>' for tag in tags)
    return (
        '<form class="controls" role="search" aria-label="Filter the scenarios">'
        f"<fieldset><legend>Status</legend>{boxes}</fieldset>"
        '<label>Tag <select name="tag"><option value="">any tag</option>'
        f"{options}</select></label>"
        '<label>Search <input type="search" name="q" placeholder="text in a scenario (/)" '
        'autocomplete="off"></label>'
        '<button type="button" data-action="expand">Expand all</button>'
        '<button type="button" data-action="collapse">Collapse all</button>'
        '<output name="shown" aria-live="polite"></output></form>'
    )


def _scenario(index: int, scenario: ScenarioResult) -> str:
    status = scenario.status
    tags = " ".join(scenario.tags)
    opened = " open" if status in PROBLEMS else ""
    tag_list = (
        '<p class="tags">' + " ".join(f"<span>@{_e(tag)}</span>" for tag in scenario.tags) + "</p>"
        if scenario.tags
        else ""
    )
    hook = _error(scenario.error_type, scenario.error_message) if scenario.error_message else ""
    return (
        f'<details class="scenario {_e(status)}" id="s{index}" data-status="{_e(status)}" '
        f'data-tags="{_e(tags)}"{opened}><summary>'
        f'<span class="badge {_e(status)}">{_label(status)}</span> '
        f'<span class="name">{_e(scenario.name)}</span> '
        f'<span class="where">{_e(scenario.filename)}:{_e(scenario.line)}</span> '
        f'<span class="time">{_e(duration(scenario.duration))}</span></summary>'
        f"{tag_list}{hook}"
        f'<ol class="steps">{"".join(_step(step) for step in scenario.steps)}</ol>'
        f"{_transcript(scenario.transcript)}</details>"
    )


def _step(step: StepResult) -> str:
    extra = ""
    if step.text is not None:
        extra += f'<pre class="docstring">{_e(step.text)}</pre>'
    if step.table:
        head = "".join(f"<th>{_e(cell)}</th>" for cell in step.table[0])
        rows = "".join(
            "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>"
            for row in step.table[1:]
        )
        extra += (
            f'<table class="datatable"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        )
    if step.error_message:
        extra += _error(step.error_type, step.error_message)
    shown = (
        "" if step.status in NOT_RUN else f'<span class="time">{_e(duration(step.duration))}</span>'
    )
    return (
        f'<li class="step {_e(step.status)}"><span class="badge {_e(step.status)}">'
        f"{_e(step.status.replace('_', ' '))}</span> <b>{_e(step.keyword)}</b> {_e(step.name)} "
        f'<span class="where">line {_e(step.line)}</span> {shown}{extra}</li>'
    )


def _error(kind: str | None, message: str | None) -> str:
    heading = f"<b>{_e(kind)}</b>\n" if kind else ""
    return f'<pre class="error">{heading}{_e(message or "")}</pre>'


def _transcript(items: list[TranscriptItem]) -> str:
    if not items:
        return ""
    kinds = Counter(item.kind for item in items)
    what = ", ".join(
        f"{count} {kind} {'exchange' if kind == 'http' else 'message'}"
        + ("s" if count != 1 else "")
        for kind, count in kinds.items()
    )
    entries = "".join(
        f'<li class="{_e(item.kind.replace(" ", "-"))}"><details><summary>'
        f'<span class="kind">{_e(item.kind)}</span> {_e(item.title)}'
        + (
            f' <span class="time">{_e(duration(item.duration))}</span>'
            if item.duration is not None
            else ""
        )
        + (f' <span class="cause">— {_e(item.step)}</span>' if item.step else "")
        + f"</summary><pre>{_e(item.text)}</pre></details></li>"
        for item in items
    )
    return (
        f'<details class="transcript"><summary>Transcript: {_e(what)}</summary>'
        f"<ol>{entries}</ol></details>"
    )
