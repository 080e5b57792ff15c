"""asgibdd: behaviour-driven acceptance tests for ASGI services.

The public facade. The behave integration lives in `asgibdd.environment` and the step
library in `asgibdd.steps`; importing this package does not import behave.
"""

from asgibdd.client import (
    AsyncTestClient,
    AsyncWebSocketSession,
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
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "ASGIProtocolError",
    "AppTimeout",
    "AsgiBddError",
    "AsyncTestClient",
    "AsyncWebSocketSession",
    "ConfigError",
    "ExpectationFailed",
    "LifespanError",
    "TestClient",
    "UsageError",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "WebSocketTestSession",
    "__version__",
]
