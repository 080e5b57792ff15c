"""The run's `World`, and the seam every capability that lives as long as a run, a feature
or a scenario plugs into: the `Extension`.

An extension is an object with a few optional methods (hooks). The World holds the run's
extensions in order; behave's hooks (`asgibdd.environment`) only tell the World where the
run is, and the steps only tell it what was exchanged with the app. Everything else (the
journal for reports, the API document check, Django's test databases, a project's own
fixtures) is an extension, each in its own module, and knows nothing of the others.

```python
from asgibdd.world import Extension, World


class TraceHeader(Extension):
    def scenario_started(self, world: World, scenario: Any) -> None:
        world.defaults.set_header("X-Trace", scenario.name)
```

Order: hooks that start something (`run_started`, `feature_started`, `scenario_started`)
are called in the extensions' order; hooks that end it are called in the reverse order,
and only for extensions whose start ran (as nested `with` blocks would). An extension that
skips the scenario (`scenario.skip(reason)`) stops the scenario's start there: the
extensions after it see neither its start nor its end, and the scenario gets no client.
Every end hook runs even if one before it fails; the first failure is raised afterwards.
`exchange_recorded` and `message_recorded` are called in order, and a failure there is
the failure of the step that made the exchange (so an extension can check a response).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO, TypeVar

import httpx

from asgibdd._types import ASGIApp
from asgibdd.client import TestClient
from asgibdd.config import AsgiBddConfig, LifespanScope, bool_setting
from asgibdd.errors import UsageError
from asgibdd.run_clients import ReusedClient
from asgibdd.secrets import SecretPolicy, Secrets
from asgibdd.variables import Variables

__all__ = [
    "HOOKS",
    "Extension",
    "Extensions",
    "RequestDefaults",
    "Session",
    "Stage",
    "World",
    "get_world",
    "scenario_flag",
    "scenario_tag",
    "show",
]

Channel = Literal["websocket", "event stream"]
Direction = Literal["sent", "received"]


class Extension(Protocol):
    """What a run, a feature or a scenario tells the extensions, each hook optional.

    Subclass it and write the hooks you need: the others do nothing. `world` is the run's
    `World` (its `config`, `app`, and the scenario's state: `defaults`, `variables`,
    `secrets`, `client` once the scenario has one); `feature` and `scenario` are behave's.
    """

    def run_started(self, world: World) -> None:
        """The run starts: the configuration is read and the app imported, no client yet."""
        return None

    def run_ended(self, world: World) -> None:
        """The run has ended: every client has stopped (behave leaves the run's layer)."""
        return None

    def feature_started(self, world: World, feature: Any) -> None:
        """A feature starts; its lifespan scope is chosen, its client not started yet."""
        return None

    def feature_ended(self, world: World, feature: Any) -> None:
        """The feature has ended, and its client (if it had its own) has stopped."""
        return None

    def scenario_started(self, world: World, scenario: Any) -> None:
        """A scenario starts: its request state is fresh and it has no client yet (what a
        request should carry goes into `world.defaults`). `scenario.skip(reason)` skips it."""
        return None

    def scenario_ended(self, world: World, scenario: Any, status: str) -> None:
        """The scenario has ended with `status` (behave's: "passed", "failed", "skipped",
        ...): its sessions are closed and its client has stopped (scenario scope)."""
        return None

    def exchange_recorded(
        self,
        world: World,
        step: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        duration: float | None,
    ) -> None:
        """A step exchanged `request` for `response` (None: the app never answered in
        time) in `duration` seconds (None: a stream still arriving, its body unread)."""
        return None

    def message_recorded(
        self,
        world: World,
        step: str | None,
        channel: Channel,
        direction: Direction,
        where: str,
        text: str,
    ) -> None:
        """A websocket message or a server-sent event was sent or received (`where`: the
        session, `text`: the message as failure texts describe it)."""
        return None

    def outbound_recorded(
        self,
        world: World,
        step: str | None,
        service: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        missing: str,
    ) -> None:
        """The app called the outside world while `step` ran: `request` went to `service`
        (None: no declared service) and got `response`, or none, for the reason
        `missing` says ("connection refused", "timed out after 1 s", "not stubbed")."""
        return None


HOOKS = (
    "run_started",
    "run_ended",
    "feature_started",
    "feature_ended",
    "scenario_started",
    "scenario_ended",
    "exchange_recorded",
    "message_recorded",
    "outbound_recorded",
)
Hook = Callable[..., None]
E = TypeVar("E")


def _hook(extension: object, name: str) -> Hook | None:
    """`extension`'s own `name` hook, or None when it keeps the default (does nothing)."""
    method = getattr(extension, name, None)
    if method is None or getattr(method, "__func__", None) is getattr(Extension, name):
        return None
    if not callable(method):
        raise UsageError(
            f"The extension {extension!r} has `{name}`, which is not a method. An extension's "
            f"hooks are methods: {', '.join(HOOKS)}."
        )
    return method  # type: ignore[no-any-return]


class Stage:
    """One start hook and its end hook, for every extension that has either.

    Runs, features and scenarios do not overlap with their own kind, so the stage keeps
    how many extensions the current one started: its end ends exactly those.
    """

    def __init__(self, extensions: Sequence[object], start: str, end: str) -> None:
        pairs = [(_hook(extension, start), _hook(extension, end)) for extension in extensions]
        self.pairs = tuple(pair for pair in pairs if pair != (None, None))
        self.ends = any(end is not None for _, end in self.pairs)
        self.started = 0

    def start(self, *args: Any, stop: Any = None) -> None:
        """Call each start hook in order. With `stop` (a behave scenario), stop after the
        extension that skipped it."""
        self.started = 0
        for start, _ in self.pairs:
            if start is not None:
                start(*args)
            self.started += 1
            if stop is not None and getattr(stop, "should_skip", False):
                break

    def end(self, *args: Any) -> None:
        """Call the end hooks of the extensions that started, last first; every one runs,
        and the first failure is raised afterwards."""
        started, self.started = self.started, 0
        first_error: BaseException | None = None
        for _, end in reversed(self.pairs[:started]):
            if end is None:
                continue
            try:
                end(*args)
            except Exception as error:
                first_error = first_error or error
        if first_error is not None:
            raise first_error


class Extensions:
    """The run's extensions in order, and for each hook the methods that implement it."""

    def __init__(self, extensions: Sequence[object] = ()) -> None:
        self.all = tuple(extensions)
        self.run = Stage(self.all, "run_started", "run_ended")
        self.feature = Stage(self.all, "feature_started", "feature_ended")
        self.scenario = Stage(self.all, "scenario_started", "scenario_ended")
        self.exchange = tuple(
            hook for e in self.all if (hook := _hook(e, "exchange_recorded")) is not None
        )
        self.message = tuple(
            hook for e in self.all if (hook := _hook(e, "message_recorded")) is not None
        )
        self.outbound = tuple(
            hook for e in self.all if (hook := _hook(e, "outbound_recorded")) is not None
        )

    def find(self, kind: type[E]) -> E | None:
        """The first extension of type `kind`, if the run has one."""
        for extension in self.all:
            if isinstance(extension, kind):
                return extension
        return None


class Session(Protocol):
    """Anything a step keeps open for the scenario (a websocket, an event stream)."""

    def close(self) -> None: ...


@dataclass
class RequestDefaults:
    """What every request of the current scenario carries, as set by `Given` steps.

    - `headers`: added to each request, over the configured default headers.
    - `auth`: basic or bearer authentication for each request, or None.
    - `follow_redirects`: whether requests follow redirects (from the configuration until a
      step turns it off).
    - `removed`: header names (lower case) a step removed, configured defaults included.

    A later step always wins over an earlier one: an `Authorization` header step replaces a
    bearer login, and a login replaces an `Authorization` header.

    Cookies are not here: they live in the client's cookie jar, next to the cookies the
    app sets, and the jar is emptied for every scenario.
    """

    headers: dict[str, str] = field(default_factory=dict)
    auth: httpx.Auth | None = None
    follow_redirects: bool = True
    removed: set[str] = field(default_factory=set)

    def set_header(self, name: str, value: str) -> None:
        """Send `name: value` from now on; the latest step wins, whatever set it before."""
        self.remove_header(name)
        self.removed.discard(name.lower())
        self.headers[name] = value

    def remove_header(self, name: str) -> None:
        """Send no `name` header from now on, not even a configured default one."""
        for existing in [key for key in self.headers if key.lower() == name.lower()]:
            del self.headers[existing]
        if name.lower() == "authorization":
            self.auth = None
        self.removed.add(name.lower())

    def set_auth(self, auth: httpx.Auth | None) -> None:
        """Authenticate from now on with `auth` (None: not at all), over any earlier
        `Authorization` header step."""
        self.remove_header("Authorization")
        self.removed.discard("authorization")
        self.auth = auth


@dataclass
class World:
    """Everything asgibdd keeps for one behave run, stored once as `context.asgibdd`.

    Run-wide (set up by `before_all`):

    - `config`: the settings found by `asgibdd.config.load_config`.
    - `app`: the imported ASGI app; None for the live target, which imports none.
    - `extensions`: the run's extensions, in order (see `Extension`).
    - `context`: behave's context, for extensions that talk to behave itself.
    - `shared_clients`: clients that outlive one scenario, by lifespan scope ("feature",
      "run"); managed by the `asgibdd_client` fixture.
    - `feature_scope`: the lifespan scope of the feature now running.

    Per scenario (fresh in every `before_scenario`, see `start_scenario`):

    - `client`: the TestClient requests go through (its lifespan already started).
    - `feature_file`: the `.feature` file running, to resolve relative file paths.
    - `variables`: the `{{name}}` store.
    - `defaults`: headers, auth and redirect policy for the following requests.
    - `last_request` / `last_response`: the latest exchange, for assertions and captures;
      `last_duration`: the seconds it took.
    - `sessions`: open websocket/stream sessions by name; all closed when the scenario ends.
    - `secrets`: the secret values seen so far, masked in every output (`asgibdd.secrets`).
    - `pending_failures`: failures an extension found while the running library step ran
      (API contract violations): the step fails with them when it ends, and the scenario
      goes on (see `asgibdd.contract_failures`).
    """

    config: AsgiBddConfig
    app: ASGIApp | None
    extensions: Extensions = field(default_factory=Extensions)
    context: Any = None
    shared_clients: dict[LifespanScope, TestClient] = field(default_factory=dict)
    feature_scope: LifespanScope = "scenario"
    client: TestClient | None = None
    feature_file: Path | None = None
    variables: Variables = field(default_factory=Variables)
    defaults: RequestDefaults = field(default_factory=RequestDefaults)
    last_request: httpx.Request | None = None
    last_response: httpx.Response | None = None
    last_duration: float | None = None
    sessions: dict[str, Session] = field(default_factory=dict)
    secrets: Secrets = field(default_factory=Secrets)
    secret_policy: SecretPolicy = field(default_factory=SecretPolicy)
    pending_failures: list[str] = field(default_factory=list)
    #: Values stored "for the run": every later scenario's variables read them.
    run_variables: dict[str, Any] = field(default_factory=dict)
    #: The scenario scope's client once its lifespan has ended, for the next scenario.
    spare_client: ReusedClient | None = None

    def extension(self, kind: type[E]) -> E | None:
        """The run's extension of type `kind`, if it has one."""
        return self.extensions.find(kind)

    def after_reports(self, callback: Callable[[], None]) -> None:
        """Call `callback` once behave has written its reports and its summary (from a
        run-end hook: what should come last on the console, or outlive the reports)."""
        reporters = getattr(getattr(self.context, "config", None), "reporters", None)
        if isinstance(reporters, list):
            reporters.append(_AfterReports(callback))
        else:
            callback()

    def start_scenario(self, feature_file: Path | None) -> None:
        """Forget everything the previous scenario set (the client too, until `use_client`)."""
        self.client = None
        self.feature_file = feature_file
        self.defaults = RequestDefaults(follow_redirects=self.config.follow_redirects)
        self.last_request = None
        self.last_response = None
        self.last_duration = None
        self.sessions = {}
        self.secrets = Secrets(self.secret_policy)
        self.pending_failures = []
        # Secret-named {{env.NAME}} values are masked; values kept for the run are read.
        self.variables = Variables(self.secrets, self.run_variables)

    def use_client(self, client: TestClient) -> None:
        """Send the scenario's requests through `client`, its cookie jar emptied."""
        client.cookies.clear()
        self.client = client

    def record_exchange(
        self,
        step: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        duration: float | None,
    ) -> None:
        """Tell every extension what `step` exchanged (see `Extension.exchange_recorded`)."""
        for hook in self.extensions.exchange:
            hook(self, step, request, response, duration)

    def record_message(
        self, step: str | None, channel: Channel, direction: Direction, where: str, text: str
    ) -> None:
        """Tell every extension of a websocket message or server-sent event."""
        for hook in self.extensions.message:
            hook(self, step, channel, direction, where, text)

    def record_outbound(
        self,
        step: str | None,
        service: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        missing: str = "",
    ) -> None:
        """Tell every extension of a call the app made to the outside world."""
        for hook in self.extensions.outbound:
            hook(self, step, service, request, response, missing)

    def finish_scenario(self) -> None:
        """Close every session the scenario opened and empty the cookie jar.

        Safe to call twice. Every session is closed even if one fails to close; the
        first failure is raised afterwards.
        """
        sessions, self.sessions = self.sessions, {}
        first_error: BaseException | None = None
        for session in reversed(list(sessions.values())):
            try:
                session.close()
            except Exception as error:
                first_error = first_error or error
        if self.client is not None:
            self.client.cookies.clear()
        if first_error is not None:
            raise first_error

    def require_client(self) -> TestClient:
        """The scenario's client; `UsageError` if no scenario has started."""
        if self.client is None:
            raise UsageError(
                "asgibdd has no client for this scenario: call "
                "asgibdd.environment.before_scenario(context, scenario) from the "
                "before_scenario hook in your environment.py."
            )
        return self.client

    def register_session(self, name: str, session: Session) -> None:
        """Keep `session` open until the scenario ends; a name already open is an error."""
        if name in self.sessions:
            raise UsageError(
                f'A session named "{name}" is already open in this scenario; '
                "close it first or choose another name."
            )
        self.sessions[name] = session


def get_world(context: Any) -> World:
    """The `World` on a behave context; `UsageError` explains the setup if it is missing."""
    world = getattr(context, "asgibdd", None)
    if not isinstance(world, World):
        raise UsageError(
            "asgibdd is not set up for this run: call asgibdd.environment.before_all(context) "
            "from the before_all hook in your environment.py (and before_feature / "
            "before_scenario likewise), or `from asgibdd.environment import *` there."
        )
    return world


class _AfterReports:
    """A behave reporter that only calls back when behave ends its reporters."""

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback

    def feature(self, feature: Any) -> None:
        """behave reports each feature to its reporters: nothing to do."""

    def end(self) -> None:
        self.callback()


def scenario_flag(scenario: Any, prefix: str) -> bool | None:
    """The true/false value of the scenario's `@<prefix>...` tag, else its feature's."""
    chosen = scenario_tag(scenario, prefix)
    return None if chosen is None else bool_setting(chosen, f"the tag @{prefix}{chosen}")


def scenario_tag(scenario: Any, prefix: str) -> str | None:
    """The value of the scenario's `@<prefix>...` tag, else its feature's."""
    feature = getattr(scenario, "feature", None)
    for tags in (scenario.tags, getattr(feature, "tags", None) or ()):
        chosen = sorted({tag[len(prefix) :] for tag in tags if tag.startswith(prefix)})
        if len(chosen) > 1:
            shown = " and ".join(f"@{prefix}{value}" for value in chosen)
            raise UsageError(f"One scenario or feature has the tags {shown}; keep one.")
        if chosen:
            return str(chosen[0])
    return None


# Formats a program reads (behave's and ours): a line of ours in the same stream would make
# the document unreadable, so with one of them on stdout our lines go to stderr.
MACHINE_FORMATS = frozenset(
    {"json", "json.pretty", "rerun", "junit", "messages", "cucumber", "asgibdd.records"}
)


def machine_reads_stdout(context: Any) -> bool:
    """Whether a machine-readable format (`behave -f json`, say) writes to stdout in this
    run: then asgibdd's own lines (what a run checks, a skip's reason, a shown exchange,
    the coverage table) go to stderr."""
    runner = getattr(context, "_runner", None)
    return any(
        getattr(formatter, "name", None) in MACHINE_FORMATS
        and getattr(getattr(formatter, "stream_opener", None), "stream", None)
        in (sys.stdout, sys.__stdout__)
        for formatter in getattr(runner, "formatters", None) or ()
    )


def console_for(context: Any) -> TextIO | None:
    """The real console stream for asgibdd's own lines, past behave's capture: stdout, or
    stderr when a machine reads stdout."""
    return sys.__stderr__ if machine_reads_stdout(context) else sys.__stdout__


def show(line: str, context: Any = None) -> None:
    """Write `line` on the console now, past behave's capture of what hooks print (which
    shows it on failure only) and its formatters (which keep, say, a skip's reason to
    themselves)."""
    stream = console_for(context)
    if stream is not None:
        sys.stdout.flush()
        stream.write(line + "\n")
        stream.flush()
