"""How both clients' httpx transports hand a request to the app, and what comes back.

httpx runs its whole pipeline (default headers, cookies, auth, event hooks, redirects)
before a transport sees a request. The transport then needs one fact httpx does not carry:
whether the caller asked for a streamed body (`client.stream(...)`). The clients' `send`
override writes it into a typed `RequestOptions` stored on the request under a private key
of `request.extensions` - httpx's own per-request channel (it keeps `timeout` there). It
follows the request through auth flows and redirects (httpx copies extensions to redirect
requests) and belongs to that one request, so concurrent requests never see each other's.

A WebSocket connect goes through the same pipeline with a ws:// URL. The transport answers
it with a `HandshakeResponse` (101 Switching Protocols) without running the app, and the
client opens the session from `handshake_request(response)`: the request exactly as the
pipeline finished it. Response event hooks see that 101.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from dataclasses import dataclass
from typing import Any

import httpx

from asgibdd._types import Scope
from asgibdd.client._app import describe
from asgibdd.client._exchange import HTTPExchange
from asgibdd.client._host import AppHost
from asgibdd.client._scope import websocket_scope
from asgibdd.client._settings import ClientCore
from asgibdd.client._streamed import AsyncChunkReader, ChunkReader, StreamedResponse
from asgibdd.client._websocket import AsyncWebSocketSession
from asgibdd.errors import UsageError

__all__ = [
    "HandshakeResponse",
    "RequestOptions",
    "TimeoutArgumentWarning",
    "build_response",
    "handshake_request",
    "open_stream",
    "open_websocket",
    "options_of",
    "request_bound",
    "run_complete",
    "warn_timeout_argument",
    "websocket_request_arguments",
]

_OPTIONS_KEY = "asgibdd.request_options"


@dataclass(frozen=True)
class RequestOptions:
    """What the client tells its transport about one request, beyond what httpx carries."""

    #: The caller reads the body as it arrives (`client.stream(...)`, `client.sse(...)`).
    streamed: bool = False


_DEFAULT_OPTIONS = RequestOptions()


def set_options(request: httpx.Request, options: RequestOptions) -> None:
    request.extensions = {**request.extensions, _OPTIONS_KEY: options}


def options_of(request: httpx.Request) -> RequestOptions:
    options = request.extensions.get(_OPTIONS_KEY, _DEFAULT_OPTIONS)
    assert isinstance(options, RequestOptions)
    return options


class TimeoutArgumentWarning(UserWarning):
    """`timeout=` was passed to a request; the in-process client ignores it."""


def _outside_caller_stacklevel() -> int:
    """The stacklevel of the first frame outside httpx and asgibdd (the user's call)."""
    level = 1
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        ("httpx.", "asgibdd.")
    ):
        frame = frame.f_back
        level += 1
    return level


def warn_timeout_argument() -> None:
    """Starlette's warning for `timeout=`, pointing at the test's own line."""
    category: type[Warning] = TimeoutArgumentWarning
    try:  # Starlette's tests expect its own warning class; match it when it is around.
        from starlette.exceptions import StarletteDeprecationWarning
    except ImportError:
        pass
    else:
        category = StarletteDeprecationWarning
    warnings.warn(
        "You should not use the 'timeout' argument with the TestClient. "
        "See https://github.com/Kludex/starlette/issues/1108 for more information.",
        category,
        stacklevel=_outside_caller_stacklevel(),
    )


class HandshakeResponse(httpx.Response):
    """The transport's answer to a ws:// request: the app has not been run yet."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(101, request=request)


def handshake_request(response: httpx.Response) -> httpx.Request:
    """The finished handshake request behind the pipeline's answer to a ws:// URL."""
    if not isinstance(response, HandshakeResponse):  # pragma: no cover - our transport's job
        raise UsageError(
            "websocket_connect() needs the client's own transport, but the ws:// handshake "
            f"was answered by another one with {response!r}."
        )
    return response.request


