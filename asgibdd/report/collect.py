"""behave's model and the scenario journals, turned into report data (`asgibdd.report.model`).

Called once a feature has ended, so every scenario's journal knows every secret it met:
transcripts are rendered and masked here, and only text goes on.
"""

from __future__ import annotations

import sys
from typing import Any

import httpx

from asgibdd.journal import SCENARIO_ATTRIBUTE, HTTPEntry, Journal
from asgibdd.report.model import FeatureResult, ScenarioResult, StepResult, TranscriptItem
from asgibdd.transcript import masked_url, render_exchange

__all__ = [
    "BODY_LIMIT",
    "collect_feature",
    "error_text",
    "ordered_tags",
    "public_name",
    "transcript_items",
]

_ASSERTION_PREFIXES = ("ASSERT FAILED: ", "Assertion Failed: ")

BODY_LIMIT = 4000
"""Characters of a body a report shows before cutting it (the cut says how many more)."""


def public_name(error: BaseException | None) -> str | None:
    """The name a user imports `error`'s class by: `asgibdd.ExpectationFailed`, not
    `asgibdd.errors.ExpectationFailed` nor `httpx._exceptions.ReadTimeout`."""
    if error is None:
        return None
    cls = type(error)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    parts = cls.__module__.split(".")
    public = [
        part for part in parts[: next((i for i, p in enumerate(parts) if p[:1] == "_"), None)]
    ]
    for end in range(1, len(public) + 1):
        module = sys.modules.get(".".join(public[:end]))
        if module is not None and getattr(module, cls.__qualname__, None) is cls:
            return f"{'.'.join(public[:end])}.{cls.__qualname__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def collect_feature(feature: Any) -> FeatureResult:
    return FeatureResult(
        name=feature.name,
        filename=str(feature.filename),
        line=feature.line,
        tags=[str(tag) for tag in feature.tags],
        description=[str(line) for line in feature.description],
        scenarios=[_scenario(scenario) for scenario in feature.walk_scenarios()],
    )


def _status(element: Any) -> str:
    return str(element.status.name)


def _scenario(scenario: Any) -> ScenarioResult:
    journal = getattr(scenario, SCENARIO_ATTRIBUTE, None)
    secrets = journal.secrets if isinstance(journal, Journal) else None
    mask = secrets.mask_text if secrets is not None else (lambda text: text)
    steps = [_step(step, mask) for step in scenario.all_steps]
    hook_message = error_text(scenario) if scenario.hook_failed else None
    return ScenarioResult(
        name=scenario.name,
        status=_status(scenario),
        duration=float(scenario.duration or 0.0),
        filename=str(scenario.filename),
        line=scenario.line,
        tags=ordered_tags(scenario),
        steps=steps,
        transcript=transcript_items(journal) if isinstance(journal, Journal) else [],
        error_type=public_name(scenario.exception) if hook_message else None,
        error_message=mask(hook_message) if hook_message else None,
    )


def ordered_tags(scenario: Any) -> list[str]:
    """The scenario's tags with those it inherits, outermost first (behave keeps a set)."""
    inherited = getattr(scenario, "feature", None)
    written = [*(getattr(inherited, "tags", None) or []), *scenario.tags]
    ordered = list(dict.fromkeys(str(tag) for tag in written))
    return ordered + sorted(str(tag) for tag in scenario.effective_tags if tag not in ordered)


def error_text(element: Any) -> str | None:
    """The element's error message, without the prefix behave puts before an assertion's
    (the report shows the exception's type on its own)."""
    message = element.error_message
    if message and isinstance(element.exception, AssertionError):
        for prefix in _ASSERTION_PREFIXES:
            message = message.removeprefix(prefix)
    return str(message) if message else None


def _step(step: Any, mask: Any) -> StepResult:
    table = None
    if step.table is not None:
        table = [[mask(cell) for cell in step.table.headings]]
        table += [[mask(cell) for cell in row.cells] for row in step.table.rows]
    message = error_text(step)
    return StepResult(
        keyword=step.keyword,
        name=mask(step.name),
        status=_status(step),
        duration=float(step.duration or 0.0),
        line=step.line,
        error_type=public_name(step.exception) if message else None,
        error_message=mask(message) if message else None,
        text=mask(step.text) if step.text is not None else None,
        table=table,
    )


def transcript_items(journal: Journal) -> list[TranscriptItem]:
    """Every entry of `journal`, rendered and masked with the journal's secrets."""
    items = []
    for entry in journal.entries:
        if isinstance(entry, HTTPEntry):
            items.append(
                TranscriptItem(
                    kind="http",
                    step=journal.secrets.mask_text(entry.step) if entry.step else None,
                    at=entry.at,
                    title=_http_title(entry, journal),
                    text=render_exchange(
                        entry.request,
                        entry.response,
                        secrets=journal.secrets,
                        body_limit=BODY_LIMIT,
                    ),
                    duration=entry.duration,
                )
            )
        else:
            where = journal.secrets.mask_text(entry.where)
            text = journal.secrets.mask_text(entry.text)
            items.append(
                TranscriptItem(
                    kind=entry.channel,
                    step=journal.secrets.mask_text(entry.step) if entry.step else None,
                    at=entry.at,
                    title=f"{entry.direction} {_cut(text, 120)} ({where})",
                    text=f"{entry.direction} on {where}:\n{_cut(text, BODY_LIMIT)}",
                )
            )
    return items


def _http_title(entry: HTTPEntry, journal: Journal) -> str:
    request = entry.request
    url = masked_url(request.url, journal.secrets)
    shown = url.split("://", 1)[-1].partition("/")[2]
    line = f"{request.method} /{shown}"
    if entry.outbound is not None:
        # A call the app made: where it went matters, so the whole URL, and the service.
        service = f' (service "{entry.outbound}")' if entry.outbound else ""
        line = f"the app called {request.method} {url}{service}"
    if entry.response is None:
        return f"{line} → {entry.missing or 'no response'}"
    size = _size(entry.response)
    return f"{line} → {entry.response.status_code} {entry.response.reason_phrase}{size}".rstrip()


def _size(response: httpx.Response) -> str:
    try:
        return f", {len(response.content)} bytes"
    except httpx.StreamError:
        return ", streamed"


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"
