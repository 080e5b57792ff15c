"""The step library taken out of behave's registries when the run ends."""

from __future__ import annotations

from asgibdd.steps.registry import LIBRARY
from asgibdd.world import Extension, World

__all__ = ["StepLibraryInstall"]


class StepLibraryInstall(Extension):
    """The library steps a run's step files installed (`from asgibdd.steps import *`) and
    their undefined-step advice (behave's `find_match` replaced) are taken out of
    behave's registries when the run ends; the next run's step files install them again.
    behave's runner keeps one registry for the life of the process, so without this a
    later in-process run would match against what an earlier one installed."""

    def run_ended(self, world: World) -> None:
        LIBRARY.uninstall()
