"""Endpoints that show the request back: body, headers, cookies, uploads; and redirects."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, Request, Response, UploadFile, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from asgibdd.demo.documented import answers

router = APIRouter(tags=["echo"])


class UploadSummary(BaseModel):
    filename: str | None
    size: int
    content_type: str | None
    sha256: str


# The body comes back in whatever type it was sent in.
@router.post("/echo", responses={200: {"description": "The request body", "content": {"*/*": {}}}})
async def echo(request: Request) -> Response:
    media_type = request.headers.get("content-type", "application/octet-stream")
    return Response(content=await request.body(), media_type=media_type)


@router.get("/echo/headers")
async def echo_headers(request: Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    # Starlette's header names are already lower case; repeated headers are joined.
    for name, value in request.headers.items():
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


@router.get("/cookies")
async def echo_cookies(request: Request) -> dict[str, str]:
    return dict(request.cookies)


@router.get("/cookies/set")
async def set_cookies(request: Request, response: Response) -> dict[str, str]:
    cookies = dict(request.query_params)
    for name, value in cookies.items():
        response.set_cookie(name, value)
    return cookies


@router.post("/upload")
async def upload(file: Annotated[UploadFile, File()]) -> UploadSummary:
    digest = hashlib.sha256()
    size = 0
    # Read in pieces so that a large upload never sits in memory twice.
    while chunk := await file.read(64 * 1024):
        digest.update(chunk)
        size += len(chunk)
    return UploadSummary(
        filename=file.filename,
        size=size,
        content_type=file.content_type,
        sha256=digest.hexdigest(),
    )


@router.get("/old-items", responses=answers(301))
async def old_items() -> RedirectResponse:
    return RedirectResponse("/items", status_code=status.HTTP_301_MOVED_PERMANENTLY)


@router.get("/redirect", responses=answers(307, 400))
async def redirect(
    to: Annotated[str, Query(description="a path on this service, such as /health")],
) -> RedirectResponse:
    # Only local paths: an open redirect to any URL is a classic security hole.
    if not to.startswith("/") or to.startswith(("//", "/\\")):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail=f"'to' must be a path on this service starting with '/', got {to!r}",
        )
    return RedirectResponse(to, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
