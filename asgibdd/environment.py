"""behave integration: the per-run `World`, the client fixture and the hook helpers.

A project's own `environment.py` calls the helpers from its hooks, next to its own code:

```python
from asgibdd import environment as asgibdd


def before_all(context):
    asgibdd.before_all(context)


def before_feature(context, feature):
    asgibdd.before_feature(context, feature)


def before_scenario(context, scenario):
    asgibdd.before_scenario(context, scenario)
    # ... the project's own setup ...


def after_scenario(context, scenario):
    asgibdd.after_scenario(context, scenario)
```

(`from asgibdd.environment import *` does the same for a project without hooks of its own;
it brings no `after_scenario` or `after_feature`: the cleanup `before_scenario` registers
closes the sessions, captured like a hook, and a hook behave runs costs a capture of its
own, more than the work.)

Lifespan scope: a client, and so one run of the app's lifespan, lives for one scenario
by default. `lifespan = "feature"` or `"run"` in the configuration shares it wider, and a
feature tagged `@asgibdd.lifespan=feature` (or `=scenario`) chooses for itself. Whatever the
scope, request state (headers, cookies, auth, variables, the last response, open
sessions) is reset for every scenario.

Server exceptions: an exception the app raises is raised into the step by default, so a
bug shows its traceback. `raise_server_exceptions = false` in the configuration, or a
feature or scenario tagged `@asgibdd.raise_server_exceptions=false`, lets the steps see
the app's own error response (its 500 page or exception handler's answer) instead; a
scenario's tag wins over its feature's.

Live target: with `target = "live"` (or a `base_url` and no app) every step goes over the
network to a deployed service through `LiveClient` (see docs/live.md). What needs the app
in this process is refused there with the reason (lifespan scopes, Django test
databases), and a scenario or feature tagged `@in-process` is skipped, its reason shown.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from behave.fixture import fixture, use_fixture
from behave.formatter.json import JSONFormatter
from behave.model_type import Status

from asgibdd import behave_speedups
from asgibdd._types import ASGIApp
from asgibdd.client import LiveClient, TestClient
from asgibdd.config import (
    AsgiBddConfig,
    LifespanScope,
    bool_setting,
    features_paths,
    lifespan_scope,
    load_config,
)
from asgibdd.contracts import CONTRACT_TAG, ContractChecker, render_table, write_coverage
from asgibdd.django import DjangoTestRun, load_app_and_django
from asgibdd.errors import ConfigError, UsageError
from asgibdd.journal import SCENARIO_ATTRIBUTE, Journal, release_journals
from asgibdd.report import Section, register_report_section
from asgibdd.report.coverage import coverage_section
from asgibdd.secrets import SecretPolicy, Secrets
from asgibdd.variables import Variables

__all__ = [
    "CONTRACT_TAG",
    "IN_PROCESS_TAG",
    "LIFESPAN_TAG",
    "RAISE_SERVER_EXCEPTIONS_TAG",
    "RequestDefaults",
    "Session",
    "World",
    "after_all",
    "asgibdd_client",
    "before_all",
    "before_feature",
    "before_scenario",
    "feature_lifespan",
    "get_world",
    "new_client",
    "new_live_client",
    "scenario_checks_contract",
    "scenario_raises_server_exceptions",
]

IN_PROCESS_TAG = "in-process"
"""The scenario or feature tag (`@in-process`) of what only makes sense with the app in
this process: such scenarios are skipped against a live service."""

LIFESPAN_TAG = "asgibdd.lifespan="
"""Prefix of the feature tag that picks the lifespan scope: `@asgibdd.lifespan=feature`."""

RAISE_SERVER_EXCEPTIONS_TAG = "asgibdd.raise_server_exceptions="
"""Prefix of the feature or scenario tag that lets steps check the app's own error
responses: `@asgibdd.raise_server_exceptions=false` (or `=true`)."""


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
    - `shared_clients`: clients that outlive one scenario, by lifespan scope ("feature",
      "run"); managed by the `asgibdd_client` fixture.
    - `feature_scope`: the lifespan scope of the feature now running.
    - `django`: the Django test databases and settings of the run, when the app is a
      Django project (see `asgibdd.django`); None otherwise.
    - `contracts`: the run's OpenAPI document check and API coverage (see
      `asgibdd.contracts`); None when the app publishes no document and none is configured.

    Per scenario (fresh in every `before_scenario`, see `start_scenario`):

    - `client`: the TestClient requests go through (its lifespan already started).
    - `feature_file`: the `.feature` file running, to resolve relative file paths.
    - `variables`: the `{{name}}` store.
    - `defaults`: headers, auth and redirect policy for the following requests.
    - `last_request` / `last_response`: the latest exchange, for assertions and captures;
      `last_duration`: the seconds it took.
    - `sessions`: open websocket/stream sessions by name; all closed when the scenario ends.
    - `secrets`: the secret values seen so far, masked in every output (`asgibdd.secrets`).
    - `journal`: every exchange, message and event of the scenario (`asgibdd.journal`),
      also on the behave scenario as `asgibdd_journal` for formatters.
    - `check_contract`: whether every response of the scenario is checked against the API
      document (the `contract` setting, or an `@asgibdd.contract=...` tag).
    """

    config: AsgiBddConfig
    app: ASGIApp | None
    shared_clients: dict[LifespanScope, TestClient] = field(default_factory=dict)
    feature_scope: LifespanScope = "scenario"
    django: DjangoTestRun | None = None
    contracts: ContractChecker | None = None
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
    journal: Journal = field(default_factory=Journal)
    check_contract: bool = False
    #: The feature whose scenarios carry journals, until the next feature starts.
    journaled_feature: Any = None
    #: The scenario scope's client once its lifespan has ended, for the next scenario.
    spare_client: _ReusedClient | None = None

    def start_scenario(self, client: TestClient, feature_file: Path | None) -> None:
        """Forget everything the previous scenario set, and use `client` from now on."""
        client.cookies.clear()
        self.client = client
        self.feature_file = feature_file
        self.variables = Variables()
        self.defaults = RequestDefaults(follow_redirects=self.config.follow_redirects)
        self.last_request = None
        self.last_response = None
        self.last_duration = None
        self.sessions = {}
        self.secrets = Secrets(self.secret_policy)
        self.journal = Journal(self.secrets)

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


