"""Streaming steps: server-sent events and chunked bodies, read as they arrive.

`When I open the event stream /events` keeps the response open for the rest of the
scenario (an endless stream is fine) and is closed cleanly when the scenario ends.
Receiving is strict and in order, every wait is bounded, and a failure lists what the
stream delivered so far.
"""

from __future__ import annotations

import codecs
import contextlib
import time
from typing import Any

import httpx

from asgibdd.client import ServerSentEvent, SSEDecoder, read_chunk
from asgibdd.environment import World, get_world
from asgibdd.errors import AppTimeout, ExpectationFailed
from asgibdd.matching.format import format_value
from asgibdd.steps.registry import current_step_text, library_step, step_usage_error
from asgibdd.steps.support.grammar import declare_json_checks
from asgibdd.steps.support.inputs import expected_json
from asgibdd.steps.support.requests import request_options
from asgibdd.steps.support.subject import JSONSubject, parse_json_text
from asgibdd.steps.support.waits import received_so_far, seconds_text, wait_limit

__all__ = ["EventStream", "LineStream", "StreamedBody"]

STREAMING = "Streaming"
EVENT_STREAM = "event stream"
LINE_STREAM = "stream"


class StreamedBody:
    """An open streamed response, pulled chunk by chunk with a timeout per pull.

    A pull that times out leaves the stream usable: the next pull continues where it was.
    Events are decoded here from raw chunks (`asgibdd.client.read_chunk`) so that one
    deadline can cover several events (`Then I receive 3 events within 1 second`) and a
    line stream shares the same reads.
    """

    def __init__(
        self, path: str, response: httpx.Response, stack: contextlib.ExitStack, world: World
    ) -> None:
        self.path = path
        self.world = world
        world.record_exchange(current_step_text(), response.request, response, None)
        self.response = response
        self.ended = False
        self._stack = stack

    def pull(self, timeout: float) -> bytes | None:
        """The next chunk, or None at the end of the body; `AppTimeout` after `timeout` s."""
        if self.ended:
            return None
        chunk = read_chunk(self.response, timeout)
        if chunk is None:
            self.ended = True
        return chunk

    def record(self, text: str) -> None:
        """Tell the run's extensions (the scenario's journal) what arrived."""
        self.world.record_message(current_step_text(), "event stream", "received", self.path, text)

    def close(self) -> None:
        """Close the response; the app is told the client went away."""
        self._stack.close()


def _open(context: Any, path: str, *, events: bool) -> tuple[str, httpx.Response, Any]:
    world = get_world(context)
    client = world.require_client()
    url = world.variables.interpolate_path(path)
    options = request_options(world)
    stack = contextlib.ExitStack()
    try:
        if events:
            response = stack.enter_context(client.sse(url, **options)).response
        else:
            response = stack.enter_context(client.stream("GET", url, **options))
    except BaseException:
        stack.close()
        raise
    return url, response, stack


def _replace_session(context: Any, key: str, session: StreamedBody) -> None:
    world = get_world(context)
    previous = world.sessions.pop(key, None)
    if previous is not None:
        previous.close()
    world.register_session(key, session)


def _session(context: Any, key: str, kind: type[StreamedBody], opening: str) -> Any:
    session = get_world(context).sessions.get(key)
    if not isinstance(session, kind):
        raise step_usage_error(
            f"needs an open {key}, but none was opened in this scenario. Open one first, "
            f"e.g. `{opening}`."
        )
    return session


# -- server-sent events -----------------------------------------------------------------------


def describe_event(event: ServerSentEvent) -> str:
    shown = f"event {format_value(event.event)} with data {format_value(event.data, limit=200)}"
    return shown + (f" and id {format_value(event.id)}" if event.id else "")


