"""A websocket session with a deployed service, on httpx-ws, with the in-process API.

httpx-ws (the `live` extra) speaks the protocol over the same httpx client as the HTTP
requests, so the handshake carries the scenario's cookies, headers and auth and goes
through the same TLS verification, proxy and timeouts. Messages are handed to the steps
as the ASGI messages the in-process session returns (`{"type": "websocket.send", ...}`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import secrets
import socket
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import httpx

from asgibdd._types import Message
from asgibdd.client._live_body import LiveBody, network_errors
from asgibdd.client._testclient import WebSocketTestSession
from asgibdd.client._websocket import DEFAULT, denial, disconnect, raise_disconnect
from asgibdd.errors import AppTimeout, ConfigError, ExpectationFailed, UsageError

if TYPE_CHECKING:
    import httpx_ws

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover
    from typing_extensions import Self

__all__ = ["LiveWebSocketSession"]


# httpx-ws up to 0.9 raised queue.Empty when a receive timed out; 0.10 raises TimeoutError.
_NOTHING_RECEIVED = (queue.Empty, TimeoutError)


def _httpx_ws() -> Any:
    try:
        import httpx_ws
    except ImportError:
        raise ConfigError(
            "Websockets against a live service need httpx-ws: pip install 'asgibdd[live]'."
        ) from None
    return httpx_ws


def _http_url(base_url: httpx.URL, url: str | httpx.URL) -> httpx.URL:
    """`url` joined against `base_url`, with ws:// and wss:// spelled as http(s)://."""
    target = httpx.URL(url)
    if target.is_relative_url:
        raw = base_url.raw_path + target.raw_path.lstrip(b"/")
        target = base_url.copy_with(raw_path=raw)
    scheme = {"ws": "http", "wss": "https"}.get(target.scheme, target.scheme)
    return target.copy_with(scheme=scheme)


