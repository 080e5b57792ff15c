"""The scenario's request options, built once for HTTP requests, websockets and streams."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import httpx

from asgibdd.errors import AppTimeout, ExpectationFailed
from asgibdd.steps.registry import current_step_text
from asgibdd.world import World, get_world

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
    url = world.variables.interpolate_path(path)
    started = time.perf_counter()
    options = request_options(world, content_type=content_type)
    auth = options.pop("auth", httpx.USE_CLIENT_DEFAULT)
    request = client.build_request(method, url, **options, **body)
    for name in world.defaults.removed:
        # Also the client's own defaults (configured headers), which no request option drops.
        request.headers.pop(name, None)
    try:
        response = client.send(request, auth=auth, follow_redirects=world.defaults.follow_redirects)
    except AppTimeout as timeout:
        world.record_exchange(current_step_text(), request, None, time.perf_counter() - started)
        raise ExpectationFailed(_unfinished(timeout, path)) from None
    world.last_duration = time.perf_counter() - started
    world.last_request = response.request
    world.last_response = response
    # The run's extensions hear of it; any of them may fail the step.
    world.record_exchange(current_step_text(), response.request, response, world.last_duration)
    return response


def _unfinished(timeout: AppTimeout, path: str) -> str:
    """Why a request step stopped waiting, and which step reads such a response."""
    # The client's first sentence says what arrived; its advice is for Python callers.
    lines = [str(timeout).split(". ", 1)[0] + "."]
    content_type = (timeout.content_type or "").split(";")[0].strip().lower()
    if content_type == "text/event-stream":
        lines.append(
            f"This is an event stream: open it with `When I open the event stream {path}`, "
            'then check its events with `Then I receive an event "..."`.'
        )
    elif timeout.received:
        lines.append(
            f"To read a body as it arrives, open it with `When I open the stream {path}` "
            'and check it with `Then I receive the line "..."`.'
        )
    lines.append(
        "If the app is slow on purpose, raise the limit: `timeout` in [tool.asgibdd] or "
        "`-D asgibdd.timeout=...` (seconds)."
    )
    return "\n".join(lines)
