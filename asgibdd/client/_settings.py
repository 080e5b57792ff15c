"""A client's settings: what its transport, host and sessions read, checked where given."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

import httpx

from asgibdd._types import ASGI3App
from asgibdd.client._app import describe
from asgibdd.client._scope import ScopeSettings
from asgibdd.errors import UsageError

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "AsyncBackend",
    "ClientCore",
    "ClientSettings",
    "check_backend",
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


class ClientSettings:
    """The settings both clients expose as properties, kept in their `ClientCore`."""

    _core: ClientCore

    @property
    def raise_server_exceptions(self) -> bool:
        """Re-raise the app's exceptions in the test (True) or answer 500 (False)."""
        return self._core.raise_server_exceptions

    @raise_server_exceptions.setter
    def raise_server_exceptions(self, value: bool) -> None:
        self._core.raise_server_exceptions = value

    @property
    def wait_timeout(self) -> float | None:
        """Seconds any wait on the app may take; None waits forever."""
        return self._core.wait_timeout

    @wait_timeout.setter
    def wait_timeout(self, value: float | None) -> None:
        self._core.wait_timeout = value

    @property
    def root_path(self) -> str:
        """Copied into every scope's `root_path`; never added to the path."""
        return self._core.scope_settings.root_path


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
        raise UsageError('backend="trio" needs the trio package: pip install "asgibdd[trio]".')
    if (options or {}).get("use_uvloop") and importlib.util.find_spec("uvloop") is None:
        raise UsageError(
            'backend_options={"use_uvloop": True} needs uvloop: pip install "asgibdd[uvloop]".'
        )
    return AsyncBackend(backend=backend, backend_options=dict(options or {}))


def merged_headers(headers: Any) -> httpx.Headers:
    """The client's default headers: `user-agent: testclient` unless the caller names one.

    Merged case-insensitively into a new object, so the caller's dict is never changed and
    `{"User-Agent": "x"}` does not end up sent next to a second user-agent.
    """
    merged = httpx.Headers({"user-agent": "testclient"})
    if headers is not None:
        merged.update(httpx.Headers(headers))
    return merged
