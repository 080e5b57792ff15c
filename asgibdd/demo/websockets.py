"""WebSocket endpoints: an echo, chat rooms shared by several clients, a guarded socket."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, WebSocket, WebSocketDisconnect, status

from asgibdd.demo.store import ChatMember, Store, get_websocket_store

router = APIRouter(tags=["websockets"])
StoreDep = Annotated[Store, Depends(get_websocket_store)]

CHAT_SUBPROTOCOL = "chat"


@router.websocket("/ws/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text: str | None = message.get("text")
        if text is None:
            await websocket.send_bytes(message.get("bytes") or b"")
            continue
        close_code = _requested_close_code(text)
        if close_code is not None:
            await websocket.close(code=close_code)
            return
        await websocket.send_text(text)


def _requested_close_code(text: str) -> int | None:
    """The code of a `{"close": 4000}` message, which asks the server to close."""
    code = (_json_object(text) or {}).get("close")
    # Only the codes an application may send (RFC 6455 7.4: 1000-4999).
    if isinstance(code, int) and not isinstance(code, bool) and 1000 <= code <= 4999:
        return code
    return None


def _json_object(text: str) -> dict[str, Any] | None:
    """The text parsed, when it is a JSON object; None for any other text."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


@router.websocket("/ws/chat/{room}")
async def chat(websocket: WebSocket, room: str, store: StoreDep, name: str | None = None) -> None:
    if not name:
        # Closing before accept rejects the handshake; 1008 is "policy violation".
        await websocket.close(
            code=status.WS_1008_POLICY_VIOLATION,
            reason="the query parameter 'name' is required, as in /ws/chat/lobby?name=alice",
        )
        return
    offered = websocket.scope.get("subprotocols", [])
    await websocket.accept(subprotocol=CHAT_SUBPROTOCOL if CHAT_SUBPROTOCOL in offered else None)
    me = ChatMember(name, websocket)
    members = store.rooms.setdefault(room, [])
    members.append(me)
    await _broadcast(members, {"type": "joined", "name": name, "room": room})
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = _chat_text(message)
            if text is None:
                await websocket.send_json(
                    {"type": "error", "detail": 'send text, or JSON like {"text": "hi"}'}
                )
            else:
                await _broadcast(members, {"type": "message", "from": name, "text": text})
    finally:
        members.remove(me)
        if members:
            await _broadcast(members, {"type": "left", "name": name})
        else:
            del store.rooms[room]


def _chat_text(message: Mapping[str, Any]) -> str | None:
    """The text of a chat message: `{"text": ...}` JSON, or plain text as it is."""
    text: str | None = message.get("text")
    if text is None:
        return None  # bytes have no place in a text chat
    parsed = _json_object(text)
    if parsed is None:
        return text
    value = parsed.get("text")
    return value if isinstance(value, str) else None


async def _broadcast(members: list[ChatMember], message: dict[str, Any]) -> None:
    for member in list(members):
        try:
            await member.websocket.send_json(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            # That member is leaving; its own handler removes it from the room.
            continue


@router.websocket("/ws/private")
async def private(websocket: WebSocket, store: StoreDep, token: str | None = None) -> None:
    username = store.access_tokens.get(token) if token else None
    if username is None:
        # Before accept, an HTTPException becomes an HTTP denial response where the server
        # supports the websocket.http.response extension (a plain close where it does not).
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="A valid '?token=' from POST /login is required to open /ws/private",
        )
    await websocket.accept()
    await websocket.send_json({"type": "welcome", "user": username})
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass  # nothing more to say; stay open until the client leaves
