"""A FastAPI app: lifespan, JSON over HTTP with a body model, a websocket echo."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

EVENTS: list[str] = []


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    EVENTS.append("startup")
    yield
    EVENTS.append("shutdown")


app = FastAPI(lifespan=lifespan)


@app.get("/hello")
async def hello() -> dict[str, Any]:
    return {"hello": "world", "started": "startup" in EVENTS}


@app.post("/echo", status_code=201)
async def echo(body: dict[str, Any]) -> dict[str, Any]:
    return {"received": body}


@app.websocket("/ws")
async def websocket_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.send_text(f"echo: {await websocket.receive_text()}")
