"""The scenario's request options, built once for HTTP requests, websockets and streams."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx

from asgibdd.environment import World, get_world
from asgibdd.transcript import learn_secrets

__all__ = ["BearerAuth", "request_options", "send_request"]


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` on every request."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def request_options(world: World, *, content_type: str | None = None) -> dict[str, Any]:
    """`headers` and `auth` for a request of the scenario, as the `Given` steps set them.

    `content_type` is sent unless a header step set one. Cookies are not here: they live
    in the client's jar.
    """
    defaults = world.defaults
    headers = httpx.Headers(defaults.headers)
    if content_type is not None and "content-type" not in headers:
        headers["Content-Type"] = content_type
    options: dict[str, Any] = {"headers": headers}
    if defaults.auth is not None:
        options["auth"] = defaults.auth
    return options


def send_request(
    context: Any, method: str, path: str, *, content_type: str | None = None, **body: Any
) -> httpx.Response:
    """Send one request with the scenario's defaults, and remember it as the last exchange.

    `path` may hold `{{variables}}`; `content_type` is used unless a header step set one;
    `body` goes to `httpx.Client.request` (`content`, `json`, `files`, `params`).
    """
    world = get_world(context)
    client = world.require_client()
    response = client.request(
        method,
        world.variables.interpolate(path),
        follow_redirects=world.defaults.follow_redirects,
        **request_options(world, content_type=content_type),
        **body,
    )
    world.last_request = response.request
    world.last_response = response
    learn_secrets(world.secrets, response.request, response)
    return response
