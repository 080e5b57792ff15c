"""Reading server-sent events from a streamed response, event by event, with bounded waits."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from asgibdd.client._sse import ServerSentEvent, SSEDecoder
from asgibdd.client._streamed import (
    AsyncChunkReader,
    ChunkReader,
    StreamedResponse,
    aread_chunk,
    read_chunk,
)
from asgibdd.errors import AppTimeout, ExpectationFailed

__all__ = ["AsyncEventSource", "EventSource", "sse_request_headers"]

_UNSET: Any = object()


def sse_request_headers(headers: Any) -> httpx.Headers:
    """The caller's headers plus what an EventSource sends (`accept`, `cache-control`)."""
    merged = httpx.Headers(headers)
    merged.setdefault("accept", "text/event-stream")
    merged.setdefault("cache-control", "no-store")
    return merged


def _limit(response: httpx.Response, timeout: float | None) -> float | None:
    """`timeout`, or the stream's own bound (the client's `wait_timeout`) when not given."""
    if timeout is _UNSET and isinstance(response, StreamedResponse):
        return response.reader.read_timeout
    return timeout


class _EventWait:
    """The bound of one `next_event` call: the whole event, however many chunks it takes
    (a stream of keep-alive comments must not outlast it)."""

    def __init__(self, response: httpx.Response, timeout: float | None) -> None:
        self.response = response
        self.limit = _limit(response, timeout)
        self.started = time.monotonic()
        self.received = 0

    def remaining(self) -> float | None:
        """Seconds left for the next read; `AppTimeout` once none are."""
        if self.limit is None:
            return None
        left = self.limit - (time.monotonic() - self.started)
        if left <= 0:
            raise self.expired()
        return left

    def expired(self) -> AppTimeout:
        request = self.response.request
        if self.received:
            arrived = (
                f": {self.received} bytes arrived in that time, but no complete event "
                "(only comments or keep-alives?)"
            )
        else:
            arrived = " (no data arrived in that time)"
        return AppTimeout(
            f"No event from the event stream {request.method} {request.url.path} within "
            f"{self.limit} s{arrived}. Wait longer with next_event(timeout=...), "
            "TestClient(app, wait_timeout=...), or timeout in asgibdd's config for behave runs.",
            content_type=self.response.headers.get("content-type"),
            received=self.received,
        )


def _check_event_stream(response: httpx.Response) -> None:
    content_type = response.headers.get("content-type", "")
    if content_type.partition(";")[0].strip().lower() != "text/event-stream":
        request = response.request
        raise ExpectationFailed(
            f"Expected a text/event-stream response from {request.method} {request.url.path}, "
            f'got {response.status_code} with content-type "{content_type or "(none)"}".'
        )


class EventSource:
    """The events of a `text/event-stream` response, parsed as the body arrives.

    Iterate it (`for event in source:`) or take one event at a time with
    `next_event(timeout=...)`; the body is never buffered whole, so an endless stream is
    fine. Each wait for an event is bounded by the client's `wait_timeout` unless told
    otherwise.
    """

    def __init__(self, response: httpx.Response) -> None:
        _check_event_stream(response)
        self.response = response
        self._decoder = SSEDecoder()
        self._pending: deque[ServerSentEvent] = deque()
        self._bounded = isinstance(response, StreamedResponse) and isinstance(
            response.reader, ChunkReader
        )
        self._chunks: Iterator[bytes] | None = None
        self._ended = False

    @property
    def last_event_id(self) -> str:
        return self._decoder.last_event_id

    def next_event(self, timeout: float | None = _UNSET) -> ServerSentEvent | None:
        """The next event, or None when the stream has ended.

        `timeout` bounds the wait for the whole event (default: the client's `wait_timeout`);
        when it runs out, `AppTimeout` is raised and the stream can still be read afterwards.
        """
        wait = _EventWait(self.response, timeout)
        while not self._pending and not self._ended:
            try:
                chunk = self._read(wait.remaining())
            except AppTimeout:
                raise wait.expired() from None
            if chunk is None:
                self._ended = True
                self._pending.extend(self._decoder.close())
            else:
                wait.received += len(chunk)
                self._pending.extend(self._decoder.feed(chunk))
        return self._pending.popleft() if self._pending else None

    def _read(self, timeout: float | None) -> bytes | None:
        if self._bounded:
            return read_chunk(self.response, timeout)
        if self._chunks is None:  # a response from another client: no bounded reads
            self._chunks = self.response.iter_raw()
        return next(self._chunks, None)

    def __iter__(self) -> Iterator[ServerSentEvent]:
        while (event := self.next_event()) is not None:
            yield event

    def iter_sse(self) -> Iterator[ServerSentEvent]:
        """The events one by one (the name httpx-sse users know)."""
        return iter(self)


class AsyncEventSource:
    """`EventSource` for the `AsyncTestClient`."""

    def __init__(self, response: httpx.Response) -> None:
        _check_event_stream(response)
        self.response = response
        self._decoder = SSEDecoder()
        self._pending: deque[ServerSentEvent] = deque()
        self._bounded = isinstance(response, StreamedResponse) and isinstance(
            response.reader, AsyncChunkReader
        )
        self._chunks: AsyncIterator[bytes] | None = None
        self._ended = False

    @property
    def last_event_id(self) -> str:
        return self._decoder.last_event_id

    async def next_event(self, timeout: float | None = _UNSET) -> ServerSentEvent | None:
        """The next event, or None when the stream has ended (see `EventSource.next_event`)."""
        wait = _EventWait(self.response, timeout)
        while not self._pending and not self._ended:
            try:
                chunk = await self._read(wait.remaining())
            except AppTimeout:
                raise wait.expired() from None
            if chunk is None:
                self._ended = True
                self._pending.extend(self._decoder.close())
            else:
                wait.received += len(chunk)
                self._pending.extend(self._decoder.feed(chunk))
        return self._pending.popleft() if self._pending else None

    async def _read(self, timeout: float | None) -> bytes | None:
        if self._bounded:
            return await aread_chunk(self.response, timeout)
        if self._chunks is None:  # a response from another client: no bounded reads
            self._chunks = self.response.aiter_raw()
        return await anext(self._chunks, None)

    async def __aiter__(self) -> AsyncIterator[ServerSentEvent]:
        while (event := await self.next_event()) is not None:
            yield event

    def aiter_sse(self) -> AsyncIterator[ServerSentEvent]:
        """The events one by one (the name httpx-sse users know)."""
        return self.__aiter__()
