"""The lifespan: run on `with client:`, bounded, and never a hang on a misbehaving app."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
import sniffio
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from asgibdd import AppTimeout, LifespanError, TestClient
from asgibdd._types import Receive, Scope, Send
from tests.conftest import Backend


class LifespanApp:
    """A raw ASGI app with a lifespan that records what happened, and in which loop."""

    def __init__(self, on_startup: str = "complete", on_shutdown: str = "complete") -> None:
        self.on_startup = on_startup
        self.on_shutdown = on_shutdown
        self.events: list[str] = []
        self.lifespan_loops: list[object] = []
        self.request_loops: list[object] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        self.request_loops.append(current_loop())
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": repr(scope["state"]).encode()})

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.lifespan_loops.append(current_loop())
        assert (await receive())["type"] == "lifespan.startup"
        self.events.append("startup")
        if self.on_startup == "fail-and-return":
            await send({"type": "lifespan.startup.failed", "message": "database is down"})
            return
        if self.on_startup == "raise":
            raise RuntimeError("Startup error")
        if self.on_startup == "hang":
            await anyio.sleep_forever()
        scope["state"]["ready"] = True
        await send({"type": "lifespan.startup.complete"})
        assert (await receive())["type"] == "lifespan.shutdown"
        self.events.append("shutdown")
        self.lifespan_loops.append(current_loop())
        if self.on_shutdown == "raise":
            raise RuntimeError("Shutdown error")
        if self.on_shutdown == "fail":
            await send({"type": "lifespan.shutdown.failed", "message": "flush failed"})
            return
        await send({"type": "lifespan.shutdown.complete"})


def current_loop() -> object:
    if sniffio.current_async_library() == "asyncio":
        import asyncio

        return asyncio.get_running_loop()
    import trio

    return trio.lowlevel.current_root_task()


def test_the_lifespan_runs_only_inside_with(backend: Backend) -> None:
    app = LifespanApp()
    client = TestClient(app, backend=backend)
    client.get("/")
    assert app.events == []
    with client:
        assert app.events == ["startup"]
        assert client.get("/").text == "{'ready': True}"
    assert app.events == ["startup", "shutdown"]
    assert client.app_state == {"ready": True}


def test_everything_inside_with_shares_one_loop_and_outside_each_request_gets_its_own(
    backend: Backend,
) -> None:
    app = LifespanApp()
    client = TestClient(app, backend=backend)
    with client:
        client.get("/")
        client.get("/")
    client.get("/")
    client.get("/")
    startup_loop, shutdown_loop = app.lifespan_loops
    inside_first, inside_second, outside_first, outside_second = app.request_loops
    assert startup_loop is shutdown_loop is inside_first is inside_second
    assert outside_first is not startup_loop
    assert outside_second is not outside_first


def test_a_client_can_be_entered_again_and_reuses_its_app_state(backend: Backend) -> None:
    app = LifespanApp()
    client = TestClient(app, backend=backend)
    with client:
        client.app_state["visits"] = 1
    state = client.app_state
    with client:
        assert client.get("/").text == "{'ready': True, 'visits': 1}"
    assert client.app_state is state
    assert app.events == ["startup", "shutdown", "startup", "shutdown"]
    assert app.lifespan_loops[0] is not app.lifespan_loops[2]


def test_the_portal_exists_only_inside_with(backend: Backend) -> None:
    client = TestClient(LifespanApp(), backend=backend)
    assert client.portal is None
    with client:
        assert client.portal is not None
        assert client.portal.call(anyio.sleep, 0) is None
    assert client.portal is None


def test_startup_error_propagates_from_with_with_the_apps_message(backend: Backend) -> None:
    app = LifespanApp(on_startup="raise")
    with pytest.raises(RuntimeError, match=r"^Startup error$"), TestClient(app, backend=backend):
        pytest.fail("the body must not run when startup failed")


def test_shutdown_error_propagates_from_exit(backend: Backend) -> None:
    app = LifespanApp(on_shutdown="raise")
    client = TestClient(app, backend=backend)
    with pytest.raises(RuntimeError, match=r"^Shutdown error$"), client:
        pass
    assert app.events == ["startup", "shutdown"]


def test_startup_failed_then_return_raises_instead_of_hanging(backend: Backend) -> None:
    app = LifespanApp(on_startup="fail-and-return")
    # A client that waited for more would end in AppTimeout at this bound, not LifespanError.
    with pytest.raises(LifespanError) as caught, TestClient(app, backend=backend, wait_timeout=60):
        pass
    assert str(caught.value) == "The app's lifespan startup failed: database is down"


def test_shutdown_failed_raises_with_the_apps_message(backend: Backend) -> None:
    client = TestClient(LifespanApp(on_shutdown="fail"), backend=backend)
    with pytest.raises(LifespanError) as caught, client:
        pass
    assert str(caught.value) == "The app's lifespan shutdown failed: flush failed"


def test_a_startup_that_never_answers_times_out_naming_the_phase(backend: Backend) -> None:
    client = TestClient(LifespanApp(on_startup="hang"), backend=backend, wait_timeout=0.05)
    with pytest.raises(AppTimeout) as caught, client:
        pass
    assert str(caught.value) == (
        'Lifespan startup did not finish within 0.05 s: the app received "lifespan.startup" '
        'but sent neither "lifespan.startup.complete" nor "lifespan.startup.failed". If '
        "startup is slow on purpose, raise the limit with TestClient(app, wait_timeout=...); "
        "None waits forever."
    )


@pytest.mark.parametrize("style", ["return", "assert-http", "value-error", "not-implemented"])
def test_an_app_without_lifespan_support_is_tolerated(backend: Backend, style: str) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if style == "return":
                return
            if style == "value-error":  # what Django's ASGIHandler raises
                raise ValueError(
                    f"Django can only handle ASGI/HTTP connections, not {scope['type']}."
                )
            if style == "not-implemented":
                raise NotImplementedError(scope["type"])
        assert scope["type"] == "http"
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"plain"})

    with TestClient(app, backend=backend) as client:
        assert client.get("/").text == "plain"


def test_a_refused_lifespan_is_logged_with_the_apps_error(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError("Django can only handle ASGI/HTTP connections, not lifespan.")
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    with caplog.at_level("INFO", logger="asgibdd.client"), TestClient(app, backend=backend):
        pass
    assert [(record.name, record.levelname, record.getMessage()) for record in caplog.records] == [
        (
            "asgibdd.client",
            "INFO",
            "The app refused the lifespan scope (ValueError: Django can only handle ASGI/HTTP "
            "connections, not lifespan.); going on without lifespan events, as the ASGI spec "
            "says.",
        )
    ]


@pytest.mark.parametrize("error", [RuntimeError, TypeError, KeyError])
def test_other_errors_before_the_first_receive_fail_the_with_block(
    backend: Backend, error: type[Exception]
) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise error("broken")

    with pytest.raises(error, match="broken"), TestClient(app, backend=backend):
        pytest.fail("the body must not run when the lifespan broke")


@pytest.mark.parametrize("error", [ValueError, AssertionError, NotImplementedError])
def test_a_refusal_raised_after_the_first_receive_fails_the_with_block(
    backend: Backend, error: type[Exception]
) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        raise error("startup broke")

    with pytest.raises(error, match=r"^startup broke$"), TestClient(app, backend=backend):
        pytest.fail("the body must not run when startup failed")


def test_a_middleware_error_before_the_lifespan_starts_fails_the_with_block(
    backend: Backend,
) -> None:
    class MiddlewareBroke(Exception):
        pass

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise MiddlewareBroke("broken middleware")

    with pytest.raises(MiddlewareBroke), TestClient(app, backend=backend):
        pass


def test_returning_after_startup_received_without_answering_is_a_clear_error() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()

    with pytest.raises(LifespanError) as caught, TestClient(app):
        pass
    assert str(caught.value) == (
        'The app received "lifespan.startup" and returned without answering. Send '
        '"lifespan.startup.complete" (or "lifespan.startup.failed") before returning, or '
        "return before calling receive() if the app has no lifespan."
    )


def test_an_unexpected_lifespan_message_is_a_clear_error() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    with pytest.raises(LifespanError) as caught, TestClient(app):
        pass
    assert str(caught.value) == (
        "During lifespan startup the app sent {'type': 'lifespan.shutdown.complete'} (dict); "
        'expected "lifespan.startup.complete" or "lifespan.startup.failed".'
    )


def test_shutdown_runs_even_when_the_with_body_raises() -> None:
    app = LifespanApp()
    with pytest.raises(KeyError), TestClient(app):
        raise KeyError("body failed")
    assert app.events == ["startup", "shutdown"]


def test_the_loop_thread_is_gone_after_exit() -> None:
    before = threading.active_count()
    with TestClient(LifespanApp()):
        pass
    # Worker threads may be parked for reuse, but never more than a handful.
    assert threading.active_count() - before <= 4


def test_starlette_lifespan_state_is_visible_to_requests(backend: Backend) -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        yield {"greeting": "hello"}

    async def hello(request: Request) -> JSONResponse:
        return JSONResponse({"greeting": request.state.greeting})

    app = Starlette(routes=[Route("/", hello)], lifespan=lifespan)
    with TestClient(app, backend=backend) as client:
        assert client.get("/").json() == {"greeting": "hello"}
        assert client.app_state == {"greeting": "hello"}


def test_fastapi_startup_and_shutdown_events_run_in_order() -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/items/{item_id}")
    async def read_items(item_id: str) -> dict[str, str]:
        return {"name": "Fighters", "item_id": item_id}

    with TestClient(app) as client:
        assert events == ["startup"]
        assert client.get("/items/foo").json() == {"name": "Fighters", "item_id": "foo"}
    assert events == ["startup", "shutdown"]
