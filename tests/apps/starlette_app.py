"""A Starlette app: lifespan, JSON over HTTP, a websocket echo."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

EVENTS: list[str] = []


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    EVENTS.append("startup")
    yield
    EVENTS.append("shutdown")


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "world", "started": "startup" in EVENTS})


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"received": await request.json()}, status_code=201)


async def websocket_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.send_text(f"echo: {await websocket.receive_text()}")


app = Starlette(
    routes=[
        Route("/hello", hello),
        Route("/echo", echo, methods=["POST"]),
        WebSocketRoute("/ws", websocket_echo),
    ],
    lifespan=lifespan,
)
