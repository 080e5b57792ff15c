"""What reports need of a run: each scenario's journal, behave's JSON report completed,
and the report sections a run registered forgotten when it ends."""

from __future__ import annotations

from typing import Any

import httpx
from behave.formatter.json import JSONFormatter
from behave.model_type import Status

from asgibdd.journal import SCENARIO_ATTRIBUTE, Journal, release_journals
from asgibdd.report.sections import clear_report_sections
from asgibdd.world import Channel, Direction, Extension, World

__all__ = ["JSONReportMessages", "ReportSections", "ScenarioJournal"]


class ScenarioJournal(Extension):
    """Every exchange, message and event of a scenario, in order (`asgibdd.journal`), on
    the behave scenario as `asgibdd_journal`, where formatters read it. The journals of
    a feature are taken off its scenarios when the next feature starts: the reports read
    them when it ended, and behave keeps every scenario to the end of the run."""

    def __init__(self) -> None:
        self.journal = Journal()
        self._journaled_feature: Any = None

    def feature_started(self, world: World, feature: Any) -> None:
        release_journals(self._journaled_feature)
        self._journaled_feature = feature

    def scenario_started(self, world: World, scenario: Any) -> None:
        # The steps' resolved texts, as the scenario's variables note them.
        self.journal = Journal(world.secrets, resolved_steps=world.variables.resolved_steps)
        setattr(scenario, SCENARIO_ATTRIBUTE, self.journal)

    def exchange_recorded(
        self,
        world: World,
        step: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        duration: float | None,
    ) -> None:
        self.journal.http(step, request, response, duration)

    def message_recorded(
        self,
        world: World,
        step: str | None,
        channel: Channel,
        direction: Direction,
        where: str,
        text: str,
    ) -> None:
        self.journal.message(step, channel, direction, where, text)

    def outbound_recorded(
        self,
        world: World,
        step: str | None,
        service: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        missing: str,
    ) -> None:
        self.journal.outbound_call(step, service, request, response, missing)


class JSONReportMessages(Extension):
    """Gives behave's JSON report the message of each step that errored or is undefined.

    behave's `JSONFormatter.result` writes `error_message` for *failed* steps only, so a
    usage error, a broken app, or an undefined step with advice would reach the JSON
    report without a word. The formatter keeps a feature's data until the feature ends
    (`eof`, after the feature's cleanups); this adds the missing messages to the steps of
    the feature's scenarios there, once per feature. (behave's own `context.attach`
    reaches the formatters the same way.)
    """

    def feature_ended(self, world: World, feature: Any) -> None:
        runner = getattr(world.context, "_runner", None)
        for formatter in getattr(runner, "formatters", ()):
            if not isinstance(formatter, JSONFormatter) or not formatter.current_feature_data:
                continue
            elements = formatter.current_feature_data.get("elements", [])
            by_location = {element.get("location"): element for element in elements}
            for scenario in feature.walk_scenarios():
                element = by_location.get(str(scenario.location))
                if element is not None:
                    _add_messages(formatter, element, scenario)


def _add_messages(formatter: JSONFormatter, element: dict[str, Any], scenario: Any) -> None:
    for data, step in zip(element.get("steps", []), scenario.all_steps, strict=False):
        result = data.get("result")
        message = step.error_message
        if not result or "error_message" in result or not message:
            continue
        if step.status != Status.failed:
            split = formatter.split_text_into_lines and "\n" in message
            result["error_message"] = message.splitlines() if split else message


class ReportSections(Extension):
    """Forgets the HTML report's extra sections (`asgibdd.report.register_report_section`)
    once the run's reports are written, so a later run in the process shows only its own."""

    def run_ended(self, world: World) -> None:
        world.after_reports(clear_report_sections)
