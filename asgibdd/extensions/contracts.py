"""The API document check of every response, and the run's API coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from asgibdd._types import ASGIApp
from asgibdd.config import AsgiBddConfig
from asgibdd.contracts import CONTRACT_TAG, ContractChecker, render_table, write_coverage
from asgibdd.errors import ExpectationFailed
from asgibdd.report import Section, register_report_section
from asgibdd.report.coverage import coverage_section
from asgibdd.world import Extension, World, scenario_flag

__all__ = ["CONTRACT_TAG", "ContractCheck", "scenario_checks_contract"]


def scenario_checks_contract(config: AsgiBddConfig, scenario: Any) -> bool:
    """Whether the scenario's responses are checked against the API document: its
    `@asgibdd.contract=...` tag (on/off, true/false), else its feature's, else the config."""
    chosen = scenario_flag(scenario, CONTRACT_TAG)
    return config.contract if chosen is None else chosen


class ContractCheck(Extension):
    """Checks every response of a scenario against the app's OpenAPI document (unless the
    `contract` setting or an `@asgibdd.contract=off` tag turns it off), counts what the run
    exercised, shows it in the HTML report, and writes and prints the API coverage when
    the run ends."""

    def __init__(self, checker: ContractChecker) -> None:
        self.checker = checker
        self.checking = False

    @classmethod
    def for_run(cls, config: AsgiBddConfig, app: ASGIApp | None) -> ContractCheck | None:
        """The check for the `openapi` setting; None when there is no document."""
        checker = ContractChecker.from_setting(
            config.openapi, app, source=config.openapi_source, project_dir=config.project_dir
        )
        return None if checker is None else cls(checker)

    def run_started(self, world: World) -> None:
        register_report_section(self.coverage_section)

    def scenario_started(self, world: World, scenario: Any) -> None:
        self.checking = scenario_checks_contract(world.config, scenario)

    def exchange_recorded(
        self,
        world: World,
        step: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        duration: float | None,
    ) -> None:
        # A request step's complete exchange, after the journal has it (so a report shows
        # the response that broke the document); not a stream still arriving.
        if not self.checking or response is None or duration is None:
            return
        client = world.require_client()
        checker = self.checker
        verdict = checker.check(
            request, response, fetch=client.get, root_path=client.root_path, secrets=world.secrets
        )
        if verdict.violations:
            raise ExpectationFailed(checker.failure(verdict, request, response, world.secrets))

    def coverage_section(self) -> Section | None:
        """The run's API coverage as a section of the HTML report (asgibdd.report)."""
        data = self.checker.coverage()
        return None if data is None else coverage_section(data)

    def run_ended(self, world: World) -> None:
        """Write the run's API coverage (`api_coverage` setting) and print its table after
        behave's summary."""
        config = world.config
        if not (config.contract or self.checker.tally.checked):
            return
        data = self.checker.coverage()
        if data is None:
            return
        table = render_table(data)
        if config.api_coverage:
            target = Path(config.api_coverage)
            write_coverage(data, target)
            table += f"\nWritten to {target}"
        world.after_reports(lambda: print(f"\n{table}"))
