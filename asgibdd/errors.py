"""The one exception tree of asgibdd.

```
AsgiBddError
├── ExpectationFailed (also AssertionError)   a step's expectation did not hold
│   └── UnstubbedCall                          the app called a service no step stubbed
├── UsageError                                 the library was called or phrased wrongly
├── ConfigError                                the app or a setting could not be found/used
└── ASGIProtocolError                          the app broke the ASGI contract
    ├── ResponseOrderError (also AssertionError) HTTP response messages out of order
    ├── LifespanError                          startup/shutdown failed or misbehaved
    └── AppTimeout (also TimeoutError)         a bounded wait on the app ran out
```

behave reports an `AssertionError` as a *failed* step and shows only its message, so
`ExpectationFailed` messages must stand on their own. Everything else is reported as an
*error* with a traceback: a bug in the feature, the configuration or the app.

A broken ASGI contract is an *error*, not a failed expectation: the app needs fixing, not
the feature. One deliberate exception: `ResponseOrderError`, the HTTP response sequence
checks Starlette's TestClient makes with `assert` (a second "http.response.start", a body
or trailers out of order, no response at all), is also an `AssertionError` with
Starlette's wording, because Starlette's own suite (`test_invalid_trailer_sequence`) and
tests migrated from it catch them with `pytest.raises(AssertionError)`. behave therefore
reports those few as failed steps. Every other protocol check (unknown message types,
invalid headers, WebSocket messages after close, ...) is a plain `ASGIProtocolError`.

Every exception the client raises is in this tree, with two deliberate exceptions: the
app's own exceptions, re-raised as they are, and the WebSocket outcomes
(`WebSocketDisconnect`, `WebSocketDenialResponse`, in `asgibdd.client`), which mirror
Starlette's classes so that existing `pytest.raises(...)` blocks keep working.

`AppTimeout` carries `content_type` and `received` for callers (the step library) that
tell an endless event stream read as a plain request from a silent app.
"""

from __future__ import annotations

__all__ = [
    "ASGIProtocolError",
    "AppTimeout",
    "AsgiBddError",
    "ConfigError",
    "ExpectationFailed",
    "LifespanError",
    "ResponseOrderError",
    "UnstubbedCall",
    "UsageError",
]


class AsgiBddError(Exception):
    """Base of every error raised by asgibdd itself."""


class ExpectationFailed(AsgiBddError, AssertionError):
    """An expectation about the app's behaviour did not hold (a *failed* step)."""


class UnstubbedCall(ExpectationFailed):
    """The app called the outside world where no step stubbed the call: raised into the
    app (whose client sees it instead of a response) and failing the scenario either way."""


class UsageError(AsgiBddError):
    """The library was used wrongly: bad step input, unknown variable, invalid JSONPath."""


class ConfigError(AsgiBddError):
    """The app or a setting could not be found, imported or understood."""


class ASGIProtocolError(AsgiBddError):
    """The app broke the ASGI contract (messages out of order, wrong types, ...)."""


class ResponseOrderError(ASGIProtocolError, AssertionError):
    """The app sent HTTP response messages out of order (also an AssertionError, as in
    Starlette's TestClient, whose tests catch these with `pytest.raises(AssertionError)`)."""


class LifespanError(ASGIProtocolError):
    """The app's lifespan startup or shutdown failed or misbehaved."""


class AppTimeout(ASGIProtocolError, TimeoutError):
    """A bounded wait on the app ran out; the message names what was awaited.

    For a request, `content_type` is the content type of the response if it had started
    (None otherwise, or when it has none) and `received` the body bytes that arrived, so
    that a caller can tell e.g. an endless event stream read as a plain request.
    """

    def __init__(self, message: str, *, content_type: str | None = None, received: int = 0):
        super().__init__(message)
        self.content_type = content_type
        self.received = received
