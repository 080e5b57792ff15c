"""`LiveClient`: the TestClient's interface over the network, for a deployed service.

The step library talks to a `TestClient`; `LiveClient` is one (a subclass, so every step
and type accepts it) whose requests go through httpx's real transport - TLS verification,
proxies from the environment or given - instead of into an app in this process. Every
wait is bounded by the same `wait_timeout` the in-process client uses: connecting,
sending, the response's start (httpx's timeouts), a whole plain body, each read of a
stream (`read_chunk`) and each websocket receive.
"""

from __future__ import annotations

import contextlib
import ssl
import sys
import weakref
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, NoReturn

import httpx

from asgibdd.client._exchange import MAX_KEPT_BODY
from asgibdd.client._live_body import LiveBody, network_errors, origin
from asgibdd.client._live_websocket import LiveWebSocketSession
from asgibdd.client._redirects import CookieOrigins, RedirectChain
from asgibdd.client._settings import DEFAULT_WAIT_TIMEOUT
from asgibdd.client._streamed import StreamedResponse, check_read_timeout
from asgibdd.client._testclient import TestClient, WebSocketTestSession
from asgibdd.errors import UsageError
from asgibdd.secrets import SecretPolicy

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover
    from typing_extensions import Self

__all__ = ["LiveClient"]

# The in-process client says "testclient"; a service's logs should tell us apart.
_USER_AGENT = "asgibdd"


def _tls(verify: bool | str) -> bool | ssl.SSLContext:
    """httpx's `verify`: a CA bundle path becomes a context (httpx deprecates paths)."""
    if isinstance(verify, bool):
        return verify
    return ssl.create_default_context(cafile=verify)


def _check_base_url(base_url: object) -> httpx.URL:
    if isinstance(base_url, (str, httpx.URL)):
        url = httpx.URL(base_url)
        if url.scheme in ("http", "https") and url.host:
            return url
    raise UsageError(
        "LiveClient needs the base URL of the running service, like "
        f'"https://staging.example.com", got {base_url!r}.'
    )


