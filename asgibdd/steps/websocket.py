"""WebSocket steps: connect, send, receive and assert, for one or several named clients.

The unnamed session is "I" / "the websocket"; `"alice" connects to ...` opens a named one,
so a chat or a broadcast can be tested with several clients in one scenario. Every
session is registered with the `World` and closed when the scenario ends, passed or not.

Receiving is strict and in order: `Then I receive text "hi"` checks the *next* message.
Every wait is bounded (the configured `timeout`, or the step's `within <duration>`), and
a failure lists everything the session has received so far.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Literal

from asgibdd._suggest import did_you_mean
from asgibdd._types import Message
from asgibdd.client import (
    TestClient,
    WebSocketDenialResponse,
    WebSocketDisconnect,
    WebSocketTestSession,
)
from asgibdd.environment import World, get_world
from asgibdd.errors import AppTimeout, ExpectationFailed
from asgibdd.matching.format import format_json, format_value
from asgibdd.steps.registry import current_step_text, library_step, step_usage_error
from asgibdd.steps.support.grammar import declare_json_checks
from asgibdd.steps.support.inputs import (
    doc_string,
    expected_json,
)
from asgibdd.steps.support.requests import request_options
from asgibdd.steps.support.subject import JSONSubject, parse_json_text
from asgibdd.steps.support.waits import received_so_far, seconds_text, wait_limit

__all__ = ["WebSocketConversation"]

WEBSOCKET = "WebSocket"
UNNAMED = "I"

# Orders messages across sessions, so "the message" is the latest one any session received.
_arrival = itertools.count(1)


# -- sessions ---------------------------------------------------------------------------------


def describe_message(message: Message) -> str:
    """A message as failure texts show it: `text "hi"`, `bytes 6869`, `close with code 1000`."""
    if message.get("type") == "websocket.close":
        reason = message.get("reason") or ""
        return f"close with code {message.get('code', 1000)}" + (f" ({reason})" if reason else "")
    if message.get("text") is not None:
        return f"text {format_value(message['text'])}"
    data = bytes(message.get("bytes") or b"")
    return f"bytes {data[:100].hex()}" + ("..." if len(data) > 100 else "")


def _message_text(message: Message) -> str | None:
    if message.get("text") is not None:
        return str(message["text"])
    data = message.get("bytes")
    if data is None:
        return None
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return None


class WebSocketConversation:
    """One websocket session of a scenario, with everything it received.

    `who` is "I" for the unnamed session, or the name given in the step. A rejected
    handshake is kept as `rejection` instead of failing the connect step, so a later
    `Then the websocket connection is rejected` can check it.
    """

    def __init__(
        self, who: str, path: str, client: TestClient, world: World, **connect: Any
    ) -> None:
        self.who = who
        self.path = path
        self.world = world
        self.history: list[Message] = []
        self.last_arrival = 0
        self.last_sent = 0
        self.rejection: WebSocketDisconnect | None = None
        self.app_close: Message | None = None
        self.client_closed = False
        self.accepted_subprotocol: str | None = None
        self._session: WebSocketTestSession | None = None
        opening = client.websocket_connect(path, **connect)
        try:
            self._session = opening.__enter__()
        except WebSocketDisconnect as refused:
            self.rejection = refused
        except AppTimeout as error:
            raise ExpectationFailed(f"Could not open {self.label}: {error}") from None
        else:
            self.accepted_subprotocol = self._session.accepted_subprotocol

    @property
    def label(self) -> str:
        """`the websocket /ws` or `the websocket of "bob" (/ws/chat/lobby?name=bob)`."""
        if self.who == UNNAMED:
            return f"the websocket {self.path}"
        return f'the websocket of "{self.who}" ({self.path})'

    @property
    def is_open(self) -> bool:
        return self.rejection is None and self.app_close is None and not self.client_closed

    def received_so_far(self) -> str:
        """The history block of a failure message."""
        return received_so_far([describe_message(m) for m in self.history], "nothing")

    def why_not_open(self, doing: str) -> str:
        """Why `doing` (e.g. `expected text "hi"`) is impossible on a session not open."""
        if self.rejection is not None:
            return f"Cannot {doing} on {self.label}: the connection was {rejection_text(self)}."
        if self.app_close is not None:
            return (
                f"Cannot {doing} on {self.label}: the app closed it "
                f"({describe_message(self.app_close)}).\n{self.received_so_far()}"
            )
        return f"Cannot {doing} on {self.label}: the scenario already closed it."

    def require_open(self, doing: str) -> WebSocketTestSession:
        if not self.is_open or self._session is None:
            raise ExpectationFailed(self.why_not_open(doing))
        return self._session

    def send(self, message: Message, doing: str) -> None:
        self.require_open(doing).send(message)
        self.last_sent = next(_arrival)
        self._record("sent", message)

    def _record(self, direction: Literal["sent", "received"], message: Message) -> None:
        self.world.record_message(
            current_step_text(), "websocket", direction, self.label, describe_message(message)
        )

    def receive(self, timeout: float, expecting: str) -> Message:
        """The next message (a close too), waiting `timeout` s; failures name `expecting`."""
        message = self.receive_within(timeout, f"receive {expecting}")
        if message is None:
            raise ExpectationFailed(
                f"Expected {expecting} from {self.label} within {seconds_text(timeout)}, "
                f"but no message came.\n{self.received_so_far()}"
            )
        return message

    def receive_within(self, timeout: float, doing: str) -> Message | None:
        """The next message (a close too), or None if none came within `timeout` seconds."""
        session = self.require_open(doing)
        try:
            message: Message = session.receive(timeout=timeout)
        except AppTimeout:
            return None
        except WebSocketDisconnect as ended:
            message = {"type": "websocket.close", "code": ended.code, "reason": ended.reason}
        self.history.append(message)
        self._record("received", message)
        self.last_arrival = next(_arrival)
        if message["type"] == "websocket.close":
            self.app_close = message
        return message

    def receive_data(self, timeout: float, expecting: str) -> Message:
        """The next message, which must not be a close."""
        message = self.receive(timeout, expecting)
        if message["type"] == "websocket.close":
            raise ExpectationFailed(
                f"Expected {expecting} from {self.label}, but the app closed it "
                f"({describe_message(message)}).\n{self.received_so_far()}"
            )
        return message

    def receive_json(self, timeout: float, expecting: str) -> JSONSubject:
        """The next message, which must be JSON, as a subject for the JSON checks."""
        message = self.receive_data(timeout, expecting)
        document = parse_json_text(
            _message_text(message),
            f"Expected {expecting} from {self.label}",
            describe_message(message),
        )
        return JSONSubject(document, f"the message from {self.label}", self.received_so_far)

    def client_close(self, code: int) -> None:
        session = self.require_open("close the connection")
        self.client_closed = True
        session.close(code)
        self.close()

    def close(self) -> None:
        """Leave the session (the `World` calls this when the scenario ends)."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            session.__exit__(None, None, None)
        except Exception as error:
            # A disconnect is how a session ends, not a problem; app errors do propagate.
            if not _is_disconnect(error):
                raise


