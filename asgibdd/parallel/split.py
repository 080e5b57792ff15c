"""Deterministic, balanced splits of the scheduled scenarios into shards or workers.

Longest first onto the least loaded part (the LPT rule): with the times an earlier run
recorded, the parts end within one scenario's time of each other. A scenario the
durations file does not know weighs the median of those it knows (1 when it knows none,
which makes the split one by counts). Ties go to the lower part and the earlier scenario,
so every shard of a CI matrix computes the same split on its own.

Scenarios tagged to run serially (`@serial` by default, on the scenario or its feature)
form one unit that goes to one part whole, in their file order.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from asgibdd.parallel.listing import ListedScenario

__all__ = ["DEFAULT_SERIAL_TAG", "Part", "split"]

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
    known = [durations[s.key] for s in scenarios if s.key in durations]
    fallback = statistics.median(known) if known else 1.0
    order = {scenario.location: index for index, scenario in enumerate(scenarios)}

    def weight(scenario: ListedScenario) -> float:
        return durations.get(scenario.key, fallback)

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
