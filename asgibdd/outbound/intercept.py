"""The app's outbound HTTP calls caught in this process, by the library made for each client.

- httpx (sync and async): respx;
- requests (also from a framework's thread pool): responses;
- aiohttp: aioresponses.

Each is used when both it and its client are installed, and the client is imported: an
app imports its client when it is imported, before the run starts, and a client that
asgibdd would import only to patch it costs every run its import time. Every call goes
to one function,
`decide` (what the scenario's `Outbound` says it gets), and its outcome is turned into
what that client would have seen: the stub's response, a refused connection, the
client's own timeout error, or `UnstubbedCall` for a call no step declared. A call to
loopback or to an allowed URL (`lets_through`) goes to the real network.

Patching is process-wide (threads included): started once for the run (and again at each
scenario start for a client imported since), undone when the run ends. httpx is imported
by asgibdd itself, so for it respx (which imports httpcore and, where they are installed,
trio and h2) starts only once httpcore is imported: when the first httpx transport is
made (each call to the network goes through one), or at a scenario's start when something
else imported it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import importlib.util
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import Any

import httpx

from asgibdd.errors import UnstubbedCall
from asgibdd.outbound.stubs import Call, Outcome, Refused, Reply, TimedOut, Unstubbed

__all__ = ["Decide", "Interceptors", "installed_clients"]

Decide = Callable[[Call, "float | None"], "tuple[Call, Outcome]"]
"""What a call gets: the call completed (its service and path) and its outcome."""

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_ANY_URL = re.compile(r".*")
# respx resolves sync and async requests with the same side effect; its router's async
# handler marks the async ones, so a delayed answer sleeps without blocking the loop.
_IN_ASYNC_CLIENT: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "asgibdd_outbound_async", default=False
)


_LIBRARIES = {"httpx": "respx", "requests": "responses", "aiohttp": "aioresponses"}


def installed_clients() -> list[str]:
    """The HTTP clients whose calls can be caught here: each with its library installed."""
    return [
        client
        for client, library in _LIBRARIES.items()
        if importlib.util.find_spec(client) is not None
        and importlib.util.find_spec(library) is not None
    ]


def _catchable(client: str, caught: list[str]) -> bool:
    """Whether `client` is imported, not caught yet, and its library installed: the
    library is looked up (a search of `sys.path`) only for such a client, so a scenario's
    start, once every imported client is caught, looks nothing up."""
    return (
        client in sys.modules
        and client not in caught
        and importlib.util.find_spec(_LIBRARIES[client]) is not None
    )


def _then(method: Callable[..., None], after: Callable[[], None]) -> Callable[..., None]:
    """`method`, then `after()`."""

    @functools.wraps(method)
    def both(*args: Any, **kwargs: Any) -> None:
        method(*args, **kwargs)
        after()

    return both


def _read_timeout(value: Any) -> float | None:
    """The read timeout out of what a client was given: seconds, a (connect, read) pair,
    httpx's timeout dict or aiohttp's ClientTimeout."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, tuple) and len(value) == 2:
        return _read_timeout(value[1])
    if isinstance(value, Mapping):
        return _read_timeout(value.get("read"))
    for name in ("sock_read", "total"):
        seconds = getattr(value, name, None)
        if isinstance(seconds, (int, float)):
            return float(seconds)
    return None


