"""The wider request, response, websocket and event-stream vocabulary, run by behave."""

from __future__ import annotations

from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome
from tests.test_steps_response import failure_of, run_features

APP = """
import json

import anyio
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute

polls = {"count": 0}
tasks = []


async def job(request):
    polls["count"] += 1
    state = "done" if polls["count"] >= 3 else "running"
    return JSONResponse({"state": state, "polls": polls["count"]})


async def never_done(request):
    return JSONResponse({"state": "running"})


async def create_task(request):
    body = await request.json()
    if body.get("title") == "":
        return JSONResponse({"detail": "title must not be empty"}, status_code=422)
    tasks.append(body)
    return JSONResponse(body, status_code=201)


async def list_tasks(request):
    return JSONResponse({"items": tasks, "count": len(tasks)})


async def login(request):
    response = PlainTextResponse("hello there")
    response.set_cookie("session", "abcd-1234")
    return response


async def headers(request):
    return JSONResponse({"authorization": request.headers.get("authorization"),
                         "x-team": request.headers.get("x-team")})


async def slow(request):
    await anyio.sleep(0.2)
    return PlainTextResponse("slow")


async def no_content(request):
    return PlainTextResponse("", status_code=204)


async def events(request):
    async def stream():
        yield "event: task.created\\ndata: " + json.dumps({"title": "Draft", "n": 1}) + "\\n\\n"
        await anyio.sleep(0.3)
        yield "event: task.created\\ndata: late\\n\\n"
    return StreamingResponse(stream(), media_type="text/event-stream")


async def ws(websocket):
    await websocket.accept()
    await websocket.send_json({"type": "welcome"})
    while True:
        text = await websocket.receive_text()
        if text == "slow":
            await anyio.sleep(0.3)
        await websocket.send_json({"type": "echo", "text": text})


app = Starlette(routes=[
    Route("/job", job), Route("/never", never_done),
    Route("/tasks", create_task, methods=["POST"]), Route("/tasks", list_tasks),
    Route("/login", login), Route("/headers", headers), Route("/slow", slow),
    Route("/empty", no_content), Route("/events", events), WebSocketRoute("/ws", ws),
])
"""

PASSING = """
Feature: wider vocabulary
  Scenario: polling until a job is done
    When I GET /job until the JSON at "$.state" is "done"
    Then the JSON at "$.polls" is 3

  Scenario: a listing built by a Background-style table
    Given the following tasks exist at /tasks:
      | title | priority | done  |
      | Draft | 2        | false |
      | Ship  | 1        | true  |
    When I GET /tasks
    Then the JSON at "$.items" has 2 items
    And the JSON at "$.items[?(@.title == "Draft")].priority" is [2]
    And the response status is one of 200, 204

  Scenario: response checks
    When I GET /login
    Then the response body matches "^hel+o"
    And the response cookie "session" exists
    And the response cookie "tracking" does not exist
    And the response time is less than 2 seconds
    When I GET /empty
    Then the response status is one of 200, 2xx

  Scenario: a later header or auth step wins
    Given I am authenticated with the bearer token "t0ken"
    And the request header "Authorization" is "Custom abc"
    And the request header "X-Team" is "blue"
    When I GET /headers
    Then the JSON at "$.authorization" is "Custom abc"
    Given I am authenticated with the bearer token "t0ken"
    When I GET /headers
    Then the JSON at "$.authorization" is "Bearer t0ken"
    Given I am not authenticated
    And the request header "X-Team" is removed
    When I GET /headers
    Then the JSON at "$.authorization" is null
    And the JSON at "$.x-team" is null

  Scenario: events
    When I open the event stream /events
    Then I receive an event "task.created" with JSON containing:
      \"\"\"
      {"title": "Draft"}
      \"\"\"
    And I receive an event "task.created" with data containing "lat"

  Scenario: websocket replies
    When "alice" connects to the websocket /ws
    Then "alice" receives JSON from the websocket:
      \"\"\"
      {"type": "welcome"}
      \"\"\"
    When "alice" sends text "hello"
    Then the message JSON at "$.text" is "hello"
    And the message JSON at "$.type" contains "ech"
    When I connect to the websocket /ws
    Then I receive JSON from the websocket within 1 second containing:
      \"\"\"
      {"type": "welcome"}
      \"\"\"
    When I wait 0.05 seconds
"""