def _is_disconnect(error: Exception) -> bool:
    """A client's disconnect as raised by the client or by the app's own framework (an app
    that lets Starlette's `WebSocketDisconnect` escape its receive loop, say)."""
    return any(cls.__name__ == "WebSocketDisconnect" for cls in type(error).__mro__)


def rejection_text(conversation: WebSocketConversation) -> str:
    refusal = conversation.rejection
    if isinstance(refusal, WebSocketDenialResponse):
        body = refusal.text[:200]
        return f"rejected with HTTP {refusal.status_code}" + (f": {body}" if body else "")
    if refusal is None:
        return "accepted"
    reason = f" ({refusal.reason})" if refusal.reason else ""
    return f"closed by the app before it was accepted, with code {refusal.code}{reason}"


def _key(who: str) -> str:
    return "websocket" if who == UNNAMED else f'websocket "{who}"'


def conversations(world: World) -> dict[str, WebSocketConversation]:
    """The scenario's websocket sessions by who opened them."""
    return {
        session.who: session
        for session in world.sessions.values()
        if isinstance(session, WebSocketConversation)
    }


def conversation(context: Any, name: str | None) -> WebSocketConversation:
    """The session of `name` (None: the unnamed one); `UsageError` if it was never opened."""
    who = UNNAMED if name is None else name
    known = conversations(get_world(context))
    if who in known:
        return known[who]
    if who == UNNAMED:
        advice = "Connect first, e.g. `When I connect to the websocket /ws`."
    else:
        advice = f'Connect first, e.g. `When "{who}" connects to the websocket /ws`.'
    others = [name for name in known if name != UNNAMED]
    listing = f" Open named sessions: {', '.join(others)}." if others else ""
    someone = "I" if who == UNNAMED else f'"{who}"'
    raise step_usage_error(
        f"needs a websocket session, but {someone} never "
        f"connected in this scenario.{did_you_mean(who, others)}{listing} {advice}"
    )


