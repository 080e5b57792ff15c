"""What a scenario says the app's outside world answers, and what the app sent it.

A scenario declares services (`payments` at `https://pay.example.com`) and, for each, the
answers it gives (`POST /charges` → 201 and this JSON), whether it is down, and how long it
takes to answer. Every call the app makes is then looked up here (`Outbound.answer`):
an answer, a refused connection, a timeout, or — for a call no step declared — the text
that fails the scenario, naming the call and what was declared. Every call is kept
(`Outbound.calls`) for the `received` checks and the reports.

Plain data and text, no HTTP library: `asgibdd.outbound.intercept` turns each client
library's request into a `Call` and each `Outcome` into that library's answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from urllib.parse import SplitResult, urlsplit

from asgibdd.errors import UsageError

__all__ = [
    "LOOPBACK_HOSTS",
    "Answer",
    "Call",
    "Outbound",
    "Outcome",
    "Refused",
    "Reply",
    "Service",
    "Stub",
    "TimedOut",
    "Unstubbed",
    "normal_base_url",
]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
"""Hosts whose calls always go through: the app's own helpers, a live test server."""

_BODY_SHOWN = 300


def normal_base_url(text: str, what: str) -> str:
    """`text` as a base URL without a trailing slash; `UsageError` if it is not one."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f'{what} is "{text}", which is not a base URL. Write the scheme and host the '
            "app calls, e.g. https://payments.example.com (a path prefix may follow)."
        )
    return text.strip().rstrip("/")


@dataclass(frozen=True)
class Answer:
    """What a stubbed route answers: a status, a body and its content type."""

    status: int
    body: bytes = b""
    content_type: str | None = None

    def describe(self) -> str:
        kind = f" ({self.content_type})" if self.content_type else ""
        return f"status {self.status}{kind}"


@dataclass(frozen=True)
class Stub:
    """One route of a service: `method path` answers `answer`."""

    method: str
    path: str
    answer: Answer

    def matches(self, method: str, path: str, query: str) -> bool:
        if method.upper() != self.method:
            return False
        wanted_path, _, wanted_query = self.path.partition("?")
        if wanted_query and wanted_query != query:
            return False
        return path.rstrip("/") == wanted_path.rstrip("/") or path == wanted_path


@dataclass
class Service:
    """A dependency of the app: its name, base URL and what the scenario made of it."""

    name: str
    base_url: str
    stubs: list[Stub] = field(default_factory=list)
    down: bool = False
    delay: float = 0.0

    def path_of(self, url: str) -> str | None:
        """The path of `url` under this service's base URL, or None if `url` is elsewhere."""
        base = urlsplit(self.base_url)
        target = urlsplit(url)
        if (target.scheme, _netloc(target)) != (base.scheme, _netloc(base)):
            return None
        prefix = base.path.rstrip("/")
        if not (target.path == prefix or target.path.startswith(prefix + "/")):
            return None
        return target.path[len(prefix) :] or "/"

    def stub_for(self, method: str, path: str, query: str) -> Stub | None:
        """The latest stub for the route: a later step wins over an earlier one."""
        for stub in reversed(self.stubs):
            if stub.matches(method, path, query):
                return stub
        return None

    def describe(self) -> list[str]:
        lines = []
        if self.down:
            lines.append(f'"{self.name}" at {self.base_url}: down (connections refused)')
        if self.delay:
            lines.append(f'"{self.name}" at {self.base_url}: answers after {self.delay:g} s')
        lines.extend(
            f'"{self.name}" at {self.base_url}: {stub.method} {stub.path} → '
            f"{stub.answer.describe()}"
            for stub in self.stubs
        )
        return lines


def _netloc(parts: SplitResult) -> str:
    """Host and port, the scheme's default port left out, so both spellings meet."""
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def _under(url: str, prefix: str) -> bool:
    """Whether `url` starts with `prefix` at a boundary: `https://a.example` lets
    `https://a.example/x` and `https://a.example:8443/` through, not `https://a.examples`."""
    if not url.startswith(prefix):
        return False
    rest = url[len(prefix) :]
    return not rest or prefix.endswith("/") or rest[0] in "/?#:"


@dataclass(frozen=True)
class Call:
    """One call the app made to the outside world, as the client library sent it.

    - `service`: the declared service it went to (None: no service has its URL).
    - `step`: the step running when the app made it.
    - `outcome`: what it got (`Reply`, `Refused`, `TimedOut`, `Unstubbed`).
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    step: str | None = None
    service: str | None = None
    path: str | None = None

    def describe(self, *, relative: bool = False) -> str:
        """`POST https://pay.example.com/charges` and the body, cut when long; `relative`:
        the path under the service's base URL (`POST /charges`), its query kept."""
        where = self.url
        if relative and self.path is not None:
            query = urlsplit(self.url).query
            where = f"{self.path}?{query}" if query else self.path
        line = f"{self.method} {where}"
        if not self.body:
            return line + " (no body)"
        text = self.body.decode("utf-8", errors="replace")
        if len(text) > _BODY_SHOWN:
            text = text[:_BODY_SHOWN] + f"... ({len(text) - _BODY_SHOWN} more characters)"
        return f"{line} with the body {text}"

    def json(self) -> object:
        """The body as JSON; `ValueError` if it is not JSON."""
        return json.loads(self.body.decode("utf-8"))


