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
    RunInfo,
    ScenarioResult,
    Section,
    StepResult,
    TranscriptItem,
)

__all__ = [
    "PageSummary",
    "feature_part",
    "feature_rank",
    "html_parts",
    "page_parts",
    "render_html",
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
    """The page in pieces, each feature's made when it is reached: a writer that writes
    them one by one never holds the whole page."""
    summary = PageSummary(started=run.started, duration=run.duration, runs=run.runs)
    summary.info = run.info
    for feature in run.features:
        summary.add(feature)
    summary.sections = run.sections
    # Features with problems first, each telling its story in file order.
    ordered = sorted(enumerate(run.features), key=lambda pair: (feature_rank(pair[1]), pair[0]))
    first = _first_numbers(run.features)
    yield from page_parts(summary, (feature_part(item, first[index]) for index, item in ordered))


def _first_numbers(features: list[FeatureResult]) -> list[int]:
    """The place in the run of each feature's first scenario."""
    firsts, count = [], 0
    for feature in features:
        firsts.append(count)
        count += len(feature.scenarios)
    return firsts


@dataclass
class PageSummary:
    """What the page shows above its scenarios, added up one feature at a time: all the
    page needs of the run but the scenarios themselves (which a writer may keep on disk)."""

    started: float = 0.0
    duration: float = 0.0
    runs: int = 1
    info: RunInfo = field(default_factory=RunInfo)
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


def feature_part(feature: FeatureResult, first: int) -> str:
    """One feature's piece of the page: its story and its scenarios (`first`: the place in
    the run of its first scenario, from 0)."""
    numbers = {id(scenario): first + index for index, scenario in enumerate(feature.scenarios)}
    return _feature(feature, numbers)


def feature_rank(feature: FeatureResult) -> int:
    """Where a feature comes on the page: those with scenarios that need attention first."""
    return min((_rank(scenario.status) for scenario in feature.scenarios), default=99)


def page_parts(summary: PageSummary, features: Iterable[str]) -> Iterator[str]:
    """The page in pieces: the summary's, then `features` (each `feature_part`'s text, in
    the page's order: by `feature_rank`, then as they ran), then the end."""
    counts = summary.counts
    total = sum(counts.values())
    problems = sum(counts[status] for status in PROBLEMS)
    counted = f"{total} scenario{'' if total == 1 else 's'}"
    title = f"{counted}, {problems} not passed" if problems else f"{counted}, all passed"
    named = _run_name(summary.info)
    title = f"{named}: {title} (asgibdd report)" if named else f"asgibdd report: {title}"
    style, script = _asset("report.css"), _asset("report.js")
    yield from [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network, ever, and no script or style but the page's own: the policy names
        # them by hash, so nothing a run wrote into the page can run, even unescaped.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f'style-src {_hash(style)}; script-src {_hash(script)}; img-src data:">',
        f"<title>{_e(title)}</title>",
        f"<style>{style}</style></head><body>",
        '<a class="skip" href="#scenarios">Skip to the scenarios</a>',
        _header(summary, named),
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
    yield from features
    yield '<p id="nothing" hidden>No scenario matches the filters.</p>'
    yield "</section></main>"
    yield f"<script>{script}</script></body></html>\n"


def _run_name(info: RunInfo) -> str:
    """What the run tested, as its title says: the project's name, else the app's."""
    return info.project or info.app


def _header(summary: PageSummary, named: str) -> str:
    """The page's heading and which run it shows: app, target, commit, versions, when,
    how long, and the CI build."""
    info = summary.info
    started = datetime.datetime.fromtimestamp(summary.started, datetime.timezone.utc)
    runs = f" ({summary.runs} runs)" if summary.runs > 1 else ""
    commit = info.commit
    if commit:
        commit += f" on {info.branch}" if info.branch else ""
        commit += ", with uncommitted changes" if info.dirty else ""
    versions = ", ".join(
        f"{name} {version}"
        for name, version in (
            ("Python", info.python),
            ("behave", info.behave),
            ("asgibdd", info.asgibdd),
        )
        if version
    )
    rows = [
        ("App", info.app),
        ("Target", info.target),
        ("Commit", commit),
        ("Versions", versions),
        ("Started", f"{started:%Y-%m-%d %H:%M:%S} UTC"),
        ("Duration", f"{duration(summary.duration)}{runs}"),
    ]
    items = "".join(
        f"<div><dt>{_e(label)}</dt><dd>{_e(value)}</dd></div>" for label, value in rows if value
    )
    if info.ci_url:
        link = (
            f'<a href="{_e(info.ci_url)}" rel="noopener noreferrer">{_e(info.ci or "CI")} build</a>'
        )
        items += f"<div><dt>CI</dt><dd>{link}</dd></div>"
    heading = f'Test report: <span class="app">{_e(named)}</span>' if named else "Test report"
    return f'<header><h1>{heading}</h1><dl class="run">{items}</dl></header>'


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
        f"<p>{_e(section.summary)}</p>{_trend(section.trend)}{table}</section>"
    )


def _trend(runs: list[list[int]]) -> str:
    """Passed, flaky and failed scenarios per run as stacked bars, oldest on the left: an
    inline SVG drawn by attributes and the page's own style, so the page's policy holds."""
    if not runs:
        return ""
    tallest = max((sum(counts) for counts in runs), default=0) or 1
    bars = []
    for index, counts in enumerate(runs):
        top = 40.0
        kinds = list(zip(counts, ("passed", "flaky", "failed"), strict=False))
        title = ", ".join(f"{count} {kind}" for count, kind in kinds)
        parts = ""
        for count, kind in kinds:
            height = 40.0 * count / tallest
            top -= height
            if count:
                parts += (
                    f'<rect class="{kind}" x="{index * 12}" y="{top:.1f}" width="10" '
                    f'height="{height:.1f}"/>'
                )
        bars.append(f"<g><title>run {index + 1}: {_e(title)}</title>{parts}</g>")
    return (
        f'<svg class="trend" role="img" viewBox="0 0 {len(runs) * 12} 40" width="{len(runs) * 12}" '
        f'height="40"><title>passed, flaky and failed scenarios in the last {len(runs)} runs, '
        f"oldest first</title>{''.join(bars)}</svg>"
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


def _feature(feature: FeatureResult, numbers: dict[int, int]) -> str:
    """A feature as its file tells it: name, tags, description, Background, then its
    scenarios, each Rule (with its description and Background) over its own."""
    outside = [scenario for scenario in feature.scenarios if scenario.rule is None]
    parts = [
        f'<section class="feature" aria-label="Feature: {_e(feature.name)}">',
        f'<h2><span class="keyword">Feature:</span> {_e(feature.name)} '
        f'<span class="where">{_e(feature.filename)}:{_e(feature.line)}</span></h2>',
        _tags(feature.tags),
        _story(feature.description, feature.background),
        *(_scenario(numbers[id(scenario)], scenario) for scenario in outside),
    ]
    for rule in feature.rules:
        inside = [scenario for scenario in feature.scenarios if scenario.rule == rule.line]
        parts += [
            f'<section class="rule" aria-label="Rule: {_e(rule.name)}">',
            f'<h3><span class="keyword">Rule:</span> {_e(rule.name)} '
            f'<span class="where">line {_e(rule.line)}</span></h3>',
            _story(rule.description, rule.background),
            *(_scenario(numbers[id(scenario)], scenario) for scenario in inside),
            "</section>",
        ]
    # A scenario whose rule the feature does not list (a results file of another kind).
    known = {rule.line for rule in feature.rules}
    parts += [
        _scenario(numbers[id(scenario)], scenario)
        for scenario in feature.scenarios
        if scenario.rule is not None and scenario.rule not in known
    ]
    parts.append("</section>")
    return "".join(parts)


def _story(description: list[str], background: list[str]) -> str:
    """A feature's or rule's description (its lines kept), and its Background steps."""
    text = ""
    if any(line.strip() for line in description):
        lines = "<br>".join(_e(line) for line in description)
        text += f'<p class="description">{lines}</p>'
    if background:
        steps = "".join(f"<li>{_e(step)}</li>" for step in background)
        text += (
            '<div class="background"><span class="keyword">Background:</span>'
            f"<ul>{steps}</ul></div>"
        )
    return text


def _tags(tags: list[str]) -> str:
    if not tags:
        return ""
    return '<p class="tags">' + " ".join(f"<span>@{_e(tag)}</span>" for tag in tags) + "</p>"


def _scenario(index: int, scenario: ScenarioResult) -> str:
    status = scenario.status
    tags = " ".join(scenario.tags)
    opened = " open" if status in PROBLEMS else ""
    hook = _error(scenario.error_type, scenario.error_message) if scenario.error_message else ""
    return (
        f'<details class="scenario {_e(status)}" id="s{index}" data-status="{_e(status)}" '
        f'data-tags="{_e(tags)}"{opened}><summary>'
        f'<span class="badge {_e(status)}">{_label(status)}</span> '
        f'<span class="name">{_e(scenario.name)}</span> '
        f'<span class="where">{_e(scenario.filename)}:{_e(scenario.line)}</span> '
        f'<span class="time">{_e(duration(scenario.duration))}</span>{_flaky(scenario)}</summary>'
        f"{_tags(scenario.tags)}{hook}"
        f'<ol class="steps">{"".join(_step(step) for step in scenario.steps)}</ol>'
        f"{_transcript(scenario.transcript)}{_attempts(scenario)}</details>"
    )


def _flaky(scenario: ScenarioResult) -> str:
    """The history's flaky mark (`asgibdd.history`), its reason on hover."""
    if not scenario.flaky or scenario.status == "flaky":
        return ""
    return f' <span class="badge flaky" title="{_e(scenario.flaky)}">flaky</span>'


def _attempts(scenario: ScenarioResult) -> str:
    """The attempts `asgibdd run --retries` made before the one shown above."""
    total = len(scenario.attempts) + 1
    return "".join(
        f'<details class="attempt {_e(attempt.status)}"><summary>Attempt {number} of {total}: '
        f'<span class="badge {_e(attempt.status)}">{_label(attempt.status)}</span> '
        f'<span class="time">{_e(duration(attempt.duration))}</span></summary>'
        + (_error(attempt.error_type, attempt.error_message) if attempt.error_message else "")
        + f'<ol class="steps">{"".join(_step(step) for step in attempt.steps)}</ol>'
        + f"{_transcript(attempt.transcript)}</details>"
        for number, attempt in enumerate(scenario.attempts, start=1)
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
    # The values the step's placeholders stood for, and the text as the feature wrote it.
    name = _e(step.name)
    written = ""
    if step.written is not None:
        name = f'<span class="resolved" title="{_e(step.written)}">{name}</span>'
        written = f'<span class="written">written as: {_e(step.written)}</span>'
    return (
        f'<li class="step {_e(step.status)}"><span class="badge {_e(step.status)}">'
        f"{_e(step.status.replace('_', ' '))}</span> <b>{_e(step.keyword)}</b> {name} "
        f'<span class="where">line {_e(step.line)}</span> {shown}{written}{extra}</li>'
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
        + f"</summary>{_curl(item.curl)}<pre>{_e(item.text)}</pre></details></li>"
        for item in items
    )
    return (
        f'<details class="transcript"><summary>Transcript: {_e(what)}</summary>'
        f"<ol>{entries}</ol></details>"
    )


def _curl(command: str | None) -> str:
    """The request as a curl command (masked), and a button that copies it."""
    if command is None:
        return ""
    return (
        '<div class="curl"><button type="button" data-action="copy">Copy as curl</button>'
        f'<pre class="curl">{_e(command)}</pre></div>'
    )
