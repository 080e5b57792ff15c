"""Requests and responses through the TestClient: bodies, headers, redirects, cookies."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from asgibdd import TestClient
from asgibdd._types import Receive, Scope, Send
from tests.conftest import Backend, ScopeRecorder


async def echo_body(request: Request) -> Response:
    body = await request.body()
    return Response(body, media_type=request.headers.get("content-type"))


async def set_cookie(request: Request) -> Response:
    response = PlainTextResponse("set")
    response.set_cookie("flavour", "oatmeal")
    return response


async def read_cookies(request: Request) -> Response:
    return JSONResponse(request.cookies)


async def redirect_home(request: Request) -> Response:
    return RedirectResponse("/home", status_code=307)


async def home(request: Request) -> Response:
    return PlainTextResponse(f"home via {request.method}")


async def redirect_elsewhere(request: Request) -> Response:
    return RedirectResponse("https://other.example/landing")


async def landing(request: Request) -> Response:
    return PlainTextResponse(f"landed on {request.url.hostname} over {request.url.scheme}")


app = Starlette(
    routes=[
        Route("/echo", echo_body, methods=["POST", "PUT", "PATCH"]),
        Route("/cookies/set", set_cookie),
        Route("/cookies", read_cookies),
        Route("/redirect", redirect_home, methods=["GET", "POST"]),
        Route("/home", home, methods=["GET", "POST"]),
        Route("/elsewhere", redirect_elsewhere),
        Route("/landing", landing),
    ]
)


def test_get_returns_the_apps_response(backend: Backend) -> None:
    response = TestClient(app, backend=backend).get("/landing")
    assert (response.status_code, response.text) == (200, "landed on testserver over http")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_request_bodies_reach_the_app(method: str) -> None:
    client = TestClient(app)
    response = getattr(client, method)("/echo", json={"name": "apple", "tags": ["é"]})
    assert response.json() == {"name": "apple", "tags": ["é"]}
    assert response.headers["content-type"] == "application/json"


def test_a_generator_body_is_delivered_as_one_request_message() -> None:
    messages = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        messages.append(await receive())
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    def chunks() -> Iterator[bytes]:
        yield b"0123456789"
        yield b"abcdefghij"

    TestClient(app).post("/", content=chunks())
    assert messages == [
        {"type": "http.request", "body": b"0123456789abcdefghij", "more_body": False}
    ]


def test_receive_after_the_body_returns_disconnect_once_the_response_is_done() -> None:
    seen = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"done"})
        seen.append(await receive())

    assert TestClient(app).get("/").text == "done"
    assert seen == [{"type": "http.disconnect"}]


def test_a_head_request_drops_the_body() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}
        )
        await send({"type": "http.response.body", "body": b"hello"})

    response = TestClient(app).head("/")
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-length"] == "5"


def test_a_start_message_without_headers_is_allowed() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    response = TestClient(app).get("/")
    assert (response.status_code, list(response.headers.raw)) == (204, [])


def test_latin1_response_header_values_reach_the_test_unchanged() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"x-name", "café".encode("latin-1"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    response = TestClient(app).get("/")
    assert response.headers.raw == [(b"x-name", b"caf\xe9")]
    assert response.headers.get("x-name") == "café"


def test_redirects_are_followed_by_default(backend: Backend) -> None:
    response = TestClient(app, backend=backend).get("/redirect")
    assert (response.status_code, response.text) == (200, "home via GET")
    assert [r.status_code for r in response.history] == [307]


def test_a_307_redirect_keeps_the_method_and_body() -> None:
    response = TestClient(app).post("/redirect", content=b"x")
    assert response.text == "home via POST"


def test_follow_redirects_false_returns_the_redirect_itself() -> None:
    response = TestClient(app, follow_redirects=False).get("/redirect")
    assert (response.status_code, response.headers["location"]) == (307, "/home")


def test_a_redirect_to_another_host_still_reaches_the_app_with_that_host() -> None:
    response = TestClient(app).get("/elsewhere")
    assert response.text == "landed on other.example over https"


def test_cookies_set_by_the_app_are_sent_back(backend: Backend) -> None:
    client = TestClient(app, backend=backend)
    client.get("/cookies/set")
    assert client.cookies["flavour"] == "oatmeal"
    assert client.get("/cookies").json() == {"flavour": "oatmeal"}


def test_constructor_cookies_are_sent() -> None:
    client = TestClient(app, cookies={"session": "abc"})
    assert client.get("/cookies").json() == {"session": "abc"}


def test_client_headers_can_be_replaced_after_construction(recorder: ScopeRecorder) -> None:
    client = TestClient(recorder)
    client.headers = httpx.Headers({"Authorization": "Bearer token"})
    client.get("/")
    assert dict(recorder.last["headers"])[b"authorization"] == b"Bearer token"


def test_the_timeout_argument_warns_with_starlettes_exact_message() -> None:
    from starlette.exceptions import StarletteDeprecationWarning

    client = TestClient(app)
    expected = (
        "You should not use the 'timeout' argument with the TestClient. "
        "See https://github.com/Kludex/starlette/issues/1108 for more information."
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.get("/landing", timeout=1)
    assert response.status_code == 200
    # Only our warning class is looked at: see the unclosed-stream bug in conftest.py.
    ours = [w for w in caught if issubclass(w.category, StarletteDeprecationWarning)]
    assert [str(warning.message) for warning in ours] == [expected]


def timeout_warnings_of(call: object) -> list[warnings.WarningMessage]:
    from starlette.exceptions import StarletteDeprecationWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()  # type: ignore[operator]
    return [w for w in caught if issubclass(w.category, StarletteDeprecationWarning)]


def test_the_timeout_warning_points_at_a_direct_request_call() -> None:
    client = TestClient(app)
    [warning] = timeout_warnings_of(lambda: client.request("GET", "/landing", timeout=1))
    assert warning.filename == __file__


def test_the_timeout_warning_points_at_the_verb_call_in_the_test() -> None:
    client = TestClient(app)
    [warning] = timeout_warnings_of(lambda: client.get("/landing", timeout=1))
    assert warning.filename == __file__


def test_without_the_timeout_argument_nothing_warns() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TestClient(app).get("/landing")


def test_trio_and_asyncio_clients_answer_alike() -> None:
    answers = {TestClient(app, backend=b).get("/landing").text for b in ("asyncio", "trio")}
    assert answers == {"landed on testserver over http"}


def test_uvloop_runs_requests_and_the_lifespan() -> None:
    import asyncio

    import uvloop

    loops: list[type] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        loops.append(type(asyncio.get_running_loop()))
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"ok"})

    client = TestClient(app, backend_options={"use_uvloop": True})
    assert client.async_backend == {"backend": "asyncio", "backend_options": {"use_uvloop": True}}
    assert client.get("/").text == "ok"
    with client:
        assert client.get("/").text == "ok"
    assert loops and all(loop is uvloop.Loop for loop in loops)
