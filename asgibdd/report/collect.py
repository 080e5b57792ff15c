"""behave's model and the scenario journals, turned into report data (`asgibdd.report.model`).

Called once a feature has ended, when every scenario's journal is sealed (or is sealed
here): its transcript is text, masked with every secret the scenario met.
"""

from __future__ import annotations

import sys
from typing import Any

from asgibdd.errors import AsgiBddError
from asgibdd.journal import SCENARIO_ATTRIBUTE, Journal
from asgibdd.report.model import FeatureResult, ScenarioResult, StepResult

__all__ = ["collect_feature", "error_text", "ordered_tags", "public_name"]

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
    return FeatureResult(
        name=feature.name,
        filename=str(feature.filename),
        line=feature.line,
        tags=[str(tag) for tag in feature.tags],
        description=[str(line) for line in feature.description],
        scenarios=[_scenario(scenario) for scenario in feature.walk_scenarios()],
    )


def _status(element: Any) -> str:
    return str(element.status.name)


def _scenario(scenario: Any) -> ScenarioResult:
    journal = getattr(scenario, SCENARIO_ATTRIBUTE, None)
    secrets = journal.secrets if isinstance(journal, Journal) else None
    mask = secrets.mask_text if secrets is not None else (lambda text: text)
    steps = [_step(step, mask) for step in scenario.all_steps]
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
    )


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


def _step(step: Any, mask: Any) -> StepResult:
    table = None
    if step.table is not None:
        table = [[mask(cell) for cell in step.table.headings]]
        table += [[mask(cell) for cell in row.cells] for row in step.table.rows]
    message = error_text(step)
    return StepResult(
        keyword=step.keyword,
        name=mask(step.name),
        status=_status(step),
        duration=float(step.duration or 0.0),
        line=step.line,
        error_type=public_name(step.exception) if message else None,
        error_message=mask(message) if message else None,
        text=mask(step.text) if step.text is not None else None,
        table=table,
    )
