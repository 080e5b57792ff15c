"""The app's calls caught in process, client by client (httpx sync and async, requests,
aiohttp): the stub's answer, a refused connection, the client's own timeout, a call no
step stubs, loopback let through to a real server, and nothing left patched after."""

from __future__ import annotations

import asyncio
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import httpcore
import httpx
import pytest
import requests

from asgibdd.errors import UnstubbedCall, UsageError
from asgibdd.outbound.intercept import Interceptors, installed_clients
from asgibdd.outbound.stubs import Answer, Outbound, Stub, Unstubbed

Client = Callable[[str, str, Any, float], tuple[int, bytes]]


def _httpx_sync(method: str, url: str, body: Any, timeout: float) -> tuple[int, bytes]:
    with httpx.Client(timeout=timeout) as client:
        answer = client.request(method, url, json=body)
        return answer.status_code, answer.content


def _httpx_async(method: str, url: str, body: Any, timeout: float) -> tuple[int, bytes]:
    async def call() -> tuple[int, bytes]:
        async with httpx.AsyncClient(timeout=timeout) as client:
            answer = await client.request(method, url, json=body)
            return answer.status_code, answer.content

    return asyncio.run(call())


def _requests(method: str, url: str, body: Any, timeout: float) -> tuple[int, bytes]:
    answer = requests.request(method, url, json=body, timeout=timeout)
    return answer.status_code, answer.content


def _aiohttp(method: str, url: str, body: Any, timeout: float) -> tuple[int, bytes]:
    async def call() -> tuple[int, bytes]:
        async with aiohttp.ClientSession() as session:
            limit = aiohttp.ClientTimeout(total=timeout)
            async with session.request(method, url, json=body, timeout=limit) as answer:
                return answer.status, await answer.read()

    return asyncio.run(call())


CLIENTS: dict[str, Client] = {
    "httpx sync": _httpx_sync,
    "httpx async": _httpx_async,
    "requests": _requests,
    "aiohttp": _aiohttp,
}
REFUSED = {
    "httpx sync": httpx.ConnectError,
    "httpx async": httpx.ConnectError,
    "requests": requests.ConnectionError,
    "aiohttp": aiohttp.ClientConnectionError,
}
TIMED_OUT = {
    "httpx sync": httpx.ReadTimeout,
    "httpx async": httpx.ReadTimeout,
    "requests": requests.ReadTimeout,
    "aiohttp": aiohttp.ServerTimeoutError,
}


@pytest.fixture
def outbound() -> Iterator[Outbound]:
    table = Outbound()
    service = table.service("pay", "https://pay.example/v1/")
    service.stubs.append(
        Stub("POST", "/charges", Answer(201, b'{"id": "ch_1"}', "application/json"))
    )
    interceptors = Interceptors(table.answer, table.lets_through)
    interceptors.start()
    try:
        yield table
    finally:
        interceptors.stop()


def test_every_client_library_is_caught_here() -> None:
    assert installed_clients() == ["httpx", "requests", "aiohttp"]


@pytest.mark.parametrize("client", CLIENTS)
def test_a_stubbed_call_gets_the_stub_s_answer_and_is_kept(client: str, outbound: Outbound) -> None:
    status, body = CLIENTS[client]("POST", "https://pay.example/v1/charges", {"amount": 5}, 5.0)
    assert (status, json.loads(body)) == (201, {"id": "ch_1"})
    [call] = outbound.received("pay")
    assert (call.method, call.path, call.json()) == ("POST", "/charges", {"amount": 5})


@pytest.mark.parametrize("client", CLIENTS)
def test_a_service_that_is_down_refuses_the_connection(client: str, outbound: Outbound) -> None:
    outbound.services["pay"].down = True
    with pytest.raises(REFUSED[client], match="Connection refused"):
        CLIENTS[client]("POST", "https://pay.example/v1/charges", {}, 5.0)
    assert outbound.received("pay") == []  # a refused call reached nothing