# -- connecting -------------------------------------------------------------------------------


@library_step(
    "I connect to the websocket {path:Path}",
    (
        "I connect to the websocket {path:Path} with subprotocol {subprotocol:Quoted}",
        'When I connect to the websocket /ws/chat/lobby?name=ann with subprotocol "chat"',
    ),
    (
        "{name:Quoted} connects to the websocket {path:Path}",
        'When "alice" connects to the websocket /ws/chat/lobby?name=alice',
    ),
    section=WEBSOCKET,
)
def connect(
    context: Any, path: str, name: str | None = None, subprotocol: str | None = None
) -> None:
    """Open a websocket session with the scenario's headers, cookies and auth.

    The path may carry a query and `{{variables}}`. A rejected handshake does not fail
    this step: check it with `Then the websocket connection is rejected`.

    Example: When I connect to the websocket /ws/echo
    """
    world = get_world(context)
    who = UNNAMED if name is None else name
    key = _key(who)
    existing = world.sessions.get(key)
    if isinstance(existing, WebSocketConversation):
        if existing.is_open:
            someone = "me" if who == UNNAMED else f'"{who}"'
            raise step_usage_error(
                f"opens a second websocket for {someone}, but "
                f"{existing.label} is still open. Close it first, or use another name."
            )
        world.sessions.pop(key).close()
    session = WebSocketConversation(
        who,
        world.variables.interpolate_path(path),
        world.require_client(),
        world,
        subprotocols=None if subprotocol is None else [world.variables.interpolate(subprotocol)],
        **request_options(world),
    )
    world.register_session(key, session)


# -- sending ----------------------------------------------------------------------------------


@library_step(
    "I send text {text:Quoted} over the websocket",
    ("{name:Quoted} sends text {text:Quoted}", 'When "alice" sends text "hi"'),
    section=WEBSOCKET,
)
def send_text(context: Any, text: str, name: str | None = None) -> None:
    """Send a text message; `{{variables}}` are filled in.

    Example: When I send text "hello" over the websocket
    """
    value = get_world(context).variables.interpolate(text)
    conversation(context, name).send(
        {"type": "websocket.receive", "text": value}, f"send text {format_value(value)}"
    )


@library_step(
    "I send JSON over the websocket:",
    ("{name:Quoted} sends JSON:", 'When "alice" sends JSON:\n    """\n    {"text": "hi"}\n    """'),
    section=WEBSOCKET,
)
def send_json(context: Any, name: str | None = None) -> None:
    """Send the doc string as a JSON text message; `"{{name}}"` becomes the typed value.

    Example: When I send JSON over the websocket:
        \"\"\"
        {"text": "hi", "count": 2}
        \"\"\"
    """
    value = get_world(context).variables.interpolate_json(doc_string(context))
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    conversation(context, name).send({"type": "websocket.receive", "text": text}, "send JSON")


