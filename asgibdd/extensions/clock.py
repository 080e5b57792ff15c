"""The scenario's clock: set to an instant and moved forward by steps, through time-machine.

What moves: everything that reads the wall clock — `datetime.now()`, `date.today()`,
`time.time()`, `time.gmtime()`, `time.localtime()`, `time.strftime()` — in every thread.
The clock keeps ticking from where a step put it. What stays real: `time.monotonic()`
and `time.perf_counter()`, which the event loop, timeouts and bounded waits run on, so
moving the clock a day ahead never makes a wait end early or never end.

Each scenario starts on the real clock; whatever a scenario set is undone when it ends.
behave times steps with `time.time()`: while the clock is moved, its model reads the real
wall clock instead, so a step that moves the clock an hour does not report an hour.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from asgibdd.errors import ConfigError
from asgibdd.world import Extension, World

__all__ = ["ScenarioClock", "clock_available"]


def clock_available() -> bool:
    """Whether time-machine is installed (the `outbound` extra brings it)."""
    import importlib.util

    return importlib.util.find_spec("time_machine") is not None


class ScenarioClock(Extension):
    """The scenario's travel in time, if a step started one."""

    def __init__(self) -> None:
        self._travel: Any = None
        self._traveller: Any = None

    def set(self, instant: dt.datetime) -> None:
        """Make it `instant` now (an aware datetime); the clock ticks on from there."""
        time_machine = _time_machine()
        self._stop()
        self._travel = time_machine.travel(instant, tick=True)
        self._traveller = self._travel.start()
        model: Any = sys.modules.get("behave.model")
        if model is not None and getattr(model, "time", None) is time:
            model.time = _RealWallClock(time_machine.escape_hatch.time.time)

    def move(self, seconds: float) -> None:
        """Move the clock `seconds` ahead, from the real now if no step set it."""
        if self._traveller is None:
            self.set(dt.datetime.now(dt.timezone.utc))
        self._traveller.shift(seconds)

    def now(self) -> dt.datetime:
        """The scenario's now, in UTC."""
        return dt.datetime.now(dt.timezone.utc)

    def scenario_ended(self, world: World, scenario: Any, status: str) -> None:
        self._stop()

    def _stop(self) -> None:
        travel, self._travel, self._traveller = self._travel, None, None
        if travel is not None:
            travel.stop()
        model: Any = sys.modules.get("behave.model")
        if model is not None and isinstance(getattr(model, "time", None), _RealWallClock):
            model.time = time


class _RealWallClock:
    """The `time` module as behave's model sees it while the clock is moved: `time()` is
    the real wall clock, everything else the module's own."""

    def __init__(self, real_time: Any) -> None:
        self.time = real_time

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def _time_machine() -> Any:
    try:
        import time_machine
    except ImportError:
        raise ConfigError(
            "The clock steps need time-machine, which is not installed: "
            'pip install "asgibdd[outbound]" (or time-machine).'
        ) from None
    return time_machine
