"""`TestClient`: the synchronous, drop-in replacement for Starlette's TestClient."""

from __future__ import annotations

import contextlib
import sys
import weakref
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from anyio.from_thread import BlockingPortal

from asgibdd._types import Message
from asgibdd.client._eventsource import EventSource, sse_request_headers
from asgibdd.client._exchange import HTTPExchange
from asgibdd.client._host import AppHost
from asgibdd.client._portal import LoopThread, run_once
from asgibdd.client._scope import http_scope
from asgibdd.client._settings import (
    DEFAULT_WAIT_TIMEOUT,
    AsyncBackend,
    ClientCore,
    ClientSettings,
    build_core,
    check_backend,
    check_flag,
    check_http_options,
    merged_headers,
)
from asgibdd.client._streamed import ChunkReader
from asgibdd.client._transport import (
    HandshakeResponse,
    RequestOptions,
    build_response,
    handshake_request,
    open_stream,
    open_websocket,
    options_of,
    request_bound,
    run_complete,
    set_options,
    warn_timeout_argument,
    websocket_request_arguments,
)
from asgibdd.client._websocket import DEFAULT, AsyncWebSocketSession
from asgibdd.errors import UsageError

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover
    from typing_extensions import Self

__all__ = ["TestClient", "WebSocketTestSession"]

T = TypeVar("T")


class _Runner:
    """Where the sync client runs its async core.

    While the client is entered, everything runs in the entered client's loop thread.
    Outside `with`, a plain request gets a fresh event loop for its one call, and a stream
    or WebSocket session gets a loop thread of its own for as long as it is open.
    """

    def __init__(self, core: ClientCore, backend: AsyncBackend, reuse_loop: bool) -> None:
        self.core = core
        self.backend = backend
        self.reuse_loop = reuse_loop
        self.loops: list[LoopThread] = []
        self.streams: weakref.WeakSet[_StreamedBody] = weakref.WeakSet()

    def run(self, func: Any, *args: Any, bound: float | None, what: str) -> Any:
        if self.loops:
            return self.loops[-1].call(func, *args, bound=bound, what=what)
        return run_once(self.backend, func, *args)

    def loop_for_connection(self) -> tuple[LoopThread, bool]:
        """The loop a stream or WebSocket session lives in, and whether it is its own."""
        if self.loops:
            return self.loops[-1], False
        loop = LoopThread(
            AppHost(self.core, lifespan=False), self.backend, reuse_loop=self.reuse_loop
        )
        loop.start()
        return loop, True

    def enter(self) -> None:
        loop = LoopThread(
            AppHost(self.core, lifespan=True), self.backend, reuse_loop=self.reuse_loop
        )
        loop.start()
        self.loops.append(loop)

    def exit(self) -> None:
        if self.loops:
            self.loops.pop().stop()

    def abort_streams(self) -> None:
        for stream in list(self.streams):
            stream.abort()


