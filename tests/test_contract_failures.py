"""asgibdd.contract_failures on behave's own model: a step that broke the API contract
fails at its end and the scenario goes on after it, but after no other failure."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from behave.model import Scenario, Step
from behave.model_type import Status

from asgibdd.contract_failures import go_on_after_current_step, raise_recorded
from asgibdd.errors import ExpectationFailed


def _scenario(steps: int) -> Scenario:
    made = [Step("f.feature", n, "When", "when", f"I GET /{n}") for n in range(steps)]
    return Scenario("f.feature", 1, "Scenario", "s", steps=made)


def _context(scenario: Scenario, pending: list[str]) -> SimpleNamespace:
    return SimpleNamespace(scenario=scenario, asgibdd=SimpleNamespace(pending_failures=pending))


def test_the_step_fails_with_its_violations_and_the_scenario_goes_on_after_it() -> None:
    scenario = _scenario(3)
    first, second, _ = scenario.steps
    first.status = Status.passed
    context = _context(scenario, ["violation one", "violation two"])
    with pytest.raises(ExpectationFailed) as raised:
        raise_recorded(context)  # while the second step runs
    assert str(raised.value) == "violation one\n\nviolation two"
    assert context.asgibdd.pending_failures == []
    second.status = Status.failed
    assert bool(scenario.continue_after_failed_step) is True
    # A later step that fails on its own stops the scenario, as behave would.
    scenario.steps[2].status = Status.failed
    assert bool(scenario.continue_after_failed_step) is False


def test_a_step_that_failed_on_its_own_carries_the_violations_and_stops() -> None:
    scenario = _scenario(2)
    context = _context(scenario, ["the body broke the document"])
    error = ExpectationFailed("The check never held.")
    raise_recorded(context, error)
    assert str(error) == "The check never held.\n\nthe body broke the document"
    assert vars(scenario).get("continue_after_failed_step") is None


def test_only_three_violations_are_shown_and_the_rest_counted() -> None:
    context = _context(_scenario(1), [f"violation {n}" for n in range(5)])
    with pytest.raises(ExpectationFailed) as raised:
        raise_recorded(context)
    assert str(raised.value).split("\n\n") == [
        "violation 0",
        "violation 1",
        "violation 2",
        "... and 2 more responses of this step broke the API document (each is in the "
        "journal and the API coverage).",
    ]


def test_a_scenario_that_goes_on_after_every_failure_keeps_doing_so() -> None:
    scenario = _scenario(2)
    scenario.continue_after_failed_step = True
    go_on_after_current_step(scenario)
    scenario.steps[0].status = Status.failed
    scenario.steps[1].status = Status.failed
    assert bool(scenario.continue_after_failed_step) is True


def test_nothing_pending_changes_nothing() -> None:
    scenario = _scenario(1)
    raise_recorded(_context(scenario, []))
    assert vars(scenario).get("continue_after_failed_step") is None
