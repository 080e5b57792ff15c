"""Running an app's lifespan (startup and shutdown) with bounded waits."""

from __future__ import annotations

import logging
import math

import anyio
import anyio.abc

from asgibdd._types import Message
from asgibdd.client._app import describe
from asgibdd.client._mailbox import Mailbox
from asgibdd.client._settings import ClientCore
from asgibdd.errors import AppTimeout, LifespanError

__all__ = ["REFUSALS", "Lifespan"]

REFUSALS: tuple[type[Exception], ...] = (AssertionError, ValueError, NotImplementedError)
"""Errors that, raised before the first lifespan `receive()`, mean "no lifespan here"."""

_log = logging.getLogger("asgibdd.client")

_APP_ENDED = None  # the marker put on the message stream when the app's task ends


def _limit(timeout: float | None) -> float:
    return math.inf if timeout is None else timeout


class Lifespan:
    """The lifespan conversation with one app: `startup()` then, later, `shutdown()`.

    The ASGI spec says a server goes on without lifespan events when the app raises on the
    lifespan scope. The rule here: an app that ends before it first calls `receive()`, by
    returning or by raising one of `REFUSALS` (the usual `if scope["type"] != "http":
    return`, the documented `assert scope["type"] == "http"`, Django's and Channels'
    `ValueError`, a `NotImplementedError`), does not speak the lifespan protocol; that is
    tolerated, like uvicorn's `lifespan="auto"`, logged, and recorded in `supported` (the
    refusal in `error`). Any other error raised there, and any error once `receive()` was
    called, fails the `with` block, as with Starlette (a broken middleware must not pass
    unnoticed).
    """

    def __init__(self, core: ClientCore) -> None:
        self.app = core.app
        self.state = core.app_state
        self.timeout = core.wait_timeout
        self.supported = True
        self.error: BaseException | None = None
        self._received = False
        self._to_app: Mailbox[Message] = Mailbox()
        self._from_app: Mailbox[Message | None] = Mailbox()

    async def _receive(self) -> Message:
        self._received = True
        return await self._to_app.get()

    async def _send(self, message: Message) -> None:
        self._from_app.put(message)

    async def _run(self) -> None:
        try:
            await self.app({"type": "lifespan", "state": self.state}, self._receive, self._send)
        except Exception as exc:
            self.error = exc
        finally:
            self._from_app.put(_APP_ENDED)

    async def startup(self, task_group: anyio.abc.TaskGroup) -> None:
        """Start the app's lifespan task in `task_group` and wait for startup to complete."""
        task_group.start_soon(self._run)
        self._to_app.put({"type": "lifespan.startup"})
        message = await self._next("startup")
        if message is None:
            if not self._received and (self.error is None or isinstance(self.error, REFUSALS)):
                # `return`, `assert scope["type"] == "http"`, Django's ValueError: no lifespan.
                self.supported = False
                if self.error is not None:
                    _log.info(
                        "The app refused the lifespan scope (%s: %s); going on without "
                        "lifespan events, as the ASGI spec says.",
                        type(self.error).__name__,
                        self.error,
                    )
                return
            if self.error is not None:
                raise self.error
            raise LifespanError(
                'The app received "lifespan.startup" and returned without answering. Send '
                '"lifespan.startup.complete" (or "lifespan.startup.failed") before returning, '
                "or return before calling receive() if the app has no lifespan."
            )
        if message.get("type") == "lifespan.startup.complete":
            return
        if message.get("type") == "lifespan.startup.failed":
            await self._wait_for_end()
            if self.error is not None:
                raise self.error
            raise LifespanError(
                f"The app's lifespan startup failed: {message.get('message') or '(no message)'}"
            )
        raise LifespanError(
            f"During lifespan startup the app sent {describe(message)}; expected "
            '"lifespan.startup.complete" or "lifespan.startup.failed".'
        )

    async def shutdown(self) -> None:
        """Ask the app to shut down and wait for it to confirm (or to return)."""
        if not self.supported:
            return
        self._to_app.put({"type": "lifespan.shutdown"})
        message = await self._next("shutdown")
        if message is None:
            if self.error is not None:
                raise self.error
            return  # returning after shutdown is as good as confirming it
        if message.get("type") == "lifespan.shutdown.complete":
            return
        if message.get("type") == "lifespan.shutdown.failed":
            await self._wait_for_end()
            if self.error is not None:
                raise self.error
            raise LifespanError(
                f"The app's lifespan shutdown failed: {message.get('message') or '(no message)'}"
            )
        raise LifespanError(
            f"During lifespan shutdown the app sent {describe(message)}; expected "
            '"lifespan.shutdown.complete" or "lifespan.shutdown.failed".'
        )

    async def _next(self, phase: str) -> Message | None:
        with anyio.move_on_after(_limit(self.timeout)):
            return await self._from_app.get()
        raise AppTimeout(
            f"Lifespan {phase} did not finish within {self.timeout} s: the app received "
            f'"lifespan.{phase}" but sent neither "lifespan.{phase}.complete" nor '
            f'"lifespan.{phase}.failed". If {phase} is slow on purpose, raise the limit with '
            "TestClient(app, wait_timeout=...); None waits forever."
        )

    def close(self) -> None:
        """Release the message streams (the host calls this when it stops)."""

    async def _wait_for_end(self) -> None:
        # After ".failed" the app usually re-raises its error: wait for it, briefly.
        with anyio.move_on_after(min(_limit(self.timeout), 1.0)):
            while await self._from_app.get() is not None:
                pass
