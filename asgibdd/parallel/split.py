"""Deterministic, balanced splits of the scheduled scenarios into shards or workers.

Shards (`split`): longest first onto the least loaded part (the LPT rule): with the times
an earlier run recorded, the parts end within one scenario's time of each other.
Workers (`split_in_order`): consecutive runs of the suite, cut where the expected time
is shared out evenly, also within one scenario's time; each worker then reads only the
feature files of its own run (and starts a feature's lifespan once), where scenarios
dealt out one by one would make every worker parse and step over every file. A scenario the
durations file does not know weighs the median of those it knows (1 when it knows none,
which makes the split one by counts). Ties go to the lower part and the earlier scenario,
so every shard of a CI matrix computes the same split on its own.

Scenarios tagged to run serially (`@serial` by default, on the scenario or its feature)
form one unit that goes to one part whole, in their file order.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from asgibdd.parallel.listing import ListedScenario

__all__ = ["DEFAULT_SERIAL_TAG", "Part", "split", "split_in_order"]

DEFAULT_SERIAL_TAG = "serial"


@dataclass
class Part:
    """One shard's or worker's scenarios (in the suite's order) and their expected time."""

    scenarios: list[ListedScenario]
    expected: float


def split(
    scenarios: Sequence[ListedScenario],
    parts: int,
    durations: Mapping[str, float],
    serial_tag: str = DEFAULT_SERIAL_TAG,
) -> list[Part]:
    """Split `scenarios` into `parts` parts (some may be empty when there are few)."""
    weight = _weigher(scenarios, durations)
    order = {scenario.location: index for index, scenario in enumerate(scenarios)}

    serial = [s for s in scenarios if serial_tag in s.tags]
    units: list[list[ListedScenario]] = [[s] for s in scenarios if serial_tag not in s.tags]
    if serial:
        units.append(serial)
    units.sort(key=lambda unit: (-sum(map(weight, unit)), order[unit[0].location]))
    loads = [0.0] * parts
    chosen: list[list[ListedScenario]] = [[] for _ in range(parts)]
    for unit in units:
        target = min(range(parts), key=lambda index: (loads[index], index))
        loads[target] += sum(map(weight, unit))
        chosen[target].extend(unit)
    return [
        Part(sorted(part, key=lambda s: order[s.location]), load)
        for part, load in zip(chosen, loads, strict=True)
    ]


def split_in_order(
    scenarios: Sequence[ListedScenario],
    parts: int,
    durations: Mapping[str, float],
    serial_tag: str = DEFAULT_SERIAL_TAG,
) -> list[Part]:
    """Split `scenarios` into `parts` consecutive runs of about equal expected time (some
    may be empty when there are few). The serial scenarios go together, where the first
    of them is."""
    weight = _weigher(scenarios, durations)
    serial = [s for s in scenarios if serial_tag in s.tags]
    units: list[list[ListedScenario]] = []
    for scenario in scenarios:
        if serial_tag not in scenario.tags:
            units.append([scenario])
        elif scenario is serial[0]:
            units.append(serial)
    weights = [sum(map(weight, unit)) for unit in units]
    total = sum(weights)
    chosen: list[list[ListedScenario]] = [[] for _ in range(parts)]
    loads = [0.0] * parts
    done = 0.0
    part = 0
    for unit, seconds in zip(units, weights, strict=True):
        # Move on once this part is as close to its share as it will get.
        boundary = total * (part + 1) / parts
        if part < parts - 1 and chosen[part] and done + seconds / 2 > boundary:
            part += 1
        chosen[part].extend(unit)
        loads[part] += seconds
        done += seconds
    order = {scenario.location: index for index, scenario in enumerate(scenarios)}
    return [
        Part(sorted(part_scenarios, key=lambda s: order[s.location]), load)
        for part_scenarios, load in zip(chosen, loads, strict=True)
    ]


def _weigher(
    scenarios: Sequence[ListedScenario], durations: Mapping[str, float]
) -> Callable[[ListedScenario], float]:
    """A scenario's expected seconds: its recorded duration, else the median of those
    recorded (1 when none is, which makes a split one by counts)."""
    known = [durations[s.key] for s in scenarios if s.key in durations]
    fallback = statistics.median(known) if known else 1.0

    def weight(scenario: ListedScenario) -> float:
        return durations.get(scenario.key, fallback)

    return weight
