"""What the sync and async clients share: settings, request routing and response building."""

from __future__ import annotations

import contextlib
import contextvars
import importlib.util
import sys
import warnings
from dataclasses import dataclass
from typing import Any

import httpx

from asgibdd._types import ASGI3App
from asgibdd.client.app import describe
from asgibdd.client.exchange import HTTPExchange
from asgibdd.client.host import AppHost
from asgibdd.client.portal import AsyncBackend
from asgibdd.client.scope import ScopeSettings, websocket_scope
from asgibdd.client.websocket import AsyncWebSocketSession
from asgibdd.errors import UsageError

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "STREAM_EXTENSION",
    "ClientCore",
    "ClientSettings",
    "Handshake",
    "TimeoutArgumentWarning",
    "build_response",
    "check_backend",
    "merged_headers",
    "open_stream",
    "open_websocket",
    "run_complete",
    "streaming_requested",
    "warn_timeout_argument",
    "websocket_request_arguments",
]

#: Seconds any wait on the app may take (lifespan phases, WebSocket accept and receives).
DEFAULT_WAIT_TIMEOUT = 10.0

#: The response extension holding a streamed body's reader (`read_chunk(timeout)`).
STREAM_EXTENSION = "asgibdd.stream"

#: Set by the clients' `send(stream=...)`: the transport streams only when asked to.
streaming_requested: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "asgibdd_streaming_requested", default=False
)


@dataclass
class ClientCore:
    """The settings of one client, read by its transport."""

    app: ASGI3App
    scope_settings: ScopeSettings
    raise_server_exceptions: bool
    wait_timeout: float | None


class ClientSettings:
    """The settings both clients expose as properties, kept in their `ClientCore`."""

    _core: ClientCore

    @property
    def raise_server_exceptions(self) -> bool:
        """Re-raise the app's exceptions in the test (True) or answer 500 (False)."""
        return self._core.raise_server_exceptions

    @raise_server_exceptions.setter
    def raise_server_exceptions(self, value: bool) -> None:
        self._core.raise_server_exceptions = value

    @property
    def wait_timeout(self) -> float | None:
        """Seconds any wait on the app may take; None waits forever."""
        return self._core.wait_timeout

    @wait_timeout.setter
    def wait_timeout(self, value: float | None) -> None:
        self._core.wait_timeout = value

    @property
    def root_path(self) -> str:
        """Copied into every scope's `root_path`; never added to the path."""
        return self._core.scope_settings.root_path


def check_backend(backend: str, options: dict[str, Any] | None) -> AsyncBackend:
    """Validate `backend`/`backend_options` up front, with the fix in the message."""
    if backend not in ("asyncio", "trio"):
        raise UsageError(
            f'Unknown async backend {backend!r}: expected "asyncio" or "trio" '
            '(for uvloop use backend="asyncio", backend_options={"use_uvloop": True}).'
        )
    if options is not None and not isinstance(options, dict):
        raise UsageError(f"backend_options must be a dict, got {describe(options)}.")
    if backend == "trio" and importlib.util.find_spec("trio") is None:
        raise UsageError('backend="trio" needs the trio package: pip install "asgibdd[trio]".')
    if (options or {}).get("use_uvloop") and importlib.util.find_spec("uvloop") is None:
        raise UsageError(
            'backend_options={"use_uvloop": True} needs uvloop: pip install "asgibdd[uvloop]".'
        )
    return AsyncBackend(backend=backend, backend_options=dict(options or {}))


def merged_headers(headers: Any) -> httpx.Headers:
    """The client's default headers: `user-agent: testclient` unless the caller names one.

    Merged case-insensitively into a new object, so the caller's dict is never changed and
    `{"User-Agent": "x"}` does not end up sent next to a second user-agent.
    """
    merged = httpx.Headers({"user-agent": "testclient"})
    if headers is not None:
        merged.update(httpx.Headers(headers))
    return merged


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


class Handshake(Exception):
    """Carries a WebSocket handshake request out of the HTTP pipeline (auth, cookies, hooks)."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__("WebSocket handshake")
        self.request = request


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


def handshake_subprotocols(request: httpx.Request) -> list[str]:
    value = request.headers.get("sec-websocket-protocol", "")
    return [item.strip() for item in value.split(",") if item.strip()]


async def run_complete(core: ClientCore, scope: Any, body: bytes) -> HTTPExchange:
    """Run one request to the end (the non-streaming path)."""
    exchange = HTTPExchange(
        core.app,
        scope,
        body,
        raise_server_exceptions=core.raise_server_exceptions,
        streaming=False,
    )
    await exchange.complete()
    return exchange


async def open_stream(core: ClientCore, host: AppHost, scope: Any, body: bytes) -> HTTPExchange:
    """Start the app for a streamed response and wait for the response to start."""
    exchange = HTTPExchange(
        core.app,
        scope,
        body,
        raise_server_exceptions=core.raise_server_exceptions,
        streaming=True,
    )
    host.task_group.start_soon(exchange.run)
    host.track(exchange)
    try:
        await exchange.wait_started()
    except BaseException:
        host.forget(exchange)
        await exchange.aclose()
        raise
    return exchange


async def open_websocket(
    core: ClientCore, host: AppHost, request: httpx.Request, timeout: float | None
) -> AsyncWebSocketSession:
    """Open a WebSocket session on `host`; raises the app's refusal or error."""
    scope = websocket_scope(request, core.scope_settings, handshake_subprotocols(request))
    session = AsyncWebSocketSession(core.app, scope, wait_timeout=timeout, path=request.url.path)
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
    stream: httpx.SyncByteStream | httpx.AsyncByteStream,
) -> httpx.Response:
    assert exchange.status_code is not None
    response = httpx.Response(
        exchange.status_code,
        headers=exchange.headers,
        stream=stream,
        request=request,
        extensions=exchange.extensions,
    )
    # httpx copies the extensions dict; trailers that arrive later must land in the copy.
    exchange.extensions = response.extensions
    if exchange.streaming:
        # EventSource reads through this to bound each wait (httpx wraps response.stream).
        response.extensions[STREAM_EXTENSION] = stream
    debug = exchange.extensions.get("http.response.debug")
    if isinstance(debug, dict):
        if "template" in debug:
            response.template = debug["template"]  # type: ignore[attr-defined]
        if "context" in debug:
            response.context = debug["context"]  # type: ignore[attr-defined]
    return response
