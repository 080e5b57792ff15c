"""A client's settings: what its transport, host and sessions read, checked where given."""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import Any

import httpx

from asgibdd._types import ASGI3App
from asgibdd.client._app import as_asgi3, describe
from asgibdd.client._scope import ScopeSettings
from asgibdd.errors import UsageError

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "AsyncBackend",
    "ClientCore",
    "ClientSettings",
    "ResponseCookies",
    "build_core",
    "check_backend",
    "check_flag",
    "check_http_options",
    "check_wait_timeout",
    "merged_headers",
]

#: Seconds any wait on the app may take (lifespan phases, WebSocket accept and receives).
DEFAULT_WAIT_TIMEOUT = 10.0


class AsyncBackend(dict[str, Any]):
    """`{"backend": ..., "backend_options": {...}}`, the shape Starlette exposes."""

    @property
    def backend(self) -> str:
        return str(self["backend"])

    @property
    def options(self) -> dict[str, Any]:
        return dict(self["backend_options"])


@dataclass
class ClientCore:
    """The settings of one client, handed whole to its transport, host and sessions.

    They read it at use time, so a change on the live client (`raise_server_exceptions`,
    `wait_timeout`) applies to the next request.
    """

    app: ASGI3App
    scope_settings: ScopeSettings
    raise_server_exceptions: bool
    wait_timeout: float | None

    @property
    def app_state(self) -> dict[str, Any]:
        return self.scope_settings.app_state


class ResponseCookies(httpx.Cookies):
    """A client's cookies: httpx's, but a response that sets none is not read for them.

    httpx hands every response to the standard library's cookie jar, which first builds a
    urllib request and response around it, then reads only the `Set-Cookie` and
    `Set-Cookie2` headers. Without either, the jar takes nothing (it returns before any
    other work), so the jar is asked only when one is there: the same cookies either way.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class ClientSettings:
    """The settings both clients expose as properties, kept in their `ClientCore`."""

    _core: ClientCore
    _cookies: httpx.Cookies  # where httpx's clients keep their cookies

    def _keep_cookies_lean(self) -> None:
        """After httpx's `__init__`: the same jar, read only for responses that set one."""
        self._cookies = ResponseCookies(self._cookies.jar)

    @property
    def cookies(self) -> httpx.Cookies:
        """Cookie values sent with every request, and those the app's responses set."""
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: httpx._types.CookieTypes) -> None:
        self._cookies = ResponseCookies(cookies)  # what httpx's setter does, kept lean

    @property
    def raise_server_exceptions(self) -> bool:
        """Re-raise the app's exceptions in the test (True) or answer 500 (False)."""
        return self._core.raise_server_exceptions

    @raise_server_exceptions.setter
    def raise_server_exceptions(self, value: bool) -> None:
        where = f"{type(self).__name__}.raise_server_exceptions"
        self._core.raise_server_exceptions = check_flag(value, where)

    @property
    def wait_timeout(self) -> float | None:
        """Seconds any wait on the app may take; None waits forever."""
        return self._core.wait_timeout

    @wait_timeout.setter
    def wait_timeout(self, value: float | None) -> None:
        self._core.wait_timeout = check_wait_timeout(value, f"{type(self).__name__}.wait_timeout")

    @property
    def root_path(self) -> str:
        """Copied into every scope's `root_path`; never added to the path."""
        return self._core.scope_settings.root_path


def check_wait_timeout(value: object, where: str) -> float | None:
    """`value` as seconds to wait (None: forever), or a UsageError naming `where`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(
            f"{where} expects a number of seconds (e.g. 2.5) or None to wait forever, "
            f"got {describe(value)}."
        )
    if math.isnan(value) or value <= 0:
        raise UsageError(f"{where} expects a number of seconds above 0 (or None), got {value!r}.")
    return float(value)


def check_flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"{where} expects True or False, got {describe(value)}.")
    return value


def _check_peer(value: object, where: str) -> tuple[str, int]:
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not isinstance(value[0], str)
        or isinstance(value[1], bool)
        or not isinstance(value[1], int)
    ):
        raise UsageError(
            f'{where} expects the (host, port) the app sees as its peer, e.g. ("testclient", '
            f"50000), got {describe(value)}."
        )
    return (value[0], value[1])


def build_core(
    owner: str,
    app: object,
    *,
    root_path: object,
    client: object,
    raise_server_exceptions: object,
    wait_timeout: object,
) -> ClientCore:
    """A client's core from its constructor arguments, each checked where it is given."""
    asgi_app = as_asgi3(app)
    if not isinstance(root_path, str):
        raise UsageError(
            f'{owner}(root_path=...) expects a path prefix such as "/api", got '
            f"{describe(root_path)}."
        )
    return ClientCore(
        app=asgi_app,
        scope_settings=ScopeSettings(
            root_path=root_path, client=_check_peer(client, f"{owner}(client=...)"), app_state={}
        ),
        raise_server_exceptions=check_flag(
            raise_server_exceptions, f"{owner}(raise_server_exceptions=...)"
        ),
        wait_timeout=check_wait_timeout(wait_timeout, f"{owner}(wait_timeout=...)"),
    )


def check_http_options(
    owner: str, *, base_url: object, follow_redirects: object, cookies: object
) -> None:
    """Check the arguments a client hands on to httpx, before httpx fails on them later."""
    if not isinstance(base_url, (str, httpx.URL)):
        raise UsageError(
            f'{owner}(base_url=...) expects a URL such as "http://testserver", got '
            f"{describe(base_url)}."
        )
    check_flag(follow_redirects, f"{owner}(follow_redirects=...)")
    # httpx takes anything else for a CookieJar and fails at the first request.
    if cookies is not None and not isinstance(cookies, (dict, list, httpx.Cookies, CookieJar)):
        raise UsageError(
            f"{owner}(cookies=...) expects a dict of names to values (or httpx.Cookies), got "
            f"{describe(cookies)}."
        )


def check_backend(backend: str, options: dict[str, Any] | None) -> AsyncBackend:
    """Validate `backend`/`backend_options` up front, with the fix in the message."""
    if backend not in ("asyncio", "trio"):
        raise UsageError(
            f'Unknown async backend {backend!r}: expected "asyncio" or "trio" '
            '(for uvloop use backend="asyncio", backend_options={"use_uvloop": True}).'
        )
    if options is not None and not isinstance(options, dict):
        raise UsageError(f"backend_options must be a dict, got {describe(options)}.")
    if backend == "trio" and importlib.util.find_spec("trio") is None:
        raise UsageError(
            'backend="trio" needs the trio package: pip install trio (or the trio extra).'
        )
    if (options or {}).get("use_uvloop") and importlib.util.find_spec("uvloop") is None:
        raise UsageError(
            'backend_options={"use_uvloop": True} needs uvloop: pip install uvloop '
            "(or the uvloop extra)."
        )
    return AsyncBackend(backend=backend, backend_options=dict(options or {}))


def merged_headers(headers: Any, owner: str = "TestClient") -> httpx.Headers:
    """The client's default headers: `user-agent: testclient` unless the caller names one.

    Merged case-insensitively into a new object, so the caller's dict is never changed and
    `{"User-Agent": "x"}` does not end up sent next to a second user-agent.
    """
    merged = httpx.Headers({"user-agent": "testclient"})
    if headers is not None:
        try:
            merged.update(httpx.Headers(headers))
        except (TypeError, ValueError, AttributeError):
            raise UsageError(
                f"{owner}(headers=...) expects a dict of names to values or a list of "
                f"(name, value) pairs, got {describe(headers)}."
            ) from None
    return merged
