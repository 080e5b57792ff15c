"""Errors: the app's exceptions (raise_server_exceptions), protocol violations, bad input."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from asgibdd import ASGIProtocolError, TestClient, UsageError
from asgibdd._types import Receive, Scope, Send
from tests.conftest import Backend


class Boom(Exception):
    pass


async def raise_before_start(scope: Scope, receive: Receive, send: Send) -> None:
    raise Boom("before start")


async def return_without_response(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()


async def raise_mid_body(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    await send({"type": "http.response.start", "status": 201})
    await send({"type": "http.response.body", "body": b"part", "more_body": True})
    raise Boom("mid body")


async def failing_background_task() -> None:
    raise Boom("in the background")


async def with_background_task(request: Request) -> Response:
    return PlainTextResponse("sent", background=BackgroundTask(failing_background_task))


async def handled_error(request: Request) -> Response:
    raise Boom("handled by ServerErrorMiddleware")


starlette_app = Starlette(
    routes=[Route("/background", with_background_task), Route("/error", handled_error)]
)


def test_an_exception_before_the_response_propagates_by_default(backend: Backend) -> None:
    with pytest.raises(Boom, match="before start"):
        TestClient(raise_before_start, backend=backend).get("/")


def test_an_exception_before_the_response_is_a_bare_500_when_not_raising(backend: Backend) -> None:
    client = TestClient(raise_before_start, backend=backend, raise_server_exceptions=False)
    response = client.get("/")
    assert (response.status_code, list(response.headers.raw), response.content) == (500, [], b"")


def test_no_response_at_all_is_an_assertion_error_with_starlettes_text(backend: Backend) -> None:
    with pytest.raises(AssertionError) as caught:
        TestClient(return_without_response, backend=backend).get("/")
    assert str(caught.value) == (
        "TestClient did not receive any response. The app returned without sending "
        '"http.response.start".'
    )
    assert isinstance(caught.value, ASGIProtocolError)


def test_no_response_at_all_is_a_500_when_not_raising() -> None:
    client = TestClient(return_without_response, raise_server_exceptions=False)
    response = client.get("/")
    assert (response.status_code, response.content) == (500, b"")


def test_an_exception_mid_body_propagates_by_default(backend: Backend) -> None:
    with pytest.raises(Boom, match="mid body"):
        TestClient(raise_mid_body, backend=backend).get("/")


def test_an_exception_mid_body_keeps_status_and_partial_body_when_not_raising(
    backend: Backend,
) -> None:
    client = TestClient(raise_mid_body, backend=backend, raise_server_exceptions=False)
    response = client.get("/")
    assert (response.status_code, response.content) == (201, b"part")


def test_an_exception_mid_stream_propagates_while_reading_by_default() -> None:
    client = TestClient(raise_mid_body)
    with client.stream("GET", "/") as response:
        assert response.status_code == 201
        with pytest.raises(Boom, match="mid body"):
            response.read()


def test_an_exception_mid_stream_keeps_the_partial_body_when_not_raising() -> None:
    client = TestClient(raise_mid_body, raise_server_exceptions=False)
    with client.stream("GET", "/") as response:
        assert (response.status_code, response.read()) == (201, b"part")


def test_a_background_task_error_propagates_by_default(backend: Backend) -> None:
    with pytest.raises(Boom, match="in the background"):
        TestClient(starlette_app, backend=backend).get("/background")


def test_a_background_task_error_is_swallowed_when_not_raising(backend: Backend) -> None:
    client = TestClient(starlette_app, backend=backend, raise_server_exceptions=False)
    response = client.get("/background")
    assert (response.status_code, response.text) == (200, "sent")


def test_a_handled_error_is_reraised_by_default_and_a_500_page_when_not_raising() -> None:
    client = TestClient(starlette_app)
    with pytest.raises(Boom, match="handled by ServerErrorMiddleware"):
        client.get("/error")
    client.raise_server_exceptions = False
    response = client.get("/error")
    assert (response.status_code, response.text) == (500, "Internal Server Error")


def test_raise_server_exceptions_is_a_settable_property() -> None:
    client = TestClient(raise_before_start)
    assert client.raise_server_exceptions is True
    client.raise_server_exceptions = False
    assert client.get("/").status_code == 500
    client.raise_server_exceptions = True
    with pytest.raises(Boom):
        client.get("/")


def test_the_flag_also_applies_inside_with(backend: Backend) -> None:
    with TestClient(raise_mid_body, backend=backend, raise_server_exceptions=False) as client:
        assert client.get("/").content == b"part"


def test_exceptions_keep_their_own_type_and_no_exception_group_leaks(backend: Backend) -> None:
    with pytest.raises(Boom) as caught, TestClient(raise_before_start, backend=backend) as c:
        c.get("/")
    assert type(caught.value) is Boom


# --- protocol violations ---------------------------------------------------------------


def app_sending(*messages: dict[str, Any]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for message in messages:
            await send(message)

    return app


START = {"type": "http.response.start", "status": 200}
BODY = {"type": "http.response.body", "body": b"x"}


@pytest.mark.parametrize(
    ("messages", "text"),
    [
        (
            [BODY],
            'Received "http.response.body" without "http.response.start". '
            'Send "http.response.start" with the status and headers first.',
        ),
        (
            [START, START],
            'Received multiple "http.response.start" messages. '
            "An app answers a request exactly once.",
        ),
        ([START, BODY, BODY], 'Received "http.response.body" after response completed.'),
        (
            [START, BODY, {"type": "http.response.trailers", "headers": []}],
            'Received "http.response.trailers" without declaring trailers. '
            'Declare them with "trailers": True in "http.response.start".',
        ),
        (
            [
                {**START, "trailers": True},
                {**BODY, "more_body": True},
                {"type": "http.response.trailers", "headers": []},
            ],
            'Received "http.response.trailers" before body completed.',
        ),
    ],
    ids=["body-before-start", "second-start", "body-after-end", "undeclared-trailers", "early"],
)
def test_protocol_violations_raise_assertion_errors_with_exact_texts(
    messages: list[dict[str, Any]], text: str, backend: Backend
) -> None:
    with pytest.raises(AssertionError) as caught:
        TestClient(app_sending(*messages), backend=backend).get("/")
    assert str(caught.value) == text


def test_a_wrong_message_type_names_what_was_expected() -> None:
    with pytest.raises(ASGIProtocolError) as caught:
        TestClient(app_sending({"type": "websocket.accept"})).get("/")
    assert str(caught.value) == (
        "The app sent {'type': 'websocket.accept'} (dict) on an HTTP connection; expected a "
        'message of type "http.response.start", "http.response.body" or '
        '"http.response.trailers".'
    )


def test_a_non_integer_status_is_a_clear_error() -> None:
    with pytest.raises(ASGIProtocolError) as caught:
        TestClient(app_sending({"type": "http.response.start", "status": "200"})).get("/")
    assert str(caught.value) == (
        "The app sent \"http.response.start\" with status '200' (str); "
        "expected an integer such as 200."
    )


def test_trailers_are_collected_apart_from_the_headers() -> None:
    app = app_sending(
        {**START, "trailers": True},
        BODY,
        {"type": "http.response.trailers", "headers": [(b"x-a", b"1")], "more_trailers": True},
        {"type": "http.response.trailers", "headers": [(b"x-b", b"2")]},
    )
    response = TestClient(app).get("/")
    assert response.extensions["http.response.trailers"] == [(b"x-a", b"1"), (b"x-b", b"2")]
    assert "x-a" not in response.headers


# --- bad constructor input -------------------------------------------------------------


def test_a_non_callable_app_is_refused_with_what_was_got() -> None:
    with pytest.raises(UsageError) as caught:
        TestClient(42)
    assert str(caught.value) == (
        "TestClient expected an ASGI application (an async callable taking scope, receive "
        "and send), got 42 (int)."
    )


def test_an_import_string_app_is_refused_with_the_fix() -> None:
    with pytest.raises(UsageError) as caught:
        TestClient("main:app")
    assert str(caught.value) == (
        "TestClient expected an ASGI application object, got the string 'main:app'. "
        "Import the app and pass the object itself (for example `from main import app`)."
    )


def test_an_unknown_backend_is_refused_with_the_choices() -> None:
    with pytest.raises(UsageError) as caught:
        TestClient(raise_before_start, backend="curio")  # type: ignore[arg-type]
    assert str(caught.value) == (
        'Unknown async backend \'curio\': expected "asyncio" or "trio" (for uvloop use '
        'backend="asyncio", backend_options={"use_uvloop": True}).'
    )


def test_backend_options_must_be_a_dict() -> None:
    with pytest.raises(UsageError) as caught:
        TestClient(raise_before_start, backend_options=[("use_uvloop", True)])  # type: ignore[arg-type]
    assert str(caught.value) == (
        "backend_options must be a dict, got [('use_uvloop', True)] (list)."
    )


@pytest.mark.parametrize(
    ("missing", "kwargs", "text"),
    [
        (
            "trio",
            {"backend": "trio"},
            'backend="trio" needs the trio package: pip install trio (or the trio extra).',
        ),
        (
            "uvloop",
            {"backend_options": {"use_uvloop": True}},
            'backend_options={"use_uvloop": True} needs uvloop: pip install uvloop '
            "(or the uvloop extra).",
        ),
    ],
)
def test_a_missing_backend_package_is_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, missing: str, kwargs: dict[str, Any], text: str
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == missing else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(UsageError) as caught:
        TestClient(raise_before_start, **kwargs)
    assert str(caught.value) == text


def test_an_async_def_that_returns_a_non_awaitable_is_explained() -> None:
    def not_async(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    with pytest.raises(UsageError) as caught:
        TestClient(not_async).get("/")
    assert str(caught.value) == (
        "The app was called as app(scope, receive, send) and returned None (NoneType), "
        "but an ASGI app must be awaitable (an `async def`)."
    )


# --- ASGI 2 ----------------------------------------------------------------------------


class ASGI2App:
    """An ASGI 2 app: constructed with the scope, then awaited with receive and send."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def __call__(self, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": self.scope["path"].encode()})