@pytest.mark.parametrize("client", CLIENTS)
def test_a_slow_service_meets_the_client_s_own_timeout(client: str, outbound: Outbound) -> None:
    outbound.services["pay"].delay = 30.0
    with pytest.raises(TIMED_OUT[client], match=r"Read timed out after 0\.2 s"):
        CLIENTS[client]("POST", "https://pay.example/v1/charges", {}, 0.2)


@pytest.mark.parametrize("client", CLIENTS)
def test_a_slow_service_within_the_client_s_timeout_answers(
    client: str, outbound: Outbound
) -> None:
    outbound.services["pay"].delay = 0.1
    status, _ = CLIENTS[client]("POST", "https://pay.example/v1/charges", {}, 5.0)
    assert status == 201


@pytest.mark.parametrize("client", CLIENTS)
def test_an_unstubbed_call_raises_into_the_app(client: str, outbound: Outbound) -> None:
    with pytest.raises(UnstubbedCall, match=r"^The app called GET https://pay.example/v1/refunds"):
        CLIENTS[client]("GET", "https://pay.example/v1/refunds", None, 5.0)
    with pytest.raises(UnstubbedCall, match=r"^The app called GET https://elsewhere.example/"):
        CLIENTS[client]("GET", "https://elsewhere.example/", None, 5.0)
    assert len(outbound.unstubbed()) == 2


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"real hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def loopback_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.mark.parametrize("client", CLIENTS)
def test_loopback_goes_to_the_real_server(
    client: str, outbound: Outbound, loopback_server: str
) -> None:
    assert CLIENTS[client]("GET", f"{loopback_server}/hi", None, 5.0) == (200, b"real hello")
    assert outbound.calls == []


@pytest.mark.parametrize("client", CLIENTS)
def test_an_allowed_prefix_goes_to_the_real_network(client: str, loopback_server: str) -> None:
    # Allowed, not loopback: the server is reached through the name "localhost" only
    # because the prefix allows it (lets_through is what every library asks).
    table = Outbound(allowed=("http://allowed.test",))
    assert table.lets_through("http://allowed.test/x")
    assert not table.lets_through("http://allowed.testing/x")
    assert not table.lets_through("https://allowed.test/x")
    interceptors = Interceptors(table.answer, lambda url: url.startswith(loopback_server))
    interceptors.start()
    try:
        assert CLIENTS[client]("GET", f"{loopback_server}/hi", None, 5.0) == (200, b"real hello")
    finally:
        interceptors.stop()


def test_nothing_stays_patched_once_stopped() -> None:
    patched = (
        requests.adapters.HTTPAdapter.send,
        httpcore.ConnectionPool.handle_request,
        aiohttp.ClientSession._request,
        httpx.HTTPTransport.__init__,
        httpx.AsyncHTTPTransport.__init__,
    )
    interceptors = Interceptors(Outbound().answer, lambda url: False)
    interceptors.start()
    interceptors.stop()
    assert (
        requests.adapters.HTTPAdapter.send,
        httpcore.ConnectionPool.handle_request,
        aiohttp.ClientSession._request,
        httpx.HTTPTransport.__init__,
        httpx.AsyncHTTPTransport.__init__,
    ) == patched


def test_the_latest_stub_wins_and_queries_are_matched_when_written() -> None:
    table = Outbound()
    service = table.service("fx", "https://fx.example")
    service.stubs += [
        Stub("GET", "/rates", Answer(200, b"old")),
        Stub("GET", "/rates", Answer(200, b"new")),
        Stub("GET", "/rates?base=usd", Answer(200, b"usd")),
    ]

    def answer(url: str) -> object:
        from asgibdd.outbound.stubs import Call, Reply

        _, outcome = table.answer(Call("GET", url, (), b""), None)
        return outcome.answer.body if isinstance(outcome, Reply) else type(outcome).__name__

    assert answer("https://fx.example/rates") == b"new"  # the latest for the route
    assert answer("https://fx.example/rates?base=usd") == b"usd"  # a query written: matched
    assert answer("https://fx.example:443/rates/?base=gbp") == b"new"
    assert answer("http://fx.example/rates") == Unstubbed.__name__  # another scheme


