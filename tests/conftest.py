"""Shared fixtures: every client test runs on both anyio backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Literal, cast

import pytest

from asgibdd._types import Receive, Scope, Send
from tests import forked_runs

Backend = Literal["asyncio", "trio"]
BACKENDS: list[Backend] = ["asyncio", "trio"]
_DJANGO_SETTINGS_AT_START = os.environ.get("DJANGO_SETTINGS_MODULE")


@pytest.fixture(autouse=True)
def _django_settings_stay_in_their_test() -> Iterator[None]:
    """A Django project imported in-process sets DJANGO_SETTINGS_MODULE for good; projects
    that later tests start in subprocesses must not inherit it (Django, once configured
    here, keeps its settings without the variable)."""
    yield
    if _DJANGO_SETTINGS_AT_START is None:
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = _DJANGO_SETTINGS_AT_START


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """The async backend a client under test runs its event loop on."""
    return cast(Backend, request.param)


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


def pytest_configure(config: pytest.Config) -> None:
    forked_runs.install()
