"""asgibdd's in-process ASGI client: a drop-in for Starlette's TestClient on httpx + anyio,
and `LiveClient`, the same interface over the network for a deployed service.

This is the client's one front door: the step library and users import from here only.
Every other module of the package is private (`_`-prefixed) and may change at any time.
"""

from asgibdd.client._asyncclient import AsyncTestClient
from asgibdd.client._eventsource import AsyncEventSource, EventSource
from asgibdd.client._live import LiveClient
from asgibdd.client._settings import DEFAULT_WAIT_TIMEOUT
from asgibdd.client._sse import ServerSentEvent, SSEDecoder
from asgibdd.client._streamed import read_chunk
from asgibdd.client._testclient import TestClient, WebSocketTestSession
from asgibdd.client._websocket import (
    AsyncWebSocketSession,
    WebSocketDenialResponse,
    WebSocketDisconnect,
)

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "AsyncEventSource",
    "AsyncTestClient",
    "AsyncWebSocketSession",
    "EventSource",
    "LiveClient",
    "SSEDecoder",
    "ServerSentEvent",
    "TestClient",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "WebSocketTestSession",
    "read_chunk",
]
