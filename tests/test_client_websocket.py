"""WebSocket sessions: Starlette's API, with every wait bounded and app exit as an event."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
import starlette.websockets
from fastapi import FastAPI, WebSocket, WebSocketException
from starlette.responses import PlainTextResponse

from asgibdd import (
    AppTimeout,
    ExpectationFailed,
    TestClient,
    UsageError,
    WebSocketDenialResponse,
    WebSocketDisconnect,
)
from asgibdd._types import Receive, Scope, Send
from tests.conftest import Backend

app = FastAPI()


@app.websocket("/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "bye":
            await websocket.close(4001, "see you")
            return
        await websocket.send(
            {"type": "websocket.send", "text": message.get("text"), "bytes": message.get("bytes")}
        )


@app.websocket("/protocols")
async def protocols(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="chat.v2", headers=[(b"x-room", b"lobby")])
    await websocket.send_json({"offered": websocket.scope["subprotocols"]})
    await websocket.close()


@app.websocket("/refuse")
async def refuse(websocket: WebSocket) -> None:
    await websocket.close(4003, "nope")


@app.websocket("/policy")
async def policy(websocket: WebSocket) -> None:
    raise WebSocketException(1008, "policy")


@app.websocket("/deny")
async def deny(websocket: WebSocket) -> None:
    await websocket.send_denial_response(
        PlainTextResponse("go away", status_code=401, headers={"x-why": "token"})
    )


@app.websocket("/headers")
async def headers(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(
        {"token": websocket.headers.get("x-token"), "cookie": websocket.cookies.get("c")}
    )
    await websocket.close()


@app.websocket("/silent")
async def silent(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.receive()


async def return_before_accept(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()


async def return_after_accept(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "last words"})


async def raise_after_accept(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "queued"})
    raise RuntimeError("crashed after accept")


async def raise_before_accept(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("crashed before accept")


def test_text_bytes_and_json_are_echoed(backend: Backend) -> None:
    with TestClient(app, backend=backend).websocket_connect("/echo") as websocket:
        websocket.send_text("hello")
        assert websocket.receive_text() == "hello"
        websocket.send_bytes(b"\x00\x01")
        assert websocket.receive_bytes() == b"\x00\x01"
        websocket.send_json({"é": [1, 2]})
        assert websocket.receive_json() == {"é": [1, 2]}
        websocket.send_json({"mode": "binary"}, mode="binary")
        assert websocket.receive_json(mode="binary") == {"mode": "binary"}


def test_send_json_is_compact_and_keeps_non_ascii() -> None:
    with TestClient(app).websocket_connect("/echo") as websocket:
        websocket.send_json({"a": "é", "b": [1]})
        assert websocket.receive_text() == '{"a":"é","b":[1]}'


def test_sessions_work_inside_with_on_the_clients_loop(backend: Backend) -> None:
    with TestClient(app, backend=backend) as client, client.websocket_connect("/echo") as ws:
        ws.send_text("inside")
        assert ws.receive_text() == "inside"
        assert client.get("/nothing").status_code == 404


def test_the_app_closing_raises_websocket_disconnect_with_code_and_reason(backend: Backend) -> None:
    with TestClient(app, backend=backend).websocket_connect("/echo") as websocket:
        websocket.send_text("bye")
        with pytest.raises(WebSocketDisconnect) as caught:
            websocket.receive_text()
    assert (caught.value.code, caught.value.reason) == (4001, "see you")


def test_the_raw_receive_returns_the_close_message() -> None:
    with TestClient(app).websocket_connect("/echo") as websocket:
        websocket.send_text("bye")
        assert websocket.receive() == {"type": "websocket.close", "code": 4001, "reason": "see you"}


def test_subprotocol_and_accept_headers_are_exposed(backend: Backend) -> None:
    client = TestClient(app, backend=backend)
    with client.websocket_connect("/protocols", subprotocols=["chat.v1", "chat.v2"]) as ws:
        assert ws.accepted_subprotocol == "chat.v2"
        assert ws.extra_headers == [(b"x-room", b"lobby")]
        assert ws.receive_json() == {"offered": ["chat.v1", "chat.v2"]}


def test_headers_and_cookies_reach_the_handshake() -> None:
    client = TestClient(app, cookies={"c": "from-jar"})
    with client.websocket_connect("/headers", headers={"X-Token": "abc"}) as websocket:
        assert websocket.receive_json() == {"token": "abc", "cookie": "from-jar"}


@pytest.mark.parametrize(
    ("path", "code", "reason"), [("/refuse", 4003, "nope"), ("/policy", 1008, "policy")]
)
def test_close_before_accept_raises_websocket_disconnect(
    backend: Backend, path: str, code: int, reason: str
) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as caught,
        TestClient(app, backend=backend).websocket_connect(path),
    ):
        pytest.fail("the session must not open")
    assert (caught.value.code, caught.value.reason) == (code, reason)


def test_a_missing_route_closes_with_1000() -> None:
    with pytest.raises(WebSocketDisconnect) as caught, TestClient(app).websocket_connect("/no"):
        pass
    assert caught.value.code == 1000


def test_a_denial_response_carries_status_headers_and_body(backend: Backend) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as caught,
        TestClient(app, backend=backend).websocket_connect("/deny"),
    ):
        pass
    denial = caught.value
    assert (denial.status_code, denial.text, denial.headers["x-why"]) == (401, "go away", "token")
    assert (denial.code, denial.reason) == (1006, "denied with HTTP 401")
    assert str(denial) == "WebSocket connection denied with HTTP 401: go away"
    assert isinstance(denial, WebSocketDisconnect)


def test_an_app_that_returns_without_accepting_is_denied_with_403_not_a_hang(
    backend: Backend,
) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as caught,
        TestClient(return_before_accept, backend=backend, wait_timeout=60).websocket_connect("/"),
    ):
        pass
    assert caught.value.status_code == 403
    assert caught.value.text == (
        "The app returned without accepting or closing the WebSocket connection."
    )


def test_an_app_that_returns_after_accept_makes_receive_raise_not_hang(backend: Backend) -> None:
    with TestClient(return_after_accept, backend=backend).websocket_connect("/") as websocket:
        assert websocket.receive_text() == "last words"
        with pytest.raises(WebSocketDisconnect) as caught:
            websocket.receive_text()
        assert (caught.value.code, caught.value.reason) == (
            1006,
            "The app returned without closing the WebSocket connection.",
        )
        with pytest.raises(WebSocketDisconnect):
            websocket.receive()


def test_an_error_after_accept_keeps_queued_messages_then_raises_the_apps_error(
    backend: Backend,
) -> None:
    client = TestClient(raise_after_accept, backend=backend)
    with (
        pytest.raises(RuntimeError, match="crashed after accept"),
        client.websocket_connect("/") as websocket,
    ):
        assert websocket.receive_text() == "queued"
        websocket.receive_text()


def test_an_app_error_raised_by_receive_is_not_raised_again_on_exit() -> None:
    client = TestClient(raise_after_accept)
    with client.websocket_connect("/") as websocket:
        assert websocket.receive_text() == "queued"
        with pytest.raises(RuntimeError, match="crashed after accept"):
            websocket.receive_text()


def test_an_error_before_accept_is_raised_from_connect(backend: Backend) -> None:
    with (
        pytest.raises(RuntimeError, match="crashed before accept"),
        TestClient(raise_before_accept, backend=backend).websocket_connect("/"),
    ):
        pass


def test_a_receive_timeout_names_what_was_awaited(backend: Backend) -> None:
    client = TestClient(app, backend=backend)
    with client.websocket_connect("/silent") as websocket, pytest.raises(AppTimeout) as caught:
        websocket.receive_text(timeout=0.05)
    assert str(caught.value) == (
        "No message from the WebSocket /silent within 0.05 s; it has sent no message since "
        "accepting. Pass receive_*(timeout=...) or TestClient(app, wait_timeout=...) to wait "
        "longer."
    )
    assert isinstance(caught.value, TimeoutError)


def test_the_timeout_message_tells_the_last_message_received() -> None:
    with TestClient(app, wait_timeout=0.05).websocket_connect("/echo") as websocket:
        websocket.send_text("ping")
        assert websocket.receive_text() == "ping"
        with pytest.raises(AppTimeout) as caught:
            websocket.receive_text()
    assert str(caught.value) == (
        "No message from the WebSocket /echo within 0.05 s; it has sent 1 message(s), the "
        "last one text 'ping'. Pass receive_*(timeout=...) or TestClient(app, "
        "wait_timeout=...) to wait longer."
    )


def test_an_app_that_never_accepts_times_out_with_a_hint(backend: Backend) -> None:
    async def never_accepts(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await anyio.sleep_forever()

    client = TestClient(never_accepts, backend=backend, wait_timeout=0.05)
    with pytest.raises(AppTimeout) as caught, client.websocket_connect("/slow"):
        pass
    assert str(caught.value) == (
        "The app neither accepted nor closed the WebSocket /slow within 0.05 s. Did it forget "
        'to call accept() (send "websocket.accept")? Raise the limit with TestClient(app, '
        "wait_timeout=...) if it is slow on purpose."
    )


def test_receive_nothing_passes_on_silence_and_fails_on_a_message(backend: Backend) -> None:
    with TestClient(app, backend=backend).websocket_connect("/echo") as websocket:
        websocket.receive_nothing(timeout=0.02)
        websocket.send_text("surprise")
        with pytest.raises(ExpectationFailed) as caught:
            websocket.receive_nothing(timeout=30)
    assert str(caught.value) == (
        "Expected no message from the WebSocket /echo within 30 s, got text 'surprise'."
    )


def test_receiving_the_wrong_kind_of_message_is_an_expectation_failure() -> None:
    with TestClient(app).websocket_connect("/echo") as websocket:
        websocket.send_bytes(b"raw")
        with pytest.raises(ExpectationFailed) as caught:
            websocket.receive_text()
    assert str(caught.value) == (
        "Expected a text message from the WebSocket /echo, got bytes b'raw'."
    )


def test_exceptions_are_starlettes_websocket_disconnect_when_starlette_is_loaded() -> None:
    client = TestClient(app)
    with (
        pytest.raises(starlette.websockets.WebSocketDisconnect) as caught,
        client.websocket_connect("/refuse"),
    ):
        pass
    assert isinstance(caught.value, WebSocketDisconnect)
    with pytest.raises(starlette.websockets.WebSocketDisconnect), client.websocket_connect("/deny"):
        pass


def test_the_app_sees_a_disconnect_when_the_with_block_ends(backend: Backend) -> None:
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        seen.append(await receive())

    with TestClient(app, backend=backend).websocket_connect("/"):
        pass
    assert seen == [{"type": "websocket.disconnect", "code": 1000, "reason": None}]


def test_close_sends_the_code_and_reason_to_the_app() -> None:
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        seen.append(await receive())

    with TestClient(app).websocket_connect("/") as websocket:
        websocket.close(4000, "done")
    assert seen == [{"type": "websocket.disconnect", "code": 4000, "reason": "done"}]


def test_a_blocked_receive_does_not_block_the_apps_other_tasks(backend: Backend) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})

        async def wait_for_a_message() -> None:
            await receive()

        async with anyio.create_task_group() as group:
            group.start_soon(wait_for_a_message)
            await send({"type": "websocket.send", "text": "sibling ran"})
            group.cancel_scope.cancel()

    with TestClient(app, backend=backend).websocket_connect("/") as websocket:
        assert websocket.receive_text() == "sibling ran"


def test_using_a_session_after_with_says_it_is_closed() -> None:
    with TestClient(app).websocket_connect("/echo") as websocket:
        pass
    with pytest.raises(UsageError) as caught:
        websocket.send_text("x")
    assert str(caught.value) == (
        "The WebSocket session is closed; open a new one with client.websocket_connect()."
    )


def test_reading_a_never_opened_session_says_how_to_open_it() -> None:
    session = TestClient(app).websocket_connect("/echo")
    with pytest.raises(UsageError) as caught:
        _ = session.accepted_subprotocol
    assert str(caught.value) == NOT_OPEN


NOT_OPEN = (
    "The WebSocket session is not open: use it as "
    "`with client.websocket_connect(url) as websocket:`."
)


def test_sending_on_a_never_opened_session_says_how_to_open_it() -> None:
    session = TestClient(app).websocket_connect("/echo")
    with pytest.raises(UsageError) as caught:
        session.send_text("x")
    assert str(caught.value) == NOT_OPEN