def make_client(world: World) -> TestClient:
    """A new, not yet entered, client for the configured target: a TestClient for the app,
    or a LiveClient for the service at `base_url`."""
    if world.config.live:
        return new_live_client(world.config)
    if world.app is None:
        raise UsageError(
            "asgibdd has no app for the in-process target: before_all(context) imports it; "
            'for a deployed service set target = "live" and its base_url.'
        )
    return new_client(world.app, world.config)


def new_live_client(config: AsgiBddConfig) -> LiveClient:
    """A new LiveClient for the service at the configured `base_url`, with the same
    headers, redirect policy and `timeout` bound as in-process, plus `verify` and `proxy`."""
    return LiveClient(
        config.base_url,
        headers=dict(config.headers),
        follow_redirects=config.follow_redirects,
        wait_timeout=config.timeout,
        verify=config.verify,
        proxy=config.proxy,
        secret_names=config.secret_names,
        max_body_size=config.max_body_size,
    )


def new_client(app: ASGIApp, config: AsgiBddConfig) -> TestClient:
    """A new, not yet entered, TestClient for `app` with the settings of `config`
    (also what `asgibdd init` confirms its example with)."""
    return TestClient(
        app,
        base_url=config.base_url,
        headers=dict(config.headers),
        follow_redirects=config.follow_redirects,
        raise_server_exceptions=config.raise_server_exceptions,
        wait_timeout=config.timeout,
    )


@dataclass
class _ReusedClient:
    """A scenario-scope TestClient kept between scenarios, and its settings as built.

    Building a TestClient costs more than a scenario's own bookkeeping (~50-100 µs), so
    the scenario scope enters the same client again: a new lifespan, a new event loop
    thread, and every setting put back as it was built, so what one scenario (or a
    project's hook) changed on the client never reaches the next.
    """

    client: TestClient
    headers: list[tuple[bytes, bytes]]
    event_hooks: dict[str, list[Any]]
    base_url: httpx.URL
    auth: Any
    params: httpx.QueryParams
    timeout: httpx.Timeout
    follow_redirects: bool
    max_redirects: int

    @classmethod
    def of(cls, client: TestClient) -> _ReusedClient:
        return cls(
            client=client,
            headers=list(client.headers.raw),
            event_hooks={name: list(hooks) for name, hooks in client.event_hooks.items()},
            base_url=client.base_url,
            auth=client.auth,
            params=client.params,
            timeout=client.timeout,
            follow_redirects=client.follow_redirects,
            max_redirects=client.max_redirects,
        )

    def as_built(self) -> TestClient:
        """The client with its settings as built (each put back only if it changed)."""
        client = self.client
        if client.headers.raw != self.headers:
            client.headers = httpx.Headers(self.headers)
        if client.event_hooks != self.event_hooks:
            client.event_hooks = {name: list(hooks) for name, hooks in self.event_hooks.items()}
        if client.base_url is not self.base_url:
            client.base_url = self.base_url
        if client.auth is not self.auth:
            client.auth = self.auth
        if client.params is not self.params:
            client.params = self.params
        if client.timeout is not self.timeout:
            client.timeout = self.timeout
        client.follow_redirects = self.follow_redirects
        client.max_redirects = self.max_redirects
        client.cookies.clear()
        client.app_state.clear()  # the lifespan starts from nothing, as with a new client
        return client


