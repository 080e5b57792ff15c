"""Bounds hold even when the app blocks a thread, and Ctrl-C cancels the app cleanly."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
import pytest
import sniffio
from starlette.applications import Starlette

from asgibdd import AppTimeout, TestClient
from asgibdd._types import Receive, Scope, Send
from tests.conftest import Backend


def _startup_waiting_on(release: threading.Event) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # A thread that ignores cancellation: the loop cannot stop the app before it ends.
        await anyio.to_thread.run_sync(release.wait)
        yield

    return Starlette(lifespan=lifespan)


def test_a_startup_waiting_on_a_thread_fails_at_the_bound_not_when_the_thread_ends(
    backend: Backend,
) -> None:
    release = threading.Event()
    # A backstop: if the client waited for the thread, the test ends after a minute, failing.
    backstop = threading.Timer(60, release.set)
    backstop.start()
    try:
        with (
            pytest.raises(AppTimeout) as waited,
            TestClient(_startup_waiting_on(release), backend=backend, wait_timeout=0.2),
        ):
            pass  # pragma: no cover - startup never completes
        thread_still_waiting = not release.is_set()
    finally:
        backstop.cancel()
        release.set()  # the thread would otherwise wait for good
    assert thread_still_waiting
    assert str(waited.value).startswith("Lifespan startup did not finish within 0.2 s")


def test_an_app_that_blocks_the_loop_thread_is_abandoned_at_the_bound(backend: Backend) -> None:
    release = threading.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        release.wait()  # a blocking call in async code: the loop cannot run
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    client = TestClient(app, backend=backend, wait_timeout=0.2)
    try:
        with client, pytest.raises(AppTimeout) as waited:
            client.get("/block")
    finally:
        release.set()
    assert str(waited.value) == (
        "GET /block did not end within 0.2 s, and the app could not be stopped within 1.0 s "
        "more: it blocks the event loop's thread (a synchronous call such as time.sleep() in "
        "async code?) or waits on a thread that ignores cancellation. The client's event "
        "loop was abandoned in its daemon thread; this client cannot be used any more. Make "
        "the blocking call async, or raise the limit: TestClient(app, wait_timeout=...)."
    )


def _interrupting_app(events: list[str]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        events.append("started")
        main = threading.main_thread().ident
        assert main is not None
        signal.pthread_kill(main, signal.SIGINT)  # Ctrl-C, delivered to the waiting test
        try:
            await anyio.sleep_forever()
        finally:
            events.append("cancelled")
            with anyio.CancelScope(shield=True):
                await anyio.sleep(0.01)  # the app's cleanup can await
            events.append("cleaned up")

    return app


def test_ctrl_c_during_a_request_cancels_the_app_and_lets_its_cleanup_await(
    backend: Backend,
) -> None:
    assert threading.current_thread() is threading.main_thread()
    events: list[str] = []
    client = TestClient(_interrupting_app(events), backend=backend)
    with pytest.raises(KeyboardInterrupt), client:
        client.get("/")
    assert events == ["started", "cancelled", "cleaned up"]


def _soon_in_this_loop(func: Callable[[], object]) -> None:
    if sniffio.current_async_library() == "trio":
        import trio

        trio.lowlevel.current_trio_token().run_sync_soon(func)
    else:
        asyncio.get_running_loop().call_soon(func)


def test_ctrl_c_outside_with_cancels_the_app_in_the_callers_own_loop(backend: Backend) -> None:
    events: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        events.append("started")
        # Ctrl-C while the loop (in this very thread) waits for the app.
        _soon_in_this_loop(lambda: signal.raise_signal(signal.SIGINT))
        try:
            await anyio.sleep_forever()
        finally:
            events.append("cancelled")
            with anyio.CancelScope(shield=True):
                await anyio.sleep(0.01)
            events.append("cleaned up")

    with pytest.raises(KeyboardInterrupt):
        TestClient(app, backend=backend).get("/")
    assert events == ["started", "cancelled", "cleaned up"]
