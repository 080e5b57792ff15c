"""What one scenario exchanged with the app, in order: for reports and transcripts.

Every HTTP exchange, every websocket message (both directions) and every server-sent
event a library step sends or receives is appended to the scenario's `Journal`, with the
text of the step that caused it. Entries keep the raw objects until a report reads the
journal, once the scenario's feature has ended: `seal()` turns each entry into the
`TranscriptItem` a report shows (rendered with `asgibdd.transcript`, masked with the
journal's `secrets`, which by then know every secret the scenario met, bodies cut at
`BODY_LIMIT`) and lets the raw requests and responses go; several reports share that
one rendering. A run without reports renders nothing.

The behave integration puts the journal on the scenario object as `asgibdd_journal`, so
formatters, which never see behave's context, can read it when the feature ends (`eof`);
it takes the journals off again when the next feature starts, so a long run holds the
raw exchanges of one feature at most, not of every scenario it ran.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from asgibdd.report.model import TranscriptItem
from asgibdd.secrets import Secrets
from asgibdd.transcript import curl_command, learn_secrets, masked_url, render_exchange

__all__ = [
    "BODY_LIMIT",
    "SCENARIO_ATTRIBUTE",
    "Entry",
    "HTTPEntry",
    "Journal",
    "MessageEntry",
    "release_journals",
]

SCENARIO_ATTRIBUTE = "asgibdd_journal"
"""The attribute of a behave scenario that holds its `Journal`."""

BODY_LIMIT = 4000
"""Characters of a body a report shows before cutting it (the cut says how many more)."""


@dataclass(frozen=True)
class HTTPEntry:
    """One request and its response (None when the app never answered).

    `outbound`: for a call the app made to the outside world, the service it went to
    ("" when no declared service has its URL); None for the scenario's own requests.
    `missing`: why such a call got no response ("connection refused", ...).
    """

    step: str | None
    at: float
    request: httpx.Request
    response: httpx.Response | None
    duration: float | None
    outbound: str | None = None
    missing: str = ""


@dataclass(frozen=True)
class MessageEntry:
    """One websocket message or server-sent event.

    - `channel`: "websocket" or "event stream".
    - `direction`: "sent" (by the scenario) or "received" (from the app).
    - `where`: the session, e.g. `the websocket of "bob" (/ws/chat)` or `/events`.
    - `text`: the message as failure texts describe it (`text "hi"`, `event "tick" ...`).
    """

    step: str | None
    at: float
    channel: Literal["websocket", "event stream"]
    direction: Literal["sent", "received"]
    where: str
    text: str


Entry = HTTPEntry | MessageEntry


@dataclass
class Journal:
    """The entries of one scenario, and the secrets to mask them with.

    `entries` are the raw entries not sealed yet; `seal()` turns them into transcript
    items and returns every item so far. `resolved_steps`: each step whose placeholders
    stood for values, and its text with them (`Variables.resolved_steps`), not masked yet.
    """

    secrets: Secrets = field(default_factory=Secrets)
    entries: list[Entry] = field(default_factory=list)
    resolved_steps: list[tuple[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    _items: list[TranscriptItem] = field(default_factory=list, repr=False)

    def http(
        self,
        step: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        duration: float | None,
    ) -> None:
        self.entries.append(HTTPEntry(step, self._now(), request, response, duration))
        learn_secrets(self.secrets, request, response)

    def outbound_call(
        self,
        step: str | None,
        service: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        missing: str = "",
    ) -> None:
        """A call the app made to the outside world (to `service`, if one was declared)."""
        entry = HTTPEntry(step, self._now(), request, response, None, service or "", missing)
        self.entries.append(entry)
        learn_secrets(self.secrets, request, response)

    def message(
        self,
        step: str | None,
        channel: Literal["websocket", "event stream"],
        direction: Literal["sent", "received"],
        where: str,
        text: str,
    ) -> None:
        self.entries.append(MessageEntry(step, self._now(), channel, direction, where, text))

    def seal(self) -> list[TranscriptItem]:
        """Every entry as a report shows it, rendered and masked with the secrets known now.

        Call it once the scenario is over (reports do, when its feature has ended): the
        raw entries are rendered, kept as text and dropped. Entries recorded later are
        sealed by the next call, after the earlier ones.
        """
        if self.entries:
            self._items.extend(_item(entry, self.secrets) for entry in self.entries)
            self.entries = []
        return self._items

    def _now(self) -> float:
        return time.monotonic() - self.started


def release_journals(feature: Any) -> None:
    """Take the journals off the scenarios of `feature` (None: nothing), once the reports
    have read them when it ended: behave keeps every scenario to the end of the run."""
    for scenario in feature.walk_scenarios() if feature is not None else ():
        # Not `scenario.__dict__.pop`: asking for `__dict__` gives every scenario a dict
        # of its own (~250 bytes) where Python kept its attributes more compactly.
        with contextlib.suppress(AttributeError):
            delattr(scenario, SCENARIO_ATTRIBUTE)


def _item(entry: Entry, secrets: Secrets) -> TranscriptItem:
    step = secrets.mask_text(entry.step) if entry.step else None
    if isinstance(entry, HTTPEntry):
        return TranscriptItem(
            kind="http",
            step=step,
            at=entry.at,
            title=_http_title(entry, secrets),
            text=render_exchange(
                entry.request, entry.response, secrets=secrets, body_limit=BODY_LIMIT
            ),
            duration=entry.duration,
            # The scenario's own requests: a reader sends one again from the report.
            curl=curl_command(entry.request, secrets=secrets) if entry.outbound is None else None,
        )
    where = secrets.mask_text(entry.where)
    text = secrets.mask_text(entry.text)
    return TranscriptItem(
        kind=entry.channel,
        step=step,
        at=entry.at,
        title=f"{entry.direction} {_cut(text, 120)} ({where})",
        text=f"{entry.direction} on {where}:\n{_cut(text, BODY_LIMIT)}",
    )


def _http_title(entry: HTTPEntry, secrets: Secrets) -> str:
    request = entry.request
    url = masked_url(request.url, secrets)
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
