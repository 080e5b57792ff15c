"""Failure output against a live service: the same messages and transcripts as
in-process, the service's own address and headers, secrets masked, a curl to replay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome, run_behave, write_project
from tests.live_server import free_port, serve_demo
from tests.test_steps_response import ENVIRONMENT_FILE, STEPS_FILE, failure_of

FEATURE = """
    Feature: Live failures
      Scenario: wrong status
        When I GET /items/42
        Then the response status is 200

      Scenario: secrets in a failed login
        When I POST /login with form:
          | name     | value  |
          | username | alice  |
          | password | s3cret |
        Then the response status is 201

      Scenario: wrong websocket reply
        When I connect to the websocket /ws/echo
        And I send text "hello" over the websocket
        Then I receive text "bye" from the websocket

      Scenario: silent websocket
        When I connect to the websocket /ws/echo
        Then I receive text "hello" from the websocket within 0.2 seconds

      Scenario: event that never comes
        When I open the event stream /events/items
        Then I receive an event "item" within 0.2 seconds

      Scenario: stream that ends early
        When I open the stream /stream/lines?count=1
        Then I receive the line "line 1"
        And I receive the line "line 2"

      Scenario: endless body read as a plain request
        When I GET /events/items
"""


def run_live(root: Path, feature: str, base_url: str, *options: str) -> BehaveOutcome:
    write_project(
        root,
        {
            "steps/asgibdd_steps.py": STEPS_FILE,
            "environment.py": ENVIRONMENT_FILE,
            "features/live.feature": feature,
        },
    )
    return run_behave(
        root,
        *("-f", "plain", "-D", "asgibdd.target=live", "-D", f"asgibdd.base_url={base_url}"),
        *options,
        "features/",
    )


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_demo(tmp_path_factory.mktemp("uvicorn") / "uvicorn.log") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def live_run(live_url: str, tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    return run_live(tmp_path_factory.mktemp("live"), FEATURE, live_url, "-D", "asgibdd.timeout=1")


def _request(base_url: str, method: str, path: str, *extra: str) -> str:
    host = base_url.removeprefix("http://")
    return "\n".join(
        [
            "Request:",
            f"  {method} {base_url}{path}",
            f"  Host: {host}",
            "  Accept: */*",
            "  Accept-Encoding: gzip, deflate",
            "  Connection: keep-alive",
            "  user-agent: asgibdd",
            *extra,
        ]
    )


def test_a_failed_check_shows_the_live_exchange_and_a_curl_to_replay_it(
    live_run: BehaveOutcome, live_url: str
) -> None:
    assert failure_of(live_run, "wrong status") == (
        "ExpectationFailed: Expected the response status to be 200, got 404 Not Found.\n"
        + _request(live_url, "GET", "/items/42")
        + "\nResponse:\n"
        "  404 Not Found\n"
        "  content-length: 30\n"
        "  content-type: application/json\n"
        "\n"
        "  {\n"
        '    "detail": "Item 42 not found"\n'
        "  }\n"
        "Replay:\n"
        f"  curl -X GET {live_url}/items/42"
    )


def test_secrets_are_masked_in_the_live_transcript_and_the_curl(
    live_run: BehaveOutcome, live_url: str
) -> None:
    shown = failure_of(live_run, "secrets in a failed login")
    assert shown == (
        "ExpectationFailed: Expected the response status to be 201, got 200 OK.\n"
        + _request(
            live_url,
            "POST",
            "/login",
            "  Content-Type: application/x-www-form-urlencoded",
            "  Content-Length: 30",
            "",
            "  username=alice&password=***",
        )
        + "\nResponse:\n"
        "  200 OK\n"
        "  content-length: 73\n"
        "  content-type: application/json\n"
        "  set-cookie: session=***; HttpOnly; Path=/; SameSite=lax\n"
        "\n"
        "  {\n"
        '    "access_token": "***",\n'
        '    "token_type": "***"\n'
        "  }\n"
        "Replay:\n"
        f"  curl -X POST {live_url}/login \\\n"
        "    -H 'Content-Type: application/x-www-form-urlencoded' \\\n"
        "    --data-raw 'username=alice&password=***'"
    )


def test_websocket_failures_read_as_in_process(live_run: BehaveOutcome) -> None:
    assert failure_of(live_run, "wrong websocket reply") == (
        'ExpectationFailed: Expected text "bye" from the websocket /ws/echo, got text "hello".\n'
        "Received so far (1):\n"
        '  1. text "hello"'
    )
    assert failure_of(live_run, "silent websocket") == (
        'ExpectationFailed: Expected text "hello" from the websocket /ws/echo within 0.2 '
        "seconds, but no message came.\n"
        "Received so far: nothing."
    )


def test_stream_failures_read_as_in_process(live_run: BehaveOutcome) -> None:
    assert failure_of(live_run, "event that never comes") == (
        'ExpectationFailed: Expected an event "item" from the event stream /events/items in '
        "time, but none came.\n"
        "Received so far: no event."
    )
    assert failure_of(live_run, "stream that ends early") == (
        'ExpectationFailed: Expected the line "line 2" from the stream /stream/lines?count=1, '
        "got the end of the stream.\n"
        "Received so far (1):\n"
        '  1. "line 1"'
    )


def test_an_endless_body_read_whole_stops_at_the_timeout_with_advice(
    live_run: BehaveOutcome, live_url: str
) -> None:
    assert failure_of(live_run, "endless body read as a plain request") == (
        f"ExpectationFailed: The response to GET {live_url}/events/items did not finish within "
        '1.0 s: it started with 200 and content-type "text/event-stream; charset=utf-8", then '
        "27 bytes of body arrived and the service is still sending.\n"
        "This is an event stream: open it with `When I open the event stream /events/items`, "
        'then check its events with `Then I receive an event "..."`.\n'
        "If the app is slow on purpose, raise the limit: `timeout` in [tool.asgibdd] or "
        "`-D asgibdd.timeout=...` (seconds)."
    )


def test_a_service_that_is_not_there_is_a_config_error_saying_what_to_check(
    tmp_path: Path,
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    feature = """
        Feature: Nobody home
          Scenario: unreachable
            When I GET /health
    """
    outcome = run_live(tmp_path, feature, nobody)
    assert failure_of(outcome, "unreachable") == (
        f"ConfigError: Cannot reach the service at {nobody} for GET {nobody}/health: [Errno "
        "111] Connection refused. Check that the service runs there and that base_url names it."
    )


def test_a_lifespan_scope_is_refused_against_a_live_service(tmp_path: Path) -> None:
    feature = """
        Feature: Shared lifespan
          Scenario: any
            When I GET /health
    """
    outcome = run_live(tmp_path, feature, "http://127.0.0.1:9", "-D", "asgibdd.lifespan=run")
    assert not outcome.passed
    assert (
        'ConfigError: lifespan = "run" shares the app\'s lifespan across scenarios in this '
        "process, but the live target tests a service whose server runs its lifespan. Remove "
        'the lifespan setting for live runs, or run them with target = "in-process".'
    ) in outcome.output
