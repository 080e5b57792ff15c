"""WebSocket sessions: the async core (`AsyncWebSocketSession`) and its outcomes.

Every wait is bounded: connecting (did the app accept?) and every receive take a timeout,
defaulting to the client's `wait_timeout`. When the app's task ends, that is itself an
event: messages it sent stay receivable, then the next receive raises the app's own error
or `WebSocketDisconnect(1006)` - never a hang, never an internal anyio error.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Literal

import anyio
import anyio.abc
import httpx

from asgibdd._types import Message, Scope
from asgibdd.client._app import describe
from asgibdd.client._mailbox import Mailbox
from asgibdd.client._settings import ClientCore
from asgibdd.errors import AppTimeout, ASGIProtocolError, ExpectationFailed

__all__ = [
    "DEFAULT",
    "AsyncWebSocketSession",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "raise_disconnect",
]

#: How long an app may take to finish after the client disconnected, before it is cancelled.
CLOSE_GRACE_SECONDS = 0.1


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


#: Marks "use the session's default timeout" in `receive*(timeout=...)`.
DEFAULT: Any = _Default()


class WebSocketDisconnect(Exception):
    """The WebSocket was closed (by the app, or before it was accepted).

    When Starlette is loaded, the instances raised are also instances of
    `starlette.websockets.WebSocketDisconnect` (and so of FastAPI's), so existing
    `pytest.raises(...)` blocks keep working.
    """

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        super().__init__(code, reason or "")
        self.code = code
        self.reason = reason or ""

    def __str__(self) -> str:
        text = f"WebSocket closed with code {self.code}"
        return f"{text}: {self.reason}" if self.reason else text


class WebSocketDenialResponse(httpx.Response, WebSocketDisconnect):  # type: ignore[misc]
    """The app refused the handshake with an HTTP response (the denial-response extension).

    It is an `httpx.Response` (`status_code`, `headers`, `content`, `text`, `json()`) and a
    `WebSocketDisconnect` with code 1006 (the connection never opened).
    """

    def __init__(self, status_code: int, headers: list[tuple[bytes, bytes]], content: bytes):
        httpx.Response.__init__(self, status_code, headers=headers, content=content)
        self.code = 1006
        self.reason = f"denied with HTTP {status_code}"
        self.args = (status_code,)

    def __str__(self) -> str:
        body = self.content[:200].decode("utf-8", "replace")
        suffix = f": {body}" if body else ""
        return f"WebSocket connection denied with HTTP {self.status_code}{suffix}"


_flavoured: dict[tuple[type, type], type] = {}


def _with_starlette_base(ours: type, module: str, name: str) -> type:
    """`ours`, or a subclass that is also Starlette's class when Starlette is loaded."""
    loaded = sys.modules.get(module)
    theirs = getattr(loaded, name, None) if loaded is not None else None
    if not isinstance(theirs, type) or issubclass(ours, theirs):
        return ours
    key = (ours, theirs)
    if key not in _flavoured:
        _flavoured[key] = type(ours.__name__, (ours, theirs), {"__module__": ours.__module__})
    return _flavoured[key]


def disconnect(code: int = 1000, reason: str | None = None) -> WebSocketDisconnect:
    cls = _with_starlette_base(WebSocketDisconnect, "starlette.websockets", "WebSocketDisconnect")
    return cls(code, reason)  # type: ignore[no-any-return]


def denial(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Exception:
    cls: type = WebSocketDenialResponse
    if "starlette.testclient" in sys.modules:
        cls = _with_starlette_base(cls, "starlette.testclient", "WebSocketDenialResponse")
    else:
        cls = _with_starlette_base(cls, "starlette.websockets", "WebSocketDisconnect")
    return cls(status, headers, body)  # type: ignore[no-any-return]


def raise_disconnect(message: Message) -> None:
    """Raise `WebSocketDisconnect` when `message` is the app closing the connection."""
    if message["type"] == "websocket.close":
        raise disconnect(message.get("code", 1000), message.get("reason"))


def _limit(timeout: float | None) -> float:
    return math.inf if timeout is None else timeout


# The app's side of the connection, as a state machine: (state, message type) -> next state.
_CONNECTING = "connecting (not accepted yet)"
_OPEN = "open"
_DENYING = "sending a denial response"
_CLOSED = "closed"

_NEXT_STATE = {
    (_CONNECTING, "websocket.accept"): _OPEN,
    (_CONNECTING, "websocket.close"): _CLOSED,
    (_CONNECTING, "websocket.http.response.start"): _DENYING,
    (_OPEN, "websocket.send"): _OPEN,
    (_OPEN, "websocket.close"): _CLOSED,
    (_DENYING, "websocket.http.response.body"): _DENYING,
}

_RULES = {
    _CONNECTING: (
        'before accepting, an app sends "websocket.accept", "websocket.close" or a denial '
        'response ("websocket.http.response.start")'
    ),
    _OPEN: 'an accepted connection takes "websocket.send" and "websocket.close" only',
    _DENYING: (
        'a started denial response takes "websocket.http.response.body" messages only, until '
        "one has more_body False"
    ),
    _CLOSED: "a closed connection takes no more messages",
}


class AsyncWebSocketSession:
    """An open (or opening) WebSocket connection to the app, used from async code."""

    def __init__(self, core: ClientCore, scope: Scope, *, path: str) -> None:
        self.app = core.app
        self.scope = scope
        self.wait_timeout = core.wait_timeout
        self.path = path
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] | None = None
        self.error: BaseException | None = None
        self._error_raised = False
        self._to_app: Mailbox[Message] = Mailbox()
        self._from_app: Mailbox[Message | None] = Mailbox()
        self._received_count = 0
        self._last_received: Message | None = None
        self._app_ended = False
        self._state = _CONNECTING
        self._client_closed = False
        self._done = anyio.Event()
        self._cancel_scope: anyio.CancelScope | None = None

    # -- the app's side -------------------------------------------------------------------

    async def _app_receive(self) -> Message:
        return await self._to_app.get()

    async def _app_send(self, message: Message) -> None:
        kind = message.get("type") if isinstance(message, dict) else None
        if kind not in (
            "websocket.accept",
            "websocket.send",
            "websocket.close",
            "websocket.http.response.start",
            "websocket.http.response.body",
        ):
            hint = ""
            if isinstance(kind, str) and kind.startswith("http."):
                hint = (
                    f" The route {self.path} seems to answer plain HTTP only: connect to a "
                    "WebSocket route, or request this one with client.get()."
                )
            raise ASGIProtocolError(
                f"The app sent {describe(message)} on a WebSocket connection; expected "
                '"websocket.accept", "websocket.send", "websocket.close" or a denial response '
                f'("websocket.http.response.start"/"...body").{hint}'
            )
        state = _NEXT_STATE.get((self._state, kind))
        if state is None and self._state == _CLOSED:
            raise ASGIProtocolError(
                f'The app sent "{kind}" after close: the WebSocket {self.path} was already '
                f"closed, and {_RULES[_CLOSED]}."
            )
        if state is None:
            raise ASGIProtocolError(
                f'The app sent "{kind}" while the WebSocket {self.path} was {self._state}: '
                f"{_RULES[self._state]}."
            )
        if kind == "websocket.close" or (
            kind == "websocket.http.response.body" and not message.get("more_body", False)
        ):
            state = _CLOSED
        self._state = state
        self._from_app.put(message)

    async def _run(self) -> None:
        try:
            with anyio.CancelScope() as self._cancel_scope:
                await self.app(self.scope, self._app_receive, self._app_send)
        except Exception as exc:
            # Raised by the next receive or on leaving the session - a WebSocketDisconnect
            # the app lets escape included, as Starlette does (FastAPI's tests rely on it).
            self.error = exc
        finally:
            self._app_ended = True
            self._from_app.put(None)
            self._done.set()

    # -- opening --------------------------------------------------------------------------

    async def connect(self, task_group: anyio.abc.TaskGroup) -> None:
        """Start the app, offer the connection, and wait for it to accept or refuse."""
        task_group.start_soon(self._run)
        self._to_app.put({"type": "websocket.connect"})
        message = await self._first_message()
        if message is None:
            if self.error is not None:
                raise self.error
            # ASGI: an app that ends without accepting is answered with HTTP 403.
            raise denial(
                403,
                [(b"content-type", b"text/plain; charset=utf-8")],
                b"The app returned without accepting or closing the WebSocket connection.",
            )
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted_subprotocol = message.get("subprotocol")
            self.extra_headers = message.get("headers")
            return
        if kind == "websocket.close":
            raise disconnect(message.get("code", 1000), message.get("reason"))
        if kind == "websocket.http.response.start":
            await self._raise_denial(message)
        raise ASGIProtocolError(
            f"Before accepting the WebSocket {self.path} the app sent {describe(message)}; "
            'expected "websocket.accept", "websocket.close" or "websocket.http.response.start".'
        )

    async def _first_message(self) -> Message | None:
        with anyio.move_on_after(_limit(self.wait_timeout)):
            return await self._from_app.get()
        await self.aclose()
        raise AppTimeout(
            f"The app neither accepted nor closed the WebSocket {self.path} within "
            f'{self.wait_timeout} s. Did it forget to call accept() (send "websocket.accept")? '
            "Raise the limit with TestClient(app, wait_timeout=...) if it is slow on purpose."
        )

    async def _raise_denial(self, start: Message) -> None:
        body = bytearray()
        while True:
            message = await self._next_denial_message(len(body))
            if message is None:
                if self.error is not None:
                    raise self.error
                break
            if message["type"] != "websocket.http.response.body":
                raise ASGIProtocolError(
                    f"In a WebSocket denial response the app sent {describe(message)}; "
                    'expected "websocket.http.response.body".'
                )
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        raise denial(start.get("status", 403), list(start.get("headers", [])), bytes(body))

    async def _next_denial_message(self, received: int) -> Message | None:
        with anyio.move_on_after(_limit(self.wait_timeout)):
            return await self._from_app.get()
        raise AppTimeout(
            f"The app started a denial response to the WebSocket {self.path} but did not "
            f"finish its body within {self.wait_timeout} s ({received} bytes received). Raise "
            "the limit with TestClient(app, wait_timeout=...) if it is slow on purpose.",
            received=received,
        )

    # -- talking --------------------------------------------------------------------------

    async def send(self, message: Message) -> None:
        """Send a raw ASGI message to the app (e.g. `{"type": "websocket.receive", ...}`)."""
        if message.get("type") == "websocket.disconnect":
            self._client_closed = True
        self._to_app.put(message)

    async def send_text(self, data: str) -> None:
        await self.send({"type": "websocket.receive", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        await self.send({"type": "websocket.receive", "bytes": data})

    async def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            await self.send_text(text)
        else:
            await self.send_bytes(text.encode("utf-8"))

    async def receive(self, timeout: float | None = DEFAULT) -> Message:
        """The next message the app sent (a close message is returned, not raised)."""
        timeout = self.wait_timeout if timeout is DEFAULT else timeout
        with anyio.move_on_after(_limit(timeout)):
            message = await self._from_app.get()
            if message is None:
                self._from_app.put(None)  # later receives end the same way
                if self.error is not None:
                    self._error_raised = True
                    raise self.error
                if self._state == _CLOSED:
                    raise disconnect(1000, "The app had already closed the connection.")
                raise disconnect(1006, "The app returned without closing the WebSocket connection.")
            self._received_count += 1
            self._last_received = message
            return message
        raise AppTimeout(self._timeout_message(timeout))

    def _timeout_message(self, timeout: float | None) -> str:
        if self._last_received is None:
            history = "it has sent no message since accepting"
        else:
            history = (
                f"it has sent {self._received_count} message(s), the last one "
                f"{_summary(self._last_received)}"
            )
        return (
            f"No message from the WebSocket {self.path} within {timeout} s; {history}. "
            "Pass receive_*(timeout=...) or TestClient(app, wait_timeout=...) to wait longer."
        )

    async def receive_text(self, timeout: float | None = DEFAULT) -> str:
        message = await self.receive(timeout)
        raise_disconnect(message)
        return str(_payload(message, "text", self.path))

    async def receive_bytes(self, timeout: float | None = DEFAULT) -> bytes:
        message = await self.receive(timeout)
        raise_disconnect(message)
        return bytes(_payload(message, "bytes", self.path))

    async def receive_json(
        self, mode: Literal["text", "binary"] = "text", timeout: float | None = DEFAULT
    ) -> Any:
        message = await self.receive(timeout)
        raise_disconnect(message)
        if mode == "text":
            return json.loads(_payload(message, "text", self.path))
        return json.loads(bytes(_payload(message, "bytes", self.path)).decode("utf-8"))

    async def receive_nothing(self, timeout: float = 0.1) -> None:
        """Assert that the app sends nothing within `timeout` seconds."""
        with anyio.move_on_after(timeout):
            message = await self._from_app.get()
            if message is None:
                self._from_app.put(None)
                return
            self._received_count += 1
            self._last_received = message
            raise ExpectationFailed(
                f"Expected no message from the WebSocket {self.path} within {timeout} s, "
                f"got {_summary(message)}."
            )

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Tell the app the client closed the connection."""
        await self.send({"type": "websocket.disconnect", "code": code, "reason": reason})

    async def abort(self) -> None:
        """The client is closing: end the session as `aclose` does."""
        await self.aclose()

    async def aclose(self) -> None:
        """End the session: disconnect, give the app a moment to finish, then cancel it."""
        if not self._app_ended:
            if not self._client_closed:
                await self.close(1000)
            with anyio.move_on_after(CLOSE_GRACE_SECONDS):
                await self._done.wait()
            if self._cancel_scope is not None:
                self._cancel_scope.cancel()
            await self._done.wait()
        if self.error is not None and not self._error_raised:
            self._error_raised = True
            raise self.error


def _payload(message: Message, key: str, path: str) -> Any:
    if message.get("type") != "websocket.send" or message.get(key) is None:
        wanted = "text" if key == "text" else "binary"
        raise ExpectationFailed(
            f"Expected a {wanted} message from the WebSocket {path}, got {_summary(message)}."
        )
    return message[key]


def _summary(message: Message) -> str:
    if message.get("type") == "websocket.send":
        if message.get("text") is not None:
            text = str(message["text"])
            return f"text {text[:200]!r}" + ("..." if len(text) > 200 else "")
        data = bytes(message.get("bytes") or b"")
        return f"bytes {data[:100]!r}" + ("..." if len(data) > 100 else "")
    if message.get("type") == "websocket.close":
        return f"close with code {message.get('code', 1000)} {message.get('reason') or ''}".strip()
    return describe(dict(message))
