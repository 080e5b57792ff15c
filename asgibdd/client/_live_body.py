"""Live response bodies and network errors: what `LiveClient` and its websocket share.

A body is read by a pump thread into a queue, so that a bounded read that runs out leaves
the stream usable, as in-process (a socket read that times out would end the stream).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from asgibdd.client._streamed import ChunkReader, check_read_timeout
from asgibdd.errors import AppTimeout, ConfigError, ExpectationFailed

__all__ = ["RAISE_THE_LIMIT", "READ_AHEAD_CHUNKS", "LiveBody", "network_errors", "origin"]

#: How long closing a stream waits for its pump thread once the socket is shut.
_PUMP_STOP_SECONDS = 1.0

#: Chunks the pump reads ahead of the reader, at most: a body nobody reads yet (a stream
#: between two steps) waits in the socket, not in memory.
READ_AHEAD_CHUNKS = 16

#: How often a pump held up by a full queue looks whether the body was closed meanwhile.
_PUT_POLL_SECONDS = 0.05

RAISE_THE_LIMIT = (
    "If it is slow on purpose, raise the limit: LiveClient(base_url, wait_timeout=...) or "
    "timeout in asgibdd's config for behave runs."
)


def origin(url: httpx.URL) -> str:
    """`https://host:port` of a URL: where a request went, without a path or query that
    may carry secrets."""
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}"


def _request_line(request: httpx.Request) -> str:
    return f"{request.method} {origin(request.url)}{request.url.path}"


@contextlib.contextmanager
def network_errors(request: httpx.Request, bound: float | None, proxy: str | None = None) -> Any:
    """httpx's network failures as asgibdd's errors: a timeout is an `AppTimeout`, as
    in-process; a service that cannot be reached is a `ConfigError` saying what to check
    (including the `proxy` the request went through, if any)."""
    try:
        yield
    except httpx.ConnectTimeout:
        raise AppTimeout(
            f"Could not connect to {origin(request.url)} for {_request_line(request)} within "
            f"{bound} s. {RAISE_THE_LIMIT}"
        ) from None
    except httpx.TimeoutException as error:
        what = {
            httpx.ReadTimeout: "did not start its response to",
            httpx.WriteTimeout: "did not take the request body of",
            httpx.PoolTimeout: "had no free connection for",
        }.get(type(error), "did not answer")
        raise AppTimeout(
            f"The service {what} {_request_line(request)} within {bound} s. {RAISE_THE_LIMIT}"
        ) from None
    except httpx.ConnectError as error:
        hint = "Check that the service runs there and that base_url names it."
        if proxy is not None:
            hint += f" The request went through the proxy {origin(httpx.URL(proxy))}: check it too."
        if "CERTIFICATE_VERIFY_FAILED" in str(error):
            hint = (
                "Its TLS certificate could not be verified: point `verify` at the CA bundle "
                'that signed it (verify = "/path/to/ca.pem"), or for a test server only, '
                "verify = false."
            )
        raise ConfigError(
            f"Cannot reach the service at {origin(request.url)} for {_request_line(request)}: "
            f"{error or type(error).__name__}. {hint}"
        ) from None
    except httpx.TransportError as error:
        raise ExpectationFailed(
            f"The connection to {origin(request.url)} broke during {_request_line(request)}: "
            f"{error or type(error).__name__}."
        ) from None


def _lift_read_timeout(request: httpx.Request) -> None:
    """Let the pump wait for body data as long as the stream stays open.

    httpcore reads the read timeout from the request's extensions before every read; the
    consumer's reads are bounded by the queue instead, and closing shuts the socket.
    """
    timeouts = request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        timeouts["read"] = None


class LiveBody(ChunkReader):
    """A response body from the network, read chunk by chunk with a bound per read.

    `received` counts the bytes handed to the reader, `pumped` those read off the network;
    at most `read_ahead` chunks wait between the two (`queued()`).
    """

    read_ahead = READ_AHEAD_CHUNKS

    def __init__(self, response: httpx.Response, read_timeout: float | None) -> None:
        self.read_timeout = read_timeout
        self.response = response
        self.received = 0
        #: Bytes the pump has read off the network (`received` and what waits for the reader).
        self.pumped = 0
        self._chunks: queue.Queue[bytes | Exception | None] = queue.Queue(self.read_ahead)
        self._ended = False
        self._closed = False
        self._pumped = threading.Event()  # the pump has read the whole body (or failed)
        _lift_read_timeout(response.request)
        self._pump = threading.Thread(target=self._run, name="asgibdd-live-body", daemon=True)
        self._pump.start()

    def _run(self) -> None:
        try:
            for chunk in self.response.iter_raw():
                self.pumped += len(chunk)
                if not self._hand_over(chunk):
                    return
        except Exception as error:
            self._pumped.set()
            self._hand_over(None if self._closed else error)
        else:
            self._pumped.set()
            self._hand_over(None)

    def _hand_over(self, item: bytes | Exception | None) -> bool:
        """Queue `item` for the reader, waiting while the queue is full; False once the body
        was closed (nobody will read it)."""
        while not self._closed:
            try:
                self._chunks.put(item, timeout=_PUT_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def queued(self) -> int:
        """How many chunks the pump has read that the reader has not taken yet."""
        return self._chunks.qsize()

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self.read_chunk(self.read_timeout)) is not None:
            yield chunk

    def read_chunk(self, timeout: float | None) -> bytes | None:
        if self._ended or self._closed:
            return None
        try:
            item = self._chunks.get(timeout=check_read_timeout(timeout))
        except queue.Empty:
            raise AppTimeout(
                f"No data from the streamed response to {_request_line(self.response.request)} "
                f"within {timeout} s ({self.received} bytes received so far). Wait longer with "
                "a timeout of your own (read_chunk(response, timeout)), or timeout in "
                "asgibdd's config for behave runs.",
                content_type=self.response.headers.get("content-type"),
                received=self.received,
            ) from None
        if item is None:
            self._ended = True
            return None
        if isinstance(item, Exception):
            self._ended = True
            raise ExpectationFailed(
                f"The connection to {origin(self.response.request.url)} broke while reading "
                f"the response to {_request_line(self.response.request)}: "
                f"{item or type(item).__name__} ({self.received} bytes received)."
            )
        self.received += len(item)
        return item

    def read_all(self, timeout: float | None, max_size: int | None = None) -> bytes:
        """The whole body within `timeout` seconds in all; `AppTimeout` says what came.

        A body longer than `max_size` bytes is not kept: `ExpectationFailed` names the
        `max_body_size` setting as soon as the Content-Length or the bytes read pass it.
        """
        declared = self.response.headers.get("content-length", "")
        if max_size is not None and declared.isdigit() and int(declared) > max_size:
            raise self._too_large(max_size, f"declares {int(declared)} bytes (Content-Length)")
        deadline = None if timeout is None else time.monotonic() + timeout
        parts: list[bytes] = []
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                chunk = self.read_chunk(left)
            except AppTimeout:
                raise self._unfinished(timeout) from None
            if chunk is None:
                return b"".join(parts)
            if max_size is not None and self.received > max_size:
                raise self._too_large(max_size, f"sent {self.received} bytes so far")
            parts.append(chunk)

    def _too_large(self, max_size: int, what: str) -> ExpectationFailed:
        request = self.response.request
        return ExpectationFailed(
            f"The response to {_request_line(request)} is larger than max_body_size "
            f"({max_size} bytes), the most a response read whole may hold: it {what}. "
            f"Read a large body as it arrives (`When I open the stream {request.url.path}` "
            "in a feature, client.stream(...) in Python), or raise the limit: max_body_size "
            "in asgibdd's config (-D asgibdd.max_body_size=...), or "
            "LiveClient(base_url, max_body_size=...)."
        )

    def _unfinished(self, bound: float | None) -> AppTimeout:
        response = self.response
        content_type = response.headers.get("content-type")
        shown = content_type or "(none)"
        return AppTimeout(
            f"The response to {_request_line(response.request)} did not finish within {bound} "
            f's: it started with {response.status_code} and content-type "{shown}", '
            f"then {self.received} bytes of body arrived and the service is still sending. An "
            "endless body (an event stream?) is read with client.stream(...) or "
            f"client.sse(...). {RAISE_THE_LIMIT}",
            content_type=content_type,
            received=self.received,
        )

    def close(self) -> None:
        """Stop reading: shut the socket (which wakes the pump), then close the response."""
        if self._closed:
            return
        self._closed = True
        stream = self.response.extensions.get("network_stream")
        raw = stream.get_extra_info("socket") if stream is not None else None
        # A body read to its end leaves a connection the pool may reuse: no shutdown then.
        if isinstance(raw, socket.socket) and not self._pumped.is_set():
            with contextlib.suppress(OSError):
                raw.shutdown(socket.SHUT_RDWR)
        self._pump.join(_PUMP_STOP_SECONDS)
        with contextlib.suppress(httpx.HTTPError):
            self.response.close()
