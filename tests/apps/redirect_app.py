"""A Starlette app for the live redirect tests: it redirects where it is told and shows
what credentials each request brought. Two of them run under uvicorn on two ports.

- `GET /health`: 200.
- `GET /redirect?to=URL`: 302 to URL, setting the cookie `here_session` (its own).
- `GET /echo`: the request's headers and cookies as JSON.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def redirect(request: Request) -> Response:
    response = RedirectResponse(request.query_params["to"], status_code=302)
    response.set_cookie("here_session", f"set-by-{request.url.port}")
    return response


async def echo(request: Request) -> Response:
    return JSONResponse({"headers": dict(request.headers), "cookies": dict(request.cookies)})


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/redirect", redirect),
            Route("/echo", echo),
        ]
    )
