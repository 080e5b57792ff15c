"""The app's outside world under the scenario's control, run by behave on a real FastAPI
order app: its httpx (async) charges and requests (sync) mails stubbed and checked, a
call no step stubs failing the scenario, the clock set and moved, the calls reported."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome, run_behave
from tests.test_steps_response import failure_of, run_features

PROJECT = Path(__file__).resolve().parent / "outbound_project"
APP = "tests.apps.orders_app:app"


def test_the_order_app_scenarios_all_pass() -> None:
    outcome = run_behave(PROJECT, "-f", "plain", "-D", f"asgibdd.app={APP}", "features/")
    assert outcome.passed, outcome.output
    assert outcome.scenarios.passed == 9, outcome.output
    assert outcome.scenarios.failed == outcome.scenarios.error == 0, outcome.output


FAILURES = '''
Feature: What goes wrong with the outside world, said in the failure

  Scenario: The provider is not stubbed
    Given the service "mail" at https://mail.example answers POST /messages with status 202
    When I POST /orders with JSON:
      """
      {"amount": 1250, "card": "4242"}
      """

  @asgibdd.raise_server_exceptions=false
  Scenario: The app hides the unstubbed call behind its own 500
    When I POST /orders with JSON:
      """
      {"amount": 1250, "card": "4242"}
      """

  Scenario: Too few charges
    Given the service "payments" at https://payments.example answers POST /charges with status 201 and JSON:
      """
      {"id": "ch_1"}
      """
    When I POST /orders with JSON:
      """
      {"amount": 1250, "card": "4242"}
      """
    Then the service "payments" received 2 requests to POST /charges

  Scenario: The charge has another amount
    Given the service "payments" at https://payments.example answers POST /charges with status 201 and JSON:
      """
      {"id": "ch_1"}
      """
    When I POST /orders with JSON:
      """
      {"amount": 1250, "card": "4242"}
      """
    Then the service "payments" received a POST /charges with JSON:
      """
      {"amount": 999, "currency": "#string"}
      """

  Scenario: A mail that was not expected
    Given the service "payments" at https://payments.example answers POST /charges with status 201 and JSON:
      """
      {"id": "ch_1"}
      """
    And the service "mail" at https://mail.example answers POST /messages with status 202
    When I POST /orders with JSON:
      """
      {"amount": 5, "card": "4242", "email": "ann@example.com"}
      """
    Then the service "mail" received no request

  Scenario: A service no step declared
    Given the service "mail" at https://mail.example answers POST /messages with status 202
    Then the service "mailer" received no request

  Scenario: One name at two URLs
    Given the service "mail" at https://mail.example answers POST /messages with status 202
    And the service "mail" at https://other.example answers POST /messages with status 202

  Scenario: A time that is no time
    Given the time is 2026-13-01T09:00:00Z
'''  # noqa: E501


@pytest.fixture(scope="module")
def failures(tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    return run_features(tmp_path_factory.mktemp("outbound"), FAILURES, app=APP)


UNSTUBBED = (
    'The app called POST https://payments.example/charges with the body {"amount":1250,'
    '"currency":"EUR","card":"4242"}, which no step stubs, and this scenario lets no call '
    "reach the real network.\n"
    "Stubs declared in this scenario:\n"
    "{declared}\n"
    'Stub it, e.g. `Given the service "payments" at https://payments.example answers POST '
    "/charges with status 200`, or let its URL through with outbound_allow in "
    "[tool.asgibdd]."
)


def test_an_unstubbed_call_fails_the_scenario_naming_the_call(failures: BehaveOutcome) -> None:
    declared = '  - "mail" at https://mail.example: POST /messages → status 202'
    message = failure_of(failures, "The provider is not stubbed")
    assert message == "ExpectationFailed: " + UNSTUBBED.replace("{declared}", declared)
    block = failures.output.split("Scenario: The provider is not stubbed")[1].split("Scenario:")[0]
    assert "Traceback" not in block


def test_an_unstubbed_call_the_app_swallows_still_fails(failures: BehaveOutcome) -> None:
    message = failure_of(failures, "The app hides the unstubbed call behind its own 500")
    expected = UNSTUBBED.replace("{declared}", "  (none)")
    assert (
        message == f"ExpectationFailed: {expected}\n\nThe app answered 500 Internal Server Error."
    )


CHARGE = (
    '  1. POST /charges with the body {"amount":1250,"currency":"EUR","card":"4242"} '
    "(during: I POST /orders with JSON:)"
)


def test_a_count_that_does_not_hold_lists_what_was_received(failures: BehaveOutcome) -> None:
    assert failure_of(failures, "Too few charges") == (
        'ExpectationFailed: Expected the service "payments" to receive 2 requests to POST '
        "/charges, it received 1.\n"
        'The service "payments" received (1):\n' + CHARGE
    )


def test_a_json_that_does_not_match_says_where(failures: BehaveOutcome) -> None:
    message = failure_of(failures, "The charge has another amount")
    assert message.startswith(
        'ExpectationFailed: The JSON of the POST /charges the service "payments" received '
        "does not contain what was expected:\n"
    ), message
    assert "$.amount" in message and "999" in message and "1250" in message
    assert message.endswith('The service "payments" received (1):\n' + CHARGE)


def test_no_request_fails_when_one_came(failures: BehaveOutcome) -> None:
    assert failure_of(failures, "A mail that was not expected") == (
        'ExpectationFailed: Expected the service "mail" to receive no request, it received 1.\n'
        'The service "mail" received (1):\n'
        '  1. POST /messages with the body {"to": "ann@example.com", "subject": "Your '
        'receipt", "amount": 5, "charge": "ch_1"} (during: I POST /orders with JSON:)'
    )


def test_misuse_is_explained(failures: BehaveOutcome) -> None:
    assert failure_of(failures, "A service no step declared") == (
        'UsageError: The step "the service "mailer" received no request" checks the service '
        '"mailer", which no step of this scenario declared. Did you mean "mail"? Declared: '
        '"mail". Declare it with `Given the service "mailer" at https://... answers ...`.'
    )
    assert failure_of(failures, "One name at two URLs") == (
        'UsageError: The service "mail" is at https://mail.example in this scenario, and a '
        "step now puts it at https://other.example. Give each base URL its own service name."
    )
    assert failure_of(failures, "A time that is no time") == (
        'UsageError: The step "the time is 2026-13-01T09:00:00Z" has the time '
        '"2026-13-01T09:00:00Z", which is not an ISO 8601 date and time. Write it like '
        '"2026-03-01T09:00:00Z" or "2026-03-01T10:00:00+01:00".'
    )


def test_the_calls_the_app_made_are_in_the_html_report_under_their_step(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.html"
    outcome = run_behave(
        PROJECT,
        *("-f", "asgibdd.report.html:HTMLFormatter", "-o", str(report), "-f", "plain"),
        *("-D", f"asgibdd.app={APP}", "-D", f"asgibdd.api_coverage={tmp_path / 'c.json'}"),
        "features/orders.feature:5",
        "features/orders.feature:42",
    )
    assert outcome.passed, outcome.output
    text = html.unescape(report.read_text(encoding="utf-8"))
    titles = re.findall(r"the app called [^<]*<span class=\"cause\">— [^<]*", text)
    assert titles == [
        'the app called POST https://payments.example/charges (service "payments") → 201 '
        'Created, 32 bytes <span class="cause">— I POST /orders with JSON:',
        'the app called POST https://payments.example/charges (service "payments") → '
        'connection refused (the service is down) <span class="cause">— I POST /orders with '
        "JSON:",
    ]
    assert "authorization: Bearer ***" in text
    assert "sk_live_orders_4242" not in text


def test_the_outbound_settings_are_read_and_bad_ones_explained(tmp_path: Path) -> None:
    from asgibdd.config import load_config
    from asgibdd.errors import ConfigError

    (tmp_path / "pyproject.toml").write_text(
        '[tool.asgibdd]\napp = "shop:app"\noutbound_allow = ["https://sandbox.example/"]\n'
    )
    config = load_config({"asgibdd.outbound_server": "0.0.0.0:8089"}, {}, tmp_path)
    assert (config.outbound_allow, config.outbound_server) == (
        ("https://sandbox.example/",),
        "0.0.0.0:8089",
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.asgibdd]\napp = "shop:app"\noutbound_allow = "sandbox.example"\n'
    )
    with pytest.raises(ConfigError) as refused:
        load_config({}, {}, tmp_path)
    assert str(refused.value) == (
        f"[tool.asgibdd] outbound_allow in {tmp_path / 'pyproject.toml'} "
        "must be a list of URL prefixes the app may call for real, e.g. outbound_allow = "
        "[\"https://sandbox.example.com/\"]; got 'sandbox.example'."
    )
    (tmp_path / "pyproject.toml").write_text('[tool.asgibdd]\napp = "shop:app"\n')
    with pytest.raises(ConfigError) as refused:
        load_config({"asgibdd.outbound_server": "8089"}, {}, tmp_path)
    assert str(refused.value) == (
        "The outbound_server from behave -D asgibdd.outbound_server must be a host and port "
        "to serve the stubbed services on, e.g. \"0.0.0.0:8089\"; got '8089'."
    )
