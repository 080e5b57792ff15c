"""The one exception tree of asgibdd.

```
AsgiBddError
├── ExpectationFailed (also AssertionError)   a step's expectation did not hold
├── UsageError                                 the library was called or phrased wrongly
├── ConfigError                                the app or a setting could not be found/used
└── ASGIProtocolError                          the app broke the ASGI contract
    ├── LifespanError                          startup/shutdown failed or misbehaved
    └── AppTimeout (also TimeoutError)         a bounded wait on the app ran out
```

behave reports an `AssertionError` as a *failed* step and shows only its message, so
`ExpectationFailed` messages must stand on their own. Everything else is reported as an
*error* with a traceback: a bug in the feature, the configuration or the app.

WebSocket outcomes (`WebSocketDisconnect`, `WebSocketDenialResponse`) live in
`asgibdd.client.websocket`: they mirror Starlette's classes so that existing
`pytest.raises(...)` blocks keep working, and are not part of this tree on purpose.
"""

from __future__ import annotations

__all__ = [
    "ASGIProtocolError",
    "AppTimeout",
    "AsgiBddError",
    "ConfigError",
    "ExpectationFailed",
    "LifespanError",
    "UsageError",
]


class AsgiBddError(Exception):
    """Base of every error raised by asgibdd itself."""


class ExpectationFailed(AsgiBddError, AssertionError):
    """An expectation about the app's behaviour did not hold (a *failed* step)."""


class UsageError(AsgiBddError):
    """The library was used wrongly: bad step input, unknown variable, invalid JSONPath."""


class ConfigError(AsgiBddError):
    """The app or a setting could not be found, imported or understood."""


class ASGIProtocolError(AsgiBddError):
    """The app broke the ASGI contract (messages out of order, wrong types, ...)."""


class LifespanError(ASGIProtocolError):
    """The app's lifespan startup or shutdown failed or misbehaved."""


class AppTimeout(ASGIProtocolError, TimeoutError):
    """A bounded wait on the app ran out; the message names what was awaited."""
