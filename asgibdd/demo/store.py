"""The demo service's in-memory state, created fresh by every lifespan.

Nothing is global: the lifespan yields a new `Store` as lifespan state, so every test
client (and so every scenario) starts with no items, no sessions and empty chat rooms.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from fastapi import HTTPException, Request, WebSocket, status
from pydantic import BaseModel

# The demo's users and their passwords; real services store hashes, never plain text.
DEMO_USERS = {"alice": "s3cret", "bob": "hunter2"}


class Item(BaseModel):
    id: int
    name: str
    price: float
    tags: list[str]
    created_at: datetime


@dataclass
class ChatMember:
    name: str
    websocket: WebSocket


@dataclass
class Store:
    items: dict[int, Item] = field(default_factory=dict)
    next_item_id: int = 1
    users: dict[str, str] = field(default_factory=lambda: dict(DEMO_USERS))
    access_tokens: dict[str, str] = field(default_factory=dict)  # token -> username
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> username
    rooms: dict[str, list[ChatMember]] = field(default_factory=dict)
    # One stream per open `/events/items` response; each new item is sent to all of them.
    item_listeners: set[MemoryObjectSendStream[Item]] = field(default_factory=set)

    def add_item(self, name: str, price: float, tags: list[str]) -> Item:
        item = Item(
            id=self.next_item_id,
            name=name,
            price=price,
            tags=list(tags),
            created_at=datetime.now(timezone.utc),
        )
        self.items[item.id] = item
        self.next_item_id += 1
        for listener in self.item_listeners:
            listener.send_nowait(item)
        return item

    @contextmanager
    def listen_for_items(self) -> Iterator[MemoryObjectReceiveStream[Item]]:
        """The items created while the block runs, as a stream; leaving it unsubscribes."""
        send, receive = anyio.create_memory_object_stream[Item](max_buffer_size=math.inf)
        self.item_listeners.add(send)
        try:
            with send, receive:
                yield receive
        finally:
            self.item_listeners.discard(send)

    def reset(self) -> None:
        """Forget items, tokens and sessions (the test mode's reset). Chat rooms and item
        listeners stay: they belong to open connections, which remove themselves."""
        self.items.clear()
        self.next_item_id = 1
        self.users = dict(DEMO_USERS)
        self.access_tokens.clear()
        self.sessions.clear()

    def check_password(self, username: str, password: str) -> bool:
        expected = self.users.get(username)
        # compare_digest takes the same time wherever the strings differ.
        return expected is not None and secrets.compare_digest(expected.encode(), password.encode())

    def issue_access_token(self, username: str) -> str:
        token = secrets.token_urlsafe(24)
        self.access_tokens[token] = username
        return token

    def open_session(self, username: str) -> str:
        session_id = secrets.token_urlsafe(24)
        self.sessions[session_id] = username
        return session_id


LIFESPAN_NOT_STARTED = (
    "The demo store is missing because the app's lifespan was not started. "
    "Use the test client as a context manager (`with TestClient(app) as client:`) "
    "or run the app under a server that sends lifespan events."
)


def get_store(connection: Request) -> Store:
    """The lifespan's store, or a 503 that explains the lifespan did not run."""
    return _store_of(connection.state)


def get_websocket_store(websocket: WebSocket) -> Store:
    return _store_of(websocket.state)


def _store_of(state: Any) -> Store:
    store = getattr(state, "store", None)
    if not isinstance(store, Store):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=LIFESPAN_NOT_STARTED)
    return store
