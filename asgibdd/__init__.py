"""asgibdd: behaviour-driven acceptance tests for ASGI services.

The public facade. The behave integration lives in `asgibdd.environment` and the step
library in `asgibdd.steps`; importing this package does not import behave, and the
client (httpx with it) is imported on first use of one of its names, so the command
line and the parallel runner's parent process start without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from asgibdd._httpx_cli import defer_httpx_cli
from asgibdd.errors import (
    AppTimeout,
    AsgiBddError,
    ASGIProtocolError,
    ConfigError,
    ExpectationFailed,
    LifespanError,
    ResponseOrderError,
    UsageError,
)

if TYPE_CHECKING:
    from asgibdd.client import (
        AsyncEventSource,
        AsyncTestClient,
        AsyncWebSocketSession,
        EventSource,
        ServerSentEvent,
        TestClient,
        WebSocketDenialResponse,
        WebSocketDisconnect,
        WebSocketTestSession,
    )

__version__ = "0.1.0"

# Before anything here imports httpx: its command line (click, rich, pygments) is loaded
# only if something calls it (see asgibdd/_httpx_cli.py).
defer_httpx_cli()

__all__ = [
    "ASGIProtocolError",
    "AppTimeout",
    "AsgiBddError",
    "AsyncEventSource",
    "AsyncTestClient",
    "AsyncWebSocketSession",
    "ConfigError",
    "EventSource",
    "ExpectationFailed",
    "LifespanError",
    "ResponseOrderError",
    "ServerSentEvent",
    "TestClient",
    "UsageError",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "WebSocketTestSession",
    "__version__",
]

_CLIENT_NAMES = frozenset(
    {
        "AsyncEventSource",
        "AsyncTestClient",
        "AsyncWebSocketSession",
        "EventSource",
        "ServerSentEvent",
        "TestClient",
        "WebSocketDenialResponse",
        "WebSocketDisconnect",
        "WebSocketTestSession",
    }
)


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES or name == "client":
        client = importlib.import_module(
            "asgibdd.client"
        )  # not `from asgibdd import`: that comes here
        value = client if name == "client" else getattr(client, name)
        globals()[name] = value  # later lookups find it without coming here
        return value
    raise AttributeError(f"module 'asgibdd' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