class EventStream(StreamedBody):
    """A `text/event-stream` response and the events it has delivered."""

    def __init__(
        self, path: str, response: httpx.Response, stack: contextlib.ExitStack, world: World
    ) -> None:
        super().__init__(path, response, stack, world)
        self.history: list[ServerSentEvent] = []
        self._decoder = SSEDecoder()
        self._pending: list[ServerSentEvent] = []

    def received_so_far(self) -> str:
        return received_so_far([describe_event(e) for e in self.history], "no event")

    def next_event(self, deadline: float, expecting: str) -> ServerSentEvent:
        """The next event, arriving before `deadline` (`time.monotonic()`); else a failure."""
        while not self._pending:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise AppTimeout("deadline passed")
                chunk = self.pull(remaining)
            except AppTimeout:
                raise ExpectationFailed(
                    f"Expected {expecting} from the event stream {self.path} in time, but none "
                    f"came.\n{self.received_so_far()}"
                ) from None
            if chunk is None:
                self._pending.extend(self._decoder.close())
                if not self._pending:
                    raise ExpectationFailed(
                        f"Expected {expecting} from the event stream {self.path}, but the stream "
                        f"ended.\n{self.received_so_far()}"
                    )
            else:
                self._pending.extend(self._decoder.feed(chunk))
        event = self._pending.pop(0)
        self.history.append(event)
        self.record(describe_event(event))
        return event


def _next_event(
    context: Any,
    name: str,
    expecting: str,
    *,
    duration: float | None = None,
    data_containing: str | None = None,
    **fields: str,
) -> tuple[EventStream, ServerSentEvent]:
    """The next event, checked to have type `name` and the given `data` / `id` fields,
    arriving within `duration` (else the configured timeout)."""
    world = get_world(context)
    stream: EventStream = _session(
        context, EVENT_STREAM, EventStream, "When I open the event stream /events"
    )
    deadline = time.monotonic() + wait_limit(world, duration)
    event = stream.next_event(deadline, expecting)
    wrong = event.event != name or any(getattr(event, k) != v for k, v in fields.items())
    if wrong or (data_containing is not None and data_containing not in event.data):
        raise ExpectationFailed(
            f"Expected {expecting} from the event stream {stream.path}, got "
            f"{describe_event(event)}.\n{stream.received_so_far()}"
        )
    return stream, event


@library_step("I open the event stream {path:Path}", section=STREAMING)
def open_event_stream(context: Any, path: str) -> None:
    """Open a server-sent events stream with the scenario's headers, cookies and auth.

    The body is read as it arrives, never buffered whole; it stays open until the scenario
    ends. The response must be `text/event-stream`.

    Example: When I open the event stream /events?count=3
    """
    url, response, stack = _open(context, path, events=True)
    _replace_session(context, EVENT_STREAM, EventStream(url, response, stack, get_world(context)))


@library_step("I receive an event {name:Quoted}{clauses:EventClauses}", section=STREAMING)
def receive_event(context: Any, name: str, clauses: dict[str, Any]) -> None:
    """Check the next event's type (`message` when the server names none), and any of
    ` with data "<text>"`, ` with data containing "<text>"`, ` with id "<id>"` and
    ` within <duration>`, in any order.

    Example: Then I receive an event "tick" with data containing "\\"n\\": 1" within 2 seconds
    """
    interpolate = get_world(context).variables.interpolate
    expecting = f"an event {format_value(name)}"
    fields: dict[str, str] = {}
    containing: str | None = None
    for clause, value in clauses.items():
        if clause == "within":
            continue
        text = interpolate(value)
        expecting += f" with {clause.replace('_', ' ')} {format_value(text)}"
        if clause == "data_containing":
            containing = text
        else:
            fields[clause] = text
    _next_event(
        context,
        name,
        expecting,
        duration=clauses.get("within"),
        data_containing=containing,
        **fields,
    )


def _event_subject(context: Any, name: str, expecting: str) -> JSONSubject:
    stream, event = _next_event(context, name, expecting)
    document = parse_json_text(
        event.data,
        f"Expected {expecting} from the event stream {stream.path}",
        describe_event(event),
    )
    return JSONSubject(
        document, f"the data of the last event from {stream.path}", stream.received_so_far
    )