@dataclass(frozen=True)
class Reply:
    """The stub's answer, given after `delay` seconds."""

    answer: Answer
    delay: float = 0.0


@dataclass(frozen=True)
class Refused:
    """The service is down: the connection is refused."""

    service: str


@dataclass(frozen=True)
class TimedOut:
    """The service answers after the app's own timeout: the app gets its timeout error
    once `after` seconds (its timeout) have passed."""

    after: float


@dataclass(frozen=True)
class Unstubbed:
    """No step declared this call: `message` fails the scenario."""

    message: str


Outcome = Reply | Refused | TimedOut | Unstubbed


@dataclass
class Outbound:
    """One scenario's services and the calls the app made to them.

    - `allowed`: URL prefixes that go to the real network (besides loopback).
    - `mask`: hides secrets in the texts shown (the scenario's secrets).
    """

    allowed: tuple[str, ...] = ()
    services: dict[str, Service] = field(default_factory=dict)
    calls: list[tuple[Call, Outcome]] = field(default_factory=list)

    def service(self, name: str, base_url: str) -> Service:
        """The service `name`, declared now at `base_url` if new; the same name at another
        URL is a `UsageError`."""
        url = normal_base_url(base_url, f'The base URL of the service "{name}"')
        known = self.services.get(name)
        if known is None:
            known = self.services[name] = Service(name, url)
        elif known.base_url != url:
            raise UsageError(
                f'The service "{name}" is at {known.base_url} in this scenario, and a step '
                f"now puts it at {url}. Give each base URL its own service name."
            )
        return known

    def lets_through(self, url: str) -> bool:
        """Whether a call to `url` goes to the real network: loopback, or allowed."""
        host = (urlsplit(url).hostname or "").lower()
        if host in LOOPBACK_HOSTS or host.startswith("127."):
            return True
        return any(_under(url, prefix) for prefix in self.allowed)

    def answer(self, call: Call, timeout: float | None) -> tuple[Call, Outcome]:
        """What `call` gets (its `service` and `path` filled in), kept for the checks.

        `timeout`: the app's own read timeout for the call, when its client says.
        """
        outcome: Outcome
        for service in reversed(self.services.values()):
            path = service.path_of(call.url)
            if path is None:
                continue
            call = replace(call, service=service.name, path=path)
            query = urlsplit(call.url).query
            stub = service.stub_for(call.method, path, query)
            if service.down:
                outcome = Refused(service.name)
            elif timeout is not None and service.delay > timeout:
                outcome = TimedOut(timeout)
            elif stub is None:
                outcome = Unstubbed(self.unstubbed_text(call))
            else:
                outcome = Reply(stub.answer, service.delay)
            break
        else:
            outcome = Unstubbed(self.unstubbed_text(call))
        self.calls.append((call, outcome))
        return call, outcome

    def unstubbed_text(self, call: Call) -> str:
        """The failure for a call no step declared: the call, what was declared, and the
        step that would stub it."""
        declared = [line for service in self.services.values() for line in service.describe()]
        shown = "\n".join(f"  - {line}" for line in declared) or "  (none)"
        return (
            f"The app called {call.describe()}, which no step stubs, and this scenario "
            "lets no call reach the real network.\n"
            f"Stubs declared in this scenario:\n{shown}\n"
            f"Stub it, e.g. `Given {self._suggestion(call)}`, or let its URL through "
            "with outbound_allow in [tool.asgibdd]."
        )

    def _suggestion(self, call: Call) -> str:
        """The stub step for `call`: its declared service, or one named after its host."""
        parts = urlsplit(call.url)
        if call.service is not None and call.path is not None:
            name, base, path = call.service, self.services[call.service].base_url, call.path
        else:
            name = (parts.hostname or "service").split(".")[0]
            base, path = f"{parts.scheme}://{parts.netloc}", parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        return f'the service "{name}" at {base} answers {call.method} {path} with status 200'

    def unstubbed(self) -> list[str]:
        """The failure texts of the calls no step declared, in order."""
        return [outcome.message for _, outcome in self.calls if isinstance(outcome, Unstubbed)]

    def received(self, service: str) -> list[Call]:
        """The calls that reached `service`, in order (refused ones excluded)."""
        return [
            call
            for call, outcome in self.calls
            if call.service == service and not isinstance(outcome, Refused)
        ]