FAILING = """
  Scenario: polling that never succeeds
    When I GET /never until the JSON at "$.state" is "done" within 0.3 seconds

  Scenario: polling with a request as the check
    When I GET /job until I GET /job

  Scenario: a row that cannot be created
    Given the following tasks exist at /tasks:
      | title |
      | Fine  |
      |       |

  Scenario: status not one of
    When I GET /login
    Then the response status is one of 201, 4xx

  Scenario: too slow
    When I GET /slow
    Then the response time is less than 50 ms

  Scenario: no such cookie
    When I GET /login
    Then the response cookie "sesion" exists

  Scenario: body does not match
    When I GET /login
    Then the response body matches "^bye"

  Scenario: an event too late
    When I open the event stream /events
    Then I receive an event "task.created"
    And I receive an event "task.created" within 0.1 seconds

  Scenario: a reply too late
    When I connect to the websocket /ws
    Then I receive JSON from the websocket containing:
      \"\"\"
      {"type": "welcome"}
      \"\"\"
    When I send text "slow" over the websocket
    Then the message JSON at "$.text" is "slow"
    When I send text "slow" over the websocket
    Then I receive JSON from the websocket within 0.1 seconds:
      \"\"\"
      {"type": "echo"}
      \"\"\"
"""


@pytest.fixture(scope="module")
def vocabulary_run(tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    root: Path = tmp_path_factory.mktemp("vocabulary")
    return run_features(root, PASSING + FAILING, app="vocab_app:app", vocab_app_dot_py=APP)


def test_the_new_phrases_pass_where_they_hold(vocabulary_run: BehaveOutcome) -> None:
    assert vocabulary_run.scenarios.passed == 6, vocabulary_run.output


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (
            "polling that never succeeds",
            "ExpectationFailed: The check never held: after re-sending GET /never for 0.3 "
            "seconds (",
        ),
        (
            "polling with a request as the check",
            'UsageError: The step "I GET /job until I GET /job" names the check "I GET /job", '
            'which is no check step of the library. Write a Then step after "until", e.g. '
            'until the JSON at "$.state" is "done".',
        ),
        (
            "a row that cannot be created",
            'ExpectationFailed: Could not create tasks row 2 of 2 ({"title": ""}): POST /tasks '
            "answered 422 Unprocessable Entity.\nRequest:",
        ),
        (
            "status not one of",
            "ExpectationFailed: Expected the response status to be 201 or a 4xx status, got "
            "200 OK.",
        ),
        ("too slow", "ExpectationFailed: Expected the response within 50 ms, it took 2"),
        (
            "no such cookie",
            'ExpectationFailed: Expected the response to set the cookie "sesion", but it does '
            'not. Did you mean "session"? Cookies it sets: session.',
        ),
        (
            "body does not match",
            "ExpectationFailed: Expected the response body to match the regex ^bye, but it does "
            "not (11 characters, shown below).",
        ),
        (
            "an event too late",
            'ExpectationFailed: Expected an event "task.created" from the event stream /events '
            "in time, but none came.\nReceived so far (1):",
        ),
        (
            "a reply too late",
            "ExpectationFailed: Expected a JSON message from the websocket /ws within 0.1 "
            "seconds, but no message came.",
        ),
    ],
)
def test_the_new_phrases_fail_with_messages_that_say_what_and_where(
    vocabulary_run: BehaveOutcome, scenario: str, message: str
) -> None:
    assert failure_of(vocabulary_run, scenario).startswith(message)
