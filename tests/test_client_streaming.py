"""Streamed responses: available before the body ends, chunk by chunk, closable early."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from asgibdd import AppTimeout, ExpectationFailed, TestClient
from asgibdd._types import Receive, Scope, Send
from asgibdd.demo import create_app
from tests.conftest import Backend


class Streamer:
    """Sends `count` chunks (endless when None), recording what it saw of the client."""

    def __init__(
        self, count: int | None = 3, content_type: bytes = b"text/plain", pause: bool = True
    ) -> None:
        self.count = count
        self.pause = pause
        self.content_type = content_type
        self.sent = 0
        self.events: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        await receive()
        headers = [(b"content-type", self.content_type)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        try:
            async with anyio.create_task_group() as group:

                async def watch() -> None:
                    message = await receive()
                    self.events.append(message["type"])
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                while self.count is None or self.sent < self.count:
                    self.sent += 1
                    chunk = f"data: {self.sent}\n\n".encode()
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    if self.pause:
                        await anyio.lowlevel.checkpoint()
                await send({"type": "http.response.body", "body": b""})
                self.events.append("complete")
        except BaseException:
            self.events.append("cancelled")
            raise


def test_the_response_is_available_before_the_first_chunk(backend: Backend) -> None:
    status_seen = threading.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 202})
        # The body waits until the test has seen the status (a minute at most).
        seen = await anyio.to_thread.run_sync(status_seen.wait, 60)
        await send({"type": "http.response.body", "body": b"late" if seen else b"too late"})

    client = TestClient(app, backend=backend, wait_timeout=120)
    with client.stream("GET", "/") as response:
        assert response.status_code == 202
        status_seen.set()
        assert response.read() == b"late"


def test_chunks_arrive_one_by_one_with_backpressure(backend: Backend) -> None:
    app = Streamer(count=3)
    with TestClient(app, backend=backend) as client, client.stream("GET", "/") as response:
        chunks = response.iter_raw()
        assert next(chunks) == b"data: 1\n\n"
        # Give the app's loop a hundred turns: without backpressure it would send them all.
        assert client.portal is not None
        for _ in range(100):
            client.portal.call(anyio.lowlevel.checkpoint)
        assert app.sent <= 2  # the app waits for the reader
        assert list(chunks) == [b"data: 2\n\n", b"data: 3\n\n"]
    assert app.events[0] == "complete"


def test_an_endless_stream_can_be_read_partially_then_closed(backend: Backend) -> None:
    app = Streamer(count=None)
    with TestClient(app, backend=backend).stream("GET", "/") as response:
        lines = []
        for line in response.iter_lines():
            if line:
                lines.append(line)
            if len(lines) == 4:
                break
    assert lines == ["data: 1", "data: 2", "data: 3", "data: 4"]
    assert app.events == ["http.disconnect", "cancelled"] or app.events == ["http.disconnect"]


def test_closing_early_lets_the_app_see_http_disconnect(backend: Backend) -> None:
    app = Streamer(count=None)
    with TestClient(app, backend=backend).stream("GET", "/") as response:
        next(response.iter_raw())
    assert app.events[0] == "http.disconnect"


def test_leaving_the_client_cancels_streams_still_open(backend: Backend) -> None:
    app = Streamer(count=None)
    with TestClient(app, backend=backend) as client:
        response = client.send(client.build_request("GET", "/"), stream=True)
        assert next(response.iter_raw()) == b"data: 1\n\n"
    assert app.events[0] == "http.disconnect"
    with pytest.raises(RuntimeError):
        response.read()


def test_a_silent_stream_times_out_naming_the_request() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"abc", "more_body": True})
        await anyio.sleep_forever()

    client = TestClient(app, wait_timeout=0.05)
    with client.stream("GET", "/slow") as response, pytest.raises(AppTimeout) as caught:
        response.read()
    assert str(caught.value) == (
        "No data from the streamed response to GET /slow within 0.05 s (3 bytes received so "
        "far). Wait longer with a timeout of your own (read_chunk(response, timeout), "
        "next_event(timeout=...)), TestClient(app, wait_timeout=...), or timeout in asgibdd's "
        "config for behave runs."
    )


def test_get_waits_for_the_whole_body(backend: Backend) -> None:
    assert TestClient(Streamer(count=3), backend=backend).get("/").text == (
        "data: 1\n\ndata: 2\n\ndata: 3\n\n"
    )


def test_mutable_chunks_are_copied() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        buffer = bytearray(b"one")
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": buffer, "more_body": True})
        buffer[:] = b"two"
        await send({"type": "http.response.body", "body": buffer})

    with TestClient(app).stream("GET", "/") as response:
        assert list(response.iter_raw()) == [b"one", b"two"]


# --- server-sent events -----------------------------------------------------------------


def test_sse_parses_events_from_an_endless_stream(backend: Backend) -> None:
    app = Streamer(count=None, content_type=b"text/event-stream")
    with TestClient(app, backend=backend).sse("/events") as events:
        first = events.next_event()
        second = events.next_event()
    assert first is not None and second is not None
    assert [(first.event, first.data), (second.event, second.data)] == [
        ("message", "1"),
        ("message", "2"),
    ]
    assert app.events[0] == "http.disconnect"


def test_sse_ends_with_none_when_the_stream_ends() -> None:
    app = Streamer(count=2, content_type=b"text/event-stream")
    with TestClient(app).sse("/events") as events:
        assert [event.data for event in events] == ["1", "2"]
        assert events.next_event() is None


def test_sse_on_the_demo_service_gives_json_events(backend: Backend) -> None:
    with (
        TestClient(create_app(), backend=backend) as client,
        client.sse("/events?count=3&interval=0") as events,
    ):
        received = list(events)
    assert [(event.event, event.id, event.json()) for event in received] == [
        ("tick", "1", {"n": 1}),
        ("tick", "2", {"n": 2}),
        ("tick", "3", {"n": 3}),
    ]


def test_sse_on_a_non_event_stream_says_what_it_got() -> None:
    with pytest.raises(ExpectationFailed) as caught, TestClient(Streamer(count=1)).sse("/plain"):
        pass
    assert str(caught.value) == (
        "Expected a text/event-stream response from GET /plain, got 200 with content-type "
        '"text/plain".'
    )


def event_stream_then_silence(first: bytes) -> Any:
    """An event-stream app that sends `first` and then nothing, forever."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": first, "more_body": True})
        await anyio.sleep_forever()

    return app


