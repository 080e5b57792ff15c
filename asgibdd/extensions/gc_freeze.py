"""The garbage collector told to leave what lives as long as the run alone."""

from __future__ import annotations

import gc

from asgibdd.world import Extension, World

__all__ = ["FrozenGarbageCollector"]


class FrozenGarbageCollector(Extension):
    """What exists when the run starts (modules, the app, the API document) lives as long
    as the run: left out of the garbage collector's scans, each collection has less to
    walk (~3% of a run of small scenarios). Undone when the run ends, for in-process runs
    that follow. (Last of asgibdd's extensions, so what the others build is frozen too.)

    When something froze objects before the run (Python 3.12.1 starts with a few hundred
    frozen), the permanent generation is theirs: the run neither adds to it nor empties it.
    """

    def __init__(self) -> None:
        self._froze = False

    def run_started(self, world: World) -> None:
        self._froze = gc.get_freeze_count() == 0
        if self._froze:
            gc.freeze()

    def run_ended(self, world: World) -> None:
        if self._froze:
            gc.unfreeze()
            self._froze = False
