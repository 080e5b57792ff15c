"""The request path does no work a request does not need: no authentication flow without
authentication, no cookie-jar parsing of a response that sets no cookie. Same results."""

from __future__ import annotations

from http.cookiejar import CookieJar
from typing import Any

import httpx
import pytest

from asgibdd import AsyncTestClient, TestClient
from asgibdd._types import Receive, Scope, Send


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    headers = [(b"content-type", b"text/plain")]
    path = scope["path"]
    if path == "/set":
        headers.append((b"set-cookie", b"session=abc; Path=/"))
    if path == "/redirect":
        await send({"type": "http.response.start", "status": 302, "headers": [(b"location", b"/")]})
        await send({"type": "http.response.body", "body": b""})
        return
    sent = dict(scope["headers"])
    body = b"|".join([sent.get(b"authorization", b"-"), sent.get(b"cookie", b"-")])
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Counting:
    def __init__(self, target: Any) -> None:
        self.target = target
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.target(*args, **kwargs)


def _count_jar_extractions(client: httpx.Client | httpx.AsyncClient) -> Counting:
    counting = Counting(client.cookies.jar.extract_cookies)
    client.cookies.jar.extract_cookies = counting  # type: ignore[method-assign]
    return counting


def test_the_cookie_jar_reads_only_responses_that_set_a_cookie() -> None:
    with TestClient(app) as client:
        extractions = _count_jar_extractions(client)
        for _ in range(3):
            assert client.get("/").text == "-|-"
        assert extractions.calls == 0
        assert client.get("/set").status_code == 200
        assert extractions.calls == 1
        assert client.cookies.get("session") == "abc"
        assert client.get("/").text == "-|session=abc"  # sent back, as before
        assert extractions.calls == 1


def test_cookies_set_on_the_client_keep_the_lean_jar_and_the_given_jar_is_used() -> None:
    jar = CookieJar()
    client = TestClient(app, cookies=jar)
    assert client.cookies.jar is jar
    client.get("/set")
    assert [cookie.name for cookie in jar] == ["session"]
    client.cookies = {"other": "1"}
    extractions = _count_jar_extractions(client)
    assert client.get("/").text == "-|other=1"
    assert extractions.calls == 0
    client.get("/set")
    assert extractions.calls == 1
    assert dict(client.cookies) == {"other": "1", "session": "abc"}


@pytest.mark.anyio
async def test_the_async_client_reads_cookies_only_when_set_too() -> None:
    async with AsyncTestClient(app) as client:
        extractions = _count_jar_extractions(client)
        await client.get("/")
        assert extractions.calls == 0
        await client.get("/set")
        assert extractions.calls == 1
        assert (await client.get("/")).text == "-|session=abc"


def test_no_authentication_flow_runs_without_authentication(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flows = Counting(httpx.Auth.sync_auth_flow)
    monkeypatch.setattr(httpx.Auth, "sync_auth_flow", lambda auth, request: flows(auth, request))
    with TestClient(app) as client:
        assert client.get("/").text == "-|-"
        redirected = client.get("/redirect")
        assert [r.status_code for r in [*redirected.history, redirected]] == [302, 200]
        assert flows.calls == 0
        # With authentication, httpx's flow runs as ever.
        assert client.get("/", auth=("user", "secret")).text == "Basic dXNlcjpzZWNyZXQ=|-"
        assert flows.calls == 1
        client.auth = ("user", "secret")
        assert client.get("/").text == "Basic dXNlcjpzZWNyZXQ=|-"
        assert flows.calls == 2
        # Credentials in the URL are authentication too.
        client.auth = None  # type: ignore[assignment]  # httpx takes None at run time
        assert client.get("http://u:p@testserver/").text == "Basic dTpw|-"
        assert flows.calls == 3


def test_without_following_redirects_the_redirect_is_returned_with_its_next_request() -> None:
    with TestClient(app, follow_redirects=False) as client:
        response = client.get("/redirect")
    assert response.status_code == 302
    assert response.next_request is not None and response.next_request.url.path == "/"
    assert response.history == []