def asgi2_function(scope: Scope) -> Any:
    async def instance(receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"function " + scope["path"].encode()})

    return instance


def test_an_asgi2_class_app_is_wrapped(backend: Backend) -> None:
    assert TestClient(ASGI2App, backend=backend).get("/two").text == "/two"


def test_an_asgi2_function_app_is_wrapped(backend: Backend) -> None:
    assert TestClient(asgi2_function, backend=backend).get("/two").text == "function /two"


def test_an_asgi3_instance_with_async_call_is_used_as_is() -> None:
    class ASGI3:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200})
            await send({"type": "http.response.body", "body": b"three"})

    app = ASGI3()
    client = TestClient(app)
    assert client.app is app
    assert client.get("/").text == "three"


def test_a_websocket_connect_to_an_http_only_app_names_the_route_and_the_fix() -> None:
    async def http_only(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"hi"})

    with (
        pytest.raises(ASGIProtocolError) as caught,
        TestClient(http_only).websocket_connect("/plain"),
    ):
        pass
    assert str(caught.value) == (
        "The app sent {'type': 'http.response.start', 'status': 200, 'headers': []} (dict) "
        'on a WebSocket connection; expected "websocket.accept", "websocket.send", '
        '"websocket.close" or a denial response ("websocket.http.response.start"/"...body"). '
        "The route /plain seems to answer plain HTTP only: connect to a WebSocket route, or "
        "request this one with client.get()."
    )
