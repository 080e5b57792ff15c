"""A raw ASGI app (no framework): lifespan, JSON over HTTP, a websocket echo."""

from __future__ import annotations

import json
from typing import Any

from asgibdd._types import Receive, Scope, Send

EVENTS: list[str] = []


async def _json(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            EVENTS.append("startup")
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            EVENTS.append("shutdown")
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _websocket(receive: Receive, send: Send) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": f"echo: {message['text']}"})


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "websocket" and scope["path"] == "/ws":
        await _websocket(receive, send)
    elif scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000})
    elif (scope["method"], scope["path"]) == ("GET", "/hello"):
        await _json(send, 200, {"hello": "world", "started": "startup" in EVENTS})
    elif (scope["method"], scope["path"]) == ("POST", "/echo"):
        await _json(send, 201, {"received": json.loads(await _body(receive))})
    else:
        await _json(send, 404, {"detail": "Not Found"})
