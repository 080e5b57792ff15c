"""Several runs (parallel workers, CI shards) as one: what `asgibdd report merge` writes.

Each run's results file (`report.results.json`, written beside `-f html -o report.html`)
holds its features and scenarios. Merging puts every scenario once into the merged run:
a feature split across shards becomes one feature again, its scenarios in file order. The
merged run started when the first run started and took until the last one ended; its
header (app, target, commit, CI build) is the first run's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from asgibdd.report.model import FeatureResult, Run, RunInfo, Section

__all__ = ["merge_runs"]


def merge_runs(runs: Sequence[Run]) -> Run:
    features: dict[tuple[str, str], FeatureResult] = {}
    for run in runs:
        for feature in run.features:
            key = (feature.filename, feature.name)
            known = features.get(key)
            if known is None:
                features[key] = feature
            else:
                scenarios = sorted(
                    [*known.scenarios, *feature.scenarios], key=lambda scenario: scenario.line
                )
                features[key] = dataclasses.replace(known, scenarios=scenarios)
    started = min((run.started for run in runs), default=0.0)
    ended = max((run.started + run.duration for run in runs), default=0.0)
    sections: list[Section] = []
    for run in runs:
        sections.extend(section for section in run.sections if section not in sections)
    # Which run this is: the first run's app, commit and build (shards run the same).
    first = min(runs, key=lambda run: run.started, default=None)
    return Run(
        features=sorted(features.values(), key=lambda feature: feature.filename),
        started=started,
        duration=max(ended - started, 0.0),
        sections=sections,
        runs=sum(run.runs for run in runs),
        info=first.info if first is not None else RunInfo(),
    )