def _hex_bytes(data: str) -> bytes:
    try:
        return bytes.fromhex(data)
    except ValueError:
        raise step_usage_error(
            f'has the bytes "{data}", which are not hexadecimal. Write two hex digits per '
            'byte, spaces allowed: "68 65 6c 6c 6f" is "hello".'
        ) from None


@library_step(
    "I send bytes {data:Quoted} over the websocket",
    ("{name:Quoted} sends bytes {data:Quoted}", 'When "alice" sends bytes "00ff"'),
    section=WEBSOCKET,
)
def send_bytes(context: Any, data: str, name: str | None = None) -> None:
    """Send a binary message written in hexadecimal.

    Example: When I send bytes "68656c6c6f" over the websocket
    """
    payload = _hex_bytes(get_world(context).variables.interpolate(data))
    conversation(context, name).send(
        {"type": "websocket.receive", "bytes": payload}, f"send bytes {payload.hex()}"
    )


# -- receiving --------------------------------------------------------------------------------


@library_step(
    "I receive text {text:Quoted} from the websocket",
    (
        "I receive text {text:Quoted} from the websocket within {duration:Duration}",
        'Then I receive text "hello" from the websocket within 2 seconds',
    ),
    ("{name:Quoted} receives text {text:Quoted}", 'Then "bob" receives text "hi"'),
    (
        "{name:Quoted} receives text {text:Quoted} from the websocket",
        'Then "bob" receives text "hi" from the websocket',
    ),
    (
        "{name:Quoted} receives text {text:Quoted} within {duration:Duration}",
        'Then "bob" receives text "hi" within 2 seconds',
    ),
    section=WEBSOCKET,
)
def receive_text(
    context: Any, text: str, name: str | None = None, duration: float | None = None
) -> None:
    """Check that the next message is exactly this text.

    Example: Then I receive text "hello" from the websocket
    """
    world = get_world(context)
    expected = world.variables.interpolate(text)
    session = conversation(context, name)
    expecting = f"text {format_value(expected)}"
    message = session.receive_data(wait_limit(world, duration), expecting)
    if message.get("text") != expected:
        raise ExpectationFailed(
            f"Expected {expecting} from {session.label}, got {describe_message(message)}.\n"
            f"{session.received_so_far()}"
        )


def _receive_and_check_json(
    context: Any, name: str | None, duration: float | None, *, subset: bool
) -> None:
    world = get_world(context)
    expected = expected_json(context)
    session = conversation(context, name)
    subject = session.receive_json(wait_limit(world, duration), "a JSON message")
    if subset:
        subject.assert_contains(expected)
    else:
        subject.assert_equal(expected)


@library_step(
    "I receive JSON from the websocket:",
    (
        "I receive JSON from the websocket within {duration:Duration}:",
        "Then I receive JSON from the websocket within 2 seconds:\n"
        '    """\n    {"type": "joined"}\n    """',
    ),
    (
        "{name:Quoted} receives JSON:",
        'Then "bob" receives JSON:\n    """\n    {"type": "left"}\n    """',
    ),
    (
        "{name:Quoted} receives JSON from the websocket:",
        'Then "bob" receives JSON from the websocket:\n    """\n    {"type": "left"}\n    """',
    ),
    section=WEBSOCKET,
)
def receive_json(context: Any, name: str | None = None, duration: float | None = None) -> None:
    """Check that the next message is this JSON: deep equality, key order ignored, markers.

    Example: Then I receive JSON from the websocket:
        \"\"\"
        {"type": "joined", "name": "#string"}
        \"\"\"
    """
    _receive_and_check_json(context, name, duration, subset=False)


