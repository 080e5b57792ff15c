"""Recognising the application handed to a client, and adapting ASGI 2 apps to ASGI 3."""

from __future__ import annotations

import functools
import inspect
from typing import Any, cast

from asgibdd._types import ASGI2App, ASGI3App, Receive, Scope, Send
from asgibdd.errors import UsageError

__all__ = ["as_asgi3", "describe"]


def describe(value: object) -> str:
    """A short description of a value for error messages: its repr and its type."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _unwrap(app: Any) -> Any:
    while isinstance(app, functools.partial):
        app = app.func
    return app


def _is_coroutine_callable(app: Any) -> bool:
    app = _unwrap(app)
    if inspect.iscoroutinefunction(app):
        return True
    call = getattr(app, "__call__", None)  # noqa: B004 - we want the bound __call__ itself
    return call is not None and inspect.iscoroutinefunction(_unwrap(call))


def _positional_arity(app: Any) -> int | None:
    """How many positional arguments `app` takes, or None when it cannot be told."""
    try:
        signature = inspect.signature(app)
    except (TypeError, ValueError):
        return None
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            count += 1
    return count


class _ASGI2Adapter:
    """Runs an ASGI 2 app (`app(scope)` returns an instance awaited with receive/send)."""

    def __init__(self, app: ASGI2App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        instance = self.app(scope)
        await instance(receive, send)


class _AwaitableResult:
    """Runs a plain callable that takes (scope, receive, send) and returns an awaitable."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        result = self.app(scope, receive, send)
        if not inspect.isawaitable(result):
            raise UsageError(
                "The app was called as app(scope, receive, send) and returned "
                f"{describe(result)}, but an ASGI app must be awaitable (an `async def`)."
            )
        await result


def as_asgi3(app: object) -> ASGI3App:
    """Return `app` as an ASGI 3 callable, wrapping ASGI 2 apps; reject what is no app at all.

    The rules follow Starlette's so that the same apps are accepted: a class counts as ASGI 3
    only if it defines `__await__`; a coroutine function (or an object whose `__call__` is one)
    is ASGI 3; other callables are ASGI 2 - except plain callables that take three positional
    arguments, which are called directly and awaited (Starlette would fail on those).
    """
    if isinstance(app, str):
        raise UsageError(
            f"TestClient expected an ASGI application object, got the string {app!r}. "
            "Import the app and pass the object itself (for example `from main import app`)."
        )
    if not callable(app):
        raise UsageError(
            f"TestClient expected an ASGI application (an async callable taking scope, "
            f"receive and send), got {describe(app)}."
        )
    if inspect.isclass(app):
        if hasattr(app, "__await__"):
            return cast(ASGI3App, app)
        return _ASGI2Adapter(cast(ASGI2App, app))
    if _is_coroutine_callable(app):
        return cast(ASGI3App, app)
    if _positional_arity(app) == 3:
        return _AwaitableResult(app)
    return _ASGI2Adapter(cast(ASGI2App, app))
