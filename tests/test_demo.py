"""The bundled demo service, endpoint by endpoint, through an in-process test client."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.routing import APIWebSocketRoute

from asgibdd import TestClient, WebSocketDenialResponse, WebSocketDisconnect
from asgibdd._types import Message
from asgibdd.client import ServerSentEvent, SSEDecoder
from asgibdd.demo import app, create_app
from asgibdd.demo.app import lifespan
from asgibdd.demo.store import LIFESPAN_NOT_STARTED, Store

FIXTURES = Path(__file__).parent.parent / "features" / "fixtures"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def new_item(client: TestClient, name: str = "apple", price: float = 1.5, **extra: Any) -> Any:
    response = client.post("/items", json={"name": name, "price": price, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def events_of(body: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    return [*decoder.feed(body), *decoder.close()]


# --- health and lifespan --------------------------------------------------------------


def test_health_is_ok_when_the_lifespan_ran(client: TestClient) -> None:
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_health_is_503_explaining_the_lifespan_was_not_started() -> None:
    response = TestClient(create_app()).get("/health")
    assert response.status_code == 503
    assert response.json() == {"detail": LIFESPAN_NOT_STARTED}
    assert "lifespan was not started" in LIFESPAN_NOT_STARTED


def test_every_lifespan_starts_with_an_empty_store() -> None:
    with TestClient(app) as first:
        assert new_item(first)["id"] == 1
    with TestClient(app) as second:
        assert second.get("/items").json() == {"items": [], "count": 0}
        assert new_item(second)["id"] == 1


def test_the_module_docstring_lists_every_route() -> None:
    import asgibdd.demo.websockets

    documented = set(re.findall(r"^- `([A-Z]+ /[^`?]*)", asgibdd.demo.__doc__ or "", re.M))
    served = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    # WebSocket routes are not part of OpenAPI; they all live in one router.
    served.update(
        f"WS {route.path}"
        for route in asgibdd.demo.websockets.router.routes
        if isinstance(route, APIWebSocketRoute)
    )
    # Parameter names may differ ({id} reads better than {item_id}); their places may not.
    assert {re.sub("{[^}]*}", "{}", route) for route in documented} == {
        re.sub("{[^}]*}", "{}", route) for route in served
    }


# --- items ----------------------------------------------------------------------------


def test_creating_an_item_returns_201_with_id_timestamp_and_location(client: TestClient) -> None:
    response = client.post("/items", json={"name": "apple", "price": 1.5, "tags": ["fruit"]})
    assert response.status_code == 201
    assert response.headers["location"] == "/items/1"
    body = response.json()
    created_at = datetime.fromisoformat(body.pop("created_at").replace("Z", "+00:00"))
    assert created_at.tzinfo is not None
    assert body == {"id": 1, "name": "apple", "price": 1.5, "tags": ["fruit"]}


def test_item_ids_are_sequential_and_tags_default_to_empty(client: TestClient) -> None:
    assert [new_item(client, name)["id"] for name in ("a", "b", "c")] == [1, 2, 3]
    assert client.get("/items/2").json()["tags"] == []


def test_listing_items_filters_by_name_and_limits(client: TestClient) -> None:
    for name in ("Apple pie", "banana", "pineapple", "cherry"):
        new_item(client, name)
    assert client.get("/items").json()["count"] == 4
    found = client.get("/items", params={"q": "APPLE"}).json()
    assert [item["name"] for item in found["items"]] == ["Apple pie", "pineapple"]
    assert found["count"] == 2
    limited = client.get("/items?limit=3").json()
    assert [item["id"] for item in limited["items"]] == [1, 2, 3]


def test_getting_an_item_returns_it(client: TestClient) -> None:
    created = new_item(client, "pear", 2)
    assert client.get("/items/1").json() == created


def test_a_missing_item_is_404_with_its_id_in_the_detail(client: TestClient) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        json = {"name": "x", "price": 1} if method in ("PUT", "PATCH") else None
        response = client.request(method, "/items/42", json=json)
        assert (response.status_code, response.json()) == (404, {"detail": "Item 42 not found"})


def test_put_replaces_name_price_and_tags(client: TestClient) -> None:
    created = new_item(client, "pear", 2, tags=["old"])
    response = client.put("/items/1", json={"name": "plum", "price": 3})
    assert response.status_code == 200
    assert response.json() == {**created, "name": "plum", "price": 3.0, "tags": []}
    assert client.get("/items/1").json() == response.json()


def test_patch_changes_only_the_given_fields(client: TestClient) -> None:
    created = new_item(client, "pear", 2, tags=["fruit"])
    response = client.patch("/items/1", json={"price": 2.5})
    assert response.json() == {**created, "price": 2.5}


def test_patch_with_null_is_422(client: TestClient) -> None:
    new_item(client)
    response = client.patch("/items/1", json={"name": None})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert error["msg"] == "Value error, may be left out to keep its value, but cannot be null"


def test_delete_removes_the_item(client: TestClient) -> None:
    new_item(client)
    response = client.delete("/items/1")
    assert (response.status_code, response.content) == (204, b"")
    assert client.get("/items/1").status_code == 404


@pytest.mark.parametrize(
    ("body", "location", "error_type"),
    [
        ({"name": "", "price": 1}, ["body", "name"], "string_too_short"),
        ({"name": "x" * 101, "price": 1}, ["body", "name"], "string_too_long"),
        ({"name": "x", "price": -0.01}, ["body", "price"], "greater_than_equal"),
        ({"name": "x", "price": "cheap"}, ["body", "price"], "float_parsing"),
        ({"price": 1}, ["body", "name"], "missing"),
        ({"name": "x", "price": 1, "tags": "fruit"}, ["body", "tags"], "list_type"),
    ],
)
def test_invalid_items_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], location: list[str], error_type: str
) -> None:
    response = client.post("/items", json=body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (location, error_type)


def test_a_name_of_exactly_100_characters_is_accepted(client: TestClient) -> None:
    assert new_item(client, "x" * 100)["name"] == "x" * 100


# --- authentication -------------------------------------------------------------------


def log_in(client: TestClient, username: str = "alice", password: str = "s3cret") -> str:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_login_returns_a_bearer_token_and_sets_a_session_cookie(client: TestClient) -> None:
    response = client.post("/login", data={"username": "bob", "password": "hunter2"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 20
    assert response.cookies["session"]
    assert "HttpOnly" in response.headers["set-cookie"]


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong"), ("mallory", "s3cret")])
def test_login_with_wrong_credentials_is_401(
    client: TestClient, username: str, password: str
) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect username or password"}
    assert "session" not in response.cookies


def test_login_without_the_form_fields_is_422(client: TestClient) -> None:
    response = client.post("/login", data={"username": "alice"})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "password"]]


def test_me_returns_the_user_of_the_bearer_token(client: TestClient) -> None:
    token = log_in(client, "bob", "hunter2")
    response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json() == {"username": "bob"}


def test_me_without_a_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Not authenticated: send 'Authorization: Bearer <token>' "
        "with an access token from POST /login"
    }


def test_me_with_an_unknown_token_is_401(client: TestClient) -> None:
    response = client.get("/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Invalid access token: log in again with POST /login"}


def test_basic_auth_returns_the_user(client: TestClient) -> None:
    assert client.get("/basic", auth=("alice", "s3cret")).json() == {"username": "alice"}


def test_basic_auth_with_a_wrong_password_is_401(client: TestClient) -> None:
    response = client.get("/basic", auth=("alice", "hunter2"))
    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Basic")
    assert response.json() == {"detail": "Incorrect username or password"}


def test_basic_auth_missing_is_401_with_a_basic_challenge(client: TestClient) -> None:
    response = client.get("/basic")
    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Basic")
    assert response.json() == {"detail": "Not authenticated: send HTTP basic authentication"}


def test_the_session_cookie_from_login_identifies_the_user(client: TestClient) -> None:
    log_in(client)
    assert client.get("/session").json() == {"username": "alice"}


@pytest.mark.parametrize("cookies", [{}, {"session": "forged"}])
def test_session_without_a_valid_cookie_is_401(client: TestClient, cookies: dict[str, str]) -> None:
    client.cookies.update(cookies)
    response = client.get("/session")
    assert response.status_code == 401
    assert response.json() == {"detail": "No valid session cookie: log in with POST /login first"}


# --- redirects ------------------------------------------------------------------------


def test_old_items_redirects_permanently_to_items(client: TestClient) -> None:
    response = client.get("/old-items", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, "/items")
    followed = client.get("/old-items")
    assert (followed.status_code, followed.json()) == (200, {"items": [], "count": 0})
    assert followed.url.path == "/items"


def test_redirect_sends_a_307_to_the_given_path(client: TestClient) -> None:
    response = client.get("/redirect?to=/health", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (307, "/health")
    assert client.get("/redirect?to=/health").json() == {"status": "ok"}


@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/", "/\\example.com"])
def test_redirect_refuses_targets_outside_the_service(client: TestClient, target: str) -> None:
    response = client.get("/redirect", params={"to": target}, follow_redirects=False)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"'to' must be a path on this service starting with '/', got {target!r}"
    }


def test_redirect_without_a_target_is_422(client: TestClient) -> None:
    assert client.get("/redirect").status_code == 422


# --- cookies, echo, upload ------------------------------------------------------------


def test_cookies_set_sets_each_query_parameter_as_a_cookie(client: TestClient) -> None:
    response = client.get("/cookies/set?flavour=oat&colour=brown")
    assert response.json() == {"flavour": "oat", "colour": "brown"}
    assert dict(response.cookies) == {"flavour": "oat", "colour": "brown"}
    assert client.get("/cookies").json() == {"flavour": "oat", "colour": "brown"}


def test_cookies_echoes_the_request_cookies(client: TestClient) -> None:
    assert client.get("/cookies").json() == {}
    response = client.get("/cookies", headers={"Cookie": "a=1; b=two"})
    assert response.json() == {"a": "1", "b": "two"}


def test_echo_returns_the_body_with_its_content_type(client: TestClient) -> None:
    response = client.post("/echo", content=b"<p>hi</p>", headers={"Content-Type": "text/html"})
    assert response.content == b"<p>hi</p>"
    assert response.headers["content-type"].startswith("text/html")


def test_echo_without_a_content_type_answers_octet_stream(client: TestClient) -> None:
    response = client.post("/echo", content=b"\x00\xff")
    assert response.content == b"\x00\xff"
    assert response.headers["content-type"] == "application/octet-stream"


def test_echo_headers_returns_request_headers_with_lower_case_names(client: TestClient) -> None:
    response = client.get("/echo/headers", headers={"X-Token": "abc", "Accept": "text/plain"})
    headers = response.json()
    assert headers["x-token"] == "abc"
    assert headers["accept"] == "text/plain"
    assert all(name == name.lower() for name in headers)


@pytest.mark.parametrize(
    ("name", "content_type"), [("hello.txt", "text/plain"), ("pixel.png", "image/png")]
)
def test_upload_describes_the_uploaded_file(
    client: TestClient, name: str, content_type: str
) -> None:
    data = (FIXTURES / name).read_bytes()
    response = client.post("/upload", files={"file": (name, data, content_type)})
    assert response.json() == {
        "filename": name,
        "size": len(data),
        "content_type": content_type,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def test_the_fixture_readme_lists_the_true_sizes_and_digests() -> None:
    readme = (FIXTURES / "README.md").read_text()
    for path in sorted(FIXTURES.iterdir()):
        if path.name != "README.md":
            data = path.read_bytes()
            assert (
                f"| `{path.name}` | {len(data)} | `{hashlib.sha256(data).hexdigest()}` |" in readme
            )


def test_upload_without_a_file_is_422(client: TestClient) -> None:
    response = client.post("/upload", data={"other": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


# --- websockets -----------------------------------------------------------------------


def test_ws_echo_echoes_text_as_text_and_bytes_as_bytes(client: TestClient) -> None:
    with client.websocket_connect("/ws/echo") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "hello"
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_bytes() == b"\x00\x01"
        ws.send_json({"close": 1})  # not a valid close code, so just a message
        assert ws.receive_json() == {"close": 1}


def test_ws_echo_closes_with_the_requested_code(client: TestClient) -> None:
    with client.websocket_connect("/ws/echo") as ws:
        ws.send_json({"close": 4000})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 4000


def test_chat_tells_members_who_joined_what_was_said_and_who_left(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat/lobby?name=alice") as alice:
        assert alice.receive_json() == {"type": "joined", "name": "alice", "room": "lobby"}
        with client.websocket_connect("/ws/chat/lobby?name=bob") as bob:
            joined = {"type": "joined", "name": "bob", "room": "lobby"}
            assert (alice.receive_json(), bob.receive_json()) == (joined, joined)
            alice.send_json({"text": "hi"})
            said = {"type": "message", "from": "alice", "text": "hi"}
            assert (alice.receive_json(), bob.receive_json()) == (said, said)
            bob.send_text("plain text works too")
            assert alice.receive_json()["text"] == "plain text works too"
            assert bob.receive_json()["from"] == "bob"
        assert alice.receive_json() == {"type": "left", "name": "bob"}


def test_chat_rooms_are_separate(client: TestClient) -> None:
    with (
        client.websocket_connect("/ws/chat/a?name=alice") as alice,
        client.websocket_connect("/ws/chat/b?name=bob") as bob,
    ):
        assert alice.receive_json()["room"] == "a"
        assert bob.receive_json()["room"] == "b"
        bob.send_json({"text": "only b"})
        assert bob.receive_json()["text"] == "only b"
        alice.send_json({"text": "only a"})
        assert alice.receive_json()["text"] == "only a"


def test_chat_answers_messages_without_text_with_an_error(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat/lobby?name=alice") as alice:
        alice.receive_json()
        alice.send_json({"txt": "typo"})
        assert alice.receive_json() == {
            "type": "error",
            "detail": 'send text, or JSON like {"text": "hi"}',
        }


def test_chat_without_a_name_is_closed_with_1008_before_accept(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as rejected, client.websocket_connect("/ws/chat/lobby"):
        pass
    assert rejected.value.code == 1008
    assert rejected.value.reason == (
        "the query parameter 'name' is required, as in /ws/chat/lobby?name=alice"
    )


def test_chat_accepts_the_chat_subprotocol_when_offered(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat/x?name=a", subprotocols=["v2", "chat"]) as ws:
        assert ws.accepted_subprotocol == "chat"
    with client.websocket_connect("/ws/chat/x?name=a") as ws:
        assert ws.accepted_subprotocol is None


@pytest.mark.parametrize("query", ["", "?token=", "?token=forged"])
def test_private_websocket_denies_a_missing_or_invalid_token_with_403(
    client: TestClient, query: str
) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as denied,
        client.websocket_connect(f"/ws/private{query}"),
    ):
        pass
    assert denied.value.status_code == 403
    assert denied.value.json() == {
        "detail": "A valid '?token=' from POST /login is required to open /ws/private"
    }


def test_private_websocket_greets_the_tokens_user(client: TestClient) -> None:
    token = log_in(client)
    with client.websocket_connect(f"/ws/private?token={token}") as ws:
        assert ws.receive_json() == {"type": "welcome", "user": "alice"}


# --- server-sent events and streamed lines --------------------------------------------


def test_events_streams_count_ticks_after_a_comment_and_a_retry(client: TestClient) -> None:
    response = client.get("/events?count=3&interval=0")
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.text.startswith(": ticking every 0.0 seconds\nretry: 1000\n\n")
    decoder = SSEDecoder()
    events = decoder.feed(response.content)
    assert events == [
        ServerSentEvent(event="tick", data=f'{{"n": {n}}}', id=str(n)) for n in (1, 2, 3)
    ]
    assert [event.json() for event in events] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert decoder.retry == 1000


def test_events_resume_after_the_last_event_id(client: TestClient) -> None:
    response = client.get("/events?count=4&interval=0", headers={"Last-Event-ID": "2"})
    assert [event.id for event in events_of(response.content)] == ["3", "4"]


def test_events_wait_the_interval_between_ticks(client: TestClient) -> None:
    started = time.perf_counter()
    client.get("/events?count=3&interval=0.05")
    assert time.perf_counter() - started >= 0.1


def test_endless_events_can_be_read_a_few_at_a_time_and_left(client: TestClient) -> None:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    with client.stream("GET", "/events?interval=0.001") as response:
        for chunk in response.iter_bytes():
            events += decoder.feed(chunk)
            if len(events) >= 3:
                break
    assert [event.json() for event in events[:3]] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert client.get("/health").json() == {"status": "ok"}


@pytest.mark.parametrize("query", ["count=-1", "interval=-1", "interval=61", "count=many"])
def test_events_with_bad_parameters_is_422(client: TestClient, query: str) -> None:
    assert client.get(f"/events?{query}").status_code == 422


def test_stream_lines_sends_numbered_lines(client: TestClient) -> None:
    assert client.get("/stream/lines?count=3").text == "line 1\nline 2\nline 3\n"
    assert client.get("/stream/lines").text == "line 1\nline 2\nline 3\n"
    assert client.get("/stream/lines?count=0").text == ""


def test_item_events_stream_the_items_created_while_open(client: TestClient) -> None:
    new_item(client, "before")
    with client.stream("GET", "/events/items") as response:
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        chunks = response.iter_bytes()
        # The first chunk comes once the stream listens, so no item created after it is lost.
        assert next(chunks) == b": listening for new items\n\n"
        created = [new_item(client, "first"), new_item(client, "second", 2)]
        decoder = SSEDecoder()
        events: list[ServerSentEvent] = []
        while len(events) < 2:
            events += decoder.feed(next(chunks))
    assert [(event.event, event.id) for event in events] == [("item", "2"), ("item", "3")]
    assert [event.json() for event in events] == created
    assert client.app_state["store"].item_listeners == set()


# Streams that never end cannot go through a client that buffers whole bodies; these talk
# ASGI directly to see each chunk as it is sent and to disconnect half-way.


async def stream_until(
    path: str,
    store: Store,
    *,
    on_chunk: Any,
    spec_version: str,
) -> list[bytes]:
    """Run one GET through the app; `on_chunk(chunks)` returns True to disconnect."""
    chunks: list[bytes] = []
    disconnected = anyio.Event()
    request_sent = False

    async def receive() -> Message:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            chunks.append(message["body"])
            if on_chunk(chunks):
                disconnected.set()

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {"store": store},
    }
    with anyio.fail_after(5):
        await app(scope, receive, send)
    return chunks


@pytest.mark.anyio
@pytest.mark.parametrize("spec_version", ["2.0", "2.4"])
async def test_endless_events_end_cleanly_when_the_client_disconnects(spec_version: str) -> None:
    chunks = await stream_until(
        "/events?interval=0.001",
        Store(),
        on_chunk=lambda chunks: len(chunks) == 6,
        spec_version=spec_version,
    )
    events = events_of(b"".join(chunks[:6]))
    assert [event.id for event in events] == ["1", "2", "3", "4", "5"]


@pytest.mark.anyio
@pytest.mark.parametrize("spec_version", ["2.0", "2.4"])
async def test_item_events_arrive_as_created_and_unsubscribe_on_disconnect(
    spec_version: str,
) -> None:
    store = Store()

    def on_chunk(chunks: list[bytes]) -> bool:
        if len(chunks) == 1:  # subscribed: create two items while the stream is idle
            store.add_item("apple", 1, ["fruit"])
            store.add_item("pear", 2, [])
        return len(chunks) == 3

    chunks = await stream_until(
        "/events/items", store, on_chunk=on_chunk, spec_version=spec_version
    )
    assert chunks[0] == b": listening for new items\n\n"
    events = [event for chunk in chunks for event in events_of(chunk)]
    assert [(event.event, event.id, event.json()["name"]) for event in events] == [
        ("item", "1", "apple"),
        ("item", "2", "pear"),
    ]
    assert store.item_listeners == set()


@pytest.mark.anyio
async def test_an_idle_item_stream_ends_when_the_client_disconnects() -> None:
    store = Store()
    chunks = await stream_until(
        "/events/items", store, on_chunk=lambda chunks: True, spec_version="2.4"
    )
    assert chunks == [b": listening for new items\n\n"]
    assert store.item_listeners == set()


@pytest.mark.anyio
async def test_the_lifespan_shutdown_ends_open_item_streams() -> None:
    demo = create_app()
    running = lifespan(demo)
    store: Store = (await running.__aenter__())["store"]
    chunks: list[bytes] = []

    async def read_stream() -> None:
        chunks.extend(
            await stream_until(
                "/events/items", store, on_chunk=lambda chunks: False, spec_version="2.4"
            )
        )

    with anyio.fail_after(5):
        async with anyio.create_task_group() as task_group:
            task_group.start_soon(read_stream)
            while not store.item_listeners:
                await anyio.sleep(0.001)
            await running.__aexit__(None, None, None)
    assert chunks == [b": listening for new items\n\n"]


@pytest.mark.anyio
async def test_stream_lines_sends_each_line_as_its_own_chunk() -> None:
    chunks = await stream_until(
        "/stream/lines?count=3", Store(), on_chunk=lambda chunks: False, spec_version="2.4"
    )
    assert chunks == [b"line 1\n", b"line 2\n", b"line 3\n"]
