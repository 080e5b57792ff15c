"""A stock FastAPI app, written the way FastAPI's tutorial writes one: statuses raised with
`HTTPException` (401, 403, 404, 409) and a 204 delete, none of them in its OpenAPI document;
and one real violation of that document, RealWorld's `"image": null` where it says string.

`GET /notes/{id}` and `DELETE /notes/{id}` need `Authorization: Bearer <user>-token`; the
notes live as long as the app's lifespan.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

NOTES: dict[int, dict[str, str | int]] = {}
USERS = {"alice-token": "alice", "bob-token": "bob"}


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    NOTES.clear()
    yield


app = FastAPI(title="notes", lifespan=lifespan)


class NoteIn(BaseModel):
    text: str


class Note(BaseModel):
    id: int
    text: str
    owner: str


class Registration(BaseModel):
    username: str


class User(BaseModel):
    username: str
    bio: str
    image: str


def current_user(authorization: str | None) -> str:
    if authorization is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not authenticated")
    user = USERS.get(authorization.removeprefix("Bearer "))
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Invalid token")
    return user


def owned_note(note_id: int, user: str) -> dict[str, str | int]:
    note = NOTES.get(note_id)
    if note is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Note not found")
    if note["owner"] != user:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not your note")
    return note


@app.post("/notes", status_code=status.HTTP_201_CREATED)
def create_note(note: NoteIn, authorization: Annotated[str | None, Header()] = None) -> Note:
    user = current_user(authorization)
    if any(existing["text"] == note.text for existing in NOTES.values()):
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="Note exists")
    created = {"id": len(NOTES) + 1, "text": note.text, "owner": user}
    NOTES[int(created["id"])] = created
    return Note.model_validate(created)


@app.get("/notes/{note_id}")
def read_note(note_id: int, authorization: Annotated[str | None, Header()] = None) -> Note:
    return Note.model_validate(owned_note(note_id, current_user(authorization)))


@app.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: int, authorization: Annotated[str | None, Header()] = None) -> Response:
    owned_note(note_id, current_user(authorization))
    del NOTES[note_id]
    # An empty body that still says JSON, as many apps send it.
    return Response(status_code=status.HTTP_204_NO_CONTENT, media_type="application/json")


@app.post("/users", status_code=status.HTTP_201_CREATED)
def register(registration: Registration) -> User:
    # RealWorld's Conduit answers a new user's image as null; its document says string.
    body = {"username": registration.username, "bio": "", "image": None}
    return JSONResponse(body, status_code=status.HTTP_201_CREATED)  # type: ignore[return-value]
