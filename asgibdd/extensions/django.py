"""Django's test databases for the run: flushed after every scenario, dropped at the end."""

from __future__ import annotations

from typing import Any

from asgibdd.django import DjangoTestRun
from asgibdd.world import Extension, World

__all__ = ["DjangoDatabases"]


class DjangoDatabases(Extension):
    """The run's Django test databases and settings (see `asgibdd.django`): set up when
    the app was imported, flushed once each scenario's client has stopped, and torn down
    once the run's last client has stopped."""

    def __init__(self, run: DjangoTestRun) -> None:
        self.run = run

    def scenario_ended(self, world: World, scenario: Any, status: str) -> None:
        self.run.flush()

    def run_ended(self, world: World) -> None:
        self.run.stop()
