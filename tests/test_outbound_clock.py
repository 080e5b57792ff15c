"""The scenario's clock: the wall clock set and moved in every thread, the monotonic clock
(bounded waits, the event loop) left real, everything undone when the scenario ends."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

import pytest

from asgibdd.extensions.clock import ScenarioClock

NINE = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def clock() -> ScenarioClock:
    return ScenarioClock()


def test_setting_the_time_moves_datetime_and_time_time(clock: ScenarioClock) -> None:
    real = time.time()
    clock.set(NINE)
    try:
        # The clock ticks on from the instant: allow a generous minute of real time.
        assert dt.timedelta(0) <= dt.datetime.now(dt.timezone.utc) - NINE < dt.timedelta(minutes=1)
        assert 0 <= time.time() - NINE.timestamp() < 60
        assert dt.date.today() == dt.date(2026, 3, 1)
    finally:
        clock.scenario_ended(None, None, "passed")  # type: ignore[arg-type]
    assert time.time() - real < 60  # back on the real clock


def test_time_passing_moves_the_wall_clock_not_the_monotonic_one(clock: ScenarioClock) -> None:
    clock.set(NINE)
    try:
        before = time.monotonic()
        clock.move(3 * 3600)
        assert 3 * 3600 <= time.time() - NINE.timestamp() < 3 * 3600 + 60
        assert time.monotonic() - before < 60  # real, and far from three hours
    finally:
        clock.scenario_ended(None, None, "passed")  # type: ignore[arg-type]


def test_other_threads_see_the_moved_clock(clock: ScenarioClock) -> None:
    seen: list[float] = []
    clock.set(NINE)
    try:
        clock.move(86400)
        thread = threading.Thread(target=lambda: seen.append(time.time()))
        thread.start()
        thread.join(10)
    finally:
        clock.scenario_ended(None, None, "passed")  # type: ignore[arg-type]
    assert 86400 <= seen[0] - NINE.timestamp() < 86400 + 60


def test_a_bounded_wait_keeps_its_length_while_the_clock_is_a_day_ahead(
    clock: ScenarioClock,
) -> None:
    async def bounded() -> str:
        try:
            await asyncio.wait_for(asyncio.sleep(60), timeout=0.05)
        except asyncio.TimeoutError:
            return "timed out"
        return "slept"

    clock.set(NINE)
    try:
        clock.move(86400)
        started = time.monotonic()
        assert asyncio.run(bounded()) == "timed out"
        assert time.monotonic() - started < 30  # the loop's own clock: not a day, not 60 s
    finally:
        clock.scenario_ended(None, None, "passed")  # type: ignore[arg-type]


def test_moving_without_setting_starts_from_the_real_now(clock: ScenarioClock) -> None:
    real = time.time()
    clock.move(120)
    try:
        assert 120 <= time.time() - real < 180
    finally:
        clock.scenario_ended(None, None, "passed")  # type: ignore[arg-type]
    assert time.time() - real < 60