@library_step("I receive an event {name:Quoted} with JSON:", section=STREAMING)
def receive_event_with_json(context: Any, name: str) -> None:
    """Check the next event's type, and that its data is this JSON (deep equality, markers).

    Example: Then I receive an event "tick" with JSON:
        \"\"\"
        {"n": 1}
        \"\"\"
    """
    expected = expected_json(context)
    _event_subject(context, name, f"an event {format_value(name)} with JSON").assert_equal(expected)


@library_step("I receive an event {name:Quoted} with JSON containing:", section=STREAMING)
def receive_event_with_json_containing(context: Any, name: str) -> None:
    """Check the next event's type, and that its JSON data holds these keys and items.

    Example: Then I receive an event "tick" with JSON containing:
        \"\"\"
        {"n": "#integer"}
        \"\"\"
    """
    expected = expected_json(context)
    expecting = f"an event {format_value(name)} with JSON"
    _event_subject(context, name, expecting).assert_contains(expected)


@library_step(
    "I receive {events:Events} within {duration:Duration}",
    ("I receive {events:Events}", "Then I receive 2 events"),
    section=STREAMING,
)
def receive_events_within(context: Any, events: int, duration: float | None = None) -> None:
    """Check that the next events (`1 event`, `3 events`), of any type, all arrive in time
    (within the configured timeout when no duration is given).

    Example: Then I receive 3 events within 1 second
    """
    stream: EventStream = _session(
        context, EVENT_STREAM, EventStream, "When I open the event stream /events"
    )
    duration = wait_limit(get_world(context), duration)
    deadline = time.monotonic() + duration
    before = len(stream.history)
    try:
        for _ in range(events):
            stream.next_event(deadline, "an event")
    except ExpectationFailed:
        got = len(stream.history) - before
        ended = " (the stream ended)" if stream.ended else ""
        wanted = "1 event" if events == 1 else f"{events} events"
        raise ExpectationFailed(
            f"Expected {wanted} from the event stream {stream.path} within "
            f"{seconds_text(duration)}, got {got}{ended}.\n{stream.received_so_far()}"
        ) from None


def _last_event(context: Any) -> tuple[EventStream, ServerSentEvent]:
    """The event the last `I receive an event` step took; the next one if none was taken."""
    stream: EventStream = _session(
        context, EVENT_STREAM, EventStream, "When I open the event stream /events"
    )
    if not stream.history:
        deadline = time.monotonic() + get_world(context).config.timeout
        stream.next_event(deadline, "an event")
    return stream, stream.history[-1]


def _last_event_json(context: Any, where: str) -> JSONSubject:
    stream, event = _last_event(context)
    document = parse_json_text(
        event.data, f"Expected {where} of the last event from {stream.path}", describe_event(event)
    )
    return JSONSubject(
        document, f"the data of the last event from {stream.path}", stream.received_so_far
    )


declare_json_checks(
    "the event JSON at",
    STREAMING,
    "the last event's data",
    lambda context, where: _last_event_json(context, f'the event JSON at "{where}"'),
)


def _check_event_part(context: Any, part: str, text: str, *, exact: bool) -> None:
    expected = get_world(context).variables.interpolate(text)
    stream, event = _last_event(context)
    actual = {"data": event.data, "id": event.id, "type": event.event}[part]
    if (actual == expected) if exact else (expected in (actual or "")):
        return
    relation = "to be" if exact else "to contain"
    raise ExpectationFailed(
        f"Expected the {part} of the last event from {stream.path} {relation} "
        f"{format_value(expected)}, got {format_value(actual)}.\n{stream.received_so_far()}"
    )


@library_step("the event {part:EventPart} is {text:Quoted}", section=STREAMING)
def event_part_is(context: Any, part: str, text: str) -> None:
    """Check the last received event's `data`, `id` or `type`, as exact text.

    Example: Then the event id is "1"
    """
    _check_event_part(context, part, text, exact=True)


