"""A minimal unbounded single-consumer queue for one event loop.

anyio's memory object streams are general (many senders and receivers, capacity,
cloning) and cost several cancel-scope and checkpoint steps per message; the lifespan and
WebSocket conversations only need "append" and "wait for the next item". Entering and
leaving a client is dominated by that cost, hence this small class.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

import anyio

__all__ = ["Mailbox"]

T = TypeVar("T")


class Mailbox(Generic[T]):
    """Items in arrival order; `put` never blocks, `get` waits for the next item."""

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._waiter: anyio.Event | None = None

    def put(self, item: T) -> None:
        self._items.append(item)
        if self._waiter is not None:
            self._waiter.set()

    async def get(self) -> T:
        while not self._items:
            self._waiter = anyio.Event()
            try:
                await self._waiter.wait()
            finally:
                self._waiter = None
        return self._items.popleft()

    def __len__(self) -> int:
        return len(self._items)