class LiveWebSocketSession(WebSocketTestSession):
    """A websocket session with a service over the network; opened with `with`.

    Every `receive*` waits at most `timeout` seconds (default: the client's
    `wait_timeout`), and raises `AppTimeout` after that, as in-process.
    """

    def __init__(
        self,
        client: httpx.Client,
        url: str,
        subprotocols: Sequence[str] | None,
        options: dict[str, Any],
    ) -> None:
        self._client = client
        self._timeout: float | None = getattr(client, "wait_timeout", None)
        self._target = _http_url(client.base_url, url)
        self.path = self._target.path
        self._subprotocols = [subprotocols] if isinstance(subprotocols, str) else subprotocols
        self._options = dict(options)
        self._response: httpx.Response | None = None
        self._websocket: httpx_ws.WebSocketSession | None = None
        self._closed_message: Message | None = None

    @property
    def app(self) -> Any:
        raise UsageError("A live websocket session has no app object: it runs elsewhere.")

    @property
    def portal(self) -> None:
        return None

    @property
    def scope(self) -> Any:
        raise UsageError("A live websocket session has no ASGI scope: the service has it.")

    @property
    def accepted_subprotocol(self) -> str | None:
        return self._open_session().subprotocol

    @property
    def extra_headers(self) -> list[tuple[bytes, bytes]] | None:
        response = self._response
        return None if response is None else list(response.headers.raw)

    def _open_session(self) -> httpx_ws.WebSocketSession:
        if self._websocket is None:
            raise RuntimeError(
                "The WebSocket session is not open: use it as "
                "`with client.websocket_connect(url) as websocket:`."
            )
        return self._websocket

    def __enter__(self) -> Self:
        httpx_ws = _httpx_ws()
        options = dict(self._options)
        auth = options.pop("auth", httpx.USE_CLIENT_DEFAULT)
        headers = httpx.Headers(options.pop("headers", None))
        headers["connection"] = "upgrade"
        headers["upgrade"] = "websocket"
        headers["sec-websocket-key"] = base64.b64encode(secrets.token_bytes(16)).decode()
        headers["sec-websocket-version"] = "13"
        if self._subprotocols is not None:
            headers["sec-websocket-protocol"] = ", ".join(self._subprotocols)
        request = self._client.build_request("GET", self._target, headers=headers, **options)
        with network_errors(request, self._timeout, getattr(self._client, "proxy", None)):
            # httpx's own send: the live client's would start reading the body.
            response = httpx.Client.send(
                self._client, request, stream=True, auth=auth, follow_redirects=False
            )
        if response.status_code != 101:
            body = LiveBody(response, self._timeout)
            try:
                content = body.read_all(self._timeout)
            finally:
                body.close()
            raise denial(response.status_code, list(response.headers.raw), content)
        self._response = response
        session = httpx_ws.WebSocketSession(
            response.extensions["network_stream"],
            # No pings of our own: a scenario's session is short, and a thread fewer.
            keepalive_ping_interval_seconds=None,
            response=response,
        )
        self._websocket = session.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        websocket, self._websocket = self._websocket, None
        response, self._response = self._response, None
        try:
            if websocket is not None:
                self._close_handshake(websocket, 1000, None)
                websocket.__exit__(None, None, None)  # type: ignore[no-untyped-call]
        finally:
            if response is not None:
                response.close()

    def _close_handshake(
        self, websocket: httpx_ws.WebSocketSession, code: int, reason: str | None
    ) -> None:
        """Send our close frame and wait, bounded, for the service's answer.

        httpx-ws closes the socket as soon as it has sent its close frame, while its reader
        thread may still be inside a read of that socket; with TLS that read can go on with
        the socket's number after it was reused by the next connection, and corrupt it.
        Once the service's close has arrived, no read is in flight. If it does not arrive
        in time, shutting the socket down ends the read instead.
        """
        import wsproto.connection
        import wsproto.events

        httpx_ws = _httpx_ws()
        state = websocket.connection.state
        if state is wsproto.connection.ConnectionState.OPEN:
            with contextlib.suppress(httpx_ws.WebSocketNetworkError):
                websocket.send(wsproto.events.CloseConnection(code, reason))
        elif state is not wsproto.connection.ConnectionState.LOCAL_CLOSING:
            return  # the service closed first: its reader has stopped already
        bound = 5.0 if self._timeout is None else self._timeout
        deadline = time.monotonic() + bound
        while (left := deadline - time.monotonic()) > 0:
            try:
                websocket.receive(timeout=left)  # messages sent before its close: dropped
            except _NOTHING_RECEIVED:
                break
            except httpx_ws.HTTPXWSException:
                return  # its close (or the end of the connection) arrived
        raw = websocket.stream.get_extra_info("socket")
        if isinstance(raw, socket.socket):
            with contextlib.suppress(OSError):
                raw.shutdown(socket.SHUT_RDWR)

    def send(self, message: Message) -> None:
        """Send an ASGI message as the app would receive it (`websocket.receive` with text
        or bytes, or `websocket.disconnect` with a code)."""
        kind = message.get("type")
        if kind == "websocket.disconnect":
            self.close(int(message.get("code", 1000)), message.get("reason"))
            return
        if kind != "websocket.receive":
            raise UsageError(
                'A websocket message to send has the type "websocket.receive" (text or bytes) '
                f'or "websocket.disconnect", got {kind!r}.'
            )
        session = self._live()
        if message.get("text") is not None:
            session.send_text(str(message["text"]))
        else:
            session.send_bytes(bytes(message.get("bytes") or b""))

    def _live(self) -> httpx_ws.WebSocketSession:
        if self._websocket is None:
            raise RuntimeError(
                "The WebSocket session is closed; open a new one with client.websocket_connect()."
            )
        return self._websocket

    def send_text(self, data: str) -> None:
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self.send({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            self.send_text(text)
        else:
            self.send_bytes(text.encode("utf-8"))

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the connection with `code`, waiting (bounded) for the service's answer."""
        self._close_handshake(self._live(), code, reason)

    def receive(self, timeout: float | None = DEFAULT) -> Message:
        """The next message the service sent (a close message is returned, not raised)."""
        httpx_ws = _httpx_ws()
        if self._closed_message is not None:
            raise disconnect(1000, "The service had already closed the connection.")
        bound = self._timeout if timeout is DEFAULT else timeout
        try:
            event = self._live().receive(timeout=bound)
        except _NOTHING_RECEIVED:
            raise AppTimeout(
                f"No message from the WebSocket {self.path} within {bound} s. Pass "
                "receive_*(timeout=...) or LiveClient(base_url, wait_timeout=...) to wait longer."
            ) from None
        except httpx_ws.WebSocketDisconnect as closed:
            self._closed_message = {
                "type": "websocket.close",
                "code": closed.code,
                "reason": closed.reason,
            }
            return self._closed_message
        except httpx_ws.WebSocketNetworkError:
            self._closed_message = {
                "type": "websocket.close",
                "code": 1006,
                "reason": "the connection to the service broke",
            }
            return self._closed_message
        data = getattr(event, "data", None)
        if isinstance(data, str):
            return {"type": "websocket.send", "text": data}
        if isinstance(data, (bytes, bytearray)):
            return {"type": "websocket.send", "bytes": bytes(data)}
        raise ExpectationFailed(
            f"Expected a message from the WebSocket {self.path}, got {type(event).__name__}."
        )

    def _payload(self, timeout: float | None, key: str) -> Any:
        message = self.receive(timeout)
        raise_disconnect(message)
        if message.get(key) is None:
            wanted = "text" if key == "text" else "binary"
            raise ExpectationFailed(f"Expected a {wanted} message from the WebSocket {self.path}.")
        return message[key]

    def receive_text(self, timeout: float | None = DEFAULT) -> str:
        return str(self._payload(timeout, "text"))

    def receive_bytes(self, timeout: float | None = DEFAULT) -> bytes:
        return bytes(self._payload(timeout, "bytes"))

    def receive_json(
        self, mode: Literal["text", "binary"] = "text", timeout: float | None = DEFAULT
    ) -> Any:
        if mode == "text":
            return json.loads(self.receive_text(timeout))
        return json.loads(self.receive_bytes(timeout).decode("utf-8"))

    def receive_nothing(self, timeout: float = 0.1) -> None:
        """Assert that the service sends nothing within `timeout` seconds."""
        try:
            message = self.receive(timeout)
        except AppTimeout:
            return
        raise ExpectationFailed(
            f"Expected no message from the WebSocket {self.path} within {timeout} s, got {message}."
        )
