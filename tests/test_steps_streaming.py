"""Streaming steps, run by behave on temporary projects against the demo and a FastAPI app."""

from __future__ import annotations

from pathlib import Path

from tests.behave_project import run_feature

# A FastAPI app with an endless, silent event stream that records when the client leaves.
SILENT_STREAM_APP = """
import os

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

app = FastAPI()


@app.get("/quiet")
async def quiet(request: Request) -> StreamingResponse:
    async def body():
        yield "event: hello\\ndata: hi\\n\\n"
        try:
            while True:
                await anyio.sleep(0.01)
                if await request.is_disconnected():
                    return
        finally:
            with open(os.environ["LOG"], "a") as log:
                log.write("left\\n")

    return StreamingResponse(body(), media_type="text/event-stream")


@app.get("/pings")
async def pings() -> StreamingResponse:
    async def body():
        while True:
            yield ": keep-alive\\n\\n"
            await anyio.sleep(0.02)

    return StreamingResponse(body(), media_type="text/event-stream")


@app.get("/plain")
async def plain() -> PlainTextResponse:
    return PlainTextResponse("not events")
"""


def test_event_and_line_scenarios_pass_against_the_demo(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        '''
        Feature: streams
          Scenario: ticks
            When I open the event stream /events?count=2&interval=0.01
            Then I receive an event "tick" with id "1"
            And I receive an event "tick" with JSON:
              """
              {"n": "#integer"}
              """

          Scenario: items announced after a POST
            When I open the event stream /events/items
            And I POST /items with JSON:
              """
              {"name": "kiwi", "price": 2}
              """
            Then I receive an event "item" with JSON:
              """
              {"id": "#integer", "name": "kiwi", "price": 2, "tags": [], "created_at": "#datetime"}
              """

          Scenario: one event, in either spelling
            When I open the event stream /events?count=2&interval=0.01
            Then I receive 1 event within 1 second
            And I receive 1 events within 1 second

          Scenario: lines
            When I open the stream /stream/lines?count=1
            Then I receive the line "line 1"
            And the stream ends
        ''',
    )
    assert outcome.passed, outcome.output
    assert outcome.scenarios.passed == 4


def test_stream_failures_list_what_arrived(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: failures
          Scenario: too few events in time
            When I open the event stream /events?interval=0.3
            Then I receive 3 events within 0.5 seconds

          Scenario: the stream ends first
            When I open the event stream /events?count=1
            Then I receive 2 events within 1 second

          Scenario: wrong event data
            When I open the event stream /events?count=1
            Then I receive an event "tick" with data "{}"

          Scenario: wrong line
            When I open the stream /stream/lines?count=2
            Then I receive the line "line 2"

          Scenario: more lines than expected
            When I open the stream /stream/lines?count=1
            Then the stream ends
        """,
    )
    assert outcome.scenarios.failed == 5, outcome.output
    expected_failures = [
        "Expected 3 events from the event stream /events?interval=0.3 within 0.5 seconds, "
        "got 2.\nReceived so far (2):\n"
        '  1. event "tick" with data "{\\"n\\": 1}" and id "1"\n'
        '  2. event "tick" with data "{\\"n\\": 2}" and id "2"',
        "Expected 2 events from the event stream /events?count=1 within 1 second, got 1 "
        "(the stream ended).",
        'Expected an event "tick" with data "{}" from the event stream /events?count=1, got '
        'event "tick" with data "{\\"n\\": 1}" and id "1".',
        'Expected the line "line 2" from the stream /stream/lines?count=2, got the line '
        '"line 1".\nReceived so far (1):\n  1. "line 1"',
        'Expected the stream /stream/lines?count=1 to end, got the line "line 1".',
    ]
    for failure in expected_failures:
        assert f"ASSERT FAILED: {failure}" in outcome.output, failure


def test_endless_streams_time_out_and_are_closed_at_scenario_end(
    tmp_path: Path,
) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: endless
          Scenario: waits in vain, then the stream is closed
            When I open the event stream /quiet
            Then I receive an event "hello" with data "hi"
            And I receive 1 event within 0.2 seconds

          Scenario: keep-alive comments do not stretch the time allowed
            When I open the event stream /pings
            Then I receive 1 event within 0.3 seconds

          Scenario: not an event stream
            When I open the event stream /plain
        """,
        app="quiet_app:app",
        **{"quiet_app.py": SILENT_STREAM_APP},
    )
    assert outcome.scenarios.failed == 3, outcome.output
    assert (
        "ASSERT FAILED: Expected 1 event from the event stream /quiet within 0.2 seconds, "
        'got 0.\nReceived so far (1):\n  1. event "hello" with data "hi"'
    ) in outcome.output
    assert (
        "ASSERT FAILED: Expected 1 event from the event stream /pings within 0.3 seconds, "
        "got 0.\nReceived so far: no event."
    ) in outcome.output
    assert (
        "ASSERT FAILED: Expected a text/event-stream response from GET /plain, got 200 with "
        'content-type "text/plain; charset=utf-8".'
    ) in outcome.output
    assert (tmp_path / "log.txt").read_text() == "left\n"


def test_streaming_steps_before_opening_a_stream_say_how_to_open_one(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: misuse
          Scenario: no stream
            Then I receive the line "line 1"
        """,
    )
    assert outcome.scenarios.error == 1, outcome.output
    assert (
        'UsageError: The step "I receive the line "line 1"" needs an open stream, but none '
        "was opened in this scenario. Open one first, e.g. `When I open the stream "
        "/stream/lines`."
    ) in outcome.output
