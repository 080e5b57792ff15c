"""When an API contract violation fails a scenario: at the end of the step that received
the response, with the scenario going on.

The contract check keeps the violations of the responses a step receives on the World
(`pending_failures`); the step fails with them once it has done everything else it does
(`raise_recorded`, called where every library step ends), so a step that sends several
requests sends them all. With `contract_failure = "end"` (the default) the scenario then
goes on: behave runs its later steps, and the scenario fails at its end with each
violation under the step that received the response, in every report that shows a step's
failure (console, JUnit, JSON, HTML, Messages). behave offers going on after a failure
for a whole scenario (`Scenario.continue_after_failed_step`); `go_on_after_current_step`
turns it on for the steps that failed on the contract alone, so any other failure still
stops the scenario.

Read through the behave context and model only (no import of the behave integration), so
the behave adapter that runs every library step (`asgibdd.steps.behave_adapter`) can call
it.
"""

from __future__ import annotations

from typing import Any

from asgibdd.errors import ExpectationFailed

__all__ = ["go_on_after_current_step", "raise_recorded"]

_SHOWN = 3  # a step that re-sends its request until a check holds may gather many


def raise_recorded(context: Any, error: BaseException | None = None) -> None:
    """End the running library step: fail it with the violations it recorded, if any.

    `error` is the step's own failure, if it failed: the violations are added to its
    message, and it is left to propagate. Otherwise `ExpectationFailed` is raised, and the
    scenario goes on after this step.
    """
    pending = _pending(context)
    if not pending:
        return
    shown = pending[:_SHOWN]
    if len(pending) > _SHOWN:
        shown.append(
            f"... and {len(pending) - _SHOWN} more responses of this step broke the API "
            "document (each is in the journal and the API coverage)."
        )
    failures, pending[:] = "\n\n".join(shown), []
    if error is not None:
        if error.args and isinstance(error.args[0], str):
            error.args = (f"{error.args[0]}\n\n{failures}", *error.args[1:])
        return
    scenario = getattr(context, "scenario", None)
    if scenario is not None:
        go_on_after_current_step(scenario)
    raise ExpectationFailed(failures)


def _pending(context: Any) -> list[str]:
    world = getattr(context, "asgibdd", None)
    pending = getattr(world, "pending_failures", None)
    return pending if isinstance(pending, list) else []


class _GoOnAfter:
    """Stands for a scenario's `continue_after_failed_step`, which behave reads once,
    right after a step has failed: true when that step is one that broke the contract
    only (or when the scenario went on after every failure already)."""

    def __init__(self, scenario: Any, before: Any) -> None:
        self.scenario = scenario
        self.before = before
        self.steps: list[Any] = []

    def __bool__(self) -> bool:
        if self.before:
            return True
        ran = [step for step in self.scenario.all_steps if step.status.name != "untested"]
        return bool(ran) and any(ran[-1] is step for step in self.steps)


def go_on_after_current_step(scenario: Any) -> None:
    """Let `scenario` go on after its running step fails (its first step not yet run)."""
    marker = vars(scenario).get("continue_after_failed_step")
    if not isinstance(marker, _GoOnAfter):
        marker = _GoOnAfter(scenario, scenario.continue_after_failed_step)
        scenario.continue_after_failed_step = marker
    running = next((step for step in scenario.all_steps if step.status.name == "untested"), None)
    if running is not None:
        marker.steps.append(running)
