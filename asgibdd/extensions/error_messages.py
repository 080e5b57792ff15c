"""asgibdd's errors shown by their kind and message in every report of the run
(`asgibdd.behave_errors`)."""

from __future__ import annotations

from asgibdd import behave_errors
from asgibdd.world import Extension, World

__all__ = ["ReaderErrorMessages"]


class ReaderErrorMessages(Extension):
    """A step that raises a `UsageError`, `ConfigError` or `ASGIProtocolError` shows its
    kind and message, not a Python traceback, from the run's start to its end; behave is put back
    as it was when the run ends."""

    def __init__(self) -> None:
        self._installed: behave_errors.Installed | None = None

    def run_started(self, world: World) -> None:
        self._installed = behave_errors.install()

    def run_ended(self, world: World) -> None:
        if self._installed is not None:
            self._installed.undo()
            self._installed = None
