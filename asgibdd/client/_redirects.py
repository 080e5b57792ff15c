"""Redirects across origins leave credentials behind, as browsers and curl do.

A live request's credentials are meant for the service it was sent to: its secret headers
(any header whose name `SecretPolicy` calls secret: `Authorization`, `X-API-Key`,
`Cookie`, ...), the client's authentication, and the cookies in the jar. httpx drops only
`Authorization`, and only on a change of host, and sends the jar's cookies by domain,
which ignores the port. Here, once a chain of redirects leaves the origin (scheme, host
and port) of its first request:

- no secret header and no authentication goes on, for the rest of the chain (even back);
- a hop carries only the cookies that its own origin set (remembered for every response
  the client receives), and back at the first origin also the cookies of unknown origin
  (set by hand: `client.cookies.set`, `Given the cookie`).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from http.cookiejar import Cookie
from typing import Any

import httpx

from asgibdd.client._live_body import origin
from asgibdd.secrets import SecretPolicy

__all__ = ["CookieOrigins", "RedirectChain"]


class CookieOrigins:
    """The origin each cookie of a client's jar came from (none: set by hand)."""

    def __init__(self) -> None:
        self._origins: weakref.WeakKeyDictionary[Cookie, str] = weakref.WeakKeyDictionary()

    @contextlib.contextmanager
    def watch(self, jar: httpx.Cookies, request: httpx.Request) -> Iterator[None]:
        """Remember the cookies that appear in `jar` while `request` is sent as its origin's."""
        before = set(map(id, jar.jar))
        try:
            yield
        finally:
            for cookie in jar.jar:
                if id(cookie) not in before:
                    self._origins[cookie] = origin(request.url)

    def of(self, cookie: Cookie) -> str | None:
        return self._origins.get(cookie)


class RedirectChain:
    """One request and the redirects that follow it: what each hop may carry."""

    def __init__(self, first: httpx.Request, policy: SecretPolicy, origins: CookieOrigins) -> None:
        self.home = origin(first.url)
        self.policy = policy
        self.origins = origins
        self.left_home = False

    def restrict(self, hop: httpx.Request, jar: httpx.Cookies, auth: Any) -> Any:
        """Take from `hop` what must not go to its origin; returns the authentication to
        send it with (None once the chain has left its first origin)."""
        here = origin(hop.url)
        self.left_home = self.left_home or here != self.home
        if not self.left_home:
            return auth
        for name in {name.lower() for name in hop.headers}:
            if self.policy.is_secret_name(name):
                del hop.headers[name]
        allowed = httpx.Cookies()
        for cookie in jar.jar:
            source = self.origins.of(cookie)
            if source == here or (source is None and here == self.home):
                allowed.jar.set_cookie(cookie)
        allowed.set_cookie_header(hop)
        return None
