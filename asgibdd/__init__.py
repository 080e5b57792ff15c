"""asgibdd: behaviour-driven acceptance tests for ASGI services.

The public facade. The behave integration lives in `asgibdd.environment` and the step
library in `asgibdd.steps`; importing this package does not import behave.
"""

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

__version__ = "0.1.0"

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
