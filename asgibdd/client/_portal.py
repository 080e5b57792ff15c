"""Plumbing of the sync facade: running the async core from ordinary (blocking) code.

Two ways, chosen per call by the sync client:

- `LoopThread`: an event loop in a worker thread hosting an `AppHost` (lifespan, streams,
  WebSocket sessions) for as long as a client is entered or a stream/session is open.
  Entering costs one thread start; every call into it one thread round trip.
- `run_once`: a fresh event loop in the *calling* thread for one call, the cheapest way to
  honour Starlette's "a new event loop per request outside `with`" without a thread.

Every call into a `LoopThread` has a bound, and the caller stops waiting at that bound plus
`BACKSTOP_SECONDS` even when the loop cannot cancel the app (an app that blocks the loop's
thread, or awaits a thread that ignores cancellation): the loop is then abandoned in its
daemon thread and the caller gets `AppTimeout`. A call interrupted in the caller (Ctrl-C)
cancels its task in the loop and waits, boundedly, for the app's cleanup before going on.
In `run_once` the caller's own thread runs the loop, so there the bound is only as good as
the app's cancellation; whatever is left when the call ends is cancelled and awaited.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import queue
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import anyio
import anyio.abc
from anyio.from_thread import BlockingPortal, start_blocking_portal

from asgibdd.client._host import AppHost, unwrap_group
from asgibdd.client._kept_loop import close_kept_loop, kept_loop, release_kept_loop
from asgibdd.client._settings import AsyncBackend
from asgibdd.errors import AppTimeout, UsageError

__all__ = ["BACKSTOP_SECONDS", "LoopThread", "run_once"]

#: How long past a call's own bound the caller still waits for the loop: time for the
#: in-loop timeout to cancel the app. Past it, the loop is taken to be blocked.
BACKSTOP_SECONDS = 1.0


def _past(bound: float | None, extra: float = BACKSTOP_SECONDS) -> float | None:
    return None if bound is None else bound + extra


def _blocked(what: str, bound: float | None) -> AppTimeout:
    return AppTimeout(
        f"{what} did not end within {bound} s, and the app could not be stopped within "
        f"{BACKSTOP_SECONDS} s more: it blocks the event loop's thread (a synchronous call "
        "such as time.sleep() in async code?) or waits on a thread that ignores "
        "cancellation. The client's event loop was abandoned in its daemon thread; this "
        "client cannot be used any more. Make the blocking call async, or raise the limit: "
        "TestClient(app, wait_timeout=...)."
    )


T = TypeVar("T")


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return True
    try:
        import sniffio

        sniffio.current_async_library()
    except Exception:
        return False
    return True


def run_once(backend: AsyncBackend, func: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run `func(*args)` in a fresh event loop: in this thread when it has no loop running,
    otherwise (a sync client called from async code) in a short-lived worker thread."""
    if not _in_running_loop():
        if backend.backend == "asyncio":
            # A bare loop costs a third of anyio.run(); anyio code runs on it all the same.
            return _run_in_new_asyncio_loop(backend, func, args)
        return anyio.run(func, *args, backend=backend.backend, backend_options=backend.options)
    with start_blocking_portal(backend.backend, backend.options) as portal:
        return portal.call(func, *args)


def _run_in_new_asyncio_loop(
    backend: AsyncBackend, func: Callable[..., Awaitable[T]], args: tuple[Any, ...]
) -> T:
    if backend.options.get("use_uvloop"):
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(func(*args))
    except BaseException:
        _cancel_leftovers(loop)  # Ctrl-C in the loop left the app's task pending
        raise
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what an interrupted call (Ctrl-C) left running, and let its cleanup await."""
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.wait(tasks, timeout=BACKSTOP_SECONDS))


class _Workers:
    """Parked daemon threads that loop threads reuse: a new thread per client costs more
    than everything else in entering and leaving one, and each keeps its event loop from
    one client to the next (`_kept_loop`). At most `max_idle` stay parked, each for at most
    `idle_seconds`, so nothing accumulates."""

    def __init__(self, max_idle: int = 4, idle_seconds: float = 10.0) -> None:
        self._max_idle = max_idle
        self._idle_seconds = idle_seconds
        self._idle: list[queue.SimpleQueue[Callable[[], None]]] = []
        self._lock = threading.Lock()

    def run(self, job: Callable[[], None]) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is not None:
            inbox.put(job)
            return
        inbox = queue.SimpleQueue()
        inbox.put(job)
        threading.Thread(target=self._work, args=(inbox,), name="asgibdd-loop", daemon=True).start()

    def _work(self, inbox: queue.SimpleQueue[Callable[[], None]]) -> None:
        try:
            self._serve_jobs(inbox)
        finally:
            close_kept_loop()

    def _serve_jobs(self, inbox: queue.SimpleQueue[Callable[[], None]]) -> None:
        while True:
            try:
                job = inbox.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:
                    if inbox in self._idle:
                        self._idle.remove(inbox)
                        return
                continue  # a job was handed over just now
            job()
            with self._lock:
                if len(self._idle) >= self._max_idle:
                    return
                self._idle.append(inbox)


_workers = _Workers()


class _Ready:
    """The task status `AppHost.serve` reports readiness through, across threads."""

    def __init__(self, ready: concurrent.futures.Future[None]) -> None:
        self._ready = ready

    def started(self, value: None = None) -> None:
        self._ready.set_result(None)

    def failed(self, error: BaseException) -> None:
        """Report a failed startup at once, before the app's tasks have unwound."""
        if not self._ready.done():
            self._ready.set_exception(error)


