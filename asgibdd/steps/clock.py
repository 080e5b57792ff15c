"""Clock steps: set the time the app sees, and let time pass without waiting.

The clock is the scenario's (`asgibdd.extensions.clock`): the wall clock moves
(`datetime.now()`, `time.time()`), the monotonic clock bounded waits run on stays real.
Against a live service the clock is not in this process: the scenario is skipped, its
reason shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asgibdd.environment import get_world
from asgibdd.extensions.clock import ScenarioClock
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.support.exchange import show

TIME = "Time"


def _clock(context: Any) -> ScenarioClock | None:
    """The scenario's clock; None when the scenario was skipped (a live run)."""
    world = get_world(context)
    if world.config.live:
        reason = (
            "it sets the app's clock, which is only possible with the app in this process, "
            f"and this run tests the live service at {world.config.base_url}"
        )
        context.scenario.skip(reason)
        show(context, f"    Skipped, {reason}.")
        return None
    clock = world.extension(ScenarioClock)
    if clock is None:
        raise step_usage_error(
            "needs asgibdd's clock, which this run does not have: call "
            "asgibdd.environment.before_all(context) from your environment.py."
        )
    return clock


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 date and time; without an offset it is UTC. `UsageError` otherwise."""
    written = text.strip()
    try:
        instant = dt.datetime.fromisoformat(written.removesuffix("Z").removesuffix("z"))
    except ValueError:
        instant = None
    if instant is None:
        raise step_usage_error(
            f'has the time "{written}", which is not an ISO 8601 date and time. Write it '
            'like "2026-03-01T09:00:00Z" or "2026-03-01T10:00:00+01:00".'
        )
    if written[-1:] in ("Z", "z") and instant.tzinfo is not None:
        raise step_usage_error(f'has the time "{written}", with both Z and an offset; keep one.')
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.timezone.utc)


@library_step("the time is {instant:Instant}", section=TIME)
def the_time_is(context: Any, instant: str) -> None:
    """Set the app's clock to an instant (ISO 8601; UTC when no offset); it ticks on.

    `datetime.now()`, `date.today()` and `time.time()` answer from there, in every thread;
    the monotonic clock stays real, so timeouts and bounded waits keep their length.

    Example: Given the time is 2026-03-01T09:00:00Z
    """
    moment = parse_instant(get_world(context).variables.interpolate(instant))
    clock = _clock(context)
    if clock is not None:
        clock.set(moment)


@library_step(
    "{amount:Count} {unit:TimeUnit} pass",
    ("{amount:Count} {unit:TimeUnit} passes", "When 1 hour passes"),
    section=TIME,
)
def time_passes(context: Any, amount: int, unit: int) -> None:
    """Move the app's clock ahead at once: seconds, minutes, hours or days.

    Nothing waits: the step returns at once. Without `Given the time is ...` the clock
    moves from the real now.

    Example: When 61 minutes pass
    """
    clock = _clock(context)
    if clock is not None:
        clock.move(amount * unit)