class Interceptors:
    """The installed interception libraries, started with `start`, all undone by `stop`."""

    def __init__(self, decide: Decide, lets_through: Callable[[str], bool]) -> None:
        self.decide = decide
        self.lets_through = lets_through
        self._stack = ExitStack()
        #: The clients whose calls are caught now, in the order they were started.
        self.caught: list[str] = []
        #: The interception libraries started so far (httpx's respx starts on first use).
        self.started: list[str] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        """Catch the calls of every installed client that is imported by now; a client
        imported later is caught from the next `start` on (see `caught`)."""
        starts = {
            "httpx": self._start_httpx,
            "requests": self._start_responses,
            "aiohttp": self._start_aioresponses,
        }
        try:
            for client in _LIBRARIES:
                if _catchable(client, self.caught):
                    starts[client]()
                    self.caught.append(client)
            if "httpx" in self.caught and "httpcore" in sys.modules:
                self._start_respx_once(self._stack)  # httpcore imported other than by httpx
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Undo every patch `start` made."""
        stack, self._stack = self._stack, ExitStack()
        self.caught, self.started = [], []
        stack.close()

    # -- httpx, through respx

    def _start_httpx(self) -> None:
        """Catch httpx's calls: at once when httpcore (what respx patches, and what every
        httpx call to the network goes through) is imported, else when the first httpx
        transport is made (it imports httpcore), so a run whose app calls out through no
        httpx client never imports respx, httpcore and theirs (~0.1 s)."""
        stack = self._stack
        if "httpcore" in sys.modules:
            self._start_respx_once(stack)
            return
        for transport in (httpx.HTTPTransport, httpx.AsyncHTTPTransport):
            stack.callback(setattr, transport, "__init__", transport.__init__)
            transport.__init__ = _then(  # type: ignore[method-assign]
                transport.__init__, functools.partial(self._start_respx_once, stack)
            )

    def _start_respx_once(self, stack: ExitStack) -> None:
        """Start respx unless it is started, or the interceptors that armed it (`stack`)
        were stopped since; from any thread."""
        with self._lock:
            if self._stack is stack and "respx" not in self.started:
                self._start_respx()

    def _start_respx(self) -> None:
        import respx

        class Router(respx.MockRouter):
            async def async_handler(self, request: httpx.Request) -> httpx.Response:
                token = _IN_ASYNC_CLIENT.set(True)
                try:
                    return await super().async_handler(request)
                finally:
                    _IN_ASYNC_CLIENT.reset(token)

        router = Router(assert_all_called=False, assert_all_mocked=True)
        router.route().mock(side_effect=self._httpx_answer)
        router.start()
        self._stack.callback(router.stop, quiet=True)
        self.started.append("respx")

    def _httpx_answer(self, request: httpx.Request) -> Any:
        url = str(request.url)
        if self.lets_through(url):
            return request  # respx: pass through
        timeout = _read_timeout(request.extensions.get("timeout"))
        call = Call(request.method, url, tuple(request.headers.multi_items()), request.read())
        _, outcome = self.decide(call, timeout)
        if _IN_ASYNC_CLIENT.get():
            return self._httpx_async(request, outcome)
        _sleep(outcome)
        return _httpx_response(request, outcome)

    async def _httpx_async(self, request: httpx.Request, outcome: Outcome) -> httpx.Response:
        await _async_sleep(outcome)
        return _httpx_response(request, outcome)

    # -- requests, through responses

    def _start_responses(self) -> None:
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)

        def caught(request: Any) -> tuple[bool, str]:
            return (not self.lets_through(str(request.url)), "")

        for method in _METHODS:
            mock.add_callback(method, _ANY_URL, self._requests_answer, match=[caught])
        mock.add_passthru(_ANY_URL)  # only what `caught` refused: loopback and allowed
        mock.start()
        self._stack.callback(mock.stop, allow_assert=False)

    def _requests_answer(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        import requests

        body = request.body or b""
        body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        call = Call(str(request.method), str(request.url), tuple(request.headers.items()), body)
        timeout = _read_timeout(getattr(request, "req_kwargs", {}).get("timeout"))
        _, outcome = self.decide(call, timeout)
        _sleep(outcome)
        if isinstance(outcome, Refused):
            raise requests.exceptions.ConnectionError(_refused_text(outcome, call))
        if isinstance(outcome, TimedOut):
            raise requests.exceptions.ReadTimeout(_timeout_text(outcome, call))
        if isinstance(outcome, Unstubbed):
            raise UnstubbedCall(outcome.message)
        headers = {"Content-Type": outcome.answer.content_type or "text/plain"}
        return outcome.answer.status, headers, outcome.answer.body

    # -- aiohttp, through aioresponses

    def _start_aioresponses(self) -> None:
        from aioresponses import aioresponses

        mock = aioresponses()
        original = mock.match

        async def match(method: str, url: Any, **kwargs: Any) -> Any:
            if self.lets_through(str(url)):
                return None  # passthrough_unmatched sends it to the real network
            return await original(method, url, **kwargs)

        mock.match = match  # type: ignore[method-assign,assignment]
        mock.passthrough_unmatched = True
        mock.start()  # before `add`: starting is what makes the table routes go in
        self._stack.callback(mock.stop)
        for method in _METHODS:
            answer = functools.partial(self._aiohttp_answer, method)
            mock.add(_ANY_URL, method=method, callback=answer, repeat=True)

    async def _aiohttp_answer(self, method: str, url: Any, **kwargs: Any) -> Any:
        import aiohttp
        from aioresponses import CallbackResult

        body = _aiohttp_body(kwargs)
        headers = tuple((str(k), str(v)) for k, v in dict(kwargs.get("headers") or {}).items())
        call = Call(method, str(url), headers, body)
        _, outcome = self.decide(call, _read_timeout(kwargs.get("timeout")))
        await _async_sleep(outcome)
        if isinstance(outcome, Refused):
            raise aiohttp.ClientConnectionError(_refused_text(outcome, call))
        if isinstance(outcome, TimedOut):
            raise aiohttp.ServerTimeoutError(_timeout_text(outcome, call))
        if isinstance(outcome, Unstubbed):
            raise UnstubbedCall(outcome.message)
        answer = outcome.answer
        return CallbackResult(
            method=method,
            status=answer.status,
            body=answer.body,
            content_type=answer.content_type or "text/plain",
            response_class=_aiohttp_response_class(),
        )


class _SentRequest:
    """What aiohttp 3.14's response asks of the writer its request went through."""

    output_size = 0