@library_step(
    "I receive JSON from the websocket containing:",
    (
        "I receive JSON from the websocket within {duration:Duration} containing:",
        "Then I receive JSON from the websocket within 2 seconds containing:\n"
        '    """\n    {"type": "message"}\n    """',
    ),
    (
        "{name:Quoted} receives JSON containing:",
        'Then "bob" receives JSON containing:\n    """\n    {"from": "alice"}\n    """',
    ),
    (
        "{name:Quoted} receives JSON from the websocket containing:",
        'Then "bob" receives JSON from the websocket containing:\n'
        '    """\n    {"from": "alice"}\n    """',
    ),
    section=WEBSOCKET,
)
def receive_json_containing(
    context: Any, name: str | None = None, duration: float | None = None
) -> None:
    """Check that the next message is JSON holding these keys and items (extra ones are fine).

    Example: Then I receive JSON from the websocket containing:
        \"\"\"
        {"type": "message"}
        \"\"\"
    """
    _receive_and_check_json(context, name, duration, subset=True)


@library_step(
    "I receive bytes {data:Quoted} from the websocket",
    ("{name:Quoted} receives bytes {data:Quoted}", 'Then "bob" receives bytes "00ff"'),
    (
        "{name:Quoted} receives bytes {data:Quoted} from the websocket",
        'Then "bob" receives bytes "00ff" from the websocket',
    ),
    section=WEBSOCKET,
)
def receive_bytes(context: Any, data: str, name: str | None = None) -> None:
    """Check that the next message is exactly these bytes, written in hexadecimal.

    Example: Then I receive bytes "68656c6c6f" from the websocket
    """
    world = get_world(context)
    expected = _hex_bytes(world.variables.interpolate(data))
    session = conversation(context, name)
    expecting = f"bytes {expected.hex()}"
    message = session.receive_data(world.config.timeout, expecting)
    if message.get("bytes") is None or bytes(message["bytes"]) != expected:
        raise ExpectationFailed(
            f"Expected {expecting} from {session.label}, got {describe_message(message)}.\n"
            f"{session.received_so_far()}"
        )


@library_step(
    "I receive a message from the websocket",
    (
        "I receive a message from the websocket within {duration:Duration}",
        "Then I receive a message from the websocket within 2 seconds",
    ),
    section=WEBSOCKET,
)
def receive_any(context: Any, duration: float | None = None) -> None:
    """Check that a message (text, JSON or bytes) arrives; `the message JSON at` checks it.

    Example: Then I receive a message from the websocket
    """
    world = get_world(context)
    conversation(context, None).receive_data(wait_limit(world, duration), "a message")


@library_step(
    "I receive no message within {duration:Duration}",
    (
        "{name:Quoted} receives no message within {duration:Duration}",
        'Then "bob" receives no message within 0.2 seconds',
    ),
    section=WEBSOCKET,
)
def receive_nothing(context: Any, duration: float, name: str | None = None) -> None:
    """Check that the app sends nothing (not even a close) for a while.

    Example: Then I receive no message within 0.2 seconds
    """
    session = conversation(context, name)
    message = session.receive_within(duration, "wait for silence")
    if message is None:
        return  # nothing came: what was expected
    raise ExpectationFailed(
        f"Expected no message from {session.label} within {seconds_text(duration)}, got "
        f"{describe_message(message)}.\n{session.received_so_far()}"
    )


def _last_message(context: Any, where: str) -> JSONSubject:
    """The message "the message JSON" steps check, as a subject.

    The latest message any session received; but when a session sent something after the
    last message it received, the check is about the reply: the next message is awaited.
    """
    world = get_world(context)
    active = [s for s in conversations(world).values() if s.history or s.last_sent]
    if not active:
        raise step_usage_error(
            "needs a received websocket message, but none was received in this scenario yet. "
            "Receive one first, e.g. `Then I receive JSON from the websocket containing:`."
        )
    session = max(active, key=lambda s: max(s.last_arrival, s.last_sent))
    if session.last_sent > session.last_arrival:
        session.receive_data(world.config.timeout, f"a reply with {where}")
    message = session.history[-1]
    document = parse_json_text(
        _message_text(message),
        f"Expected {where} of the last message from {session.label}",
        describe_message(message),
    )
    return JSONSubject(
        document,
        "the last message",
        lambda: f"The last message, from {session.label}:\n{format_json(document)}",
    )