def _scenario_client(world: World) -> tuple[TestClient, _ReusedClient | None]:
    """The scenario scope's client: the last scenario's, as built, or a new one; and what
    can put it back for the next scenario (None for a LiveClient, which is not reused)."""
    spare, world.spare_client = world.spare_client, None
    if spare is not None:
        return spare.as_built(), spare
    client = make_client(world)
    return client, None if isinstance(client, LiveClient) else _ReusedClient.of(client)


@fixture(name="asgibdd.client")  # type: ignore[untyped-decorator]
def asgibdd_client(context: Any, scope: LifespanScope = "scenario") -> Iterator[TestClient]:
    """behave fixture: a TestClient whose lifespan runs for the fixture's context layer.

    Use it from a hook with `use_fixture(asgibdd_client, context, scope)`; the client is
    entered (lifespan startup) now and exited (lifespan shutdown) when behave leaves the
    layer the hook runs in. Clients for the "feature" and "run" scopes are remembered in
    `World.shared_clients` while they live. The scenario scope enters one client again
    for every scenario, its settings as built (see `_ReusedClient`), once the previous
    scenario's lifespan has shut down cleanly.
    """
    world = get_world(context)
    if scope == "scenario":
        client, reuse = _scenario_client(world)
    else:
        client, reuse = make_client(world), None
    with client:
        if scope != "scenario":
            world.shared_clients[scope] = client
        try:
            yield client
        finally:
            world.shared_clients.pop(scope, None)
    world.spare_client = reuse  # only reached when the lifespan shut down without error


def feature_lifespan(config: AsgiBddConfig, tags: Sequence[str]) -> LifespanScope:
    """The lifespan scope for a feature: its `@asgibdd.lifespan=...` tag, else the config.

    Against a live service there is no lifespan here: a feature tagged `@in-process` is
    skipped scenario by scenario, and any other lifespan tag is refused with the reason.
    """
    chosen = [tag[len(LIFESPAN_TAG) :] for tag in tags if tag.startswith(LIFESPAN_TAG)]
    if not chosen or (config.live and IN_PROCESS_TAG in tags):
        return config.lifespan
    if len(chosen) > 1:
        raise UsageError(
            f"A feature has {len(chosen)} lifespan tags ({', '.join(chosen)}); keep one."
        )
    scope = lifespan_scope(chosen[0], f"the tag @{LIFESPAN_TAG}{chosen[0]}")
    if config.live and scope != "scenario":
        raise ConfigError(
            f"The tag @{LIFESPAN_TAG}{scope} shares the app's lifespan in this process, but "
            f"this run tests the live service at {config.base_url}, whose server runs its "
            f"lifespan. Tag the feature @{IN_PROCESS_TAG} to skip it in live runs, or remove "
            "the tag."
        )
    if scope == "run" and config.lifespan != "run":
        raise ConfigError(
            f"The tag @{LIFESPAN_TAG}run cannot widen the lifespan to the whole run; set "
            '`lifespan = "run"` in [tool.asgibdd] (or -D asgibdd.lifespan=run) instead.'
        )
    return scope


def scenario_raises_server_exceptions(config: AsgiBddConfig, scenario: Any) -> bool:
    """Whether the app's exceptions reach the scenario's steps: the scenario's
    `@asgibdd.raise_server_exceptions=...` tag, else its feature's, else the config."""
    chosen = _scenario_flag(scenario, RAISE_SERVER_EXCEPTIONS_TAG)
    return config.raise_server_exceptions if chosen is None else chosen


