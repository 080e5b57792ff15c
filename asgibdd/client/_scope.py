"""Building ASGI connection scopes from httpx requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from asgibdd._types import Scope

__all__ = ["ScopeSettings", "http_scope", "websocket_scope"]

_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


@dataclass
class ScopeSettings:
    """What every scope of one client shares."""

    root_path: str = ""
    client: tuple[str, int] = ("testclient", 50000)
    app_state: dict[str, Any] = field(default_factory=dict)


def _common(request: httpx.Request, settings: ScopeSettings) -> dict[str, Any]:
    url = request.url
    raw_path, _, _ = url.raw_path.partition(b"?")
    scheme = url.scheme
    port = url.port if url.port is not None else _DEFAULT_PORTS.get(scheme, 80)
    return {
        # httpx has already percent-decoded url.path once; decoding again would turn
        # "%2525" into "%" (Starlette's double-decoding bug).
        "path": url.path,
        "raw_path": raw_path,
        "root_path": settings.root_path,
        "scheme": scheme,
        "query_string": url.query,
        "headers": [(key.lower(), value) for key, value in request.headers.raw],
        "client": settings.client,
        "server": [url.host, port],
        # A shallow copy, as uvicorn does: keys added by one request do not leak.
        "state": settings.app_state.copy(),
    }


def http_scope(request: httpx.Request, settings: ScopeSettings) -> Scope:
    """The scope of one HTTP request, as Starlette's TestClient builds it (minus its bugs)."""
    scope = _common(request, settings)
    scope.update(
        type="http",
        http_version="1.1",
        method=request.method,
        extensions={"http.response.debug": {}, "http.response.trailers": {}},
    )
    return scope


def websocket_scope(
    request: httpx.Request, settings: ScopeSettings, subprotocols: list[str]
) -> Scope:
    """The scope of one WebSocket handshake (`request` carries a ws:// or wss:// URL)."""
    scope = _common(request, settings)
    scope.update(
        type="websocket",
        http_version="1.1",
        subprotocols=subprotocols,
        extensions={"websocket.http.response": {}},
    )
    return scope
