"""A Starlette app for the live tests under uvicorn: redirects where it is told, shows what
credentials each request brought, and streams bodies of any size.

- `GET /health`: 200.
- `GET /redirect?to=URL`: 302 to URL, setting the cookie `here_session` (its own).
- `GET /echo`: the request's headers and cookies as JSON.
- `GET /big?size=N[&declared=1]`: N bytes of `x`, streamed in 64 KiB chunks (with a
  Content-Length when `declared`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def redirect(request: Request) -> Response:
    response = RedirectResponse(request.query_params["to"], status_code=302)
    response.set_cookie("here_session", f"set-by-{request.url.port}")
    return response


async def echo(request: Request) -> Response:
    return JSONResponse({"headers": dict(request.headers), "cookies": dict(request.cookies)})


CHUNK = 64 * 1024


async def big(request: Request) -> Response:
    size = int(request.query_params["size"])

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, size, CHUNK):
            yield b"x" * min(CHUNK, size - start)

    declared = {"content-length": str(size)} if request.query_params.get("declared") else None
    return StreamingResponse(chunks(), media_type="text/plain", headers=declared)


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/redirect", redirect),
            Route("/echo", echo),
            Route("/big", big),
        ]
    )