def scenario_checks_contract(config: AsgiBddConfig, scenario: Any) -> bool:
    """Whether the scenario's responses are checked against the API document: its
    `@asgibdd.contract=...` tag (on/off, true/false), else its feature's, else the config."""
    chosen = _scenario_flag(scenario, CONTRACT_TAG)
    return config.contract if chosen is None else chosen


def _scenario_flag(scenario: Any, prefix: str) -> bool | None:
    """The true/false value of the scenario's `@<prefix>...` tag, else its feature's."""
    feature = getattr(scenario, "feature", None)
    for tags in (scenario.tags, getattr(feature, "tags", None) or ()):
        chosen = sorted({tag[len(prefix) :] for tag in tags if tag.startswith(prefix)})
        if len(chosen) > 1:
            shown = " and ".join(f"@{prefix}{value}" for value in chosen)
            raise UsageError(f"One scenario or feature has the tags {shown}; keep one.")
        if chosen:
            return bool_setting(chosen[0], f"the tag @{prefix}{chosen[0]}")
    return None


def _show(line: str) -> None:
    """Write `line` under the scenario's heading: behave's formatters keep a skip's reason
    to themselves, and the hook's own output is captured (shown on failure only)."""
    stream = sys.__stdout__
    if stream is not None:
        sys.stdout.flush()
        stream.write(line + "\n")
        stream.flush()


def _effective_tags(scenario: Any) -> set[str]:
    """The scenario's tags with its feature's (and rule's), as behave inherits them."""
    tags = getattr(scenario, "effective_tags", None)
    if tags is None:
        feature = getattr(scenario, "feature", None)
        tags = [*scenario.tags, *(getattr(feature, "tags", None) or ())]
    return set(tags)


def before_all(context: Any) -> None:
    """Read the configuration, import the app, and start a run-wide client if configured.

    The configuration is looked for from the features paths behave was given, then from
    the working folder, as behave looks for `steps/` and `environment.py`. For a Django
    project, also set up Django's test environment and test databases (torn down when the
    run ends) and flush them after every scenario: see `asgibdd.django`. behave's own
    per-step bookkeeping gets cheaper from here on (`asgibdd.behave_speedups`).
    """
    behave_speedups.install()
    _quiet_httpx_request_lines(context)
    config = load_config(dict(context.config.userdata), paths=features_paths(context.config))
    # The live target imports nothing: the service's code may not even be installed here.
    app, django = (None, None) if config.live else load_app_and_django(config)
    contracts = ContractChecker.from_setting(
        config.openapi, app, source=config.openapi_source, project_dir=config.project_dir
    )
    context.asgibdd = World(
        config=config,
        app=app,
        django=django,
        contracts=contracts,
        secret_policy=SecretPolicy(config.secret_names),
    )
    if django is not None:
        # Registered before the run's client, so it runs after that client has stopped.
        context.add_cleanup(django.stop)
    if contracts is not None:
        global _coverage_world
        _coverage_world = context.asgibdd
        register_report_section(_coverage_section)
    # What exists now (modules, the app, the API document) lives as long as the run: left
    # out of the garbage collector's scans, each collection has less to walk (~3% of a
    # run of small scenarios). Undone when the run ends, for in-process runs that follow.
    gc.freeze()
    context.add_cleanup(gc.unfreeze)
    if config.lifespan == "run":
        use_fixture(asgibdd_client, context, "run")


def _quiet_httpx_request_lines(context: Any) -> None:
    """Turn off httpx's INFO line per request for the run, unless the project set the
    `httpx` logger's level itself.

    behave captures INFO logs around every step, so each request would leave a record with
    its full URL, secrets in the query string included, wherever captured logs are shown;
    a failure already shows the exchange with its secrets masked. Making the record is
    also among the dearest parts of a request.
    """
    logger = logging.getLogger("httpx")
    if logger.level != logging.NOTSET:
        return
    logger.setLevel(logging.WARNING)
    context.add_cleanup(logger.setLevel, logging.NOTSET)


def before_feature(context: Any, feature: Any) -> None:
    """Pick the feature's lifespan scope, and start its client if the scope is "feature"."""
    world = get_world(context)
    # The reports read the journals of the previous feature when it ended.
    release_journals(world.journaled_feature)
    world.journaled_feature = feature
    world.feature_scope = feature_lifespan(world.config, feature.tags)
    if world.feature_scope == "feature":
        use_fixture(asgibdd_client, context, "feature")


