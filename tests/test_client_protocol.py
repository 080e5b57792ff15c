"""The app's messages are checked against the ASGI contract, as servers check them: a
broken rule is an ASGIProtocolError naming the rule, the message and the state."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from asgibdd import AppTimeout, ASGIProtocolError, TestClient, WebSocketDisconnect
from asgibdd._types import Message, Receive, Scope, Send
from tests.conftest import Backend


def _websocket_app(*messages: Message) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        for message in messages:
            await send(message)
        await receive()

    return app


ACCEPT: Message = {"type": "websocket.accept"}
CLOSE: Message = {"type": "websocket.close", "code": 1000}
HELLO: Message = {"type": "websocket.send", "text": "hello"}


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        (
            [ACCEPT, CLOSE, CLOSE],
            'The app sent "websocket.close" after close: the WebSocket /ws was already '
            "closed, and a closed connection takes no more messages.",
        ),
        (
            [ACCEPT, CLOSE, HELLO],
            'The app sent "websocket.send" after close: the WebSocket /ws was already '
            "closed, and a closed connection takes no more messages.",
        ),
        (
            [ACCEPT, ACCEPT],
            'The app sent "websocket.accept" while the WebSocket /ws was open: an accepted '
            'connection takes "websocket.send" and "websocket.close" only.',
        ),
    ],
    ids=["close twice", "send after close", "accept twice"],
)
def test_websocket_messages_out_of_order_are_protocol_errors(
    backend: Backend, messages: list[Message], error: str
) -> None:
    client = TestClient(_websocket_app(*messages), backend=backend)
    with pytest.raises(ASGIProtocolError) as broken:  # noqa: SIM117 - the error comes on leaving
        with client.websocket_connect("/ws") as websocket:
            websocket.receive()  # what the app sent before breaking the rule still arrives
            if messages[1] is CLOSE:
                with pytest.raises(WebSocketDisconnect):
                    websocket.receive_text()
    assert str(broken.value) == error
    assert not isinstance(broken.value, AssertionError)


def test_a_message_before_accepting_is_a_protocol_error(backend: Backend) -> None:
    client = TestClient(_websocket_app(HELLO), backend=backend)
    with pytest.raises(ASGIProtocolError) as broken, client.websocket_connect("/ws"):
        pass  # pragma: no cover - the connection never opens
    assert str(broken.value) == (
        'The app sent "websocket.send" while the WebSocket /ws was connecting (not accepted '
        'yet): before accepting, an app sends "websocket.accept", "websocket.close" or a '
        'denial response ("websocket.http.response.start").'
    )


def _http_app(headers: list[tuple[bytes, bytes]], *bodies: bytes) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index, body in enumerate(bodies):
            more = index < len(bodies) - 1
            await send({"type": "http.response.body", "body": body, "more_body": more})

    return app


@pytest.mark.parametrize(
    ("headers", "bodies", "error"),
    [
        (
            [(b"content-length", b"10")],
            [b"hello"],
            "The response to GET /r declares Content-Length 10, but the app sent 5 bytes of "
            "body. Send exactly that many bytes, or leave Content-Length out.",
        ),
        (
            [(b"content-length", b"3")],
            [b"hel", b"lo", b"!"],
            "The response to GET /r declares Content-Length 3, but the app sent at least 5 "
            "bytes of body. Send exactly that many bytes, or leave Content-Length out.",
        ),
        (
            [(b"x bad", b"1")],
            [b""],
            "The app sent \"http.response.start\" with the invalid header name b'x bad': a "
            "header name is a non-empty token (letters, digits and !#$%&'*+-.^_`|~, no spaces "
            "or colons).",
        ),
        (
            [(b"x-split", b"a\r\nset-cookie: evil")],
            [b""],
            'The app sent "http.response.start" with an invalid value for the header '
            "b'x-split': b'a\\r\\nset-cookie: evil'; header values may not contain CR, LF or NUL.",
        ),
    ],
    ids=["body shorter", "body longer", "header name", "header value"],
)
def test_http_responses_are_checked_as_servers_check_them(
    backend: Backend, headers: list[tuple[bytes, bytes]], bodies: list[bytes], error: str
) -> None:
    with pytest.raises(ASGIProtocolError) as broken:
        TestClient(_http_app(headers, *bodies), backend=backend).get("/r")
    assert str(broken.value) == error


def test_a_head_response_may_declare_the_length_of_the_body_it_leaves_out() -> None:
    response = TestClient(_http_app([(b"content-length", b"5")], b"")).head("/r")
    assert response.headers["content-length"] == "5"


def test_a_denial_response_that_never_ends_is_bounded(backend: Backend) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.http.response.start", "status": 403, "headers": []})
        await send({"type": "websocket.http.response.body", "body": b"no", "more_body": True})
        await anyio.sleep_forever()

    client = TestClient(app, backend=backend, wait_timeout=0.2)
    with pytest.raises(AppTimeout) as waited, client.websocket_connect("/ws"):
        pass  # pragma: no cover - the connection is refused
    assert str(waited.value) == (
        "The app started a denial response to the WebSocket /ws but did not finish its body "
        "within 0.2 s (2 bytes received). Raise the limit with TestClient(app, "
        "wait_timeout=...) if it is slow on purpose."
    )
