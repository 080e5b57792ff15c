"""behave's model and the scenario journals, turned into report data (`asgibdd.report.model`).

Called once a feature has ended, when every scenario's journal is sealed (or is sealed
here): its transcript is text, masked with every secret the scenario met.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from asgibdd.errors import AsgiBddError
from asgibdd.journal import SCENARIO_ATTRIBUTE, Journal
from asgibdd.report.model import (
    FeatureResult,
    RuleResult,
    ScenarioResult,
    StepResult,
    TranscriptItem,
)
from asgibdd.secrets import Secrets

__all__ = [
    "collect_feature",
    "error_text",
    "ordered_tags",
    "public_name",
    "transcript_by_step",
]

_ASSERTION_PREFIXES = ("ASSERT FAILED: ", "Assertion Failed: ")


def public_name(error: BaseException | None) -> str | None:
    """The name a user imports `error`'s class by: `asgibdd.ExpectationFailed`, not
    `asgibdd.errors.ExpectationFailed` nor `httpx._exceptions.ReadTimeout`."""
    if error is None:
        return None
    cls = type(error)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    parts = cls.__module__.split(".")
    public = [
        part for part in parts[: next((i for i, p in enumerate(parts) if p[:1] == "_"), None)]
    ]
    for end in range(1, len(public) + 1):
        module = sys.modules.get(".".join(public[:end]))
        if module is not None and getattr(module, cls.__qualname__, None) is cls:
            return f"{'.'.join(public[:end])}.{cls.__qualname__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def collect_feature(feature: Any) -> FeatureResult:
    # The feature's own text (descriptions, Background steps) is masked with the secrets
    # of all its scenarios, as the step texts of each one are with its own.
    secrets = Secrets()
    for scenario in feature.walk_scenarios():
        journal = getattr(scenario, SCENARIO_ATTRIBUTE, None)
        if isinstance(journal, Journal):
            secrets.remember_all(journal.secrets)
    mask = secrets.mask_text
    rules = [item for item in getattr(feature, "rules", None) or () if item is not None]
    return FeatureResult(
        name=feature.name,
        filename=str(feature.filename),
        line=feature.line,
        tags=[str(tag) for tag in feature.tags],
        description=[mask(str(line)) for line in feature.description],
        scenarios=[_scenario(scenario) for scenario in feature.walk_scenarios()],
        background=_background(feature, mask),
        rules=[
            RuleResult(
                name=mask(str(rule.name)),
                line=rule.line,
                description=[mask(str(line)) for line in rule.description or ()],
                background=_background(rule, mask),
            )
            for rule in rules
        ],
    )


def _background(element: Any, mask: Any) -> list[str]:
    """The element's own Background steps as written (`Given the shop is open`)."""
    background = getattr(element, "background", None)
    # A rule without a Background of its own inherits the feature's: not its own story.
    parent = getattr(getattr(element, "feature", None), "background", None)
    if background is None or (parent is background and element.type == "rule"):
        return []
    return [mask(f"{step.keyword} {step.name}") for step in background.steps]


def _rule_line(scenario: Any) -> int | None:
    """The line of the `Rule:` the scenario (or its outline) belongs to, if any."""
    parent = getattr(scenario, "parent", None)
    while parent is not None and getattr(parent, "type", None) != "rule":
        parent = getattr(parent, "parent", None)
    return parent.line if parent is not None else None


def _status(element: Any) -> str:
    return str(element.status.name)


def _scenario(scenario: Any) -> ScenarioResult:
    journal = getattr(scenario, SCENARIO_ATTRIBUTE, None)
    secrets = journal.secrets if isinstance(journal, Journal) else None
    mask = secrets.mask_text if secrets is not None else (lambda text: text)
    resolved = journal.resolved_steps if isinstance(journal, Journal) else []
    steps = [_step(step, mask, shown) for step, shown in _resolved(scenario.all_steps, resolved)]
    hook_message = error_text(scenario) if scenario.hook_failed else None
    return ScenarioResult(
        name=scenario.name,
        status=_status(scenario),
        duration=float(scenario.duration or 0.0),
        filename=str(scenario.filename),
        line=scenario.line,
        tags=ordered_tags(scenario),
        steps=steps,
        transcript=journal.seal() if isinstance(journal, Journal) else [],
        error_type=public_name(scenario.exception) if hook_message else None,
        error_message=mask(hook_message) if hook_message else None,
        rule=_rule_line(scenario),
    )


def _resolved(steps: Any, resolved: list[tuple[str, str]]) -> list[tuple[Any, str | None]]:
    """Each step with the text its placeholders' values make (None: as written). The
    resolved texts are in the order the steps ran; a text of a step run from inside
    another one (`execute_steps`) pairs with no step and is passed over."""
    paired: list[tuple[Any, str | None]] = []
    position = 0
    for step in steps:
        found = next(
            (i for i in range(position, len(resolved)) if resolved[i][0] == step.name), None
        )
        if found is None:
            paired.append((step, None))
            continue
        paired.append((step, resolved[found][1]))
        position = found + 1
    return paired


def ordered_tags(scenario: Any) -> list[str]:
    """The scenario's tags with those it inherits, outermost first (behave keeps a set)."""
    inherited = getattr(scenario, "feature", None)
    written = [*(getattr(inherited, "tags", None) or []), *scenario.tags]
    ordered = list(dict.fromkeys(str(tag) for tag in written))
    return ordered + sorted(str(tag) for tag in scenario.effective_tags if tag not in ordered)


def error_text(element: Any) -> str | None:
    """The element's error message, without the prefix behave puts before an assertion's
    or the kind the console shows before an asgibdd error's (the report shows the
    exception's type on its own)."""
    message = element.error_message
    if message and isinstance(element.exception, AssertionError):
        for prefix in _ASSERTION_PREFIXES:
            message = message.removeprefix(prefix)
    elif message and isinstance(element.exception, AsgiBddError):
        message = message.removeprefix(f"{type(element.exception).__name__}: ")
    return str(message) if message else None


def _step(step: Any, mask: Any, resolved: str | None = None) -> StepResult:
    table = None
    if step.table is not None:
        table = [[mask(cell) for cell in step.table.headings]]
        table += [[mask(cell) for cell in row.cells] for row in step.table.rows]
    message = error_text(step)
    return StepResult(
        keyword=step.keyword,
        name=mask(resolved if resolved is not None else step.name),
        written=mask(step.name) if resolved is not None else None,
        status=_status(step),
        duration=float(step.duration or 0.0),
        line=step.line,
        error_type=public_name(step.exception) if message else None,
        error_message=mask(message) if message else None,
        text=mask(step.text) if step.text is not None else None,
        table=table,
    )


def transcript_by_step(
    names: Sequence[str], items: Sequence[TranscriptItem]
) -> list[list[TranscriptItem]]:
    """A scenario's transcript shared out among its steps (`names`, masked as the items'
    `step` is): the items are in step order, each goes with the step that caused it (one
    caused by no step, with the step running then), and whatever is left when the last
    step comes (a hook's exchanges) goes with the last step."""
    left = list(items)
    shared: list[list[TranscriptItem]] = []
    for index, name in enumerate(names):
        last = index == len(names) - 1
        mine: list[TranscriptItem] = []
        while left and (left[0].step in (name, None) or last):
            mine.append(left.pop(0))
        shared.append(mine)
    return shared
