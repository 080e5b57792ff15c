"""Plumbing of the sync facade: running the async core from ordinary (blocking) code.

Two ways, chosen per call by the sync client:

- `LoopThread`: an event loop in a worker thread hosting an `AppHost` (lifespan, streams,
  WebSocket sessions) for as long as a client is entered or a stream/session is open.
  Entering costs one thread start; every call into it one thread round trip.
- `run_once`: a fresh event loop in the *calling* thread for one call, the cheapest way to
  honour Starlette's "a new event loop per request outside `with`" without a thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import queue
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import anyio.abc
from anyio.from_thread import BlockingPortal, start_blocking_portal

from asgibdd.client._host import AppHost, unwrap_group
from asgibdd.client._settings import AsyncBackend

__all__ = ["LoopThread", "run_once"]

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
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


class _Workers:
    """Parked daemon threads that loop threads reuse: a new thread per client costs more
    than everything else in entering and leaving one. At most `max_idle` stay parked, each
    for at most `idle_seconds`, so nothing accumulates."""

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


class LoopThread:
    """An event loop in a daemon thread that runs `host.serve` until `stop()`.

    On asyncio (the default) it drives a plain event loop and hands calls over with
    `call_soon_threadsafe` - about half the cost of a generic blocking portal per call. On
    trio it runs an anyio blocking portal. `portal` gives Starlette-style access to an anyio
    `BlockingPortal` in the same loop (created on first use).
    """

    def __init__(self, host: AppHost, backend: AsyncBackend) -> None:
        self.host = host
        self.backend = backend
        self.running = False
        self._done = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._anyio_portal: BlockingPortal | None = None

    # -- starting and stopping -------------------------------------------------------------

    def start(self) -> None:
        """Start the thread and the host; raises what the host's startup raised."""
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._done.clear()
        _workers.run(lambda: self._run(ready))
        try:
            ready.result()
        except BaseException:
            self._done.wait()
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
        else:
            loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._main(ready))
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
                if getattr(loop, "_default_executor", None) is not None:
                    loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    async def _main(self, ready: concurrent.futures.Future[None]) -> None:
        # The host is this loop's main task: no extra task group between the two.
        await self.host.serve(task_status=_Ready(ready))

    async def _main_with_portal(self, ready: concurrent.futures.Future[None]) -> None:
        async with BlockingPortal() as portal:
            self._anyio_portal = portal
            await self._main(ready)

    def stop(self) -> None:
        """Stop the host (closing connections, shutting the lifespan down) and the thread."""
        if not self.running:
            return
        self.running = False
        try:
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self.host.request_stop)
            else:
                assert self._anyio_portal is not None
                self._anyio_portal.call(self._request_stop)
            self._done.wait()
        finally:
            self._anyio_portal = None
            self._loop = None
        self.host.raise_stop_error()

    async def _request_stop(self) -> None:
        self.host.request_stop()

    # -- calling in -----------------------------------------------------------------------

    def call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run `func(*args)` in the loop and return its result (one thread round trip)."""
        if not self.running:
            raise RuntimeError("The client's event loop is not running (the client was closed).")
        return self._call(func, args)

    def _call(self, func: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> T:
        if self._loop is None:
            assert self._anyio_portal is not None
            return self._anyio_portal.call(func, *args)
        return self.submit(func, *args).result()

    def submit(self, func: Callable[..., Awaitable[T]], *args: Any) -> concurrent.futures.Future[T]:
        """Start `func(*args)` in the loop without waiting (asyncio only)."""
        loop = self._loop
        assert loop is not None
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        # Like anyio's portal: the call sees the caller's context variables.
        context = contextvars.copy_context()

        def start() -> None:
            task: asyncio.Task[T] = context.run(loop.create_task, func(*args))  # type: ignore[arg-type]
            task.add_done_callback(transfer)

        def transfer(task: asyncio.Task[T]) -> None:
            if task.cancelled():
                future.set_exception(RuntimeError("the call was cancelled"))
            elif task.exception() is not None:
                future.set_exception(task.exception())
            else:
                future.set_result(task.result())

        loop.call_soon_threadsafe(start)
        return future

    @property
    def portal(self) -> BlockingPortal | None:
        """An anyio BlockingPortal into this loop (Starlette's `client.portal`)."""
        if not self.running:
            return None
        if self._anyio_portal is None:
            self._anyio_portal = self.call(self._open_portal)
        return self._anyio_portal

    async def _open_portal(self) -> BlockingPortal:
        portal: BlockingPortal = await self.host.task_group.start(_serve_portal)
        return portal


async def _serve_portal(*, task_status: anyio.abc.TaskStatus[BlockingPortal]) -> None:
    async with BlockingPortal() as portal:
        task_status.started(portal)
        await portal.sleep_until_stopped()
