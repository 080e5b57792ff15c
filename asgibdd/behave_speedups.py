"""Cheaper versions of two pieces of behave's per-step bookkeeping, with the same results.

behave 1.3 spends more time on its own bookkeeping around each step than asgibdd's steps
take (see docs/benchmarks.md):

- `Context.__setattr__` records where each attribute was set with
  `traceback.extract_stack`, which reads the caller's source line from disk (a `stat`
  and a cache lookup) on every call, though the line is only shown in a rare warning
  about masking an attribute. behave sets `context.text` and `context.table` before
  every step.
- `Status.has_failed()`, `is_error()` and their siblings test membership in a tuple,
  which calls `Status.__eq__` (Python code) once per member: ~40 calls per step.

`install()` swaps in equivalents: the origin record is the same `FrameSummary` whose
source line is read when someone looks at it, and each status test answers from the
set of members for which behave's own test said yes (asked once, for every member, at
install time). Either swap is skipped when behave's code is not what it was made for.
What `install()` swapped, the `Installed` it returns puts back (`undo()`).
"""

from __future__ import annotations

import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

__all__ = ["STATUS_TESTS", "Installed", "install", "lazy_extract_stack"]

#: The `Status` methods that only say whether a member belongs to a fixed group.
STATUS_TESTS = (
    "has_failed",
    "is_passed",
    "is_failure",
    "is_error",
    "is_hook_error",
    "is_untested",
    "is_pending",
    "is_undefined",
    "is_final",
)

_INSTALLED_MARK = "_asgibdd_speedup"


def lazy_extract_stack(f: Any = None, limit: int | None = None) -> traceback.StackSummary:
    """`traceback.extract_stack`, except each frame's source line is read on first use."""
    frame = sys._getframe(1) if f is None else f
    frames: list[traceback.FrameSummary] = []
    while frame is not None and (limit is None or len(frames) < limit):
        code = frame.f_code
        summary = traceback.FrameSummary(
            code.co_filename, frame.f_lineno, code.co_name, lookup_line=False
        )
        frames.append(summary)
        frame = frame.f_back
    frames.reverse()
    return traceback.StackSummary.from_list(frames)


class _TracebackWithLazyLines(types.ModuleType):
    """The `traceback` module as behave's runner sees it: `extract_stack` is lazy,
    everything else is the real module's."""

    def __init__(self) -> None:
        super().__init__(traceback.__name__, traceback.__doc__)
        self.extract_stack = lazy_extract_stack

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)


class Installed:
    """What one `install()` swapped in, and what was there before."""

    def __init__(self) -> None:
        self.traceback: tuple[Any, Any] | None = None  # (behave's runner module, its module)
        self.status_tests: dict[str, Any] = {}  # name -> behave's own method

    def undo(self) -> None:
        """Put back what `install()` swapped in (what a later install did stays)."""
        if self.traceback is not None:
            runner, original = self.traceback
            if isinstance(runner.traceback, _TracebackWithLazyLines):
                runner.traceback = original
            self.traceback = None
        from behave.model_type import Status

        for name, original in self.status_tests.items():
            if getattr(getattr(Status, name, None), _INSTALLED_MARK, False):
                setattr(Status, name, original)
        self.status_tests = {}


def install() -> Installed:
    """Swap in the cheaper bookkeeping; safe to call again, a no-op where it does not fit
    or where it is installed already. The result undoes what this call swapped in."""
    installed = Installed()
    _install_lazy_origin_records(installed)
    _install_status_tests(installed)
    return installed


def _install_lazy_origin_records(installed: Installed) -> None:
    from behave import runner

    setter = getattr(getattr(runner, "Context", None), "__setattr__", None)
    names = getattr(getattr(setter, "__code__", None), "co_names", ())
    if getattr(runner, "traceback", None) is traceback and "extract_stack" in names:
        installed.traceback = (runner, runner.traceback)
        runner.traceback = _TracebackWithLazyLines()


def _install_status_tests(installed: Installed) -> None:
    from behave.model_type import Status

    for name in STATUS_TESTS:
        original = getattr(Status, name, None)
        if original is None or getattr(original, _INSTALLED_MARK, False):
            continue
        members = frozenset(id(member) for member in Status if original(member))
        installed.status_tests[name] = original
        setattr(Status, name, _membership_test(name, members))


def _membership_test(name: str, members: frozenset[int]) -> Callable[[Any], bool]:
    def test(self: Any) -> bool:
        return id(self) in members

    test.__name__ = test.__qualname__ = name
    setattr(test, _INSTALLED_MARK, True)
    return test
