"""behave's summary lines for a run split over workers: every worker's totals, once.

behave's own formatting (`behave.reporter.summary.format_summary_v1`) writes the lines,
from counts made here: a feature split across workers counts once, its status made from
all its scenarios the way behave makes it; scenarios the command line did not select count
as skipped, as in a serial run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from asgibdd.parallel.listing import ListedScenario
from asgibdd.parallel.worker import ScenarioRecord

__all__ = ["RunSummary", "feature_status", "summarise"]

_ZERO = ("passed", "failed", "error", "hook_error", "cleanup_error", "skipped", "untested")
_STEP_ZERO = ("undefined", "untested_undefined", "pending", "pending_warn", "untested_pending")
_FAILING = frozenset({"failed"})
_ERRORED = frozenset({"error", "hook_error", "cleanup_error"})


def feature_status(statuses: Sequence[str]) -> str:
    """A feature's status from its scenarios' statuses, by behave's `Feature.compute_status`:
    the first error or failure decides; else a scenario that never ran makes it untested,
    or failed if another passed (a run that stopped). behave stops at the first untested
    scenario, as in a serial run everything after it is untested too; split over workers,
    a failure may come after it in the file, and still decides."""
    passed = untested = 0
    for status in statuses:
        if status in _ERRORED:
            return "error"
        if status in _FAILING:
            return "failed"
        untested += status == "untested"
        passed += status in ("passed", "flaky")  # flaky: passed on a retry
    if untested:
        return "failed" if passed else "untested"
    return "skipped" if all(status == "skipped" for status in statuses) else "passed"


@dataclass(frozen=True)
class RunSummary:
    features: dict[str, int]
    rules: dict[str, int]
    scenarios: dict[str, int]
    steps: dict[str, int]
    failing: list[ScenarioRecord]
    errored: list[ScenarioRecord]
    flaky: list[ScenarioRecord] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        bad = ("failed", "error", "hook_error", "cleanup_error", "undefined")
        return any(self.scenarios.get(s, 0) or self.steps.get(s, 0) for s in bad)

    def lines(self, seconds: float, retries: bool = False) -> str:
        """The text behave prints after a run, with the same words and order; with
        `retries`, the scenarios line counts the flaky ones after the passed ones
        (`3 scenarios passed, 1 flaky, 0 failed`) and the flaky ones are listed."""
        from behave.reporter.summary import compute_summary_sum, format_summary_v1

        text = ""
        listed = [("Failing scenarios", self.failing), ("Errored scenarios", self.errored)]
        listed.append(("Flaky scenarios (failed, then passed on a retry)", self.flaky))
        for title, problems in listed:
            if problems:
                text += f"\n{title}:\n"
                text += "".join(f"  {r.scenario.location}  {r.scenario.name}\n" for r in problems)
        if self.failing or self.errored or self.flaky:
            text += "\n"
        kinds = [("feature", self.features), ("scenario", self.scenarios)]
        if any(self.rules.values()):  # behave shows the rules line only when there are rules
            kinds.insert(1, ("rule", self.rules))
        for kind, counts in kinds:
            line = format_summary_v1(kind, {**counts, "all": compute_summary_sum(counts)})
            if kind == "scenario" and (retries or counts.get("flaky")):
                passed, rest = line.split(", ", 1)
                line = f"{passed}, {counts.get('flaky', 0)} flaky, {rest}"
            text += line
        text += format_summary_v1("step", {**self.steps, "all": compute_summary_sum(self.steps)})
        text += f"Took {int(seconds / 60.0)}min {seconds % 60:.3f}s\n"
        return str(text)


def summarise(listed: Iterable[ListedScenario], records: Iterable[ScenarioRecord]) -> RunSummary:
    """Counts for every listed scenario: its record, else skipped (not selected)."""
    by_location = {record.scenario.location: record for record in records}
    features = dict.fromkeys(_ZERO, 0)
    rules = dict.fromkeys(_ZERO, 0)
    per_rule: dict[str, list[str]] = {}
    scenarios = dict.fromkeys(_ZERO, 0)
    steps = {**dict.fromkeys(_STEP_ZERO, 0), **dict.fromkeys(_ZERO, 0)}
    per_feature: dict[str, list[str]] = {}
    failing: list[ScenarioRecord] = []
    errored: list[ScenarioRecord] = []
    flaky: list[ScenarioRecord] = []
    for scenario in listed:
        record = by_location.get(scenario.location)
        status = record.status if record is not None else "skipped"
        step_statuses = record.steps if record is not None else ("skipped",) * scenario.steps
        per_feature.setdefault(scenario.feature, []).append(status)
        if scenario.rule is not None:
            per_rule.setdefault(scenario.rule, []).append(status)
        scenarios[status] = scenarios.get(status, 0) + 1
        for step in step_statuses:
            steps[step] = steps.get(step, 0) + 1
        if record is not None and status in _FAILING:
            failing.append(record)
        elif record is not None and status in _ERRORED:
            errored.append(record)
        elif record is not None and status == "flaky":
            flaky.append(record)
    for statuses in per_feature.values():
        status = feature_status(statuses)
        features[status] = features.get(status, 0) + 1
    for statuses in per_rule.values():
        status = feature_status(statuses)  # behave computes a rule's status as a feature's
        rules[status] = rules.get(status, 0) + 1
    return RunSummary(features, rules, scenarios, steps, failing, errored, flaky)
