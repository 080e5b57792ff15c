"""Streamed responses: server-sent events (written by hand) and plain-text lines."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import PlainTextResponse, StreamingResponse

from asgibdd._types import Receive, Scope, Send
from asgibdd.demo.store import Store, get_store

router = APIRouter(tags=["streaming"])
StoreDep = Annotated[Store, Depends(get_store)]

RETRY_MILLISECONDS = 1000


class EventStreamResponse(StreamingResponse):
    """A `text/event-stream` response that always notices when the client leaves.

    StreamingResponse stops watching for `http.disconnect` under ASGI spec 2.4 and relies on
    a failing send instead; an idle endless stream never sends, so it would never end.
    """

    media_type = "text/event-stream"

    def __init__(self, content: AsyncIterator[str]) -> None:
        # no-cache: proxies must pass events on at once; X-Accel-Buffering stops nginx buffering.
        super().__init__(content, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as task_group:

            async def stream_then_stop_listening() -> None:
                await self.stream_response(send)
                task_group.cancel_scope.cancel()

            task_group.start_soon(stream_then_stop_listening)
            await self.listen_for_disconnect(receive)
            task_group.cancel_scope.cancel()


def format_event(data: str, *, event: str, event_id: int) -> str:
    """One event block; data with line breaks becomes several `data:` lines."""
    data_lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\nid: {event_id}\n{data_lines}\n"


@router.get("/events", response_class=EventStreamResponse, status_code=200)
async def ticks(
    count: Annotated[
        int | None, Query(ge=0, description="how many events; endless when left out")
    ] = None,
    interval: Annotated[float, Query(ge=0, le=60, description="seconds between events")] = 0.1,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
) -> EventStreamResponse:
    # A reconnecting client sends Last-Event-ID; the stream resumes after that tick.
    first = 1 if last_event_id is None else last_event_id + 1

    async def events() -> AsyncIterator[str]:
        yield f": ticking every {interval} seconds\nretry: {RETRY_MILLISECONDS}\n\n"
        n = first
        while count is None or n <= count:
            if n > first:
                await anyio.sleep(interval)
            yield format_event(json.dumps({"n": n}), event="tick", event_id=n)
            n += 1

    return EventStreamResponse(events())


@router.get("/events/items", response_class=EventStreamResponse, status_code=200)
async def item_events(store: StoreDep) -> EventStreamResponse:
    async def events() -> AsyncIterator[str]:
        with store.listen_for_items() as new_items:
            # Sent once the subscription exists: a client that has read it misses no item.
            yield ": listening for new items\n\n"
            async for item in new_items:
                yield format_event(item.model_dump_json(), event="item", event_id=item.id)

    return EventStreamResponse(events())


@router.get("/stream/lines", response_class=PlainTextResponse)
async def lines(count: Annotated[int, Query(ge=0)] = 3) -> StreamingResponse:
    async def numbered_lines() -> AsyncIterator[str]:
        for n in range(1, count + 1):
            yield f"line {n}\n"

    return StreamingResponse(numbered_lines(), media_type="text/plain")