def _cancelled() -> UsageError:
    return UsageError(
        "The call into the client's event loop was cancelled: the client was closed (or "
        "interrupted) while the call ran."
    )


class _Call(Generic[T]):
    """One call into a loop thread: its future, and what cancelling it needs."""

    def __init__(self) -> None:
        self.future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self.cancel_requested = False
        self.task: asyncio.Task[T] | None = None  # asyncio
        self.scope: anyio.CancelScope | None = None  # other backends

    def transfer(self, task: asyncio.Task[T]) -> None:
        if task.cancelled():
            self.future.set_exception(_cancelled())
        elif (error := task.exception()) is not None:
            self.future.set_exception(error)
        else:
            self.future.set_result(task.result())

    async def run(self, func: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> None:
        try:
            with anyio.CancelScope() as self.scope:
                if self.cancel_requested:
                    self.scope.cancel()
                self.future.set_result(await func(*args))
        except Exception as exc:
            self.future.set_exception(exc)
        finally:
            if not self.future.done():
                self.future.set_exception(_cancelled())

    def cancel_in_loop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.scope is not None:
            self.scope.cancel()


class LoopThread:
    """An event loop in a daemon thread that runs `host.serve` until `stop()`.

    Calls are handed over without ever waiting on the loop: `call_soon_threadsafe` on
    asyncio (the default; a bare task per call, about half the cost of a generic blocking
    portal), the trio token's `run_sync_soon` on trio (a task in the host's task group).
    `portal` gives Starlette-style access to an anyio `BlockingPortal` in the same loop
    (created on first use on asyncio, with the loop on trio).
    """

    def __init__(self, host: AppHost, backend: AsyncBackend, *, reuse_loop: bool = False) -> None:
        self.host = host
        self.backend = backend
        #: Run on the worker thread's kept event loop (settled after) instead of a new one.
        self.reuse_loop = reuse_loop
        self.running = False
        self.abandoned = False
        self._done = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._anyio_portal: BlockingPortal | None = None
        #: Runs a plain function in the loop soon, from any thread, without waiting: what
        #: calls, cancellations and stops go through, so none can hang on a blocked loop.
        self._soon: Callable[[Callable[[], object]], object] | None = None

    # -- starting and stopping -------------------------------------------------------------

    def start(self) -> None:
        """Start the thread and the host; raises what the host's startup raised."""
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._done.clear()
        _workers.run(lambda: self._run(ready))
        bound = self.host.core.wait_timeout if self.host.lifespan is not None else None
        try:
            ready.result(_past(bound))
        except BaseException:
            if not ready.done():
                self._abandon()
                raise _blocked("Lifespan startup", bound) from None
            # The error is reported before the app's tasks unwound; an app stuck in a
            # thread keeps the loop's daemon thread busy, not the caller.
            self._done.wait(BACKSTOP_SECONDS)
            raise
        self.running = True

    def _run(self, ready: concurrent.futures.Future[None]) -> None:
        try:
            self._serve(ready)
        finally:
            self._done.set()

    def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        try:
            if self.backend.backend == "asyncio":
                self._run_asyncio(ready)
            else:
                anyio.run(
                    self._main_with_portal,
                    ready,
                    backend=self.backend.backend,
                    backend_options=self.backend.options,
                )
        except BaseException as exc:  # startup failed, or the backend could not start
            if not ready.done():
                ready.set_exception(unwrap_group(exc))

    def _run_asyncio(self, ready: concurrent.futures.Future[None]) -> None:
        if self.backend.options.get("use_uvloop"):
            import uvloop

            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        elif self.reuse_loop:
            loop = kept_loop()  # this thread's loop, kept from the last client
        else:
            loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._soon = loop.call_soon_threadsafe
        kept = False
        try:
            loop.run_until_complete(self._main(ready))
        finally:
            try:
                # What the app left scheduled is cancelled now, never carried into the
                # next client; a loop that cannot be settled is closed, as uvloop's always is.
                kept = release_kept_loop(loop, BACKSTOP_SECONDS)
                if not kept:
                    loop.run_until_complete(loop.shutdown_asyncgens())
                    if getattr(loop, "_default_executor", None) is not None:
                        loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                if not kept:
                    loop.close()

    async def _main(self, ready: concurrent.futures.Future[None]) -> None:
        # The host is this loop's main task: no extra task group between the two.
        status = _Ready(ready)
        await self.host.serve(task_status=status, on_startup_error=status.failed)

    async def _main_with_portal(self, ready: concurrent.futures.Future[None]) -> None:
        import trio  # the only other backend: check_backend() allows asyncio and trio

        self._soon = trio.lowlevel.current_trio_token().run_sync_soon
        async with BlockingPortal() as portal:
            self._anyio_portal = portal
            await self._main(ready)

    def stop(self) -> None:
        """Stop the host (closing connections, shutting the lifespan down) and the thread."""
        if not self.running:
            return
        self.running = False
        # Closing streams and sessions, then the lifespan shutdown, each within the bound.
        bound = self.host.core.wait_timeout
        try:
            self._request_stop_threadsafe()
            if not self._done.wait(_past(bound, 2 * BACKSTOP_SECONDS)):
                self.abandoned = True
                raise _blocked("Shutting the client down", bound)
        finally:
            self._anyio_portal = None
            self._loop = None
            self._soon = None
        self.host.raise_stop_error()

    def _request_stop_threadsafe(self) -> None:
        if self._soon is not None:
            self._soon(self.host.request_stop)

    def _abandon(self) -> None:
        """Leave a blocked loop to its daemon thread; it stops if it ever gets control back."""
        self.running = False
        self.abandoned = True
        with contextlib.suppress(RuntimeError):  # the loop may have closed meanwhile
            self._request_stop_threadsafe()

    # -- calling in -----------------------------------------------------------------------

    def call(
        self,
        func: Callable[..., Awaitable[T]],
        *args: Any,
        bound: float | None,
        what: str,
    ) -> T:
        """Run `func(*args)` in the loop and return its result (one thread round trip).

        `func` keeps its own `bound` (seconds) in the loop; the caller waits `bound` plus
        `BACKSTOP_SECONDS` at most, then abandons the loop (`what` names the call).
        """
        if not self.running:
            if self.abandoned:
                raise UsageError(
                    "This client's event loop was abandoned after the app blocked it (see the "
                    "AppTimeout raised then); make a new client."
                )
            raise UsageError("The client's event loop is not running (the client was closed).")
        # The call exists before it is scheduled, so an interrupt at any point can cancel it.
        call: _Call[T] = _Call()
        try:
            self._schedule(call, func, args)
            return call.future.result(_past(bound))
        except BaseException:
            if call.future.done():
                raise  # the call's own outcome
            self._cancel(call)
            if isinstance(sys.exc_info()[1], concurrent.futures.TimeoutError):
                self._abandon()
                raise _blocked(what, bound) from None
            # Interrupted (Ctrl-C): let the app's cleanup run before going on.
            with contextlib.suppress(BaseException):
                call.future.exception(BACKSTOP_SECONDS)
            raise

    def _schedule(
        self, call: _Call[T], func: Callable[..., Awaitable[T]], args: tuple[Any, ...]
    ) -> None:
        assert self._soon is not None
        loop = self._loop
        # Like anyio's portal: the call sees the caller's context variables.
        context = contextvars.copy_context()

        def start() -> None:
            if call.cancel_requested:
                call.future.set_exception(_cancelled())
            elif loop is not None:  # asyncio: a bare task, cheaper than a task group's
                task: asyncio.Task[T] = context.run(loop.create_task, func(*args))  # type: ignore[arg-type]
                call.task = task
                task.add_done_callback(call.transfer)
            else:
                context.run(self.host.task_group.start_soon, call.run, func, args)

        self._soon(start)

    def _cancel(self, call: _Call[Any]) -> None:
        """Cancel `call` from the caller's thread, wherever it has got to."""
        call.cancel_requested = True
        with contextlib.suppress(Exception):  # the loop has closed: nothing to cancel
            if self._soon is not None:
                self._soon(call.cancel_in_loop)

    @property
    def portal(self) -> BlockingPortal | None:
        """An anyio BlockingPortal into this loop (Starlette's `client.portal`)."""
        if not self.running:
            return None
        if self._anyio_portal is None:
            bound = self.host.core.wait_timeout
            self._anyio_portal = self.call(self._open_portal, bound=bound, what="Opening a portal")
        return self._anyio_portal

    async def _open_portal(self) -> BlockingPortal:
        portal: BlockingPortal = await self.host.task_group.start(_serve_portal)
        return portal


async def _serve_portal(*, task_status: anyio.abc.TaskStatus[BlockingPortal]) -> None:
    async with BlockingPortal() as portal:
        task_status.started(portal)
        await portal.sleep_until_stopped()
