"""The live target: the order service runs under uvicorn in its own process, its
dependency URLs pointing at the stub server asgibdd serves on `outbound_server`; the same
stub and `received` steps work, and the clock steps skip their scenario with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome, run_behave, write_project
from tests.live_server import free_port, serve_app

FEATURE = '''
Feature: The order service, deployed
  Scenario: A paid order, the charge served by the stub server
    Given the service "payments" at {stubs}/payments answers POST /charges with status 201 and JSON:
      """
      {{"id": "ch_live", "status": "paid"}}
      """
    And the service "mail" at {stubs}/mail answers POST /messages with status 202
    When I POST /orders with JSON:
      """
      {{"amount": 700, "card": "4242", "email": "ann@example.com"}}
      """
    Then the response status is 201
    And the JSON at "$.charge" is "ch_live"
    And the service "payments" received a POST /charges with JSON:
      """
      {{"amount": 700, "currency": "EUR"}}
      """
    And the service "mail" received 1 request to POST /messages

  Scenario: A declined card
    Given the service "payments" at {stubs}/payments answers POST /charges with status 402 and JSON:
      """
      {{"reason": "stolen card"}}
      """
    When I POST /orders with JSON:
      """
      {{"amount": 700, "card": "0002"}}
      """
    Then the response status is 402
    And the JSON at "$.detail" is "card declined: stolen card"

  Scenario: The provider is not stubbed
    When I POST /orders with JSON:
      """
      {{"amount": 700, "card": "4242"}}
      """

  Scenario: The clock cannot move a deployed service
    Given the time is 2026-03-01T09:00:00Z
    Then the response status is 200
'''


@pytest.fixture(scope="module")
def live_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BehaveOutcome]:
    folder = tmp_path_factory.mktemp("live")
    port = free_port()
    stubs = f"http://127.0.0.1:{port}"
    env = {"PAYMENTS_URL": f"{stubs}/payments", "MAIL_URL": f"{stubs}/mail"}
    with serve_app("tests.apps.orders_app:app", folder / "uvicorn.log", env) as base_url:
        write_project(
            folder,
            {
                "features/steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
                "features/environment.py": "from asgibdd.environment import *  # noqa: F403\n",
                "features/orders.feature": FEATURE.format(stubs=stubs),
            },
        )
        yield run_behave(
            folder,
            *("-f", "plain", "-D", "asgibdd.target=live", "-D", f"asgibdd.base_url={base_url}"),
            *("-D", f"asgibdd.outbound_server=127.0.0.1:{port}", "features/"),
        )


def test_stubs_are_served_to_the_deployed_service(live_run: BehaveOutcome) -> None:
    assert live_run.scenarios.passed == 2, live_run.output
    assert live_run.scenarios.failed == 1, live_run.output
    assert live_run.scenarios.skipped == 1, live_run.output


def test_an_unstubbed_call_of_the_deployed_service_fails_the_scenario(
    live_run: BehaveOutcome,
) -> None:
    block = live_run.output.split("Scenario: The provider is not stubbed")[1].split("Scenario:")[0]
    assert "The app called POST http://127.0.0.1:" in block, block
    assert "/payments/charges with the body" in block
    assert "Stubs declared in this scenario:\n  (none)\n" in block
    assert "Traceback" not in block


def test_the_clock_steps_skip_their_scenario_with_the_reason(live_run: BehaveOutcome) -> None:
    block = live_run.output.split("Scenario: The clock cannot move a deployed service")[1]
    assert (
        "Skipped, it sets the app's clock, which is only possible with the app in this "
        "process, and this run tests the live service at http://127.0.0.1:"
    ) in live_run.output, block


def test_stubs_without_a_stub_server_are_refused_with_the_fix(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "features/steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "features/environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/s.feature": """
                Feature: s
                  Scenario: s
                    Given the service "pay" at https://pay.example is down
            """,
        },
    )
    outcome = run_behave(
        tmp_path, "-D", "asgibdd.target=live", "-D", "asgibdd.base_url=http://127.0.0.1:9"
    )
    assert (
        'The step "the service "pay" at https://pay.example is down" stubs a service, but '
        "this run tests the live service at http://127.0.0.1:9, which cannot see stubs in "
        'this process. Set outbound_server = "0.0.0.0:8089" in [tool.asgibdd] to serve them '
        "there, and point the service's dependency URLs at it."
    ) in outcome.output
