"""Secrets are masked by name and by value in every output: console, JUnit, JSON."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import httpx

from asgibdd.secrets import MASK, SecretPolicy, Secrets
from asgibdd.transcript import learn_secrets, render_exchange
from tests.behave_project import REPORT_OPTIONS, run_feature

SECRET_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

TOKEN = "tok-7Hq2Lm9XwPz4"


async def login(request):
    await request.json()
    return JSONResponse({"access_token": TOKEN, "token_type": "bearer"})


async def profile(request):
    return JSONResponse(
        {"name": "alice", "credentials": {"password": "pw-Secret-99"}, "client_secret": "cs-8812ab"}
    )


async def ws(websocket):
    await websocket.accept()
    await websocket.send_text("welcome")
    await websocket.close()


app = Starlette(
    routes=[
        Route("/login", login, methods=["POST"]),
        Route("/profile", profile),
        WebSocketRoute("/ws", ws),
    ]
)
"""

FEATURE = """
Feature: secrets
  Scenario: a password sent in a JSON body
    When I POST /login with JSON:
      \"\"\"
      {"username": "alice", "password": "hunter2-Sup3r"}
      \"\"\"
    Then the response status is 500

  Scenario: secrets in a JSON response
    When I GET /profile
    Then the JSON at "$.name" is "bob"

  Scenario: a stored token used in a websocket URL
    When I POST /login with JSON:
      \"\"\"
      {"username": "alice", "password": "hunter2-Sup3r"}
      \"\"\"
    And I store the JSON at "$.access_token" as "token"
    When I connect to the websocket /ws?token={{token}}
    Then I receive text "hello" from the websocket

  Scenario: a variable with a secret name shown
    Given the variable "api_key" is "key-5566-abcd"
    When I GET /profile?key={{api_key}}
    Then show the response
    And the response status is 404
"""

APP_SECRETS = ("tok-7Hq2Lm9XwPz4", "pw-Secret-99", "cs-8812ab")
FEATURE_SECRETS = ("hunter2-Sup3r", "key-5566-abcd")


def test_no_secret_reaches_the_console_the_junit_or_the_json_output(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        FEATURE,
        *REPORT_OPTIONS,
        "-f",
        "progress",
        app="secret_app:app",
        **{"secret_app.py": SECRET_APP},
    )
    assert outcome.scenarios.failed == 4, outcome.output
    console = (tmp_path / "plain.txt").read_text()
    junit = "".join(path.read_text() for path in (tmp_path / "reports").glob("*.xml"))
    report = json.loads((tmp_path / "report.json").read_text())
    messages = "\n".join(
        "\n".join(step["result"].get("error_message") or [])
        for scenario in report[0]["elements"]
        for step in scenario["steps"]
    )
    for value in APP_SECRETS + FEATURE_SECRETS:
        assert value not in messages
    for value in APP_SECRETS:
        assert value not in console
        assert value not in junit
    # behave echoes the feature's own lines; a secret written there is the feature's text,
    # not something asgibdd printed. No other line shows it.
    feature_lines = {line.strip() for line in FEATURE.splitlines()}
    for line in (console + junit).splitlines():
        if any(value in line for value in FEATURE_SECRETS):
            echoed = re.sub(r" \.\.\. passed( in [\d.]+s)?$", "", line.strip())
            assert echoed in feature_lines, line
    # What was masked is still there, as the mask: the reader sees where a secret was.
    assert '"password": "***"' in console
    assert '"access_token": "***"' in console
    assert '"credentials": "***"' in console
    assert '"client_secret": "***"' in console
    assert "the websocket /ws?token=***, got" in console
    assert "GET http://testserver/profile?key=***" in console
    assert "GET http://testserver/profile?key=***" in junit  # `show the response`, captured


def test_a_policy_matches_names_by_their_parts_ignoring_case_and_dashes() -> None:
    policy = SecretPolicy(extra_names=["X-Internal"])
    assert policy.is_secret_name("Client-Secret")
    assert policy.is_secret_name("refresh_token")
    assert policy.is_secret_name("x_internal_id")
    assert not policy.is_secret_name("name")


def test_remembered_values_are_masked_in_text_longest_first() -> None:
    secrets = Secrets()
    secrets.remember("abcd")
    secrets.remember("abcdef")
    secrets.remember("no")  # too short to mask by value
    assert secrets.mask_text("x abcdef y abcd z no") == f"x {MASK} y {MASK} z no"


