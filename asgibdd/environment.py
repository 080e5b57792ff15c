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

(`from asgibdd.environment import *` does the same for a project without hooks of its own,
and makes behave's model small before behave parses (`behave_model`). It brings no
`after_scenario` or `after_feature`: a hook costs a capture; a cleanup closes the sessions.)

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

Everything else a run does (the journal for reports, the API document check, Django's test
databases, a live run's skips, behave's speedups) is an extension (`asgibdd.world`,
`asgibdd.extensions`): these hooks only tell the run's `World`, which tells its
extensions. A project adds its own with `before_all(context, extensions=[...])` or the
`extensions` setting (docs/extensions.md).

Live target: with `target = "live"` (or a `base_url` and no app) every step goes over the
network to a deployed service through `LiveClient` (see docs/live.md). What needs the app
in this process is refused there with the reason (lifespan scopes, Django test
databases), and a scenario or feature tagged `@in-process` is skipped, its reason shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from behave.fixture import fixture, use_fixture

from asgibdd import behave_model
from asgibdd.client import LiveClient, TestClient
from asgibdd.config import (
    AsgiBddConfig,
    LifespanScope,
    features_paths,
    lifespan_scope,
    load_config,
)
from asgibdd.django import load_app_and_django
from asgibdd.errors import ConfigError, UsageError
from asgibdd.extensions import run_extensions
from asgibdd.extensions.contracts import CONTRACT_TAG, scenario_contract
from asgibdd.extensions.live import IN_PROCESS_TAG
from asgibdd.run_clients import ReusedClient, new_client, new_live_client
from asgibdd.secrets import SecretPolicy
from asgibdd.world import (
    Extensions,
    RequestDefaults,
    Session,
    Stage,
    World,
    get_world,
    scenario_flag,
)

__all__ = [
    "CONTRACT_TAG",
    "IN_PROCESS_TAG",
    "LIFESPAN_TAG",
    "RAISE_SERVER_EXCEPTIONS_TAG",
    "RequestDefaults",
    "Session",
    "World",
    "after_all",
    "asgibdd_behave_model",  # noqa: F822 (made by `__getattr__`, see asgibdd.behave_model)
    "asgibdd_client",
    "before_all",
    "before_feature",
    "before_scenario",
    "feature_lifespan",
    "get_world",
    "new_client",
    "new_live_client",
    "scenario_contract",
    "scenario_raises_server_exceptions",
]

LIFESPAN_TAG = "asgibdd.lifespan="
"""Prefix of the feature tag that picks the lifespan scope: `@asgibdd.lifespan=feature`."""

RAISE_SERVER_EXCEPTIONS_TAG = "asgibdd.raise_server_exceptions="
"""Prefix of the feature or scenario tag that lets steps check the app's own error
responses: `@asgibdd.raise_server_exceptions=false` (or `=true`)."""


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


def _scenario_client(world: World) -> tuple[TestClient, ReusedClient | None]:
    """The scenario scope's client: the last scenario's, as built, or a new one; and what
    can put it back for the next scenario (None for a LiveClient, which is not reused)."""
    spare, world.spare_client = world.spare_client, None
    if spare is not None:
        return spare.as_built(), spare
    client = make_client(world)
    return client, None if isinstance(client, LiveClient) else ReusedClient.of(client)


@fixture(name="asgibdd.client")  # type: ignore[untyped-decorator]
def asgibdd_client(context: Any, scope: LifespanScope = "scenario") -> Iterator[TestClient]:
    """behave fixture: a TestClient whose lifespan runs for the fixture's context layer.

    Use it from a hook with `use_fixture(asgibdd_client, context, scope)`; the client is
    entered (lifespan startup) now and exited (lifespan shutdown) when behave leaves the
    layer the hook runs in. Clients for the "feature" and "run" scopes are remembered in
    `World.shared_clients` while they live. The scenario scope enters one client again
    for every scenario, its settings as built (see `ReusedClient`), once the previous
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
    chosen = scenario_flag(scenario, RAISE_SERVER_EXCEPTIONS_TAG)
    return config.raise_server_exceptions if chosen is None else chosen


def before_all(context: Any, extensions: Sequence[object] = ()) -> None:
    """Read the configuration, import the app, start the run's extensions (asgibdd's own,
    the configured ones, then `extensions`), and start a run-wide client if configured.

    The configuration is looked for from the features paths behave was given, then from
    the working folder, as behave looks for `steps/` and `environment.py`. For a Django
    project, also set up Django's test environment and test databases (torn down when the
    run ends) and flush them after every scenario: see `asgibdd.django`. The extensions'
    run ends when behave leaves the run's layer, after the run's client has stopped.
    """
    config = load_config(dict(context.config.userdata), paths=features_paths(context.config))
    # The live target imports nothing: the service's code may not even be installed here.
    app, django = (None, None) if config.live else load_app_and_django(config)
    try:
        hooks = Extensions(run_extensions(config, app, django, extensions))
    except BaseException:
        if django is not None:
            django.stop()
        raise
    policy = SecretPolicy(config.secret_names)
    world = World(config, app, extensions=hooks, context=context, secret_policy=policy)
    context.asgibdd = world
    # Registered first, so the extensions' run ends after the run's client has stopped.
    context.add_cleanup(hooks.run.end, world)
    hooks.run.start(world)
    if config.lifespan == "run":
        use_fixture(asgibdd_client, context, "run")


def before_feature(context: Any, feature: Any) -> None:
    """Pick the feature's lifespan scope, tell the extensions, and start the feature's
    client if the scope is "feature"."""
    world = get_world(context)
    world.feature_scope = feature_lifespan(world.config, feature.tags)
    stage = world.extensions.feature
    if stage.ends:
        context.add_cleanup(stage.end, world, feature)
    if stage.pairs:
        stage.start(world, feature)
    if world.feature_scope == "feature":
        use_fixture(asgibdd_client, context, "feature")


def before_scenario(context: Any, scenario: Any) -> None:
    """Give the scenario a clean request state, tell the extensions, and give it a client
    (new, or the shared one) unless an extension skipped it."""
    world = get_world(context)
    filename = getattr(scenario, "filename", None)
    world.start_scenario(Path(filename) if filename else None)
    stage = world.extensions.scenario
    if stage.ends:
        # Registered before the scenario's client, so it runs after that client has stopped.
        context.add_cleanup(_end_scenario, stage, world, scenario)
    stage.start(world, scenario, stop=scenario)
    if getattr(scenario, "should_skip", False):
        return
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
    world.use_client(client)
    # Cleanup also runs if the project's after_scenario forgets to call ours.
    context.add_cleanup(world.finish_scenario)


def _end_scenario(stage: Stage, world: World, scenario: Any) -> None:
    stage.end(world, scenario, scenario.status.name)


def after_scenario(context: Any, scenario: Any) -> None:
    """Close the scenario's sessions and empty the cookie jar (the client stops later)."""
    with contextlib.suppress(UsageError):
        get_world(context).finish_scenario()


def after_feature(context: Any, feature: Any) -> None:
    """Nothing to do: the feature's client and extensions end with its context layer."""


def after_all(context: Any) -> None:
    """Nothing to do: the run's client and extensions (and the API coverage table printed
    after behave's summary) end with the run's context layer."""


def __getattr__(name: str) -> Any:  # the star import asks each run, before behave parses
    if name != "asgibdd_behave_model":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return behave_model.install()
