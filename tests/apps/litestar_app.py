"""A Litestar app: lifespan hooks, JSON over HTTP, a websocket echo."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Litestar, WebSocket, get, post, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import Body

EVENTS: list[str] = []


def on_startup() -> None:
    EVENTS.append("startup")


def on_shutdown() -> None:
    EVENTS.append("shutdown")


@get("/hello")
async def hello() -> dict[str, Any]:
    return {"hello": "world", "started": "startup" in EVENTS}


@post("/echo")  # Litestar answers POST with 201 by default
async def echo(data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return {"received": data}


@websocket("/ws")
async def websocket_echo(socket: WebSocket[Any, Any, Any]) -> None:
    await socket.accept()
    try:
        while True:
            await socket.send_text(f"echo: {await socket.receive_text()}")
    except WebSocketDisconnect:
        pass


app = Litestar(
    route_handlers=[hello, echo, websocket_echo],
    on_startup=[on_startup],
    on_shutdown=[on_shutdown],
)