def websocket_request_arguments(
    base_url: httpx.URL, url: str | httpx.URL, subprotocols: Any, kwargs: dict[str, Any]
) -> tuple[httpx.URL, dict[str, Any]]:
    """The ws:// URL (joined against `base_url`) and request kwargs of a handshake."""
    target = httpx.URL(url)
    if target.is_relative_url:
        raw = base_url.raw_path + target.raw_path.lstrip(b"/")
        target = base_url.copy_with(raw_path=raw)
    scheme = {"http": "ws", "https": "wss"}.get(target.scheme, target.scheme)
    target = target.copy_with(scheme=scheme)
    headers = httpx.Headers(kwargs.pop("headers", None))
    for name, value in (
        ("connection", "upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-key", "testserver=="),
        ("sec-websocket-version", "13"),
    ):
        headers.setdefault(name, value)
    if subprotocols is not None:
        if isinstance(subprotocols, str):
            subprotocols = [subprotocols]
        headers.setdefault("sec-websocket-protocol", ", ".join(subprotocols))
    kwargs["headers"] = headers
    return target, kwargs


def _handshake_subprotocols(request: httpx.Request) -> list[str]:
    value = request.headers.get("sec-websocket-protocol", "")
    return [item.strip() for item in value.split(",") if item.strip()]


def request_bound(request: httpx.Request, core: ClientCore) -> float | None:
    """Seconds the app may take over `request`: the read timeout the caller gave (`timeout=`
    on the request or the client), else the client's `wait_timeout`."""
    timeout = request.extensions.get("timeout")
    read = timeout.get("read") if isinstance(timeout, dict) else None
    if read is None:
        return core.wait_timeout
    if isinstance(read, bool) or not isinstance(read, (int, float)) or read < 0:
        raise UsageError(
            f"timeout= must be a number of seconds (or None for the client's wait_timeout), "
            f"got {describe(read)}."
        )
    return float(read)


async def run_complete(
    core: ClientCore, scope: Scope, body: bytes, bound: float | None
) -> HTTPExchange:
    """Run one request to the end (the non-streaming path), `bound` seconds at most."""
    exchange = HTTPExchange(core, scope, body, streaming=False)
    await exchange.complete(bound)
    return exchange


async def open_stream(
    core: ClientCore, host: AppHost, scope: Scope, body: bytes, bound: float | None
) -> HTTPExchange:
    """Start the app for a streamed response and wait `bound` s for the response to start."""
    exchange = HTTPExchange(core, scope, body, streaming=True)
    host.task_group.start_soon(exchange.run)
    host.track(exchange)
    try:
        await exchange.wait_started(bound)
    except BaseException:
        host.forget(exchange)
        await exchange.aclose()
        raise
    return exchange


async def open_websocket(
    core: ClientCore, host: AppHost, request: httpx.Request
) -> AsyncWebSocketSession:
    """Open a WebSocket session on `host`; raises the app's refusal or error."""
    scope = websocket_scope(request, core.scope_settings, _handshake_subprotocols(request))
    session = AsyncWebSocketSession(core, scope, path=request.url.path)
    host.track(session)
    try:
        await session.connect(host.task_group)
    except BaseException:
        host.forget(session)
        with contextlib.suppress(Exception):  # the refusal above is what the caller needs
            await session.aclose()
        raise
    return session


def build_response(
    exchange: HTTPExchange,
    request: httpx.Request,
    reader: ChunkReader | AsyncChunkReader | None = None,
) -> httpx.Response:
    """The httpx response for `exchange`: whole (no reader) or streamed through `reader`."""
    assert exchange.status_code is not None
    response: httpx.Response
    if reader is None:
        response = httpx.Response(
            exchange.status_code,
            headers=exchange.headers,
            stream=httpx.ByteStream(b"".join(exchange.collected)),
            request=request,
            extensions=exchange.extensions,
        )
    else:
        response = StreamedResponse(
            exchange.status_code,
            headers=exchange.headers,
            reader=reader,
            request=request,
            extensions=exchange.extensions,
        )
    # httpx copies the extensions dict; trailers that arrive later must land in the copy.
    exchange.extensions = response.extensions
    debug = exchange.extensions.get("http.response.debug")
    if isinstance(debug, dict):
        if "template" in debug:
            response.template = debug["template"]  # type: ignore[attr-defined]
        if "context" in debug:
            response.context = debug["context"]  # type: ignore[attr-defined]
    return response