class _StreamedBody(ChunkReader):
    """A response body read from the app chunk by chunk, as the app sends it."""

    def __init__(
        self, loop: LoopThread, exchange: HTTPExchange, owns_loop: bool, timeout: float | None
    ) -> None:
        self.read_timeout = timeout
        self._loop = loop
        self._exchange = exchange
        self._owns_loop = owns_loop
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self.read_chunk(self.read_timeout)) is not None:
            yield chunk

    def read_chunk(self, timeout: float | None) -> bytes | None:
        if self._closed or not self._loop.running:
            return None
        what = f"Reading the streamed response to {self._exchange.request_line}"
        return self._loop.call(self._exchange.next_chunk, timeout, bound=timeout, what=what)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self._loop.running:
                self._loop.call(self._close, bound=self.read_timeout, what=self._closing)
        finally:
            if self._owns_loop:
                self._loop.stop()

    @property
    def _closing(self) -> str:
        return f"Closing the streamed response to {self._exchange.request_line}"

    async def _close(self) -> None:
        self._loop.host.forget(self._exchange)
        await self._exchange.aclose()

    def abort(self) -> None:
        """The client is closing: cancel the app behind this stream, whatever it does."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._loop.running:
                self._loop.call(self._abort, bound=self.read_timeout, what=self._closing)
        finally:
            if self._owns_loop:
                self._loop.stop()

    async def _abort(self) -> None:
        self._loop.host.forget(self._exchange)
        await self._exchange.abort()


class _Transport(httpx.BaseTransport):
    def __init__(self, core: ClientCore, runner: _Runner) -> None:
        self._core = core
        self._runner = runner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme in ("ws", "wss"):
            return HandshakeResponse(request)
        core = self._core
        body = request.read()
        scope = http_scope(request, core.scope_settings)
        bound = request_bound(request, core)
        if not options_of(request).streamed:
            what = f"{request.method} {request.url.path}"
            exchange = self._runner.run(
                run_complete, core, scope, body, bound, bound=bound, what=what
            )
            return build_response(exchange, request)
        loop, owned = self._runner.loop_for_connection()
        try:
            what = f"Opening the stream {request.method} {request.url.path}"
            exchange = loop.call(
                open_stream, core, loop.host, scope, body, bound, bound=bound, what=what
            )
        except BaseException:
            if owned:
                loop.stop()
            raise
        stream = _StreamedBody(loop, exchange, owned, bound)
        self._runner.streams.add(stream)
        return build_response(exchange, request, stream)


class TestClient(ClientSettings, httpx.Client):
    """An in-process HTTP and WebSocket client for an ASGI app (Starlette's API).

    Used as a context manager (`with TestClient(app) as client:`) it runs the app's
    lifespan and serves every request, stream and WebSocket session from one event loop in
    a worker thread. Outside `with`, each request runs in a fresh event loop, as with
    Starlette. `wait_timeout` bounds every wait on the app (lifespan phases, WebSocket accept
    and receives); None waits forever.

    `reuse_loop=True` (what a behave run's clients use) runs every entry on the event loop
    its worker thread keeps, instead of a new loop per `with` as Starlette does: the
    lifespan and the app state are still new for every entry, and whatever the app left
    scheduled (tasks, timers, callbacks, open async generators) is cancelled when the
    entry ends, never carried into the next.
    """

    __test__ = False

    def __init__(
        self,
        app: Any,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        backend: Literal["asyncio", "trio"] = "asyncio",
        backend_options: dict[str, Any] | None = None,
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
        *,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        reuse_loop: bool = False,
    ) -> None:
        self.async_backend = check_backend(backend, backend_options)
        self._core = build_core(
            "TestClient",
            app,
            root_path=root_path,
            client=client,
            raise_server_exceptions=raise_server_exceptions,
            wait_timeout=wait_timeout,
        )
        check_http_options(
            "TestClient", base_url=base_url, follow_redirects=follow_redirects, cookies=cookies
        )
        self.app = self._core.app
        self.app_state: dict[str, Any] = self._core.app_state
        self._runner = _Runner(
            self._core, self.async_backend, check_flag(reuse_loop, "TestClient(reuse_loop=...)")
        )
        super().__init__(
            base_url=base_url,
            headers=merged_headers(headers, "TestClient"),
            # No httpx default (5 s): only a timeout the caller gives bounds a request.
            timeout=None,
            transport=_Transport(self._core, self._runner),
            follow_redirects=follow_redirects,
            cookies=cookies,
        )
        self._keep_cookies_lean()

    # -- settings -------------------------------------------------------------------------

    @property
    def portal(self) -> BlockingPortal | None:
        """The blocking portal of the running loop while the client is entered, else None."""
        loops = self._runner.loops
        return loops[-1].portal if loops else None

    # -- requests -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: httpx._types.URLTypes,
        *,
        timeout: Any = httpx.USE_CLIENT_DEFAULT,
        **kwargs: Any,
    ) -> httpx.Response:
        if timeout is not httpx.USE_CLIENT_DEFAULT:
            warn_timeout_argument()
        return super().request(method, url, timeout=timeout, **kwargs)

    def send(
        self, request: httpx.Request, *, stream: bool = False, **kwargs: Any
    ) -> httpx.Response:
        set_options(request, RequestOptions(streamed=stream))
        return super().send(request, stream=stream, **kwargs)

    def _send_handling_auth(
        self,
        request: httpx.Request,
        auth: httpx.Auth,
        follow_redirects: bool,
        history: list[httpx.Response],
    ) -> httpx.Response:
        # httpx runs every request through its authentication flow, two generators deep,
        # even when there is none: plain `httpx.Auth` yields the request once, unchanged,
        # and ends at the response. Without authentication, the redirect handling is
        # called directly, as that flow would call it.
        if type(auth) is httpx.Auth:
            return self._send_handling_redirects(
                request, follow_redirects=follow_redirects, history=history
            )
        return super()._send_handling_auth(request, auth, follow_redirects, history)

    @contextlib.contextmanager
    def sse(
        self, url: httpx._types.URLTypes, *, method: str = "GET", **kwargs: Any
    ) -> Iterator[EventSource]:
        """Open `url` as a server-sent-events stream: `with client.sse("/events") as events:`.

        The events are parsed as the body arrives (an endless stream is fine); leaving the
        block closes the stream and tells the app the client disconnected.
        """
        kwargs["headers"] = sse_request_headers(kwargs.get("headers"))
        with self.stream(method, url, **kwargs) as response:
            yield EventSource(response)

    def websocket_connect(
        self, url: str, subprotocols: Sequence[str] | None = None, **kwargs: Any
    ) -> WebSocketTestSession:
        """A WebSocket session to `url` (joined against `base_url`); use it with `with`.

        `params`, `headers`, `cookies` and `auth` work as for HTTP requests.
        """
        target, kwargs = websocket_request_arguments(self.base_url, url, subprotocols, kwargs)
        response = super().request("GET", target, **kwargs)
        return WebSocketTestSession(self._core, self._runner, handshake_request(response))

    def close(self) -> None:
        """Close the client; streamed responses still open are cancelled, as in Starlette."""
        self._runner.abort_streams()
        super().close()

    # -- lifespan -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._runner.enter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self._runner.exit()


class WebSocketTestSession:
    """A WebSocket session (Starlette's API); opened by `with client.websocket_connect(...)`.

    Every `receive*` takes an optional `timeout` (seconds; defaults to the client's
    `wait_timeout`), so a test never hangs on an app that stays silent.
    """

    def __init__(self, core: ClientCore, runner: _Runner, request: httpx.Request) -> None:
        self._core = core
        self._runner = runner
        self._request = request
        self._loop: LoopThread | None = None
        self._owns_loop = False
        self._session: AsyncWebSocketSession | None = None

    @property
    def app(self) -> Any:
        return self._core.app

    @property
    def portal(self) -> BlockingPortal | None:
        return self._loop.portal if self._loop is not None else None

    @property
    def scope(self) -> Any:
        return self._open.scope

    @property
    def accepted_subprotocol(self) -> str | None:
        return self._open.accepted_subprotocol

    @property
    def extra_headers(self) -> list[tuple[bytes, bytes]] | None:
        return self._open.extra_headers

    @property
    def _open(self) -> AsyncWebSocketSession:
        if self._session is None:
            raise UsageError(
                "The WebSocket session is not open: use it as "
                "`with client.websocket_connect(url) as websocket:`."
            )
        return self._session

    def __enter__(self) -> Self:
        self._loop, self._owns_loop = self._runner.loop_for_connection()
        try:
            self._session = self._loop.call(
                open_websocket,
                self._core,
                self._loop.host,
                self._request,
                bound=self._core.wait_timeout,
                what=f"Connecting to the WebSocket {self._request.url.path}",
            )
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._session is not None and self._loop is not None and self._loop.running:
                self._loop.call(self._close, bound=self._core.wait_timeout, what=self._what)
        finally:
            self._release()

    async def _close(self) -> None:
        assert self._loop is not None and self._session is not None
        self._loop.host.forget(self._session)
        await self._session.aclose()

    def _release(self) -> None:
        if self._owns_loop and self._loop is not None:
            self._loop.stop()
        self._loop = None

    @property
    def _what(self) -> str:
        return f"The WebSocket {self._request.url.path}"

    def _call(self, func: Any, *args: Any, bound: float | None = DEFAULT) -> Any:
        if self._loop is None or not self._loop.running:
            raise UsageError(
                "The WebSocket session is closed; open a new one with client.websocket_connect()."
            )
        if bound is DEFAULT:
            bound = self._core.wait_timeout
        return self._loop.call(func, *args, bound=bound, what=self._what)

    def send(self, message: Message) -> None:
        self._call(self._open.send, message)

    def send_text(self, data: str) -> None:
        self._call(self._open.send_text, data)

    def send_bytes(self, data: bytes) -> None:
        self._call(self._open.send_bytes, data)

    def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        self._call(self._open.send_json, data, mode)

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        self._call(self._open.close, code, reason)

    def receive(self, timeout: float | None = DEFAULT) -> Message:
        return self._call(self._open.receive, timeout, bound=timeout)  # type: ignore[no-any-return]

    def receive_text(self, timeout: float | None = DEFAULT) -> str:
        return self._call(self._open.receive_text, timeout, bound=timeout)  # type: ignore[no-any-return]

    def receive_bytes(self, timeout: float | None = DEFAULT) -> bytes:
        return self._call(self._open.receive_bytes, timeout, bound=timeout)  # type: ignore[no-any-return]

    def receive_json(
        self, mode: Literal["text", "binary"] = "text", timeout: float | None = DEFAULT
    ) -> Any:
        return self._call(self._open.receive_json, mode, timeout, bound=timeout)

    def receive_nothing(self, timeout: float = 0.1) -> None:
        """Assert that the app sends nothing within `timeout` seconds."""
        self._call(self._open.receive_nothing, timeout, bound=timeout)
