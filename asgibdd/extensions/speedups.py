"""behave's per-step bookkeeping made cheaper for the run (`asgibdd.behave_speedups`)."""

from __future__ import annotations

from asgibdd import behave_speedups
from asgibdd.world import Extension, World

__all__ = ["BehaveSpeedups"]


class BehaveSpeedups(Extension):
    """Installs the speedups when the run starts and takes them out when it ends, so a
    later run in the same process starts from behave as it was."""

    def __init__(self) -> None:
        self._installed: behave_speedups.Installed | None = None

    def run_started(self, world: World) -> None:
        self._installed = behave_speedups.install()

    def run_ended(self, world: World) -> None:
        if self._installed is not None:
            self._installed.undo()
            self._installed = None
