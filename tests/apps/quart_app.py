"""A Quart app: startup/shutdown hooks, JSON over HTTP, a websocket echo."""

from __future__ import annotations

from typing import Any

from quart import Quart, request, websocket

EVENTS: list[str] = []

app = Quart(__name__)


@app.before_serving
async def on_startup() -> None:
    EVENTS.append("startup")


@app.after_serving
async def on_shutdown() -> None:
    EVENTS.append("shutdown")


@app.get("/hello")
async def hello() -> dict[str, Any]:
    return {"hello": "world", "started": "startup" in EVENTS}


@app.post("/echo")
async def echo() -> tuple[dict[str, Any], int]:
    return {"received": await request.get_json()}, 201


@app.websocket("/ws")
async def websocket_echo() -> None:
    # Quart accepts on the first send; the loop ends when the client disconnects
    # (Quart cancels this task).
    while True:
        await websocket.send(f"echo: {await websocket.receive()}")
