"""The long-lived side of a client inside its event loop: lifespan plus open connections."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol

import anyio
import anyio.abc

from asgibdd.client._lifespan import Lifespan
from asgibdd.client._settings import ClientCore

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup  # type: ignore[import-not-found,unused-ignore]

__all__ = ["AppHost", "Closeable", "unwrap_group"]


class Closeable(Protocol):
    async def abort(self) -> None: ...


def unwrap_group(exc: BaseException) -> BaseException:
    """The one real error inside (nested) exception groups, or the group itself."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


class AppHost:
    """Owns a task group in the client's event loop for as long as the client is entered.

    It runs the lifespan (startup before `serve` reports ready, shutdown when asked to
    stop) and keeps the streamed responses and WebSocket sessions that outlive a single
    call, closing whatever is still open before the lifespan shuts down.
    """

    def __init__(self, core: ClientCore, *, lifespan: bool) -> None:
        self.core = core
        self.lifespan = Lifespan(core) if lifespan else None
        self._task_group: anyio.abc.TaskGroup | None = None
        self._open: list[Closeable] = []
        self._stop: anyio.Event | None = None
        self._stopped: anyio.Event | None = None
        self._stop_error: BaseException | None = None

    @property
    def task_group(self) -> anyio.abc.TaskGroup:
        assert self._task_group is not None, "the host is not serving"
        return self._task_group

    def track(self, connection: Closeable) -> None:
        self._open.append(connection)

    def forget(self, connection: Closeable) -> None:
        if connection in self._open:
            self._open.remove(connection)

    async def serve(
        self,
        *,
        task_status: anyio.abc.TaskStatus[None],
        on_startup_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Start up, report ready through `task_status`, then run until `stop()`.

        `on_startup_error` hears of a failed startup at once: the app's tasks may take long
        to unwind (a thread that ignores cancellation), and a caller must not wait for that.
        """
        self._stop = anyio.Event()
        self._stopped = anyio.Event()
        try:
            async with anyio.create_task_group() as group:
                self._task_group = group
                if self.lifespan is not None:
                    try:
                        await self.lifespan.startup(group)
                    except Exception as exc:
                        if on_startup_error is not None:
                            on_startup_error(exc)
                        raise
                task_status.started()
                await self._stop.wait()
                try:
                    await self.close_open()
                    if self.lifespan is not None:
                        await self.lifespan.shutdown()
                except Exception as exc:
                    self._stop_error = exc  # re-raised by stop(), in the caller's task
                group.cancel_scope.cancel()
        except BaseExceptionGroup as group_error:
            raise unwrap_group(group_error) from None
        finally:
            self._task_group = None
            self._stopped.set()

    async def close_open(self) -> None:
        """Close every connection still open (streams are cancelled, sessions disconnected)."""
        while self._open:
            connection = self._open.pop()
            await connection.abort()

    def request_stop(self) -> None:
        """Tell `serve` to shut down (call it in the host's event loop)."""
        assert self._stop is not None, "the host is not serving"
        self._stop.set()

    def raise_stop_error(self) -> None:
        """Raise what went wrong while shutting down, once."""
        if self._stop_error is not None:
            error, self._stop_error = self._stop_error, None
            raise error

    async def stop(self) -> None:
        """Ask `serve` to shut down, wait until it has, and raise what went wrong."""
        assert self._stopped is not None
        self.request_stop()
        await self._stopped.wait()
        self.raise_stop_error()
