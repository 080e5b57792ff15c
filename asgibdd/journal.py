"""What one scenario exchanged with the app, in order: for reports and transcripts.

Every HTTP exchange, every websocket message (both directions) and every server-sent
event a library step sends or receives is appended to the scenario's `Journal`, with the
text of the step that caused it. Entries keep the raw objects; whoever shows them (the
HTML report, say) renders them with `asgibdd.transcript` and masks them with the
journal's `secrets`, which by then know every secret the scenario met.

The behave integration puts the journal on the scenario object as `asgibdd_journal`, so
formatters, which never see behave's context, can read it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import httpx

from asgibdd.secrets import Secrets
from asgibdd.transcript import learn_secrets

__all__ = ["SCENARIO_ATTRIBUTE", "Entry", "HTTPEntry", "Journal", "MessageEntry"]

SCENARIO_ATTRIBUTE = "asgibdd_journal"
"""The attribute of a behave scenario that holds its `Journal`."""


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
    """The entries of one scenario, and the secrets to mask them with."""

    secrets: Secrets = field(default_factory=Secrets)
    entries: list[Entry] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

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

    def _now(self) -> float:
        return time.monotonic() - self.started
