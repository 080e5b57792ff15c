"""The ASGI scopes the TestClient builds: exactly what Starlette's client sends, minus its bugs."""

from __future__ import annotations

import pytest

from asgibdd import TestClient
from tests.conftest import Backend, ScopeRecorder


def test_a_bare_get_builds_the_exact_http_scope(recorder: ScopeRecorder, backend: Backend) -> None:
    client = TestClient(recorder, backend=backend)
    client.get("/hello-world", params={"foo": "bar"})
    scope = recorder.last
    headers = scope.pop("headers")
    assert scope == {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/hello-world",
        "raw_path": b"/hello-world",
        "root_path": "",
        "query_string": b"foo=bar",
        "client": ("testclient", 50000),
        "server": ["testserver", 80],
        "state": {},
        "extensions": {"http.response.debug": {}, "http.response.trailers": {}},
    }
    names = [name for name, _ in headers]
    assert names[0] == b"host"
    assert dict(headers)[b"host"] == b"testserver"
    assert dict(headers)[b"user-agent"] == b"testclient"
    assert names.count(b"user-agent") == 1
    assert all(name == name.lower() for name in names)
    assert "asgi" not in recorder.last


def test_the_scope_has_no_asgi_key_so_apps_see_the_spec_default(recorder: ScopeRecorder) -> None:
    TestClient(recorder).get("/")
    assert "asgi" not in recorder.last


def test_percent_25_is_decoded_exactly_once(recorder: ScopeRecorder) -> None:
    TestClient(recorder).get("/a%2525b")
    assert recorder.last["path"] == "/a%25b"
    assert recorder.last["raw_path"] == b"/a%2525b"


def test_path_is_percent_decoded_and_raw_path_keeps_the_encoding(recorder: ScopeRecorder) -> None:
    client = TestClient(recorder)
    client.get("/a%20b/c%2Fd")
    assert recorder.last["path"] == "/a b/c/d"
    client.get("/café/a%20b?x=1")
    assert recorder.last["path"] == "/café/a b"
    assert recorder.last["raw_path"] == b"/caf%C3%A9/a%20b"
    assert recorder.last["query_string"] == b"x=1"


@pytest.mark.parametrize(
    ("url", "params", "query_string"),
    [
        ("/q", {"q": "a b&c"}, b"q=a+b%26c"),
        ("/q?q=é x", None, b"q=%C3%A9%20x"),
        ("/q?", None, b""),
        ("/q", None, b""),
    ],
)
def test_query_string_is_the_raw_encoded_query(
    recorder: ScopeRecorder, url: str, params: dict[str, str] | None, query_string: bytes
) -> None:
    TestClient(recorder).get(url, params=params)
    assert recorder.last["query_string"] == query_string


def test_root_path_is_copied_verbatim_and_never_added_to_path(recorder: ScopeRecorder) -> None:
    client = TestClient(recorder, root_path="/api")
    client.get("/api/items")
    assert (recorder.last["path"], recorder.last["root_path"]) == ("/api/items", "/api")
    client.get("/items")
    assert (recorder.last["path"], recorder.last["root_path"]) == ("/items", "/api")


@pytest.mark.parametrize("base_url", ["http://testserver/api/v1/", "http://testserver/api/v1"])
@pytest.mark.parametrize("url", ["/bar", "bar"])
def test_a_path_in_base_url_prefixes_relative_urls(
    recorder: ScopeRecorder, base_url: str, url: str
) -> None:
    TestClient(recorder, base_url=base_url).get(url)
    assert recorder.last["path"] == "/api/v1/bar"


@pytest.mark.parametrize(
    ("base_url", "server", "host"),
    [
        ("http://[::1]:8000", ["::1", 8000], b"[::1]:8000"),
        ("https://example.com", ["example.com", 443], b"example.com"),
        ("https://example.com:8443", ["example.com", 8443], b"example.com:8443"),
        ("http://example.com:0", ["example.com", 0], b"example.com:0"),
    ],
)
def test_server_and_host_come_from_the_url(
    recorder: ScopeRecorder, base_url: str, server: list[object], host: bytes
) -> None:
    TestClient(recorder, base_url=base_url).get("/")
    assert recorder.last["server"] == server
    assert dict(recorder.last["headers"])[b"host"] == host
    assert recorder.last["scheme"] == base_url.partition(":")[0]


def test_an_explicit_host_header_wins_but_does_not_change_server(recorder: ScopeRecorder) -> None:
    TestClient(recorder).get("/", headers={"Host": "other.example"})
    hosts = [value for name, value in recorder.last["headers"] if name == b"host"]
    assert hosts == [b"other.example"]
    assert recorder.last["server"] == ["testserver", 80]


def test_client_tuple_is_put_into_the_scope(recorder: ScopeRecorder) -> None:
    TestClient(recorder, client=("192.168.0.1", 3000)).get("/")
    assert recorder.last["client"] == ("192.168.0.1", 3000)