def test_json_is_masked_by_key_name_at_any_depth_and_by_remembered_value() -> None:
    secrets = Secrets()
    secrets.remember("tok-1234")
    document = {"user": {"password": "p", "note": "uses tok-1234"}, "items": [{"token": 1}]}
    assert secrets.mask_json(document) == {
        "user": {"password": MASK, "note": f"uses {MASK}"},
        "items": [{"token": MASK}],
    }


def test_an_exchange_teaches_the_secrets_it_carries() -> None:
    request = httpx.Request(
        "POST",
        "http://testserver/login?api_key=query-key-1",
        headers={"Authorization": "Bearer bearer-abc", "Cookie": "sid=cookie-val-9"},
        json={"user": {"password": "pw-in-body"}},
    )
    response = httpx.Response(
        200,
        headers={"Set-Cookie": "session=set-cookie-v; Path=/"},
        json={"refresh_token": "refresh-xyz"},
        request=request,
    )
    secrets = Secrets()
    learn_secrets(secrets, request, response)
    text = json.dumps(
        ["query-key-1", "bearer-abc", "cookie-val-9", "pw-in-body", "set-cookie-v", "refresh-xyz"]
    )
    assert secrets.mask_text(text) == json.dumps([MASK] * 6)


def test_a_transcript_masks_remembered_values_in_the_url_and_plain_bodies() -> None:
    secrets = Secrets()
    secrets.remember("tok-remembered")
    request = httpx.Request("GET", "http://testserver/items/tok-remembered")
    response = httpx.Response(200, text="you sent tok-remembered", request=request)
    assert render_exchange(request, response, secrets=secrets) == (
        "Request:\n"
        "  GET http://testserver/items/***\n"
        "  Host: testserver\n"
        "Response:\n"
        "  200 OK\n"
        "  Content-Length: 23\n"
        "  Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "  you sent ***"
    )


def test_an_exchange_with_basic_authentication_teaches_its_password() -> None:
    credentials = base64.b64encode(b"alice:s3cret-pw").decode("ascii")
    request = httpx.Request(
        "GET", "http://testserver/", headers={"Authorization": f"Basic {credentials}"}
    )
    secrets = Secrets()
    learn_secrets(secrets, request, None)
    assert secrets.mask_text("user alice, password s3cret-pw") == f"user alice, password {MASK}"


LEVEL_FEATURE = """
Feature: httpx's request lines
  Scenario: the level during the run
    Then the httpx logger's level is {level}
"""

LEVEL_STEPS = """
import logging

from behave import then

from asgibdd.steps import *  # noqa: F403


@then("the httpx logger's level is {name}")
def httpx_level(context, name):
    level = logging.getLevelName(logging.getLogger("httpx").getEffectiveLevel())
    assert level == name, level
"""


def test_httpx_request_lines_are_off_during_a_run_unless_the_project_sets_them(
    tmp_path: Path,
) -> None:
    """behave captures INFO logs for every step; httpx writes one per request, with the URL
    unmasked (and at a cost). Its logger is at WARNING during a run unless the project set
    a level of its own."""
    quiet = run_feature(
        tmp_path / "quiet",
        LEVEL_FEATURE.format(level="WARNING"),
        **{"steps/library.py": LEVEL_STEPS},
    )
    assert quiet.passed, quiet.output
    environment = (
        "import logging\n"
        "from asgibdd.environment import *  # noqa: F403\n"
        'logging.getLogger("httpx").setLevel(logging.INFO)\n'
    )
    asked = run_feature(
        tmp_path / "asked",
        LEVEL_FEATURE.format(level="INFO"),
        **{"steps/library.py": LEVEL_STEPS, "environment.py": environment},
    )
    assert asked.passed, asked.output


def test_a_json_body_without_any_secret_name_is_not_parsed_for_secrets() -> None:
    policy = SecretPolicy(["pin"])
    assert not policy.may_name_a_secret('{"name": "alice", "items": [1, 2]}')
    assert policy.may_name_a_secret('{"Access-Token": "x"}')  # dashes count as underscores
    assert policy.may_name_a_secret('{"user": {"PIN": "1234"}}')  # the project's own names
    assert policy.may_name_a_secret('{"\\u0074oken": "x"}')  # an escape may spell a name
    assert policy.may_name_a_secret('{"note": "my password is here"}')  # a value: parsed
    secrets = Secrets(policy)
    request = httpx.Request("GET", "http://testserver/")
    response = httpx.Response(200, json={"\u0074oken": "esc-4242"}, request=request)
    learn_secrets(secrets, request, response)
    assert secrets.mask_text("esc-4242") == MASK
