"""Behaviours the Starlette and FastAPI suites rely on (found by compat/run.py)."""

from __future__ import annotations

import anyio
import pytest
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from asgibdd import TestClient
from asgibdd._types import Receive, Scope, Send


def test_request_is_disconnected_is_true_once_the_response_was_sent() -> None:
    seen: list[bool] = []

    async def endpoint(request: Request) -> Response:
        await request.body()

        async def check() -> None:
            seen.append(await request.is_disconnected())

        return Response("ok", background=BackgroundTask(check))

    client = TestClient(Starlette(routes=[Route("/", endpoint)]))
    assert client.get("/").text == "ok"
    assert seen == [True]


def _app_with_an_endless_background_task(outcome: list[str]) -> Starlette:
    async def forever() -> None:
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            outcome.append("cancelled")
            raise

    async def endpoint(request: Request) -> Response:
        return Response(b"hello", background=BackgroundTask(forever))

    return Starlette(routes=[Route("/", endpoint)])


def test_closing_the_client_cancels_an_open_stream_with_a_pending_background_task() -> None:
    outcome: list[str] = []
    client = TestClient(_app_with_an_endless_background_task(outcome))
    response = client.send(client.build_request("GET", "/"), stream=True)
    assert next(response.iter_raw()) == b"hello"
    client.close()
    assert outcome == ["cancelled"]


def test_leaving_the_client_cancels_an_open_stream_with_a_pending_background_task() -> None:
    outcome: list[str] = []
    with TestClient(_app_with_an_endless_background_task(outcome)) as client:
        response = client.send(client.build_request("GET", "/"), stream=True)
        assert next(response.iter_raw()) == b"hello"
    assert outcome == ["cancelled"]


def test_declared_trailers_that_never_come_still_show_as_an_empty_list() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "trailers": True})
        await send({"type": "http.response.body", "body": b"x"})

    response = TestClient(app).get("/")
    assert response.extensions["http.response.trailers"] == []


def test_head_chunks_are_handed_over_one_at_a_time() -> None:
    sent: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200})
        for number in range(1000):
            sent.append(number)
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    with TestClient(app) as client, client.stream("HEAD", "/") as response:
        assert response.status_code == 200
        assert len(sent) <= 1


def test_a_server_push_hint_is_ignored() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.push", "path": "/style.css", "headers": []})
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"page"})

    assert TestClient(app).get("/").text == "page"


def test_an_app_error_after_a_denial_start_is_raised_rather_than_the_denial() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.http.response.start", "status": 404, "headers": []})
        raise RuntimeError("failed while denying")

    with (
        pytest.raises(RuntimeError, match="failed while denying"),
        TestClient(app).websocket_connect("/"),
    ):
        pass  # pragma: no cover


def test_a_disconnect_the_app_raises_after_an_explicit_close_is_raised_on_exit() -> None:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await websocket.send_text(await websocket.receive_text())

    app = Starlette(routes=[WebSocketRoute("/ws", endpoint)])
    with (
        pytest.raises(WebSocketDisconnect),
        TestClient(app).websocket_connect("/ws") as websocket,
    ):
        websocket.send_text("hi")
        assert websocket.receive_text() == "hi"
        websocket.close()


def test_leaving_the_session_raises_the_disconnect_the_app_lets_escape_as_in_starlette() -> None:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await websocket.send_json(await websocket.receive_json())

    app = Starlette(routes=[WebSocketRoute("/ws", endpoint)])
    with (
        pytest.raises(WebSocketDisconnect),
        TestClient(app).websocket_connect("/ws") as websocket,
    ):
        websocket.send_json({"a": 1})
        assert websocket.receive_json() == {"a": 1}


def test_json_response_round_trip_still_works_after_the_compat_fixes() -> None:
    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    assert TestClient(Starlette(routes=[Route("/", endpoint)])).get("/").json() == {"ok": True}
