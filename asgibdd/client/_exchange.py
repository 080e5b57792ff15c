"""One HTTP request/response conversation with an ASGI app: the async core of both clients.

Two ways to run it:

- `complete()` runs the app to the end in the caller's task and collects the whole response
  (the common `client.get(...)`: one hop into the event loop, no extra task);
- `run()` as a task plus `wait_started()` / `next_chunk()` / `aclose()` for streamed
  responses: the body is handed over chunk by chunk with backpressure, and closing early
  tells the app the client went away (`http.disconnect`) before cancelling it.

Every wait is bounded (`bound` seconds; None waits forever): the whole of a plain request
(response start, body, background tasks), the start of a stream, each streamed chunk. A
plain request keeps at most `MAX_KEPT_BODY` bytes of body, so an endless body read by
mistake costs CPU until the bound, not memory. The app's messages are checked as uvicorn
checks them: order, header names and values, body length against Content-Length.
"""

from __future__ import annotations

import contextlib
import math
import re
from typing import Any

import anyio
import anyio.abc
import anyio.lowlevel

from asgibdd._types import Message, Scope
from asgibdd.client._app import describe
from asgibdd.client._settings import ClientCore
from asgibdd.errors import AppTimeout, ASGIProtocolError, ResponseOrderError, UsageError

__all__ = ["DISCONNECT_GRACE_SECONDS", "MAX_KEPT_BODY", "RAISE_THE_LIMIT", "HTTPExchange"]

#: How long an app may take to notice `http.disconnect` before it is cancelled.
DISCONNECT_GRACE_SECONDS = 0.1

#: The most body bytes a plain (not streamed) request keeps in memory.
MAX_KEPT_BODY = 64 * 1024 * 1024

#: How a user raises a bound on a request, said at the end of every request timeout.
RAISE_THE_LIMIT = (
    "If it is slow on purpose, raise the limit: TestClient(app, wait_timeout=...), "
    "timeout=... on the request, or timeout in asgibdd's config for behave runs."
)

# RFC 9110 token characters for names; values may not hold CR, LF or NUL (as h11 checks).
_HEADER_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NO_BODY_STATUSES = frozenset((204, 304))


def _limit(bound: float | None) -> float:
    return math.inf if bound is None else bound


def _header_list(value: object, where: str) -> list[tuple[bytes, bytes]]:
    if value is None:
        return []
    try:
        headers = [(bytes(name), bytes(content)) for name, content in value]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ASGIProtocolError(
            f'The app sent "{where}" with headers {describe(value)}; ASGI expects an '
            "iterable of (name, value) byte-string pairs, e.g. [(b'content-type', b'text/plain')]."
        ) from None
    for name, content in headers:
        if not _HEADER_NAME.fullmatch(name):
            raise ASGIProtocolError(
                f'The app sent "{where}" with the invalid header name {name!r}: a header '
                "name is a non-empty token (letters, digits and !#$%&'*+-.^_`|~, no spaces "
                "or colons)."
            )
        if b"\r" in content or b"\n" in content or b"\0" in content:
            raise ASGIProtocolError(
                f'The app sent "{where}" with an invalid value for the header {name!r}: '
                f"{content!r}; header values may not contain CR, LF or NUL."
            )
    return headers


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                raise ASGIProtocolError(
                    f"The app sent the Content-Length header {value!r}, which is not a number."
                ) from None
    return None