def test_duplicate_request_headers_arrive_as_separate_entries(recorder: ScopeRecorder) -> None:
    TestClient(recorder).get("/", headers=[("x-tag", "a"), ("X-Tag", "b")])
    tags = [value for name, value in recorder.last["headers"] if name == b"x-tag"]
    assert tags == [b"a", b"b"]


def test_a_custom_user_agent_replaces_the_default_exactly_once(recorder: ScopeRecorder) -> None:
    caller_headers = {"User-Agent": "mybot/1.0"}
    client = TestClient(recorder, headers=caller_headers)
    client.get("/")
    agents = [value for name, value in recorder.last["headers"] if name == b"user-agent"]
    assert agents == [b"mybot/1.0"]
    assert client.headers["user-agent"] == "mybot/1.0"


def test_the_default_user_agent_is_testclient() -> None:
    assert TestClient(ScopeRecorder()).headers["user-agent"] == "testclient"


def test_caller_header_dicts_are_not_mutated(recorder: ScopeRecorder) -> None:
    client_headers = {"X-Client": "1"}
    request_headers = {"X-Request": "2"}
    websocket_headers = {"X-Socket": "3"}
    client = TestClient(recorder, headers=client_headers)
    client.get("/", headers=request_headers)
    with client.websocket_connect("/ws", headers=websocket_headers, subprotocols=["p1"]):
        pass
    assert client_headers == {"X-Client": "1"}
    assert request_headers == {"X-Request": "2"}
    assert websocket_headers == {"X-Socket": "3"}


def test_each_request_gets_a_shallow_copy_of_the_app_state(recorder: ScopeRecorder) -> None:
    client = TestClient(recorder)
    shared: list[str] = []
    client.app_state["shared"] = shared
    client.get("/")
    first = recorder.last["state"]
    first["added"] = True
    client.get("/")
    assert recorder.last["state"] == {"shared": shared}
    assert recorder.last["state"] is not client.app_state
    assert recorder.last["state"]["shared"] is shared


def test_websocket_scope_is_exact(recorder: ScopeRecorder, backend: Backend) -> None:
    client = TestClient(recorder, backend=backend, root_path="/root")
    with client.websocket_connect("/ws/a%20b?x=1", subprotocols=["p1", "p2"]):
        pass
    scope = recorder.last
    headers = dict(scope.pop("headers"))
    assert scope == {
        "type": "websocket",
        "http_version": "1.1",
        "scheme": "ws",
        "path": "/ws/a b",
        "raw_path": b"/ws/a%20b",
        "root_path": "/root",
        "query_string": b"x=1",
        "client": ("testclient", 50000),
        "server": ["testserver", 80],
        "state": {},
        "subprotocols": ["p1", "p2"],
        "extensions": {"websocket.http.response": {}},
    }
    assert headers[b"connection"] == b"upgrade"
    assert headers[b"upgrade"] == b"websocket"
    assert headers[b"sec-websocket-version"] == b"13"
    assert headers[b"sec-websocket-protocol"] == b"p1, p2"
    assert headers[b"host"] == b"testserver"


@pytest.mark.parametrize(
    ("base_url", "scheme", "server", "path"),
    [
        ("http://testserver/api/", "ws", ["testserver", 80], "/api/ws"),
        ("https://example.com/api", "wss", ["example.com", 443], "/api/ws"),
        ("http://example.com:8080", "ws", ["example.com", 8080], "/ws"),
    ],
)
def test_websockets_honour_base_url(
    recorder: ScopeRecorder, base_url: str, scheme: str, server: list[object], path: str
) -> None:
    with TestClient(recorder, base_url=base_url).websocket_connect("/ws"):
        pass
    assert (recorder.last["scheme"], recorder.last["server"]) == (scheme, server)
    assert recorder.last["path"] == path


def test_an_absolute_ws_url_is_honoured(recorder: ScopeRecorder) -> None:
    with TestClient(recorder).websocket_connect("wss://elsewhere.example:9000/live"):
        pass
    assert recorder.last["scheme"] == "wss"
    assert recorder.last["server"] == ["elsewhere.example", 9000]
    assert recorder.last["path"] == "/live"


def test_websocket_connect_accepts_a_list_of_header_pairs(recorder: ScopeRecorder) -> None:
    headers = [("x-token", "abc"), ("x-token", "def")]
    with TestClient(recorder).websocket_connect("/ws", headers=headers):
        pass
    tokens = [value for name, value in recorder.last["headers"] if name == b"x-token"]
    assert tokens == [b"abc", b"def"]
    assert headers == [("x-token", "abc"), ("x-token", "def")]


def test_websocket_connect_takes_params(recorder: ScopeRecorder) -> None:
    with TestClient(recorder).websocket_connect("/ws", params={"name": "alice"}):
        pass
    assert recorder.last["query_string"] == b"name=alice"
    assert recorder.last["raw_path"] == b"/ws"
