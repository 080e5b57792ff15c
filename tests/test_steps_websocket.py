"""WebSocket steps, run by behave on temporary projects against the demo and a Starlette app."""

from __future__ import annotations

from pathlib import Path

from tests.behave_project import run_feature

# A small Starlette app that records, in the file named by LOG, when a client disconnects.
RECORDING_APP = """
import os

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute


async def silent(websocket):
    await websocket.accept()
    await websocket.send_text("ready")
    message = await websocket.receive()
    with open(os.environ["LOG"], "a") as log:
        log.write(f"{message['type']} {message.get('code')}\\n")


app = Starlette(routes=[WebSocketRoute("/silent", silent)])
"""


def test_echo_chat_and_rejection_scenarios_pass_against_the_demo(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        '''
        Feature: websockets
          Scenario: echo with variables, bytes and silence
            Given the variable "word" is "hello"
            When I connect to the websocket /ws/echo
            And I send text "{{word}} world" over the websocket
            Then I receive text "hello world" from the websocket within 2 seconds
            When I send JSON over the websocket:
              """
              {"word": "{{word}}"}
              """
            Then I receive JSON from the websocket containing:
              """
              {"word": "hello"}
              """
            When I send bytes "68 69" over the websocket
            Then I receive bytes "6869" from the websocket
            And I receive no message within 50 ms
            When I close the websocket with code 4000

          Scenario: chat with named sessions and a subprotocol
            When "ann" connects to the websocket /ws/chat/room?name=ann
            And "ben" connects to the websocket /ws/chat/room?name=ben
            Then "ann" receives JSON containing:
              """
              {"name": "ann"}
              """
            And "ann" receives JSON containing:
              """
              {"name": "ben"}
              """
            And the message JSON at "$.type" is "joined"
            When "ben" sends JSON:
              """
              {"text": "yo"}
              """
            Then "ann" receives JSON:
              """
              {"type": "message", "from": "ben", "text": "yo"}
              """
            When "ann" closes the websocket
            And I connect to the websocket /ws/chat/room?name=cy with subprotocol "chat"
            Then I receive JSON from the websocket containing:
              """
              {"type": "joined", "name": "cy"}
              """

          Scenario: reconnecting after the app closed
            When I connect to the websocket /ws/echo
            And I send text "{\\"close\\": 4002}" over the websocket
            Then the websocket is closed with code 4002
            When I connect to the websocket /ws/echo
            And I send text "again" over the websocket
            Then I receive text "again" from the websocket

          Scenario: rejections
            When "eve" connects to the websocket /ws/private
            And I connect to the websocket /ws/chat/room
            Then the websocket connection is rejected
            And the websocket is closed with code 1008
            When I connect to the websocket /ws/private
            Then the websocket connection is rejected with status 403
        ''',
    )
    assert outcome.passed, outcome.output
    assert outcome.scenarios.passed == 4


