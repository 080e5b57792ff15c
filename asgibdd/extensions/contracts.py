"""The API document check of every response, and the run's API coverage.

What a run checks is said at its start (`setup_line`); a violation is kept until the
step that received the response ends, which then fails while the scenario goes on (see
`asgibdd.contract_failures`), or fails that step at once with
`contract_failure = "request"`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx

from asgibdd._types import ASGIApp
from asgibdd.client import LiveClient
from asgibdd.config import AsgiBddConfig, ContractMode, contract_mode
from asgibdd.contracts import (
    CONTRACT_TAG,
    ContractChecker,
    render_table,
    render_undocumented,
    setup_line,
    write_coverage,
)
from asgibdd.errors import ExpectationFailed
from asgibdd.report import Section, register_report_section
from asgibdd.report.coverage import coverage_section, unchecked_section
from asgibdd.world import Extension, World, machine_reads_stdout, scenario_tag, show

__all__ = ["CONTRACT_TAG", "ContractCheck", "scenario_contract"]


def scenario_contract(config: AsgiBddConfig, scenario: Any) -> ContractMode:
    """How the scenario's responses are checked against the API document: its
    `@asgibdd.contract=...` tag (on/strict/off, true/false), else its feature's, else the
    config."""
    chosen = scenario_tag(scenario, CONTRACT_TAG)
    if chosen is None:
        return config.contract
    return contract_mode(chosen, f"the tag @{CONTRACT_TAG}{chosen}")


class ContractCheck(Extension):
    """Checks every response of a scenario against the app's OpenAPI document, as the
    `contract` setting or an `@asgibdd.contract=...` tag says ("on", "strict", "off"),
    counts what the run exercised, shows it in the HTML report, and writes and prints the
    API coverage, with the statuses the document does not list, when the run ends.

    `checker` is None when the run has no document; the extension then only says so at
    the start of the run (`why_none`).
    """

    def __init__(self, checker: ContractChecker | None, why_none: str = "") -> None:
        self.checker = checker
        self.why_none = why_none
        self.mode: ContractMode = "off"
        self.run_mode: ContractMode = "off"

    @classmethod
    def for_run(cls, config: AsgiBddConfig, app: ASGIApp | None) -> ContractCheck:
        """The check for the `openapi` setting. A live service's document is read now
        (the setting, else its /openapi.json), so the run can say at its start what it
        checks."""
        source, project_dir = config.openapi_source, config.project_dir
        if config.live:
            with LiveClient(
                config.base_url,
                headers=dict(config.headers),
                wait_timeout=config.timeout,
                verify=config.verify,
                proxy=config.proxy,
            ) as client:
                checker, why_none = ContractChecker.for_live(
                    config.openapi, client.get, source=source, project_dir=project_dir
                )
            return cls(checker, why_none)
        checker = ContractChecker.from_setting(
            config.openapi, app, source=source, project_dir=project_dir
        )
        why_none = (
            "this app publishes no OpenAPI document asgibdd can read (it reads FastAPI's and "
            "Litestar's itself). Name one with the `openapi` setting to check every response"
        )
        return cls(checker, "" if checker is not None else why_none)

    def run_started(self, world: World) -> None:
        self.run_mode = world.config.contract
        show(setup_line(world.config.contract, self.checker, self.why_none), world.context)
        if self.checker is not None:
            register_report_section(self.coverage_section)

    def scenario_started(self, world: World, scenario: Any) -> None:
        self.mode = "off" if self.checker is None else scenario_contract(world.config, scenario)

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
        checker = self.checker
        if self.mode == "off" or checker is None or response is None or duration is None:
            return
        client = world.require_client()
        verdict = checker.check(
            request,
            response,
            fetch=client.get,
            root_path=client.root_path,
            secrets=world.secrets,
            strict=self.mode == "strict",
        )
        if not verdict.violations:
            return
        going_on = world.config.contract_failure == "end"
        failure = checker.failure(verdict, request, response, world.secrets, going_on=going_on)
        if not going_on:
            raise ExpectationFailed(failure)
        world.pending_failures.append(failure)

    def coverage_section(self) -> Section | None:
        """The run's API coverage as a section of the HTML report (asgibdd.report):
        neutral, with the reason, when the check was off and checked nothing."""
        checker = self.checker
        if checker is None:
            return None
        if self.run_mode == "off" and not checker.tally.checked:
            return unchecked_section(setup_line("off", checker))
        data = checker.coverage()
        return None if data is None else coverage_section(data)

    def run_ended(self, world: World) -> None:
        """Write the run's API coverage (`api_coverage` setting) and print its table, and
        the statuses the document does not list, after behave's summary."""
        config, checker = world.config, self.checker
        if checker is None or not (config.contract != "off" or checker.tally.checked):
            return
        data = checker.coverage()
        if data is None:
            return
        table = render_table(data)
        if config.api_coverage:
            target = Path(config.api_coverage)
            write_coverage(data, target)
            table += f"\nWritten to {target}"
        undocumented = render_undocumented(data, strict=config.contract == "strict")
        if undocumented:
            table += f"\n{undocumented}"
        to_stderr = machine_reads_stdout(world.context)
        # After the reports behave's capture is over: a plain print (at that time), so that
        # a caller's redirected stdout gets it.
        world.after_reports(lambda: print(f"\n{table}", file=sys.stderr if to_stderr else None))
