"""The typed seam for streamed bodies: `read_chunk(response, timeout)`.

A response opened with `client.stream(...)` or `client.sse(...)` is a `StreamedResponse`
that keeps its chunk reader as a typed attribute (httpx wraps `response.stream`, so the
reader cannot be found there). Readers that need a bound per read - `EventSource`, the
streaming steps, users' own helpers - call `read_chunk` instead of iterating the body.
"""

from __future__ import annotations

import abc
import math

import httpx

from asgibdd.client._app import describe
from asgibdd.errors import UsageError

__all__ = [
    "AsyncChunkReader",
    "ChunkReader",
    "StreamedResponse",
    "aread_chunk",
    "check_read_timeout",
    "read_chunk",
]


class ChunkReader(httpx.SyncByteStream, abc.ABC):
    """A streamed body of the sync client, read chunk by chunk with a bound per read."""

    #: The client's `wait_timeout` when the stream opened: the bound of a plain iteration.
    read_timeout: float | None

    @abc.abstractmethod
    def read_chunk(self, timeout: float | None) -> bytes | None:
        """The next chunk within `timeout` seconds (AppTimeout otherwise); None at the end."""


class AsyncChunkReader(httpx.AsyncByteStream, abc.ABC):
    """A streamed body of the async client (see `ChunkReader`)."""

    read_timeout: float | None

    @abc.abstractmethod
    async def read_chunk(self, timeout: float | None) -> bytes | None:
        """The next chunk within `timeout` seconds (AppTimeout otherwise); None at the end."""


class StreamedResponse(httpx.Response):
    """A response whose body the app is still sending, with the reader it is read through."""

    def __init__(
        self,
        status_code: int,
        *,
        headers: list[tuple[bytes, bytes]],
        reader: ChunkReader | AsyncChunkReader,
        request: httpx.Request,
        extensions: dict[str, object],
    ) -> None:
        super().__init__(
            status_code, headers=headers, stream=reader, request=request, extensions=extensions
        )
        self.reader = reader


def check_read_timeout(timeout: object) -> float | None:
    """`timeout` as seconds to wait (None: forever), or a UsageError saying what was wrong."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise UsageError(f"timeout must be a number of seconds or None, got {describe(timeout)}.")
    if math.isnan(timeout) or timeout < 0:
        raise UsageError(f"timeout must be zero or more seconds, got {timeout!r}.")
    return float(timeout)


def _describe_origin(response: object) -> str:
    if not isinstance(response, httpx.Response):
        return f"got {describe(response)}, which is not an httpx.Response"
    try:
        request = response.request
    except RuntimeError:
        return "got a response that belongs to no request"
    return f"the response to {request.method} {request.url.path} was not opened that way"


def read_chunk(response: httpx.Response, timeout: float | None) -> bytes | None:
    """The next raw body chunk of a response opened with asgibdd's `client.stream(...)` or
    `client.sse(...)`; None at the end of the body.

    Waits at most `timeout` seconds (None: forever) and raises `AppTimeout` after that; the
    stream stays usable, and the next call continues where this one stopped. Chunks are the
    bytes as the app sent them (no content decoding).
    """
    seconds = check_read_timeout(timeout)
    reader = response.reader if isinstance(response, StreamedResponse) else None
    if isinstance(reader, ChunkReader):
        return reader.read_chunk(seconds)
    if isinstance(reader, AsyncChunkReader):
        raise UsageError(
            "read_chunk() reads streams of the sync TestClient; this one came from "
            "AsyncTestClient: read it with `async for chunk in response.aiter_raw()` or "
            "wrap it in AsyncEventSource(response)."
        )
    raise UsageError(
        "read_chunk() reads a response opened with client.stream(...) or client.sse(...) "
        f"of asgibdd's TestClient; {_describe_origin(response)}. Open it with "
        '`with client.stream("GET", url) as response:`, or read a whole body with '
        "response.content."
    )


async def aread_chunk(response: httpx.Response, timeout: float | None) -> bytes | None:
    """`read_chunk` for streams of the AsyncTestClient (used by AsyncEventSource)."""
    seconds = check_read_timeout(timeout)
    reader = response.reader if isinstance(response, StreamedResponse) else None
    if isinstance(reader, AsyncChunkReader):
        return await reader.read_chunk(seconds)
    raise UsageError(
        "AsyncTestClient streams are read from a response opened with "
        f"`async with client.stream(...)`; {_describe_origin(response)}."
    )
