"""The asyncio event loop a loop thread keeps from one client to the next.

A new event loop for every entered client (every scenario) costs more than the lifespan
conversation it hosts: a selector, a self-pipe, and the teardown. So each of the parked
worker threads (`_portal._Workers`) keeps one loop and runs client after client on it,
for the clients made with `TestClient(reuse_loop=True)` (a behave run's); any other
client gets a new loop per entry, as Starlette's does.

What one client's app leaves behind must not reach the next: when a client's host has
stopped, `KeptLoop.settle()` lets the callbacks already due run (they would have run had
the client lived a moment longer), then cancels every task still pending (and awaits
its cleanup), every timer still scheduled (`call_later`, `call_at`) and closes every
async generator still open, pass after pass until nothing is left. A loop that cannot be
settled (a task that ignores cancellation, a default executor the app started, callbacks
that keep rescheduling themselves) is closed as before and the next client gets a new
one.

Only asyncio's standard loop is kept (and only while no custom event loop policy is set):
uvloop and a project's own policy get a new loop per client, as before.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import types
import weakref
from collections.abc import Callable
from typing import Any

if sys.version_info >= (3, 11):
    from typing import TypeVarTuple, Unpack
else:  # pragma: no cover
    from typing_extensions import TypeVarTuple, Unpack

__all__ = ["KeptLoop", "close_kept_loop", "kept_loop", "release_kept_loop"]

_Ts = TypeVarTuple("_Ts")

#: How many times settling looks again (a cancelled task's cleanup may schedule more).
SETTLE_PASSES = 5


class KeptLoop(asyncio.SelectorEventLoop):
    """asyncio's standard loop that knows the timers it has scheduled, so it can cancel
    them between clients. `settle()` says whether it can serve another client."""

    def __init__(self) -> None:
        super().__init__()
        self._timers: weakref.WeakSet[asyncio.TimerHandle] = weakref.WeakSet()

    def call_at(
        self,
        when: float,
        callback: Callable[[Unpack[_Ts]], object],
        *args: Unpack[_Ts],
        context: contextvars.Context | None = None,
    ) -> asyncio.TimerHandle:
        # `call_later` comes here too. A timer that has run is dropped by the loop, and so
        # from this weak set.
        handle = super().call_at(when, callback, *args, context=context)
        self._timers.add(handle)
        return handle

    def _due_callbacks(self) -> int:
        # asyncio has no public count of the callbacks due now; `_ready` has held them in
        # every version since 3.4 (`reusable()` refuses to keep a loop without it).
        return len(self._ready)  # type: ignore[attr-defined]

    def _open_generators(self) -> list[types.AsyncGeneratorType[Any, Any]]:
        # The loop's own record of the async generators `shutdown_asyncgens` closes; one
        # that has finished keeps its place there (while referenced) without a frame.
        generators: list[types.AsyncGeneratorType[Any, Any]] = list(self._asyncgens)  # type: ignore[attr-defined]
        return [gen for gen in generators if gen.ag_frame is not None]

    def reusable(self) -> bool:
        """Whether the loop is quiet and may serve another client."""
        return (
            not self.is_closed()
            and hasattr(self, "_ready")
            and hasattr(self, "_asyncgens")
            and getattr(self, "_default_executor", None) is None  # threads we cannot cancel
        )

    def settle(self, backstop: float) -> bool:
        """Cancel what the last client's app left scheduled; True when nothing is left.

        Waits at most `backstop` seconds in all for cancelled tasks to finish.
        """
        if not self.reusable():
            return False
        deadline = self.time() + backstop
        for _ in range(SETTLE_PASSES):
            for timer in list(self._timers):
                timer.cancel()
            self._timers = weakref.WeakSet()
            tasks = asyncio.all_tasks(self)
            generators = self._open_generators()
            due = self._due_callbacks()
            if not tasks and not generators and not due:
                return self.reusable()
            for task in tasks:
                task.cancel()
            left = max(0.0, deadline - self.time())
            self.run_until_complete(_unwind(tasks, generators, left))
            if any(not task.done() for task in tasks):
                return False  # a task that ignores cancellation: the loop goes with it
            self._report(tasks)
        return False

    def _report(self, tasks: set[asyncio.Task[Any]]) -> None:
        # As asyncio.run() does with the tasks it cancels at its end.
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                self.call_exception_handler(
                    {
                        "message": "unhandled exception in a task the app left running",
                        "exception": task.exception(),
                        "task": task,
                    }
                )


async def _unwind(
    tasks: set[asyncio.Task[Any]],
    generators: list[types.AsyncGeneratorType[Any, Any]],
    bound: float,
) -> None:
    if not tasks and generators:  # closed as `shutdown_asyncgens` closes them, in tasks
        tasks = {asyncio.ensure_future(gen.aclose()) for gen in generators}
    if tasks:
        await asyncio.wait(tasks, timeout=bound)
    # else: a pass of the loop has run the callbacks that were due


def _standard_loop_wanted() -> bool:
    """asyncio's standard loop is what `asyncio.new_event_loop()` would give (on POSIX,
    without a project's own event loop policy)."""
    if sys.platform == "win32":
        return False
    if sys.version_info >= (3, 14):  # pragma: no cover - policies are deprecated there
        return True
    return type(asyncio.get_event_loop_policy()) is asyncio.DefaultEventLoopPolicy


_kept = threading.local()


def kept_loop() -> asyncio.AbstractEventLoop:
    """This thread's kept loop (made on first use), or a new plain loop when a project's
    event loop policy says which loop to use."""
    if not _standard_loop_wanted():
        return asyncio.new_event_loop()
    loop: KeptLoop | None = getattr(_kept, "loop", None)
    if loop is None or loop.is_closed():
        loop = _kept.loop = KeptLoop()
    return loop


def release_kept_loop(loop: asyncio.AbstractEventLoop, backstop: float) -> bool:
    """After a client: settle this thread's kept loop for the next client. False when
    `loop` is not kept (or could not be settled): the caller closes it."""
    if not isinstance(loop, KeptLoop) or getattr(_kept, "loop", None) is not loop:
        return False
    try:
        if loop.settle(backstop):
            return True
    except BaseException:
        _kept.loop = None
        raise
    _kept.loop = None
    return False


def close_kept_loop() -> None:
    """Close this thread's kept loop (the thread is about to end)."""
    loop: KeptLoop | None = getattr(_kept, "loop", None)
    _kept.loop = None
    if loop is not None and not loop.is_closed():
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
