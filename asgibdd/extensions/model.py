"""behave's model of the suite kept small for the run (`asgibdd.behave_model`)."""

from __future__ import annotations

from typing import Any

from asgibdd import behave_model
from asgibdd.world import Extension, World

__all__ = ["SmallBehaveModel"]


class SmallBehaveModel(Extension):
    """behave's model made small for the run: from before behave parsed the features when
    the project's environment.py star-imports asgibdd's hooks (the steps then share their
    keywords as they are parsed), else from the run's start (the steps parsed already are
    given one string per keyword then). When a feature starts, what no formatter or
    reporter reads of the one before is given back: empty capture objects, tracebacks.
    behave is put back as it was when the run ends.
    """

    def __init__(self) -> None:
        self._finished: Any = None

    def run_started(self, world: World) -> None:
        if behave_model.installed():
            return  # since before behave parsed: its steps share their keywords already
        behave_model.install()
        runner = getattr(world.context, "_runner", None)
        behave_model.share_keywords(getattr(runner, "features", ()))

    def feature_started(self, world: World, feature: Any) -> None:
        if self._finished is not None:
            behave_model.release(self._finished)
        self._finished = feature

    def run_ended(self, world: World) -> None:
        self._finished = None
        behave_model.uninstall()
