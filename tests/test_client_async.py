"""AsyncTestClient: the same core, run in the test's own event loop (no thread)."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest

from asgibdd import AsyncTestClient, WebSocketDisconnect
from asgibdd._types import Receive, Scope, Send
from asgibdd.demo import create_app
from tests.conftest import Backend

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend(backend: Backend) -> str:
    return backend


class LoopRecorder:
    """Records the thread every call runs in; answers HTTP, WebSocket and lifespan."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.events: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.threads.append(threading.get_ident())
        if scope["type"] == "lifespan":
            await receive()
            self.events.append("startup")
            scope["state"]["ready"] = True
            await send({"type": "lifespan.startup.complete"})
            await receive()
            self.events.append("shutdown")
            await send({"type": "lifespan.shutdown.complete"})
        elif scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            message = await receive()
            await send({"type": "websocket.send", "text": message["text"].upper()})
            await send({"type": "websocket.close", "code": 4000, "reason": "done"})
        else:
            await send({"type": "http.response.start", "status": 200})
            await send({"type": "http.response.body", "body": b"a", "more_body": True})
            await send({"type": "http.response.body", "body": repr(scope["state"]).encode()})


async def test_lifespan_runs_on_async_with_in_the_tests_own_thread() -> None:
    app = LoopRecorder()
    async with AsyncTestClient(app) as client:
        assert app.events == ["startup"]
        response = await client.get("/")
        assert response.text == "a{'ready': True}"
    assert app.events == ["startup", "shutdown"]
    assert set(app.threads) == {threading.get_ident()}


async def test_requests_work_without_async_with_and_skip_the_lifespan() -> None:
    app = LoopRecorder()
    response = await AsyncTestClient(app).get("/")
    assert response.text == "a{}"
    assert app.events == []


async def test_streams_arrive_chunk_by_chunk() -> None:
    async with AsyncTestClient(LoopRecorder()) as client, client.stream("GET", "/") as response:
        chunks = [chunk async for chunk in response.aiter_raw()]
    assert chunks == [b"a", b"{'ready': True}"]


async def test_websockets_send_receive_and_close() -> None:
    async with (
        AsyncTestClient(LoopRecorder()) as client,
        client.websocket_connect("/ws") as websocket,
    ):
        await websocket.send_text("hi")
        assert await websocket.receive_text() == "HI"
        with pytest.raises(WebSocketDisconnect) as caught:
            await websocket.receive_text()
    assert (caught.value.code, caught.value.reason) == (4000, "done")


async def test_sse_on_the_demo_service() -> None:
    async with (
        AsyncTestClient(create_app()) as client,
        client.sse("/events?count=2&interval=0") as events,
    ):
        received = [event async for event in events]
    assert [event.json() for event in received] == [{"n": 1}, {"n": 2}]


async def test_the_demo_service_works_end_to_end() -> None:
    async with AsyncTestClient(create_app()) as client:
        created = await client.post("/items", json={"name": "apple", "price": 1.5})
        assert created.status_code == 201
        item: dict[str, Any] = created.json()
        fetched = await client.get(f"/items/{item['id']}")
        assert fetched.json()["name"] == "apple"
        async with client.websocket_connect("/ws/echo") as websocket:
            await websocket.send_text("ping")
            assert await websocket.receive_text() == "ping"


async def test_app_errors_propagate_and_the_flag_turns_them_into_500() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise ValueError("async boom")

    with pytest.raises(ValueError, match="async boom"):
        await AsyncTestClient(app).get("/")
    client = AsyncTestClient(app, raise_server_exceptions=False)
    assert (await client.get("/")).status_code == 500


async def test_a_loop_bound_object_made_at_startup_works_in_requests() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            scope["state"]["event"] = anyio.Event()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        scope["state"]["event"].set()
        await scope["state"]["event"].wait()
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    async with AsyncTestClient(app) as client:
        assert (await client.get("/")).status_code == 204
