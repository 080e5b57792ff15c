"""asgibdd's in-process ASGI client: a drop-in for Starlette's TestClient on httpx + anyio."""

import httpx

from asgibdd.client.asyncclient import AsyncTestClient
from asgibdd.client.eventsource import AsyncEventSource, EventSource
from asgibdd.client.sse import ServerSentEvent, SSEDecoder
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
    "SSEDecoder",
    "ServerSentEvent",
    "TestClient",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "WebSocketTestSession",
    "read_chunk",
]


# Interim seam (the client's own rework replaces it): the next chunk of a streamed body.
def read_chunk(response: httpx.Response, timeout: float | None) -> bytes | None:
    """The next chunk of a response streamed by asgibdd's client; None at its end."""
    from asgibdd.client.core import STREAM_EXTENSION
    from asgibdd.errors import UsageError

    reader = response.extensions.get(STREAM_EXTENSION)
    if reader is None:
        raise UsageError(
            "The streaming steps need asgibdd's TestClient, whose streamed bodies take a "
            "timeout per read; this client's do not."
        )
    chunk: bytes | None = reader.read_chunk(timeout)
    return chunk