declare_json_checks(
    "the message JSON at",
    WEBSOCKET,
    "the last websocket message (after a send, the reply)",
    lambda context, where: _last_message(context, f'the message JSON at "{where}"'),
)


# -- closing ----------------------------------------------------------------------------------


@library_step(
    "I close the websocket",
    ("I close the websocket with code {code:Count}", "When I close the websocket with code 4000"),
    ("{name:Quoted} closes the websocket", 'When "alice" closes the websocket'),
    section=WEBSOCKET,
)
def close(context: Any, name: str | None = None, code: int = 1000) -> None:
    """Close the session from the client side (code 1000 unless given).

    Example: When I close the websocket
    """
    conversation(context, name).client_close(code)


@library_step(
    "the websocket is closed with code {code:Count}",
    (
        "the websocket of {name:Quoted} is closed with code {code:Count}",
        'Then the websocket of "bob" is closed with code 1000',
    ),
    section=WEBSOCKET,
)
def closed_with_code(context: Any, code: int, name: str | None = None) -> None:
    """Check that the app closed the session with this code (waiting for the close if needed).

    A connection the app closed before accepting it counts too.

    Example: Then the websocket is closed with code 1008
    """
    world = get_world(context)
    session = conversation(context, name)
    refusal = session.rejection
    if refusal is not None and not isinstance(refusal, WebSocketDenialResponse):
        closing: Message = {"type": "websocket.close", "code": refusal.code}
    elif session.app_close is not None:
        closing = session.app_close
    else:
        expecting = f"a close with code {code}"
        closing = session.receive(world.config.timeout, expecting)
        if closing["type"] != "websocket.close":
            raise ExpectationFailed(
                f"Expected the app to close {session.label} with code {code}, got "
                f"{describe_message(closing)} instead.\n{session.received_so_far()}"
            )
    if closing.get("code", 1000) != code:
        raise ExpectationFailed(
            f"Expected the app to close {session.label} with code {code}, but it closed it "
            f"with code {closing.get('code', 1000)}"
            + (f" ({closing['reason']})." if closing.get("reason") else ".")
        )


@library_step(
    "the websocket connection is accepted",
    (
        "the websocket connection of {name:Quoted} is accepted",
        'Then the websocket connection of "alice" is accepted',
    ),
    section=WEBSOCKET,
)
def accepted(context: Any, name: str | None = None) -> None:
    """Check that the app accepted the handshake (it may have closed the session since).

    Example: Then the websocket connection is accepted
    """
    session = conversation(context, name)
    if session.rejection is not None:
        raise ExpectationFailed(
            f"Expected the app to accept the connection to {session.label}, but it was "
            f"{rejection_text(session)}."
        )


@library_step(
    "the websocket connection is rejected",
    (
        "the websocket connection is rejected with status {status:Count}",
        "Then the websocket connection is rejected with status 403",
    ),
    section=WEBSOCKET,
)
def rejected(context: Any, status: int | None = None) -> None:
    """Check that the app refused the handshake (closed before accepting, or HTTP denial).

    With a status, the app must have answered with an HTTP response of that status.

    Example: Then the websocket connection is rejected
    """
    session = conversation(context, None)
    refusal = session.rejection
    expected = "rejected" if status is None else f"rejected with HTTP status {status}"
    if refusal is None:
        raise ExpectationFailed(
            f"Expected the connection to {session.label} to be {expected}, but the app accepted it."
        )
    if status is None:
        return
    if not isinstance(refusal, WebSocketDenialResponse):
        raise ExpectationFailed(
            f"Expected the connection to {session.label} to be {expected}, but it was "
            f"{rejection_text(session)}, with no HTTP response."
        )
    if refusal.status_code != status:
        raise ExpectationFailed(
            f"Expected the connection to {session.label} to be {expected}, but it was "
            f"{rejection_text(session)}."
        )
