"""asgibdd's in-process ASGI client: a drop-in for Starlette's TestClient on httpx + anyio."""

from asgibdd.client.asyncclient import AsyncTestClient
from asgibdd.client.eventsource import AsyncEventSource, EventSource
from asgibdd.client.sse import ServerSentEvent
from asgibdd.client.testclient import TestClient, WebSocketTestSession
from asgibdd.client.websocket import (
    AsyncWebSocketSession,
    WebSocketDenialResponse,
    WebSocketDisconnect,
)

__all__ = [
    "AsyncEventSource",
    "AsyncTestClient",
    "AsyncWebSocketSession",
    "EventSource",
    "ServerSentEvent",
    "TestClient",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "WebSocketTestSession",
]