class HTTPExchange:
    """The state of one request: what the app has sent, and what it may still receive."""

    def __init__(self, core: ClientCore, scope: Scope, body: bytes, *, streaming: bool) -> None:
        self.app = core.app
        self.scope = scope
        self.body = body
        # Read once: a change on the live client applies from the next request on.
        self.raise_server_exceptions = core.raise_server_exceptions
        self.streaming = streaming
        self.is_head = scope.get("method") == "HEAD"

        self.status_code: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.extensions: dict[str, Any] = {}
        self.collected: list[bytes] = []
        self.received_bytes = 0  # handed to a stream's reader
        self.sent_bytes = 0  # of body, as the app sent it
        self.error: BaseException | None = None
        self._declared_length: int | None = None
        self._kept_bytes = 0
        self._dropped_bytes = False

        self._request_sent = False
        self._body_complete = False
        self._response_complete = False
        self._trailers_expected = False
        self._trailers: list[tuple[bytes, bytes]] = []
        self._client_gone = anyio.Event()
        self._started = anyio.Event()
        self._app_done = anyio.Event()
        self._cancel_scope: anyio.CancelScope | None = None
        # Zero capacity: the app cannot produce chunk N+1 before the reader took chunk N.
        self._chunk_in, self._chunk_out = anyio.create_memory_object_stream[bytes](
            0 if streaming else math.inf
        )

    # -- the app's side -------------------------------------------------------------------

    async def receive(self) -> Message:
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        # Later receives wait until the response is done or the client went away; when it
        # already is, answer at once (Request.is_disconnected() asks in a cancelled scope).
        if not self._client_gone.is_set():
            await self._client_gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "http.response.start":
            self._on_start(message)
        elif kind == "http.response.body":
            await self._on_body(message)
        elif kind == "http.response.trailers":
            self._on_trailers(message)
        elif kind == "http.response.debug":
            self.extensions["http.response.debug"] = message.get("info", {})
        elif kind in ("http.response.push", "http.response.early_hint"):
            pass  # hints a server may drop; Starlette's client drops them too
        else:
            raise ASGIProtocolError(
                f"The app sent {describe(message)} on an HTTP connection; expected a message "
                'of type "http.response.start", "http.response.body" or '
                '"http.response.trailers".'
            )

    def _on_start(self, message: Message) -> None:
        if self.status_code is not None:
            raise ResponseOrderError(
                'Received multiple "http.response.start" messages. '
                "An app answers a request exactly once."
            )
        status = message.get("status")
        if not isinstance(status, int) or isinstance(status, bool):
            raise ASGIProtocolError(
                f'The app sent "http.response.start" with status {describe(status)}; '
                "expected an integer such as 200."
            )
        self.headers = _header_list(message.get("headers"), "http.response.start")
        self.status_code = status
        if not self.is_head and status not in _NO_BODY_STATUSES and status >= 200:
            self._declared_length = _declared_length(self.headers)
        self._trailers_expected = bool(message.get("trailers", False))
        if self._trailers_expected:
            self.extensions["http.response.trailers"] = []
        self._started.set()

    async def _on_body(self, message: Message) -> None:
        if self.status_code is None:
            raise ResponseOrderError(
                'Received "http.response.body" without "http.response.start". '
                'Send "http.response.start" with the status and headers first.'
            )
        if self._response_complete:
            raise ResponseOrderError('Received "http.response.body" after response completed.')
        if self._body_complete:
            raise ResponseOrderError('Received "http.response.body" after body completed.')
        chunk = message.get("body", b"")
        more_body = bool(message.get("more_body", False))
        self.sent_bytes += len(chunk)
        if self._declared_length is not None:
            self._check_length(self._declared_length, more_body)
        if self._client_gone.is_set() and self.streaming:
            # A checkpoint, so an app that only ever awaits send() can still be cancelled.
            await anyio.lowlevel.checkpoint()
        elif self.streaming or (chunk and not self.is_head):
            # bytes() copies bytearray/memoryview chunks the app may reuse; chunks the reader
            # will not see (empty, HEAD) still go through the hand-over, for backpressure.
            chunk = bytes(chunk) if chunk and not self.is_head else b""
            if self.streaming:
                # If the reader went away, the app learns it from receive(), not from here.
                with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                    await self._chunk_in.send(chunk)
            elif self._kept_bytes + len(chunk) <= MAX_KEPT_BODY:
                self._kept_bytes += len(chunk)
                self.collected.append(chunk)
            else:
                self._dropped_bytes = True
            if more_body and not self.streaming:
                # A checkpoint per chunk of a body in several parts: an app that sends an
                # endless body and awaits nothing else can still be cancelled at the bound.
                await anyio.lowlevel.checkpoint()
        if not more_body:
            self._body_complete = True
            if not self._trailers_expected:
                self._complete_response()

    def _check_length(self, declared: int, more_body: bool) -> None:
        if self.sent_bytes > declared or (not more_body and self.sent_bytes < declared):
            raise ASGIProtocolError(
                f"The response to {self.request_line} declares Content-Length {declared}, but the "
                f"app sent {'at least ' if more_body else ''}{self.sent_bytes} bytes of body. "
                "Send exactly that many bytes, or leave Content-Length out."
            )

    def _on_trailers(self, message: Message) -> None:
        if not self._trailers_expected:
            raise ResponseOrderError(
                'Received "http.response.trailers" without declaring trailers. '
                'Declare them with "trailers": True in "http.response.start".'
            )
        if not self._body_complete:
            raise ResponseOrderError('Received "http.response.trailers" before body completed.')
        if self._response_complete:
            raise ResponseOrderError('Received "http.response.trailers" after response completed.')
        self._trailers.extend(_header_list(message.get("headers"), "http.response.trailers"))
        self.extensions["http.response.trailers"] = list(self._trailers)
        if not message.get("more_trailers", False):
            self._complete_response()

    def _complete_response(self) -> None:
        self._response_complete = True
        self._chunk_in.close()
        if not self.streaming:
            self._client_gone.set()

    # -- running the app ------------------------------------------------------------------

    async def complete(self, bound: float | None) -> None:
        """Run the app to its end in this task (background tasks included), for `bound` s."""
        with anyio.move_on_after(_limit(bound)) as waited:
            try:
                await self.app(self.scope, self.receive, self.send)
            except Exception as exc:
                # An error the app raised because it was cancelled is not the story: the
                # timeout is.
                if self.raise_server_exceptions and not waited.cancel_called:
                    raise
                self.error = exc
            finally:
                self._chunk_in.close()
                self._chunk_out.close()
                self._client_gone.set()
        if waited.cancel_called:
            raise self._timeout(bound) from self.error
        self._check_started()
        if self._dropped_bytes:
            raise UsageError(
                f"The response to {self.request_line} has {self.sent_bytes} bytes of body, "
                f"more than the {MAX_KEPT_BODY // (1024 * 1024)} MiB a plain request keeps in "
                'memory. Read it with `with client.stream("GET", url) as response:`.'
            )

    @property
    def request_line(self) -> str:
        return f"{self.scope.get('method')} {self.scope.get('path')}"

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == b"content-type":
                return value.decode("latin-1")
        return None

    def _timeout(self, bound: float | None) -> AppTimeout:
        """What ran out on a plain request or a stream's start, and how to wait longer."""
        if self.status_code is None:
            text = (
                f"The app did not start its response to {self.request_line} within {bound} s "
                '(no "http.response.start" yet).'
            )
        elif not self._response_complete:
            kept = ""
            if self._dropped_bytes:
                kept = f" (only the first {MAX_KEPT_BODY // (1024 * 1024)} MiB were kept)"
            content_type = self.content_type or "(none)"
            text = (
                f"The response to {self.request_line} did not finish within {bound} s: it "
                f'started with {self.status_code} and content-type "{content_type}", '
                f"then {self.sent_bytes} bytes of body arrived{kept} and the app is still "
                "sending. An endless body (an event stream?) is read with client.stream(...) or "
                "client.sse(...)."
            )
        else:
            text = (
                f"The app was still running {bound} s after it started its response to "
                f"{self.request_line}, although the response was complete (background tasks?)."
            )
        return AppTimeout(
            f"{text} {RAISE_THE_LIMIT}",
            content_type=self.content_type if self.status_code is not None else None,
            received=self.sent_bytes,
        )

    async def run(self) -> None:
        """Run the app as a task for a streamed response; errors are kept for the reader."""
        try:
            with anyio.CancelScope() as self._cancel_scope:
                await self.app(self.scope, self.receive, self.send)
        except Exception as exc:
            self.error = exc
        finally:
            self._chunk_in.close()
            self._app_done.set()

    def _check_started(self) -> None:
        if self.status_code is not None:
            return
        if self.raise_server_exceptions:
            raise ResponseOrderError(
                "TestClient did not receive any response. The app returned without sending "
                '"http.response.start".'
            )
        self.status_code = 500

    async def wait_started(self, bound: float | None) -> None:
        """Wait for the response start (or for the app to end without one), `bound` s at most."""
        if not self._started.is_set():
            with anyio.move_on_after(_limit(bound)) as waited:
                async with anyio.create_task_group() as group:

                    async def watch_done() -> None:
                        await self._app_done.wait()
                        group.cancel_scope.cancel()

                    group.start_soon(watch_done)
                    await self._started.wait()
                    group.cancel_scope.cancel()
            if waited.cancel_called and not self._started.is_set():
                raise self._timeout(bound)
        if self.status_code is None:
            await self._app_done.wait()
            if self.error is not None and self.raise_server_exceptions:
                raise self.error
            self._check_started()

    async def next_chunk(self, timeout: float | None = None) -> bytes | None:
        """The next body chunk, or None at the end of the body; waits `timeout` s at most."""
        with anyio.move_on_after(math.inf if timeout is None else timeout):
            try:
                chunk = await self._chunk_out.receive()
                while not chunk:
                    chunk = await self._chunk_out.receive()
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                return await self._end_of_body()
            self.received_bytes += len(chunk)
            return chunk
        raise AppTimeout(
            f"No data from the streamed response to {self.request_line} within {timeout} s "
            f"({self.received_bytes} bytes received so far). Wait longer with a timeout of "
            "your own (read_chunk(response, timeout), next_event(timeout=...)), "
            "TestClient(app, wait_timeout=...), or timeout in asgibdd's config for behave runs.",
            content_type=self.content_type,
            received=self.received_bytes,
        )

    async def _end_of_body(self) -> bytes | None:
        if self._response_complete:
            self._client_gone.set()
            return None
        # The app ended (or failed) before completing the body.
        await self._app_done.wait()
        self._client_gone.set()
        if self.error is not None and self.raise_server_exceptions:
            raise self.error
        return None

    async def abort(self) -> None:
        """The client is closing: cancel the app whatever it is doing (background included)."""
        self._chunk_out.close()
        self._client_gone.set()
        if self._cancel_scope is not None:
            self._cancel_scope.cancel()
        await self._app_done.wait()

    async def aclose(self) -> None:
        """Stop reading: wait for a finished app, or disconnect and cancel an unfinished one."""
        self._chunk_out.close()
        if not self._response_complete:
            self._client_gone.set()
            with anyio.move_on_after(DISCONNECT_GRACE_SECONDS):
                await self._app_done.wait()
            if self._cancel_scope is not None:
                self._cancel_scope.cancel()
            await self._app_done.wait()
            return
        await self._app_done.wait()
        if self.error is not None and self.raise_server_exceptions:
            raise self.error
