"""What behave shows when a step raises one of asgibdd's errors: the message, no traceback.

behave reports an `AssertionError` by its message, and any other exception by its whole
traceback: `Step.run` keeps `traceback.format_exc()` as the step's `error_message`, which
the console formatters, the JUnit report, behave's JSON report and asgibdd's reports all
print. A `UsageError`, `ConfigError` or `ASGIProtocolError` says what was expected, what
was got and what to do; the frames above it (behave's call, asgibdd's re-raise) say
nothing to the feature's author. `install()` gives behave's model a `traceback` module
whose `format_exc` answers such an error with its kind and message alone (`UsageError: The
step ...`, as behave labels a failed assertion `ASSERT FAILED:`); every other exception (a
bug in a project's step, in the app) keeps its traceback, and so does an app's exception
that an asgibdd error names as its cause (`raise ... from error`), after the message.

behave formats the traceback inside its own `except` clause, where nothing else runs, so
the module behave's model reads is the one place to change it. `undo()` puts behave's
back, so a later run in the same process starts from behave as it was.
"""

from __future__ import annotations

import sys
import traceback
import types
from typing import Any

from asgibdd.errors import AsgiBddError

__all__ = ["Installed", "install", "reader_message"]


def reader_message(error: AsgiBddError) -> str:
    """An asgibdd error as a step's reader sees it: its kind and message (`UsageError: The
    step ...`), then the traceback of its cause when that is not asgibdd's (an app's or a
    project's exception)."""
    message = f"{type(error).__name__}: {error}"
    cause = error.__cause__
    if cause is not None and not isinstance(cause, AsgiBddError):
        message += "\n\nIt was caused by:\n" + "".join(traceback.format_exception(cause))
    return message.rstrip("\n")


class _TracebackForReaders(types.ModuleType):
    """The `traceback` module as behave's model sees it: `format_exc` shows an asgibdd
    error by its message, everything else is the real module's."""

    def __init__(self) -> None:
        super().__init__(traceback.__name__, traceback.__doc__)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, AsgiBddError) and not isinstance(error, AssertionError):
            return reader_message(error)
        return traceback.format_exc(limit, chain)

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)


class Installed:
    """What one `install()` swapped in (behave's model module), to put back."""

    def __init__(self, model: Any = None) -> None:
        self.model = model

    def undo(self) -> None:
        """Put behave's own `traceback` back (unless something swapped it since)."""
        if self.model is not None and isinstance(self.model.traceback, _TracebackForReaders):
            self.model.traceback = traceback
        self.model = None


def install() -> Installed:
    """Give behave's model the reader's `format_exc`; a no-op (whose undo does nothing)
    where behave's model does not use the `traceback` module as it was made for, or where
    it is installed already."""
    from behave import model

    if getattr(model, "traceback", None) is not traceback:
        return Installed()
    model.traceback = _TracebackForReaders()
    return Installed(model)
