"""The client's one front door: `asgibdd.client` exports what users and steps may use,
streamed bodies are read through `read_chunk`, and the handshake is an ordinary request."""

from __future__ import annotations

import ast
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import RedirectResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

import asgibdd.client
from asgibdd import (
    AppTimeout,
    ASGIProtocolError,
    AsyncTestClient,
    ResponseOrderError,
    TestClient,
    UsageError,
)
from asgibdd._types import Receive, Scope, Send
from asgibdd.client import read_chunk
from tests.conftest import Backend

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def anyio_backend(backend: Backend) -> str:
    return backend


def test_the_client_package_exports_exactly_its_front_door() -> None:
    assert asgibdd.client.__all__ == [
        "DEFAULT_WAIT_TIMEOUT",
        "AsyncEventSource",
        "AsyncTestClient",
        "AsyncWebSocketSession",
        "EventSource",
        "LiveClient",
        "SSEDecoder",
        "ServerSentEvent",
        "TestClient",
        "WebSocketDenialResponse",
        "WebSocketDisconnect",
        "WebSocketTestSession",
        "read_chunk",
    ]
    modules = sorted(path.name for path in (ROOT / "asgibdd" / "client").glob("*.py"))
    assert [name for name in modules if not name.startswith("_")] == []


def _private_client_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found += [f"{path.relative_to(ROOT)}: {name}" for name in names if "client._" in name]
    return found


def test_code_outside_the_client_imports_it_through_the_front_door_only() -> None:
    folders = ["asgibdd", "tests", "benchmarks", "compat", "steps"]
    files = [
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "client" not in path.relative_to(ROOT).parts[:2] and ".cache" not in path.parts
    ]
    assert [line for path in files for line in _private_client_imports(path)] == []


def _two_chunks_app(release: threading.Event) -> Starlette:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"first"
        await anyio.to_thread.run_sync(release.wait)  # blocks until the test says so
        yield b"second"

    async def stream(request):  # type: ignore[no-untyped-def]
        return StreamingResponse(chunks(), media_type="text/plain")

    async def old(request):  # type: ignore[no-untyped-def]
        return RedirectResponse("/stream", status_code=307)

    return Starlette(routes=[Route("/stream", stream), Route("/old", old)])


def _free_flowing_app() -> Starlette:
    release = threading.Event()
    release.set()
    return _two_chunks_app(release)


def test_read_chunk_hands_over_chunks_as_they_come_then_none(backend: Backend) -> None:
    client = TestClient(_free_flowing_app(), backend=backend)
    with client, client.stream("GET", "/stream") as response:
        assert read_chunk(response, 1.0) == b"first"
        assert read_chunk(response, 1.0) == b"second"
        assert read_chunk(response, 1.0) is None


def test_read_chunk_times_out_and_the_stream_stays_usable(backend: Backend) -> None:
    release = threading.Event()
    client = TestClient(_two_chunks_app(release), backend=backend)
    with client, client.stream("GET", "/stream") as response:
        assert read_chunk(response, 1.0) == b"first"
        with pytest.raises(AppTimeout) as waited:
            read_chunk(response, 0.05)
        assert str(waited.value) == (
            "No data from the streamed response to GET /stream within 0.05 s (5 bytes "
            "received so far). Wait longer with a timeout of your own (read_chunk(response, "
            "timeout), next_event(timeout=...)), TestClient(app, wait_timeout=...), or timeout "
            "in asgibdd's config for behave runs."
        )
        release.set()
        assert read_chunk(response, 2.0) == b"second"


def test_a_streamed_request_stays_streamed_through_a_redirect(backend: Backend) -> None:
    client = TestClient(_free_flowing_app(), backend=backend)
    with client.stream("GET", "/old") as response:
        assert [r.status_code for r in response.history] == [307]
        assert read_chunk(response, 1.0) == b"first"
        assert read_chunk(response, 1.0) == b"second"
        assert read_chunk(response, 1.0) is None


def test_read_chunk_on_a_whole_response_says_what_to_use_instead() -> None:
    response = TestClient(_free_flowing_app()).get("/stream")
    with pytest.raises(UsageError) as misuse:
        read_chunk(response, 1.0)
    assert str(misuse.value) == (
        "read_chunk() reads a response opened with client.stream(...) or client.sse(...) of "
        "asgibdd's TestClient; the response to GET /stream was not opened that way. Open it "
        'with `with client.stream("GET", url) as response:`, or read a whole body with '
        "response.content."
    )


def test_read_chunk_rejects_a_timeout_that_is_not_seconds() -> None:
    with (
        TestClient(_free_flowing_app()).stream("GET", "/stream") as response,
        pytest.raises(UsageError) as misuse,
    ):
        read_chunk(response, "1")  # type: ignore[arg-type]
    assert str(misuse.value) == "timeout must be a number of seconds or None, got '1' (str)."


@pytest.mark.anyio
async def test_read_chunk_on_an_async_client_stream_points_at_async_reading() -> None:
    client = AsyncTestClient(_free_flowing_app())
    async with client, client.stream("GET", "/stream") as response:
        with pytest.raises(UsageError) as misuse:
            read_chunk(response, 1.0)
        assert str(misuse.value) == (
            "read_chunk() reads streams of the sync TestClient; this one came from "
            "AsyncTestClient: read it with `async for chunk in response.aiter_raw()` or "
            "wrap it in AsyncEventSource(response)."
        )
        assert [chunk async for chunk in response.aiter_raw()] == [b"first", b"second"]


async def _whoami(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(
        {
            "authorization": websocket.headers.get("authorization"),
            "x-default": websocket.headers.get("x-default"),
            "cookie": websocket.cookies.get("jar"),
        }
    )
    await websocket.close()


def test_the_handshake_goes_through_the_httpx_pipeline(backend: Backend) -> None:
    seen: list[str] = []

    def on_request(request: httpx.Request) -> None:
        seen.append(f"request {request.url}")

    def on_response(response: httpx.Response) -> None:
        seen.append(f"response {response.status_code}")

    app = Starlette(routes=[WebSocketRoute("/ws", _whoami)])
    client = TestClient(
        app,
        backend=backend,
        headers={"x-default": "yes"},
        cookies={"jar": "cookie"},
    )
    client.event_hooks = {"request": [on_request], "response": [on_response]}
    with client.websocket_connect("/ws", auth=("user", "pw")) as websocket:
        assert websocket.receive_json() == {
            "authorization": "Basic dXNlcjpwdw==",
            "x-default": "yes",
            "cookie": "cookie",
        }
    assert seen == ["request ws://testserver/ws", "response 101"]


@pytest.mark.anyio
async def test_the_async_handshake_goes_through_the_httpx_pipeline() -> None:
    app = Starlette(routes=[WebSocketRoute("/ws", _whoami)])
    client = AsyncTestClient(app, headers={"x-default": "yes"}, cookies={"jar": "c"})
    async with client, client.websocket_connect("/ws", auth=("user", "pw")) as websocket:
        assert await websocket.receive_json() == {
            "authorization": "Basic dXNlcjpwdw==",
            "x-default": "yes",
            "cookie": "c",
        }


def test_response_order_errors_are_assertions_other_protocol_errors_are_not() -> None:
    async def twice(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.start", "status": 200})

    async def unknown(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.begin", "status": 200})

    with pytest.raises(ResponseOrderError) as order:
        TestClient(twice).get("/")
    assert isinstance(order.value, (ASGIProtocolError, AssertionError))
    with pytest.raises(ASGIProtocolError) as broken:
        TestClient(unknown).get("/")
    assert not isinstance(broken.value, AssertionError)