@library_step("the event {part:EventPart} contains {text:Quoted}", section=STREAMING)
def event_part_contains(context: Any, part: str, text: str) -> None:
    """Check that the last received event's `data`, `id` or `type` contains some text.

    Example: Then the event data contains "n"
    """
    _check_event_part(context, part, text, exact=False)


# -- lines of a chunked body ------------------------------------------------------------------


class LineStream(StreamedBody):
    """A streamed response read line by line (UTF-8; `\\n` or `\\r\\n` end a line)."""

    def __init__(
        self, path: str, response: httpx.Response, stack: contextlib.ExitStack, world: World
    ) -> None:
        super().__init__(path, response, stack, world)
        self.history: list[str] = []
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""
        self._lines: list[str] = []

    def received_so_far(self) -> str:
        return received_so_far([format_value(line) for line in self.history], "no line")

    def next_line(self, timeout: float, expecting: str) -> str | None:
        """The next line, or None at the end of the body; a failure after `timeout` s."""
        deadline = time.monotonic() + timeout
        while not self._lines:
            if self.ended:
                return None
            try:
                chunk = self.pull(max(deadline - time.monotonic(), 0.0))
            except AppTimeout:
                raise ExpectationFailed(
                    f"Expected {expecting} from the stream {self.path} within "
                    f"{seconds_text(timeout)}, but none came.\n{self.received_so_far()}"
                ) from None
            text = self._utf8.decode(chunk or b"", final=chunk is None)
            pieces = (self._partial + text).split("\n")
            self._partial = pieces.pop()
            if chunk is None and self._partial:
                pieces.append(self._partial)
            self._lines.extend(piece.removesuffix("\r") for piece in pieces)
        line = self._lines.pop(0)
        self.history.append(line)
        self.record(f"line {format_value(line)}")
        return line


def _line_stream(context: Any) -> LineStream:
    stream: LineStream = _session(
        context, LINE_STREAM, LineStream, "When I open the stream /stream/lines"
    )
    return stream


@library_step("I open the stream {path:Path}", section=STREAMING)
def open_stream(context: Any, path: str) -> None:
    """Open a streamed (chunked) response to read it line by line as it arrives.

    Example: When I open the stream /stream/lines?count=3
    """
    url, response, stack = _open(context, path, events=False)
    _replace_session(context, LINE_STREAM, LineStream(url, response, stack, get_world(context)))


@library_step(
    "I receive the line {line:Quoted}",
    (
        "I receive the line {line:Quoted} within {duration:Duration}",
        'Then I receive the line "line 1" within 2 seconds',
    ),
    section=STREAMING,
)
def receive_line(context: Any, line: str, duration: float | None = None) -> None:
    """Check that the next line of the stream is exactly this text.

    Example: Then I receive the line "line 1"
    """
    world = get_world(context)
    expected = world.variables.interpolate(line)
    stream = _line_stream(context)
    timeout = wait_limit(world, duration)
    expecting = f"the line {format_value(expected)}"
    got = stream.next_line(timeout, expecting)
    if got != expected:
        shown = "the end of the stream" if got is None else f"the line {format_value(got)}"
        raise ExpectationFailed(
            f"Expected {expecting} from the stream {stream.path}, got {shown}.\n"
            f"{stream.received_so_far()}"
        )


@library_step("the stream ends", section=STREAMING)
def stream_ends(context: Any) -> None:
    """Check that the stream has no more lines: the app completed the body.

    Example: Then the stream ends
    """
    world = get_world(context)
    stream = _line_stream(context)
    got = stream.next_line(world.config.timeout, "the end")
    if got is not None:
        raise ExpectationFailed(
            f"Expected the stream {stream.path} to end, got the line {format_value(got)}.\n"
            f"{stream.received_so_far()}"
        )