def test_a_base_url_that_is_not_one_is_refused() -> None:
    with pytest.raises(UsageError) as refused:
        Outbound().service("pay", "pay.example")
    assert str(refused.value) == (
        'The base URL of the service "pay" is "pay.example", which is not a base URL. Write '
        "the scheme and host the app calls, e.g. https://payments.example.com (a path prefix "
        "may follow)."
    )


def test_only_imported_clients_are_patched_and_a_later_import_is_caught_next_time() -> None:
    script = (
        "import sys\n"
        "from asgibdd.outbound.intercept import Interceptors\n"
        "from asgibdd.outbound.stubs import Outbound\n"
        "table = Outbound()\n"
        "interceptors = Interceptors(table.answer, table.lets_through)\n"
        "interceptors.start()\n"
        "print(interceptors.caught, 'aiohttp' in sys.modules)\n"
        "import requests\n"
        "interceptors.start()\n"
        "print(interceptors.caught, 'aiohttp' in sys.modules)\n"
        "interceptors.stop()\n"
        "print(interceptors.caught)\n"
    )
    assert _printed_lines(script) == [
        "['httpx'] False",
        "['httpx', 'requests'] False",
        "[]",
    ]


def _printed_lines(script: str) -> list[str]:
    """What `script` prints in a fresh interpreter (nothing patched or imported yet)."""
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.splitlines()


def test_a_scenario_s_start_looks_no_library_up_once_its_clients_are_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each scenario starts the interceptors again (for a client imported since); a lookup
    of an installed library searches `sys.path`, so it is made only for a client that is
    imported and not caught yet."""
    import importlib.util

    looked_up: list[str] = []
    find_spec = importlib.util.find_spec

    def counting(name: str, package: str | None = None) -> Any:
        looked_up.append(name)
        return find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", counting)
    interceptors = Interceptors(Outbound().answer, lambda url: False)
    try:
        interceptors.start()  # httpx, requests and aiohttp are imported by this module
        assert (interceptors.caught, looked_up) == (
            ["httpx", "requests", "aiohttp"],
            ["respx", "responses", "aioresponses"],
        )
        looked_up.clear()
        for _ in range(3):
            interceptors.start()
        assert looked_up == []
    finally:
        interceptors.stop()


def test_respx_starts_with_the_first_httpx_transport_not_before() -> None:
    """A run whose app calls out through no httpx client never imports respx and httpcore
    (trio and h2 with it, where installed); the first transport an app makes starts it,
    before that transport's first call, and stopping puts httpx's classes back."""
    script = (
        "import sys\n"
        "import httpx\n"
        "from asgibdd.errors import UnstubbedCall\n"
        "from asgibdd.outbound.intercept import Interceptors\n"
        "from asgibdd.outbound.stubs import Outbound\n"
        "built = (httpx.HTTPTransport.__init__, httpx.AsyncHTTPTransport.__init__)\n"
        "table = Outbound()\n"
        "interceptors = Interceptors(table.answer, table.lets_through)\n"
        "interceptors.start()\n"
        "interceptors.start()\n"
        "print(interceptors.caught, interceptors.started, 'respx' in sys.modules, "
        "'httpcore' in sys.modules)\n"
        "try:\n"
        "    httpx.Client().get('https://pay.example/charges')\n"
        "except UnstubbedCall:\n"
        "    print('caught')\n"
        "httpx.AsyncClient()\n"
        "print(interceptors.started, 'respx' in sys.modules)\n"
        "interceptors.stop()\n"
        "print((httpx.HTTPTransport.__init__, httpx.AsyncHTTPTransport.__init__) == built)\n"
        "httpx.Client()\n"
        "print(interceptors.started)\n"
    )
    assert _printed_lines(script) == [
        "['httpx'] [] False False",
        "caught",
        "['respx'] True",
        "True",
        "[]",
    ]