def _check_max_body_size(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise UsageError(
        "LiveClient(max_body_size=...) expects a number of bytes above 0, e.g. "
        f"64 * 1024 * 1024, got {value!r}."
    )


class LiveClient(TestClient):
    """A client for a service that runs elsewhere, with the TestClient's interface.

    `base_url` is where the service answers; `wait_timeout` bounds connecting, each read,
    a whole plain response and each websocket receive; `verify` is True, False or the path
    of a CA bundle; `proxy` a proxy URL (None: the environment's HTTPS_PROXY and friends);
    `secret_names` adds to the names of secret headers, which, like cookies and
    authentication, never follow a redirect to another origin; `max_body_size` bounds the
    body of a response read whole (a larger one fails, unread); a streamed response is read
    a few chunks ahead at most, whatever its size.
    There is no app object here: `app`, `app_state` and lifespan belong to the in-process
    client, and the server's exceptions arrive as its 500 responses.
    """

    __test__ = False

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        verify: bool | str = True,
        proxy: str | None = None,
        secret_names: Iterable[str] = (),
        max_body_size: int = MAX_KEPT_BODY,
    ) -> None:
        url = _check_base_url(base_url)
        #: The most bytes of body a response read whole may have (streams are not bounded).
        self.max_body_size = _check_max_body_size(max_body_size)
        #: Which header names are secret: none of them follows a redirect to another origin.
        self.secret_policy = SecretPolicy(secret_names)
        self._cookie_origins = CookieOrigins()
        #: The proxy given (None: the environment's, if any), for error messages.
        self.proxy = proxy
        self._live_timeout = check_read_timeout(wait_timeout)
        self._bodies: weakref.WeakSet[LiveBody] = weakref.WeakSet()
        merged = httpx.Headers({"user-agent": _USER_AGENT})
        merged.update(httpx.Headers(headers or {}))
        httpx.Client.__init__(
            self,
            base_url=url,
            headers=merged,
            timeout=httpx.Timeout(self._live_timeout),
            follow_redirects=follow_redirects,
            verify=_tls(verify),
            proxy=proxy,
        )
        self._keep_cookies_lean()

    # -- what only the in-process client has ------------------------------------------------

    def _in_process_only(self, what: str) -> NoReturn:
        raise UsageError(
            f"{what} needs the app object in this process; this LiveClient talks to the "
            f"service at {origin(self.base_url)} over the network. Use TestClient(app) for it "
            "(behave: the in-process target, or tag the scenario @in-process)."
        )

    @property
    def app(self) -> Any:
        self._in_process_only("client.app")

    @app.setter
    def app(self, value: Any) -> None:
        self._in_process_only("client.app")

    @property
    def app_state(self) -> dict[str, Any]:
        self._in_process_only("client.app_state")

    @app_state.setter
    def app_state(self, value: dict[str, Any]) -> None:
        self._in_process_only("client.app_state")

    @property
    def portal(self) -> None:
        return None

    @property
    def raise_server_exceptions(self) -> bool:
        """Always False: the service's exceptions stay in its process (a 500 arrives)."""
        return False

    @raise_server_exceptions.setter
    def raise_server_exceptions(self, value: bool) -> None:
        if value:
            self._in_process_only("raise_server_exceptions=True")

    @property
    def wait_timeout(self) -> float | None:
        return self._live_timeout

    @wait_timeout.setter
    def wait_timeout(self, value: float | None) -> None:
        self._live_timeout = check_read_timeout(value)
        self.timeout = httpx.Timeout(self._live_timeout)

    @property
    def root_path(self) -> str:
        return ""

    # -- requests ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: httpx._types.URLTypes,
        *,
        timeout: Any = httpx.USE_CLIENT_DEFAULT,
        **kwargs: Any,
    ) -> httpx.Response:
        # Over the network a request's own timeout is honoured (in-process it is not).
        return httpx.Client.request(self, method, url, timeout=timeout, **kwargs)

    def send(
        self, request: httpx.Request, *, stream: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send `request`; a plain response is read whole within `wait_timeout`, a streamed
        one (`client.stream`, `client.sse`) is read with `read_chunk(response, timeout)`.

        `auth` and `follow_redirects` work as for httpx. Redirects are followed hop by hop;
        once a hop leaves the origin of `request` it carries no credential (see
        `asgibdd.client._redirects`)."""
        auth = kwargs.pop("auth", httpx.USE_CLIENT_DEFAULT)
        follow_redirects = kwargs.pop("follow_redirects", httpx.USE_CLIENT_DEFAULT)
        if kwargs:
            raise TypeError(f"LiveClient.send() got unexpected arguments: {', '.join(kwargs)}")
        follow = follow_redirects if isinstance(follow_redirects, bool) else self.follow_redirects
        chain = RedirectChain(request, self.secret_policy, self._cookie_origins)
        history: list[httpx.Response] = []
        while True:
            response = self._send_one(request, auth)
            next_request = response.next_request
            if not follow or next_request is None:
                break
            history.append(self._complete(response))
            if len(history) > self.max_redirects:
                raise httpx.TooManyRedirects(
                    f"The service at {origin(request.url)} redirected more than "
                    f"{self.max_redirects} times, the last time to "
                    f"{origin(next_request.url)}{next_request.url.path}.",
                    request=next_request,
                )
            auth = chain.restrict(next_request, self.cookies, auth)
            request = next_request
        response.history = history
        if not stream:
            return self._complete(response)
        body = LiveBody(response, self._live_timeout)
        self._bodies.add(body)
        streamed = StreamedResponse(
            response.status_code,
            headers=response.headers.raw,
            reader=body,
            request=response.request,
            extensions=dict(response.extensions),
        )
        streamed.history = response.history
        streamed.next_request = response.next_request
        streamed.default_encoding = response.default_encoding
        return streamed

    def _send_one(self, request: httpx.Request, auth: Any) -> httpx.Response:
        """One hop, its body not read yet; the cookies it set are remembered as its origin's."""
        with (
            network_errors(request, self._live_timeout, self.proxy),
            self._cookie_origins.watch(self.cookies, request),
        ):
            return httpx.Client.send(self, request, stream=True, auth=auth, follow_redirects=False)

    def _complete(self, response: httpx.Response) -> httpx.Response:
        """`response` with its whole body read (within `wait_timeout`), its socket let go."""
        body = LiveBody(response, self._live_timeout)
        try:
            content = body.read_all(self._live_timeout, self.max_body_size)
        finally:
            body.close()
        complete = httpx.Response(
            response.status_code,
            headers=response.headers.raw,
            stream=httpx.ByteStream(content),
            request=response.request,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
            history=response.history,
            default_encoding=response.default_encoding,
        )
        complete.next_request = response.next_request
        complete.read()
        with contextlib.suppress(RuntimeError):  # elapsed is known once the stream closed
            complete.elapsed = response.elapsed
        return complete

    def websocket_connect(
        self, url: str, subprotocols: Sequence[str] | None = None, **kwargs: Any
    ) -> WebSocketTestSession:
        """A websocket session to `url` (joined against `base_url`); use it with `with`.

        `params`, `headers`, `cookies` and `auth` work as for HTTP requests.
        """
        return LiveWebSocketSession(self, url, subprotocols, kwargs)

    def close(self) -> None:
        """Close the client; streamed responses still open are closed first."""
        for body in list(self._bodies):
            body.close()
        httpx.Client.close(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.close()
