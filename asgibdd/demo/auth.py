"""Logging in, and three ways to prove who you are: bearer token, basic auth, session cookie."""

from __future__ import annotations

from typing import Annotated, NoReturn

from fastapi import APIRouter, Cookie, Depends, Form, HTTPException, Response, status
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from pydantic import BaseModel

from asgibdd.demo.documented import answers
from asgibdd.demo.store import Store, get_store

router = APIRouter(tags=["auth"])
StoreDep = Annotated[Store, Depends(get_store)]

# auto_error=False: the endpoints below write their own, more helpful 401 answers.
bearer_scheme = HTTPBearer(auto_error=False)
basic_scheme = HTTPBasic(auto_error=False)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class User(BaseModel):
    username: str


@router.post("/login", responses=answers(401))
async def login(
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    store: StoreDep,
    response: Response,
) -> Token:
    if not store.check_password(username, password):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
        )
    response.set_cookie("session", store.open_session(username), httponly=True, samesite="lax")
    return Token(access_token=store.issue_access_token(username))


@router.get("/me", responses=answers(401))
async def me(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    store: StoreDep,
) -> User:
    if credentials is None:
        _unauthorized(
            "Bearer",
            "Not authenticated: send 'Authorization: Bearer <token>' "
            "with an access token from POST /login",
        )
    username = store.access_tokens.get(credentials.credentials)
    if username is None:
        _unauthorized("Bearer", "Invalid access token: log in again with POST /login")
    return User(username=username)


@router.get("/basic", responses=answers(401))
async def basic(
    credentials: Annotated[HTTPBasicCredentials | None, Depends(basic_scheme)],
    store: StoreDep,
) -> User:
    if credentials is None:
        _unauthorized("Basic", "Not authenticated: send HTTP basic authentication")
    if not store.check_password(credentials.username, credentials.password):
        _unauthorized("Basic", "Incorrect username or password")
    return User(username=credentials.username)


@router.get("/session", responses=answers(401))
async def session(
    store: StoreDep,
    session: Annotated[str | None, Cookie()] = None,
) -> User:
    username = store.sessions.get(session) if session is not None else None
    if username is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="No valid session cookie: log in with POST /login first",
        )
    return User(username=username)


def _unauthorized(scheme: str, detail: str) -> NoReturn:
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": scheme}
    )
