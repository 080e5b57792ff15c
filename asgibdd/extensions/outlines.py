"""Scenario Outline rows named by their example values (`asgibdd.outlines`)."""

from __future__ import annotations

from typing import Any

from asgibdd.outlines import name_outline_rows, schema_chosen_by_project
from asgibdd.world import Extension, World

__all__ = ["OutlineRowNames"]


class OutlineRowNames(Extension):
    """Names each example row's scenario by its values when its feature starts, unless
    the project chose behave's `scenario_outline_annotation_schema` itself."""

    def __init__(self) -> None:
        self._active = True

    def run_started(self, world: World) -> None:
        behave_config = getattr(world.context, "config", None)
        self._active = not schema_chosen_by_project(behave_config)

    def feature_started(self, world: World, feature: Any) -> None:
        if self._active:
            name_outline_rows([feature], world.secret_policy)