def _aiohttp_response_class() -> Any:
    """aiohttp's `ClientResponse`, built the way aioresponses (0.7.9) builds it: from
    aiohttp 3.14 on, a response also needs the writer its request was sent with, which a
    stubbed call never had."""
    import inspect

    import aiohttp

    base = aiohttp.ClientResponse
    if "stream_writer" not in inspect.signature(base.__init__).parameters:
        return base

    class StubbedResponse(base):  # type: ignore[misc,valid-type]
        def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
            kwargs.setdefault("stream_writer", _SentRequest())
            super().__init__(method, url, **kwargs)

    return StubbedResponse


def _aiohttp_body(kwargs: Mapping[str, Any]) -> bytes:
    import json

    if kwargs.get("json") is not None:
        return json.dumps(kwargs["json"]).encode("utf-8")
    data = kwargs.get("data")
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    return b""


def _pause(outcome: Outcome) -> float:
    if isinstance(outcome, Reply):
        return outcome.delay
    if isinstance(outcome, TimedOut):
        return outcome.after
    return 0.0


def _sleep(outcome: Outcome) -> None:
    seconds = _pause(outcome)
    if seconds:
        time.sleep(seconds)


async def _async_sleep(outcome: Outcome) -> None:
    seconds = _pause(outcome)
    if seconds:
        await asyncio.sleep(seconds)


def _refused_text(outcome: Refused, call: Call) -> str:
    return (
        f"[Errno 111] Connection refused: {call.method} {call.url} (the scenario says the "
        f'service "{outcome.service}" is down)'
    )


def _timeout_text(outcome: TimedOut, call: Call) -> str:
    return (
        f"Read timed out after {outcome.after:g} s: {call.method} {call.url} (the scenario "
        "says the service answers later)"
    )


def _httpx_response(request: httpx.Request, outcome: Outcome) -> httpx.Response:
    if isinstance(outcome, Refused):
        raise httpx.ConnectError(_refused_text(outcome, _call_of(request)), request=request)
    if isinstance(outcome, TimedOut):
        raise httpx.ReadTimeout(_timeout_text(outcome, _call_of(request)), request=request)
    if isinstance(outcome, Unstubbed):
        raise UnstubbedCall(outcome.message)
    answer = outcome.answer
    headers = {"Content-Type": answer.content_type} if answer.content_type else {}
    return httpx.Response(answer.status, headers=headers, content=answer.body, request=request)


def _call_of(request: httpx.Request) -> Call:
    return Call(request.method, str(request.url), (), b"")