def test_sse_next_event_timeout_overrides_the_client_wait_timeout() -> None:
    client = TestClient(event_stream_then_silence(b"data: x\n\n"), wait_timeout=60)
    with client.sse("/events") as events:
        event: Any = events.next_event()
        assert event.data == "x"
        with pytest.raises(AppTimeout) as caught:
            events.next_event(timeout=0.05)
    assert "within 0.05 s" in str(caught.value)


def test_sse_waits_are_bounded_by_the_client_wait_timeout() -> None:
    client = TestClient(event_stream_then_silence(b""), wait_timeout=0.05)
    with client.sse("/events") as events, pytest.raises(AppTimeout) as caught:
        events.next_event()
    assert str(caught.value) == (
        "No event from the event stream GET /events within 0.05 s (no data arrived in that "
        "time). Wait longer with next_event(timeout=...), TestClient(app, wait_timeout=...), "
        "or timeout in asgibdd's config for behave runs."
    )


def _keep_alive_stream(release: threading.Event) -> Starlette:
    async def events() -> AsyncIterator[str]:
        while not release.is_set():
            yield ": keep-alive\n\n"
            await anyio.sleep(0.01)
        yield "data: finally\n\n"

    async def endpoint(request):  # type: ignore[no-untyped-def]
        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[Route("/events", endpoint)])


def test_next_event_timeout_bounds_the_whole_event_not_each_chunk(backend: Backend) -> None:
    release = threading.Event()
    client = TestClient(_keep_alive_stream(release), backend=backend)
    with client, client.sse("/events") as events:
        with pytest.raises(AppTimeout) as caught:
            events.next_event(timeout=0.5)
        assert caught.value.received > 0
        assert str(caught.value) == (
            f"No event from the event stream GET /events within 0.5 s: {caught.value.received} "
            "bytes arrived in that time, but no complete event (only comments or keep-alives?). "
            "Wait longer with next_event(timeout=...), TestClient(app, wait_timeout=...), or "
            "timeout in asgibdd's config for behave runs."
        )
        assert caught.value.content_type == "text/event-stream; charset=utf-8"
        release.set()
        event: Any = events.next_event(timeout=2.0)
        assert event.data == "finally"


def test_an_app_that_only_awaits_send_still_sees_the_early_close() -> None:
    app = Streamer(count=20_000, pause=False)  # bounded, so a regression cannot hang the suite
    with TestClient(app).stream("GET", "/") as response:
        next(response.iter_raw())
    assert app.events[0] == "http.disconnect"
    assert app.sent < 100
