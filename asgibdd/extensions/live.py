"""A live run's skips: what needs the app in this process does not run against a service."""

from __future__ import annotations

from typing import Any

from asgibdd.world import Extension, World, show

__all__ = ["IN_PROCESS_TAG", "InProcessSkips", "effective_tags"]

IN_PROCESS_TAG = "in-process"
"""The scenario or feature tag (`@in-process`) of what only makes sense with the app in
this process: such scenarios are skipped against a live service."""


class InProcessSkips(Extension):
    """Against a live service, a scenario tagged `@in-process` (or in a feature so tagged)
    is skipped with the reason, shown under its heading; it gets no client."""

    def scenario_started(self, world: World, scenario: Any) -> None:
        if IN_PROCESS_TAG not in effective_tags(scenario):
            return
        reason = (
            f"tagged @{IN_PROCESS_TAG}: it needs the app in this process, and this run tests "
            f"the live service at {world.config.base_url}"
        )
        scenario.skip(reason)
        show(f"    Skipped, {reason}.", world.context)


def effective_tags(scenario: Any) -> set[str]:
    """The scenario's tags with its feature's (and rule's), as behave inherits them."""
    tags = getattr(scenario, "effective_tags", None)
    if tags is None:
        feature = getattr(scenario, "feature", None)
        tags = [*scenario.tags, *(getattr(feature, "tags", None) or ())]
    return set(tags)
