"""Shared fixtures: every client test runs on both anyio backends."""

from __future__ import annotations

from typing import Any

import pytest

from asgibdd._types import Receive, Scope, Send

BACKENDS = ["asyncio", "trio"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The async backend a client under test runs its event loop on."""
    return str(request.param)


class ScopeRecorder:
    """A raw ASGI app that answers every HTTP request with 200 "ok", every WebSocket with
    accept-then-close, and keeps each scope it was called with (lifespan excluded)."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    @property
    def last(self) -> dict[str, Any]:
        assert self.scopes, "the app was never called"
        return self.scopes[-1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return  # no lifespan support, on purpose
        self.scopes.append(dict(scope))
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1000})
            return
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def recorder() -> ScopeRecorder:
    return ScopeRecorder()