def test_failures_say_what_was_expected_and_what_was_received(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        '''
        Feature: failures
          Scenario: wrong text
            When I connect to the websocket /ws/echo
            And I send text "hello" over the websocket
            Then I receive text "bye" from the websocket

          Scenario: unexpected close
            When I connect to the websocket /ws/echo
            And I send text "{\\"close\\": 4001}" over the websocket
            Then I receive text "hi" from the websocket

          Scenario: timeout
            When I connect to the websocket /ws/echo
            And I send bytes "0001" over the websocket
            Then I receive bytes "0001" from the websocket
            And I receive text "late" from the websocket within 0.2 seconds

          Scenario: accepted
            When I connect to the websocket /ws/echo
            Then the websocket connection is rejected

          Scenario: denial status
            When I connect to the websocket /ws/private
            Then the websocket connection is rejected with status 401

          Scenario: close is not a denial
            When I connect to the websocket /ws/chat/lobby
            Then the websocket connection is rejected with status 403

          Scenario: wrong close code
            When I connect to the websocket /ws/echo
            And I send text "{\\"close\\": 4001}" over the websocket
            Then the websocket is closed with code 4000

          Scenario: json mismatch
            When "alice" connects to the websocket /ws/chat/lobby?name=alice
            Then "alice" receives JSON:
              """
              {"type": "left", "name": "alice"}
              """

          Scenario: message json at
            When "alice" connects to the websocket /ws/chat/lobby?name=alice
            Then "alice" receives JSON containing:
              """
              {"type": "joined"}
              """
            And the message JSON at "$.name" is "bob"

          Scenario: something arrives
            When I connect to the websocket /ws/echo
            And I send text "x" over the websocket
            Then I receive no message within 0.2 seconds

          Scenario: send after the app closed
            When I connect to the websocket /ws/echo
            And I send text "{\\"close\\": 4001}" over the websocket
            Then the websocket is closed with code 4001
            When I send text "more" over the websocket
        ''',
    )
    assert outcome.scenarios.failed == 11, outcome.output
    expected_failures = [
        'Expected text "bye" from the websocket /ws/echo, got text "hello".\n'
        "Received so far (1):\n"
        '  1. text "hello"',
        'Expected text "hi" from the websocket /ws/echo, but the app closed it (close with '
        "code 4001).\nReceived so far (1):\n  1. close with code 4001",
        'Expected text "late" from the websocket /ws/echo within 0.2 seconds, but no message '
        "came.\nReceived so far (1):\n  1. bytes 0001",
        "Expected the connection to the websocket /ws/echo to be rejected, but the app "
        "accepted it.",
        "Expected the connection to the websocket /ws/private to be rejected with HTTP status "
        '401, but it was rejected with HTTP 403: {"detail":"A valid \'?token=\' from POST '
        '/login is required to open /ws/private"}.',
        "Expected the connection to the websocket /ws/chat/lobby to be rejected with HTTP "
        "status 403, but it was closed by the app before it was accepted, with code 1008 (the "
        "query parameter 'name' is required, as in /ws/chat/lobby?name=alice), with no HTTP "
        "response.",
        "Expected the app to close the websocket /ws/echo with code 4000, but it closed it "
        "with code 4001.",
        'The message from the websocket of "alice" (/ws/chat/lobby?name=alice) is not as '
        "expected:\n"
        '  $.type: expected "left", got "joined"\n'
        '  $.room: unexpected key "room"\n'
        "2 mismatches.\n"
        "Received so far (1):\n"
        '  1. text "{\\"type\\":\\"joined\\",\\"name\\":\\"alice\\",\\"room\\":\\"lobby\\"}"',
        'The JSON at "$.name" is not as expected:\n'
        '  $.name: expected "bob", got "alice"\n'
        'The last message, from the websocket of "alice" (/ws/chat/lobby?name=alice):\n'
        '{\n  "type": "joined",\n  "name": "alice",\n  "room": "lobby"\n}',
        'Expected no message from the websocket /ws/echo within 0.2 seconds, got text "x".',
        'Cannot send text "more" on the websocket /ws/echo: the app closed it (close with '
        "code 4001).",
    ]
    for failure in expected_failures:
        assert f"ASSERT FAILED: {failure}" in outcome.output, failure


def test_misused_steps_name_the_step_and_say_what_to_do(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: misuse
          Scenario: a typo in the name
            When "alice" connects to the websocket /ws/echo
            Then "alicia" receives text "hi"

          Scenario: a duration without a unit it knows
            When I connect to the websocket /ws/echo
            Then I receive no message within 2 fortnights

          Scenario: a duration of nothing
            When I connect to the websocket /ws/echo
            And I send text "hi" over the websocket
            Then I receive text "hi" from the websocket within 0 seconds

          Scenario: bytes that are not hex
            When I connect to the websocket /ws/echo
            And I send bytes "hello" over the websocket

          Scenario: connecting twice
            When I connect to the websocket /ws/echo
            And I connect to the websocket /ws/echo
        """,
    )
    assert outcome.scenarios.error == 5, outcome.output
    assert (
        'UsageError: The step ""alicia" receives text "hi"" needs a websocket session, but '
        '"alicia" never connected in this scenario. Did you mean "alice"? Open named '
        'sessions: alice. Connect first, e.g. `When "alicia" connects to the websocket /ws`.'
    ) in outcome.output
    assert (
        'UsageError: The step "I receive no message within 2 fortnights" has the duration '
        '"2 fortnights", which is not a time above zero. Write it like "2 seconds", "500 ms", '
        '"5 minutes", "2 hours" or "1 day".'
    ) in outcome.output
    assert (
        'UsageError: The step "I receive text "hi" from the websocket within 0 seconds" has '
        'the duration "0 seconds", which is not a time above zero. Write it like "2 seconds", '
        '"500 ms", "5 minutes", "2 hours" or "1 day".'
    ) in outcome.output
    assert (
        'UsageError: The step "I send bytes "hello" over the websocket" has the bytes "hello", '
        "which are not hexadecimal."
    ) in outcome.output
    assert (
        'UsageError: The step "I connect to the websocket /ws/echo" opens a second websocket '
        "for me, but the websocket /ws/echo is still open. Close it first, or use another name."
    ) in outcome.output


def test_sessions_are_closed_at_scenario_end_even_when_the_scenario_fails(
    tmp_path: Path,
) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: cleanup
          Scenario: fails while two sessions are open
            When I connect to the websocket /silent
            And "other" connects to the websocket /silent
            Then I receive text "not ready" from the websocket

          Scenario: passes and leaves its session open
            When I connect to the websocket /silent
            Then I receive text "ready" from the websocket
        """,
        app="recording_app:app",
        **{"recording_app.py": RECORDING_APP},
    )
    assert outcome.scenarios.failed == 1, outcome.output
    assert outcome.scenarios.passed == 1, outcome.output
    log = (tmp_path / "log.txt").read_text().splitlines()
    assert log == ["websocket.disconnect 1000"] * 3