def before_scenario(context: Any, scenario: Any) -> None:
    """Give the scenario a client (new, or the shared one) and a clean request state.

    Against a live service, a scenario tagged `@in-process` (or in a feature so tagged) is
    skipped with the reason, and gets no client.
    """
    world = get_world(context)
    if world.config.live and IN_PROCESS_TAG in _effective_tags(scenario):
        world.client = None
        reason = (
            f"tagged @{IN_PROCESS_TAG}: it needs the app in this process, and this run tests "
            f"the live service at {world.config.base_url}"
        )
        scenario.skip(reason)
        _show(f"    Skipped, {reason}.")
        return
    if world.django is not None:
        # Registered before the scenario's client, so it runs after that client has stopped.
        context.add_cleanup(world.django.flush)
    if world.feature_scope == "scenario":
        client = use_fixture(asgibdd_client, context, "scenario")
    else:
        shared = world.shared_clients.get(world.feature_scope)
        if shared is None:
            raise UsageError(
                f'The lifespan scope is "{world.feature_scope}" but no client was started '
                f"for it: call asgibdd.environment.before_feature(context, feature) (and "
                "before_all) from your environment.py."
            )
        client = shared
    if isinstance(client, TestClient) and not isinstance(client, LiveClient):
        client.raise_server_exceptions = scenario_raises_server_exceptions(world.config, scenario)
    filename = getattr(scenario, "filename", None)
    world.start_scenario(client, Path(filename) if filename else None)
    world.check_contract = world.contracts is not None and scenario_checks_contract(
        world.config, scenario
    )
    setattr(scenario, SCENARIO_ATTRIBUTE, world.journal)
    # Cleanup also runs if the project's after_scenario forgets to call ours.
    context.add_cleanup(world.finish_scenario)
    context.add_cleanup(_messages_into_json_reports, context, scenario)


def _messages_into_json_reports(context: Any, scenario: Any) -> None:
    """Give behave's JSON report the message of each step that errored or is undefined.

    behave's `JSONFormatter.result` writes `error_message` for *failed* steps only, so a
    usage error, a broken app, or an undefined step with advice would reach the JSON
    report without a word. The formatter keeps a feature's data until the feature ends
    (`eof`); this adds the missing messages to the scenario's steps there. (behave's own
    `context.attach` reaches the formatters the same way.)
    """
    runner = getattr(context, "_runner", None)
    for formatter in getattr(runner, "formatters", ()):
        if not isinstance(formatter, JSONFormatter) or not formatter.current_feature_data:
            continue
        element = formatter.current_feature_element
        if element.get("location") != str(scenario.location):
            continue
        for data, step in zip(element.get("steps", []), scenario.all_steps, strict=False):
            result = data.get("result")
            message = step.error_message
            if not result or "error_message" in result or not message:
                continue
            if step.status != Status.failed:
                split = formatter.split_text_into_lines and "\n" in message
                result["error_message"] = message.splitlines() if split else message


def after_scenario(context: Any, scenario: Any) -> None:
    """Close the scenario's sessions and empty the cookie jar (the client stops later)."""
    with contextlib.suppress(UsageError):
        get_world(context).finish_scenario()


_coverage_world: World | None = None


def _coverage_section() -> Section | None:
    """The run's API coverage as a section of the HTML report (asgibdd.report)."""
    world = _coverage_world
    if world is None or world.contracts is None:
        return None
    data = world.contracts.coverage()
    return None if data is None else coverage_section(data)


def after_feature(context: Any, feature: Any) -> None:
    """Nothing to do today: the feature's client stops with the feature's context layer."""


def after_all(context: Any) -> None:
    """Write the run's API coverage (`api_coverage` setting) and print its table after
    behave's summary. The run's client stops with the run's context layer."""
    with contextlib.suppress(UsageError):
        world = get_world(context)
        if world.contracts is None or not (world.config.contract or world.contracts.tally.checked):
            return
        data = world.contracts.coverage()
        if data is None:
            return
        table = render_table(data)
        if world.config.api_coverage:
            target = Path(world.config.api_coverage)
            write_coverage(data, target)
            table += f"\nWritten to {target}"
        # behave captures what hooks print and writes its summary after after_all: print
        # once the process ends, so the table is the last thing the run shows.
        atexit.register(print, f"\n{table}")
