"""The demo application: its lifespan, its health check, and the routers put together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from asgibdd.demo import auth, echo, items, streaming, testing, websockets
from asgibdd.demo.store import Store, get_store


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    store = Store()
    yield {"store": store}
    # Endless /events/items streams end with the service instead of holding up its shutdown.
    for listener in list(store.item_listeners):
        listener.close()


async def health(request: Request) -> dict[str, str]:
    get_store(request)  # a 503 that explains itself when the lifespan never ran
    return {"status": "ok"}


def create_app(*, testing_mode: bool = False) -> FastAPI:
    """A new instance of the demo service; each lifespan starts with an empty store.

    `testing_mode` adds `POST /testing/reset`, which empties the store: for a server that
    serves a whole live test run (see `asgibdd.demo.testing`).
    """
    app = FastAPI(
        title="asgibdd demo service",
        summary="The service that asgibdd's own acceptance suite and documentation use.",
        lifespan=lifespan,
    )
    app.add_api_route("/health", health, methods=["GET"], tags=["health"])
    for module in (items, auth, echo, streaming, websockets):
        app.include_router(module.router)
    if testing_mode:
        app.include_router(testing.router)
    return app


def create_testing_app() -> FastAPI:
    """The demo in its test mode, for `uvicorn --factory asgibdd.demo:create_testing_app`."""
    return create_app(testing_mode=True)
