"""asgibdd's in-process ASGI client: a drop-in for Starlette's TestClient on httpx + anyio."""

from asgibdd.client.asyncclient import AsyncTestClient
from asgibdd.client.testclient import TestClient, WebSocketTestSession
from asgibdd.client.websocket import (
    AsyncWebSocketSession,
    WebSocketDenialResponse,
    WebSocketDisconnect,
)

__all__ = [
    "AsyncTestClient",
    "AsyncWebSocketSession",
    "TestClient",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "WebSocketTestSession",
]
