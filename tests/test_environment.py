"""Lifespan scopes and per-scenario isolation, run by behave on temporary projects."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest

from asgibdd.client import TestClient
from asgibdd.config import AsgiBddConfig
from asgibdd.environment import RequestDefaults, World, feature_lifespan
from asgibdd.errors import ConfigError
from asgibdd.testing import run_behave, write_project

# A tiny ASGI app that counts lifespan startups in a file and echoes the cookies it gets.
# The app every behave run here drives: it logs each lifespan startup to $STARTS_FILE and
# each shutdown to $SHUTDOWNS_FILE (when set; a shutdown fails while "<that file>.fail"
# exists), counts startups in the lifespan state, and answers any request with what it
# received: the cookie header, all headers, the host, the state.
LIFESPAN_APP = """
import json
import os


def log(variable, line):
    if os.environ.get(variable):
        with open(os.environ[variable], "a") as log:
            log.write(line + "\\n")


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                log("STARTS_FILE", "start")
                scope["state"]["started"] = scope["state"].get("started", 0) + 1
                await send({"type": "lifespan.startup.complete"})
            else:
                log("SHUTDOWNS_FILE", "stop")
                failing = os.environ.get("SHUTDOWNS_FILE", "") + ".fail"
                if os.path.exists(failing):
                    os.remove(failing)
                    await send({"type": "lifespan.shutdown.failed", "message": "disk full"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                return
    headers = {key.decode(): value.decode() for key, value in scope["headers"]}
    body = json.dumps({"cookie": headers.get("cookie", ""), "headers": headers,
                       "host": headers.get("host"), "state": scope.get("state", {})}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
"""

TWO_FEATURES = {
    "features/one.feature": """
        Feature: one
          Scenario: sets a cookie
            Given the cookie "crumb" is "1"
            When I GET /
            Then I store the JSON at "$.cookie" as "seen"

          Scenario: sees no cookie from the scenario before
            When I GET /
            Then I store the JSON at "$.cookie" as "seen"
            And the cookie header seen was empty
    """,
    "features/two.feature": """
        @asgibdd.lifespan=feature
        Feature: two
          Scenario: a
            When I GET /
          Scenario: b
            When I GET /
    """,
}


def run_counting(tmp_path: Path, *options: str) -> tuple[int, str]:
    starts = tmp_path / "starts.log"
    write_project(
        tmp_path,
        {
            "lifespan_app.py": LIFESPAN_APP,
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "steps/check.py": CHECK_STEP,
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            **TWO_FEATURES,
        },
    )
    outcome = run_behave(
        tmp_path,
        "features/",
        "-D",
        "asgibdd.app=lifespan_app:app",
        *options,
        env={"STARTS_FILE": str(starts)},
    )
    assert outcome.passed, outcome.output
    return starts.read_text().count("start"), outcome.output


# A project step reading asgibdd's World: no cookie leaked into the scenario.
CHECK_STEP = """
from behave import then


@then('the cookie header seen was empty')
def cookie_header_empty(context):
    assert context.asgibdd.variables.get("seen") == ""
"""


def test_scenario_scope_starts_the_lifespan_per_scenario_except_tagged_features(
    tmp_path: Path,
) -> None:
    starts, _ = run_counting(tmp_path)
    # one.feature: one per scenario (2); two.feature is tagged feature scope (1).
    assert starts == 3


def test_feature_scope_starts_the_lifespan_once_per_feature(tmp_path: Path) -> None:
    starts, _ = run_counting(tmp_path, "-D", "asgibdd.lifespan=feature")
    assert starts == 2


def test_run_scope_starts_the_lifespan_once_per_run_unless_a_feature_asks_for_its_own(
    tmp_path: Path,
) -> None:
    starts, _ = run_counting(tmp_path, "-D", "asgibdd.lifespan=run")
    # The run client serves one.feature; two.feature's tag gives it its own client.
    assert starts == 2


@pytest.mark.parametrize("scope", ["scenario", "feature", "run"])
def test_cookies_never_leak_into_the_next_scenario(tmp_path: Path, scope: str) -> None:
    # one.feature's second scenario fails if the first scenario's cookie is still sent.
    _, output = run_counting(tmp_path, "-D", f"asgibdd.lifespan={scope}")
    assert "4 scenarios passed, 0 failed" in output


def config(**changes: Any) -> AsgiBddConfig:
    return dataclasses.replace(AsgiBddConfig(app="a:b", app_source="test"), **changes)


def test_lifespan_tag_chooses_the_scope_of_its_feature() -> None:
    assert feature_lifespan(config(), ["wip", "asgibdd.lifespan=feature"]) == "feature"
    assert feature_lifespan(config(lifespan="run"), ["asgibdd.lifespan=scenario"]) == "scenario"
    assert feature_lifespan(config(lifespan="feature"), []) == "feature"


def test_lifespan_tag_cannot_widen_to_the_whole_run() -> None:
    with pytest.raises(ConfigError) as raised:
        feature_lifespan(config(), ["asgibdd.lifespan=run"])
    assert str(raised.value) == (
        "The tag @asgibdd.lifespan=run cannot widen the lifespan to the whole run; set "
        '`lifespan = "run"` in [tool.asgibdd] (or -D asgibdd.lifespan=run) instead.'
    )


def test_lifespan_tag_with_an_unknown_scope_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="must be one of scenario, feature, run, got 'forever'"):
        feature_lifespan(config(), ["asgibdd.lifespan=forever"])


class ClosingSession:
    def __init__(self, log: list[str], name: str) -> None:
        self.log, self.name = log, name

    def close(self) -> None:
        self.log.append(self.name)


def test_start_scenario_resets_every_per_scenario_field() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        pass

    world = World(config=config(follow_redirects=False), app=app)
    client = TestClient(app)
    world.start_scenario(None)
    world.use_client(client)
    world.variables.set("x", 1)
    world.defaults.headers["X"] = "1"
    world.last_request = httpx.Request("GET", "http://testserver/")
    world.sessions["ws"] = ClosingSession([], "ws")
    client.cookies.set("crumb", "1")
    world.start_scenario(Path("a.feature"))
    world.use_client(client)
    assert world.variables.names() == []
    assert world.defaults == RequestDefaults(follow_redirects=False)
    assert world.last_request is None
    assert (world.last_response, world.sessions) == (None, {})
    assert len(client.cookies) == 0


def test_finish_scenario_closes_sessions_newest_first_and_empties_the_jar() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        pass

    world = World(config=config(), app=app)
    client = TestClient(app)
    world.start_scenario(None)
    world.use_client(client)
    closed: list[str] = []
    world.register_session("alice", ClosingSession(closed, "alice"))
    world.register_session("bob", ClosingSession(closed, "bob"))
    client.cookies.set("crumb", "1")
    world.finish_scenario()
    world.finish_scenario()
    assert closed == ["bob", "alice"]
    assert len(client.cookies) == 0


# A project's steps that change the scenario's client behind asgibdd's back.
MEDDLING_STEPS = """
import os

import httpx
from behave import given, then

SEEN = []  # the clients of the scenarios so far, across scenarios


@given("a project step changes the client itself")
def meddle(context):
    client = context.asgibdd.client
    SEEN.append(client)
    client.headers["X-Leak"] = "1"
    client.base_url = "http://elsewhere"
    client.params = {"leak": "1"}
    client.auth = httpx.BasicAuth("a", "b")
    client.event_hooks["request"].append(lambda request: None)
    client.follow_redirects = False
    client.app_state["leaked"] = True


@given("the lifespan shutdown of this scenario fails")
def fail_shutdown(context):
    SEEN.append(context.asgibdd.client)
    open(os.environ["SHUTDOWNS_FILE"] + ".fail", "w").close()


@then("the client is the one the scenario before had")
def same_client(context):
    assert context.asgibdd.client is SEEN[-1], "a new client"


@then("the client is a new one")
def new_client(context):
    assert context.asgibdd.client is not SEEN[-1], "the client of the scenario before"


@then("the client is as built")
def as_built(context):
    client = context.asgibdd.client
    assert "x-leak" not in client.headers
    assert str(client.base_url) == "http://testserver"
    assert not client.params and client.auth is None
    assert client.event_hooks == {"request": [], "response": []}
    assert client.follow_redirects is True
    assert "leaked" not in client.app_state
"""

REUSE_FEATURE = """
Feature: one client object, a lifespan per scenario
  Scenario: changes the client
    Given a project step changes the client itself
    When I GET /
    Then the JSON at "$.state.started" is 1

  Scenario: gets it back as built, with a new lifespan
    Then the client is the one the scenario before had
    And the client is as built
    When I GET /
    Then the JSON at "$.host" is "testserver"
    And the JSON at "$.headers" does not contain {"x-leak": "1"}
    And the JSON at "$.state" is {"started": 1}
"""


def test_the_scenario_scope_reuses_its_client_as_built_with_a_new_lifespan(
    tmp_path: Path,
) -> None:
    shutdowns = tmp_path / "shutdowns.log"
    write_project(
        tmp_path,
        {
            "lifespan_app.py": LIFESPAN_APP,
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "steps/meddling.py": MEDDLING_STEPS,
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/reuse.feature": REUSE_FEATURE,
        },
    )
    outcome = run_behave(
        tmp_path,
        "features/",
        "-D",
        "asgibdd.app=lifespan_app:app",
        env={"SHUTDOWNS_FILE": str(shutdowns)},
    )
    assert outcome.passed, outcome.output
    assert shutdowns.read_text().count("stop") == 2  # a lifespan per scenario


FAILED_SHUTDOWN_FEATURE = """
Feature: a lifespan that does not shut down cleanly
  Scenario: its shutdown fails
    Given the lifespan shutdown of this scenario fails

  Scenario: the next gets a new client
    Then the client is a new one
"""


def test_a_client_whose_lifespan_shutdown_failed_is_not_entered_again(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "lifespan_app.py": LIFESPAN_APP,
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "steps/meddling.py": MEDDLING_STEPS,
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/failed.feature": FAILED_SHUTDOWN_FEATURE,
        },
    )
    outcome = run_behave(
        tmp_path,
        "features/",
        "-D",
        "asgibdd.app=lifespan_app:app",
        env={"SHUTDOWNS_FILE": str(tmp_path / "shutdowns.log")},
    )
    assert "disk full" in outcome.output, outcome.output
    assert outcome.scenarios.passed == 1, outcome.output  # the second one


def test_a_client_whose_lifespan_did_not_shut_down_cleanly_is_not_reused() -> None:
    from asgibdd.environment import _scenario_client
    from asgibdd.run_clients import ReusedClient

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise NotImplementedError  # no lifespan, no routes: building is all that counts

    world = World(config=config(), app=app)
    first, reuse = _scenario_client(world)
    assert isinstance(reuse, ReusedClient)
    world.spare_client = reuse
    again, _ = _scenario_client(world)
    assert again is first and world.spare_client is None  # taken: the next gets a new one
    fresh, _ = _scenario_client(world)
    assert fresh is not first
