"""Nothing hangs: every wait on the app has a bound, and running out says what was awaited."""

from __future__ import annotations

import anyio
import pytest
from fastapi import BackgroundTasks, FastAPI
from starlette.responses import StreamingResponse

from asgibdd import AppTimeout, AsyncTestClient, TestClient, UsageError
from asgibdd._types import Receive, Scope, Send
from tests.conftest import Backend

RAISE_THE_LIMIT = (
    "If it is slow on purpose, raise the limit: TestClient(app, wait_timeout=...), "
    "timeout=... on the request, or timeout in asgibdd's config for behave runs."
)


def _hanging_app() -> FastAPI:
    app = FastAPI()

    @app.get("/never")
    async def never() -> None:
        await anyio.Event().wait()  # nobody ever sets it

    @app.get("/stalls")
    async def stalls() -> StreamingResponse:
        return StreamingResponse(_OneEventThenNothing(), media_type="text/event-stream")

    @app.get("/background")
    async def background(tasks: BackgroundTasks) -> dict[str, bool]:
        tasks.add_task(anyio.sleep_forever)
        return {"ok": True}

    return app


class _OneEventThenNothing:
    """A body that sends one event, then waits for ever. Not an async generator: trio
    warns (ResourceWarning) when one is garbage collected unfinished, as this one is once
    the client gives up, whenever the collector gets to it."""

    def __init__(self) -> None:
        self.sent = False

    def __aiter__(self) -> _OneEventThenNothing:
        return self

    async def __anext__(self) -> str:
        if not self.sent:
            self.sent = True
            return "data: 1\n\n"
        await anyio.Event().wait()
        raise StopAsyncIteration  # pragma: no cover - nobody sets the event


NEVER_STARTED = (
    "The app did not start its response to GET /never within 0.2 s "
    f'(no "http.response.start" yet). {RAISE_THE_LIMIT}'
)


@pytest.mark.parametrize("entered", [True, False], ids=["inside with", "outside with"])
def test_a_request_the_app_never_answers_times_out(backend: Backend, entered: bool) -> None:
    client = TestClient(_hanging_app(), backend=backend, wait_timeout=0.2)
    if entered:
        client.__enter__()
    try:
        with pytest.raises(AppTimeout) as waited:
            client.get("/never")
    finally:
        client.__exit__()
    assert str(waited.value) == NEVER_STARTED
    assert (waited.value.content_type, waited.value.received) == (None, 0)


def test_a_stream_whose_response_never_starts_times_out(backend: Backend) -> None:
    client = TestClient(_hanging_app(), backend=backend, wait_timeout=0.2)
    with pytest.raises(AppTimeout) as waited, client.stream("GET", "/never"):
        pass  # pragma: no cover - the stream never opens
    assert str(waited.value) == NEVER_STARTED


def test_a_response_that_starts_then_stalls_says_what_arrived(backend: Backend) -> None:
    client = TestClient(_hanging_app(), backend=backend, wait_timeout=0.2)
    with client, pytest.raises(AppTimeout) as waited:
        client.get("/stalls")
    assert str(waited.value) == (
        "The response to GET /stalls did not finish within 0.2 s: it started with 200 and "
        'content-type "text/event-stream; charset=utf-8", then 9 bytes of body arrived and '
        "the app is still sending. An endless body (an event stream?) is read with "
        f"client.stream(...) or client.sse(...). {RAISE_THE_LIMIT}"
    )
    assert waited.value.content_type == "text/event-stream; charset=utf-8"
    assert waited.value.received == 9


def test_background_tasks_that_never_end_are_bounded_too(backend: Backend) -> None:
    with pytest.raises(AppTimeout) as waited:
        TestClient(_hanging_app(), backend=backend, wait_timeout=0.2).get("/background")
    assert str(waited.value) == (
        "The app was still running 0.2 s after it started its response to GET /background, "
        f"although the response was complete (background tasks?). {RAISE_THE_LIMIT}"
    )


def test_timeout_on_a_request_bounds_it_and_still_warns_as_starlette_does(backend: Backend) -> None:
    client = TestClient(_hanging_app(), backend=backend, wait_timeout=None)
    with (
        pytest.warns(Warning, match="You should not use the 'timeout' argument"),
        pytest.raises(AppTimeout) as waited,
    ):
        client.get("/never", timeout=0.2)
    assert str(waited.value) == NEVER_STARTED


def test_a_timeout_that_is_not_a_number_is_refused() -> None:
    client = TestClient(_hanging_app())
    with pytest.raises(UsageError) as misuse, client.stream("GET", "/never", timeout="2"):  # type: ignore[arg-type]
        pass  # pragma: no cover
    assert str(misuse.value) == (
        "timeout= must be a number of seconds (or None for the client's wait_timeout), "
        "got '2' (str)."
    )


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_the_async_client_bounds_requests_too(anyio_backend: Backend) -> None:
    async with AsyncTestClient(_hanging_app(), wait_timeout=0.2) as client:
        with pytest.raises(AppTimeout) as waited:
            await client.get("/never")
    assert str(waited.value) == NEVER_STARTED


async def _huge(scope: Scope, receive: Receive, send: Send) -> None:
    megabyte = b"x" * (1024 * 1024)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for _ in range(65):
        await send({"type": "http.response.body", "body": megabyte, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def test_a_plain_request_keeps_at_most_64_mib_of_body() -> None:
    with pytest.raises(UsageError) as too_big:
        TestClient(_huge).get("/huge")
    assert str(too_big.value) == (
        "The response to GET /huge has 68157440 bytes of body, more than the 64 MiB a plain "
        'request keeps in memory. Read it with `with client.stream("GET", url) as response:`.'
    )
    with TestClient(_huge).stream("GET", "/huge") as response:
        assert sum(len(chunk) for chunk in response.iter_raw()) == 65 * 1024 * 1024


async def _endless_body_awaiting_only_send(scope: Scope, receive: Receive, send: Send) -> None:
    # Never awaits anything but send(): only a checkpoint inside send() lets the bound in.
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    while True:
        await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})


@pytest.mark.parametrize("entered", [True, False], ids=["inside with", "outside with"])
def test_an_endless_body_that_awaits_only_send_is_stopped_at_the_bound(
    backend: Backend, entered: bool
) -> None:
    client = TestClient(_endless_body_awaiting_only_send, backend=backend, wait_timeout=0.2)
    if entered:
        client.__enter__()
    try:
        with pytest.raises(AppTimeout) as waited:
            client.get("/")
    finally:
        client.__exit__()
    assert str(waited.value).startswith(
        "The response to GET / did not finish within 0.2 s: it started with 200"
    )
    assert waited.value.received > 0
