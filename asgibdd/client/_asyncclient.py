"""`AsyncTestClient`: the same client for async tests, running the app in the test's loop."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Any

import anyio
import anyio.abc
import httpx

from asgibdd.client._eventsource import AsyncEventSource, sse_request_headers
from asgibdd.client._exchange import HTTPExchange
from asgibdd.client._host import AppHost, unwrap_group
from asgibdd.client._scope import http_scope
from asgibdd.client._settings import (
    DEFAULT_WAIT_TIMEOUT,
    ClientCore,
    ClientSettings,
    build_core,
    check_http_options,
    merged_headers,
)
from asgibdd.client._streamed import AsyncChunkReader
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
from asgibdd.client._websocket import AsyncWebSocketSession

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover
    from typing_extensions import Self

__all__ = ["AsyncTestClient"]


class _Serving:
    """A host serving inside its own task group, entered and left from the same task."""

    def __init__(self, host: AppHost) -> None:
        self.host = host
        self._group = anyio.create_task_group()

    async def start(self) -> None:
        await self._group.__aenter__()
        try:
            await self._group.start(self.host.serve)
        except BaseException as exc:
            await self._group.__aexit__(None, None, None)
            raise unwrap_group(exc) from None

    async def stop(self) -> None:
        try:
            await self.host.stop()
        finally:
            await self._group.__aexit__(None, None, None)


class _Hosts:
    """Where the async client's streams and sessions live: the entered client's host, or
    a host of their own outside `async with`."""

    def __init__(self, core: ClientCore) -> None:
        self.core = core
        self.entered: list[_Serving] = []

    async def for_connection(self) -> tuple[_Serving, bool]:
        if self.entered:
            return self.entered[-1], False
        serving = _Serving(AppHost(self.core, lifespan=False))
        await serving.start()
        return serving, True

    async def enter(self) -> None:
        serving = _Serving(AppHost(self.core, lifespan=True))
        await serving.start()
        self.entered.append(serving)

    async def exit(self) -> None:
        if self.entered:
            await self.entered.pop().stop()


class _StreamedBody(AsyncChunkReader):
    def __init__(
        self, exchange: HTTPExchange, host: AppHost, own: _Serving | None, timeout: float | None
    ) -> None:
        self.read_timeout = timeout
        self._exchange = exchange
        self._host = host
        self._own = own
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self.read_chunk(self.read_timeout)) is not None:
            yield chunk

    async def read_chunk(self, timeout: float | None) -> bytes | None:
        if self._closed:
            return None
        return await self._exchange.next_chunk(timeout)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._host.forget(self._exchange)
        try:
            await self._exchange.aclose()
        finally:
            if self._own is not None:
                await self._own.stop()


class _Transport(httpx.AsyncBaseTransport):
    def __init__(self, core: ClientCore, hosts: _Hosts) -> None:
        self._core = core
        self._hosts = hosts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme in ("ws", "wss"):
            return HandshakeResponse(request)
        core = self._core
        body = await request.aread()
        scope = http_scope(request, core.scope_settings)
        bound = request_bound(request, core)
        if not options_of(request).streamed:
            return build_response(await run_complete(core, scope, body, bound), request)
        serving, own = await self._hosts.for_connection()
        try:
            exchange = await open_stream(core, serving.host, scope, body, bound)
        except BaseException:
            if own:
                await serving.stop()
            raise
        stream = _StreamedBody(exchange, serving.host, serving if own else None, bound)
        return build_response(exchange, request, stream)


class AsyncTestClient(ClientSettings, httpx.AsyncClient):
    """An in-process client for async tests: the app runs in the test's own event loop.

    `async with AsyncTestClient(app) as client:` runs the lifespan; requests, streams and
    `client.websocket_connect(...)` sessions share that loop (no thread), so objects the app
    binds to the loop at startup work in tests. Same arguments as `TestClient`, minus the
    backend choice (the test's loop decides).
    """

    __test__ = False

    def __init__(
        self,
        app: Any,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
        *,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT,
    ) -> None:
        self._core = build_core(
            "AsyncTestClient",
            app,
            root_path=root_path,
            client=client,
            raise_server_exceptions=raise_server_exceptions,
            wait_timeout=wait_timeout,
        )
        check_http_options(
            "AsyncTestClient", base_url=base_url, follow_redirects=follow_redirects, cookies=cookies
        )
        self.app = self._core.app
        self.app_state: dict[str, Any] = self._core.app_state
        self._hosts = _Hosts(self._core)
        super().__init__(
            base_url=base_url,
            headers=merged_headers(headers, "AsyncTestClient"),
            # No httpx default (5 s): only a timeout the caller gives bounds a request.
            timeout=None,
            transport=_Transport(self._core, self._hosts),
            follow_redirects=follow_redirects,
            cookies=cookies,
        )
        self._keep_cookies_lean()

    async def request(
        self,
        method: str,
        url: httpx._types.URLTypes,
        *,
        timeout: Any = httpx.USE_CLIENT_DEFAULT,
        **kwargs: Any,
    ) -> httpx.Response:
        if timeout is not httpx.USE_CLIENT_DEFAULT:
            warn_timeout_argument()
        return await super().request(method, url, timeout=timeout, **kwargs)

    async def send(
        self, request: httpx.Request, *, stream: bool = False, **kwargs: Any
    ) -> httpx.Response:
        set_options(request, RequestOptions(streamed=stream))
        return await super().send(request, stream=stream, **kwargs)

    @contextlib.asynccontextmanager
    async def sse(
        self, url: httpx._types.URLTypes, *, method: str = "GET", **kwargs: Any
    ) -> AsyncIterator[AsyncEventSource]:
        """`async with client.sse("/events") as events:` (see `TestClient.sse`)."""
        kwargs["headers"] = sse_request_headers(kwargs.get("headers"))
        async with self.stream(method, url, **kwargs) as response:
            yield AsyncEventSource(response)

    def websocket_connect(
        self, url: str, subprotocols: Sequence[str] | None = None, **kwargs: Any
    ) -> _WebSocketConnect:
        """`async with client.websocket_connect(url) as websocket:` (an AsyncWebSocketSession)."""
        target, arguments = websocket_request_arguments(self.base_url, url, subprotocols, kwargs)
        return _WebSocketConnect(self, self._core, self._hosts, target, arguments)

    async def __aenter__(self) -> Self:
        await self._hosts.enter()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self._hosts.exit()


class _WebSocketConnect:
    """`async with client.websocket_connect(url)`: the handshake through httpx, then a session."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        core: ClientCore,
        hosts: _Hosts,
        target: httpx.URL,
        kwargs: dict[str, Any],
    ) -> None:
        self._client = client
        self._core = core
        self._hosts = hosts
        self._target = target
        self._kwargs = kwargs
        self._serving: _Serving | None = None
        self._own = False
        self._session: AsyncWebSocketSession | None = None

    async def __aenter__(self) -> AsyncWebSocketSession:
        # httpx.AsyncClient.request, not the client's own: that one warns about `timeout=`.
        response = await httpx.AsyncClient.request(
            self._client, "GET", self._target, **self._kwargs
        )
        request = handshake_request(response)
        self._serving, self._own = await self._hosts.for_connection()
        try:
            self._session = await open_websocket(self._core, self._serving.host, request)
        except BaseException:
            if self._own:
                await self._serving.stop()
            raise
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._serving is not None and self._session is not None
        try:
            self._serving.host.forget(self._session)
            await self._session.aclose()
        finally:
            if self._own:
                await self._serving.stop()
