"""The contract check on a stock FastAPI app (tests/apps/fastapi_notes.py): statuses
raised with HTTPException and a 204 delete pass by default and are reported; the
RealWorld-like `"image": null` fails its request step while every later step still runs,
in-process and against the app served by uvicorn; strict, off and fail-at-request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome, run_asgibdd, write_project
from tests.behave_project import HOOKS_LINE, STEPS_LINE, run_feature
from tests.live_server import serve
from tests.test_steps_response import failure_of

APP = "tests.apps.fastapi_notes:app"
ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"steps/library.py": STEPS_LINE, "environment.py": HOOKS_LINE}

FEATURE = """
Feature: Notes, as a stock FastAPI app answers them

  Scenario: a note without logging in
    When I GET /notes/1
    Then the response status is 401
    And the JSON at "$.detail" is "Not authenticated"

  Scenario: someone else's note
    Given I am authenticated with the bearer token "alice-token"
    When I POST /notes with JSON:
      \"\"\"
      {"text": "milk"}
      \"\"\"
    Then the response status is 201
    Given I am authenticated with the bearer token "bob-token"
    When I GET /notes/1
    Then the response status is 403

  Scenario: a note that is not there
    Given I am authenticated with the bearer token "alice-token"
    When I GET /notes/99
    Then the response status is 404

  Scenario: deleting a note
    Given I am authenticated with the bearer token "alice-token"
    When I POST /notes with JSON:
      \"\"\"
      {"text": "bread"}
      \"\"\"
    And I DELETE /notes/1
    Then the response status is 204

  Scenario: registering a user
    When I POST /users with JSON:
      \"\"\"
      {"username": "jake"}
      \"\"\"
    Then the response status is 201
    And the JSON at "$.username" is "jake"
    And the JSON at "$.bio" is ""
"""

REPORTS = (  # after run_feature's `-f plain`, which keeps the console
    *("-o", "-"),
    *("-f", "asgibdd.report.junit:JUnitFormatter", "-o", "junit.xml"),
    *("-f", "asgibdd.report.messages:MessagesFormatter", "-o", "run.ndjson"),
    *("-f", "asgibdd.report.html:HTMLFormatter", "-o", "report.html"),
)

IMAGE_VIOLATION = (
    '  $.image: null is not of type "string"\n'
    "    rule: type at #/components/schemas/User/properties/image/type\n"
    "Fix the app or its document. To skip this check, tag the scenario or feature "
    "@asgibdd.contract=off, or set `contract = false` in [tool.asgibdd] for the run.\n"
)
GOING_ON = (
    "The scenario goes on: its later steps still run, and it fails at its end. To stop at "
    'the request instead, set contract_failure = "request".\n'
)
UNDOCUMENTED = (
    "3 responses had statuses the document does not list (reported, not failed): "
    "401 GET /notes/{note_id}, 403 GET /notes/{note_id}, 404 GET /notes/{note_id}.\n"
    "Document them, so their bodies are checked too:\n"
    '  FastAPI: responses={401: {"description": "..."}} on the route (or {"model": ...}; '
    "on the router or app for all its routes)\n"
    "  Litestar: responses={401: ResponseSpec(...)} on the handler\n"
    "  Django Ninja: response={200: ..., 401: ...} on the operation\n"
    '  a document file: "401" under the operation\'s "responses"\n'
    'Or fail them: contract = "strict".\n'
)
ON = "the bodies and content types it documents; statuses it does not list are reported, not failed"


def _run(root: Path, *options: str) -> BehaveOutcome:
    return run_feature(root, FEATURE, *options, app=APP)


def _header(source: str) -> str:
    return (
        "ExpectationFailed: The response to POST /users does not match the API document "
        f"({source}, OpenAPI 3.1.0): status 201, 1 violation.\n"
    )


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[BehaveOutcome, Path]:
    root = tmp_path_factory.mktemp("notes")
    return _run(root, *REPORTS), root


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    with serve(APP, log=log, ready="/openapi.json") as base_url:
        yield base_url


def test_httpexception_statuses_and_a_204_pass_by_default(
    default_run: tuple[BehaveOutcome, Path],
) -> None:
    outcome, _ = default_run
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (4, 1), outcome.output
    # Every step ran: the violation hid none of the scenario's own checks.
    assert (outcome.steps.passed, outcome.steps.failed, outcome.steps.skipped) == (19, 1, 0)


def test_the_run_says_at_its_start_what_it_checks(default_run: tuple[BehaveOutcome, Path]) -> None:
    outcome, _ = default_run
    assert outcome.output.split("\n")[1] == (
        f"API contract check: on, against app.openapi() of FastAPI, OpenAPI 3.1.0 ({ON})."
    )


def test_the_violation_fails_the_step_that_received_it_and_the_scenario_goes_on(
    default_run: tuple[BehaveOutcome, Path],
) -> None:
    outcome, _ = default_run
    failure = failure_of(outcome, "registering a user")
    assert failure.startswith(_header("app.openapi() of FastAPI") + IMAGE_VIOLATION + GOING_ON)
    scenario = outcome.output.split("Scenario: registering a user\n")[1]
    assert scenario.startswith("    When I POST /users with JSON: ... failed\n")
    for later in (
        "    Then the response status is 201 ... passed\n",
        '    And the JSON at "$.username" is "jake" ... passed\n',
        '    And the JSON at "$.bio" is "" ... passed\n',
    ):
        assert later in scenario


def test_undocumented_statuses_are_listed_after_the_coverage(
    default_run: tuple[BehaveOutcome, Path],
) -> None:
    outcome, _ = default_run
    assert outcome.output.endswith("Written to reports/api-coverage.json\n" + UNDOCUMENTED)
    assert (
        "\n  GET /notes/{note_id}            3  401 (undocumented), 403 (undocumented), "
        "404 (undocumented)  200, 422\n"
    ) in outcome.output


def test_every_report_shows_the_violation_under_its_step(
    default_run: tuple[BehaveOutcome, Path],
) -> None:
    _, root = default_run
    junit = (root / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<failure") == 1
    assert "does not match the API document" in junit
    steps: dict[str, str] = {}
    texts: dict[str, str] = {}
    for line in (root / "run.ndjson").read_text(encoding="utf-8").splitlines():
        envelope = json.loads(line)
        if "pickle" in envelope and envelope["pickle"]["name"] == "registering a user":
            texts = {step["id"]: step["text"] for step in envelope["pickle"]["steps"]}
        if "testCase" in envelope:
            for test_step in envelope["testCase"]["testSteps"]:
                if test_step.get("pickleStepId") in texts:
                    steps[test_step["id"]] = texts[test_step["pickleStepId"]]
        if "testStepFinished" in envelope:
            finished = envelope["testStepFinished"]
            if finished["testStepId"] in steps:
                steps[finished["testStepId"]] += f" -> {finished['testStepResult']['status']}"
    assert sorted(steps.values()) == sorted(
        [
            "I POST /users with JSON: -> FAILED",
            "the response status is 201 -> PASSED",
            'the JSON at "$.username" is "jake" -> PASSED',
            'the JSON at "$.bio" is "" -> PASSED',
        ]
    )
    html = (root / "report.html").read_text(encoding="utf-8")
    assert "3 responses had statuses the document does not list (reported, not failed): " in html


CONTRACTS_GUIDE = ROOT / "docs" / "contracts.md"


def test_the_contracts_guide_shows_this_runs_output(
    default_run: tuple[BehaveOutcome, Path],
) -> None:
    output, guide = default_run[0].output, CONTRACTS_GUIDE.read_text(encoding="utf-8")
    start = output.index("  Scenario: registering a user\n")
    request = output.index("Request:\n", start) + len("Request:\n")
    assert output[start:request] in guide
    response = output.index("Response:\n", request)
    end = output.index('"$.bio" is "" ... passed\n', response) + len('"$.bio" is "" ... passed\n')
    assert output[response:end] in guide


def test_strict_fails_undocumented_statuses_and_off_checks_nothing(tmp_path: Path) -> None:
    strict = _run(tmp_path / "strict", "-D", "asgibdd.contract=strict")
    assert (strict.scenarios.passed, strict.scenarios.failed) == (1, 4), strict.output
    assert failure_of(strict, "a note that is not there").startswith(
        "ExpectationFailed: The response to GET /notes/{note_id} does not match the API "
        "document (app.openapi() of FastAPI, OpenAPI 3.1.0): status 404, 1 violation.\n"
        "  status 404: not documented for this operation; the document lists: 200, 422\n"
    )
    shown = "ASSERT FAILED: " + failure_of(strict, "a note that is not there").split(": ", 1)[1]
    assert "\n".join(shown.splitlines()[:4]) in CONTRACTS_GUIDE.read_text(encoding="utf-8")
    assert strict.output.split("\n")[1] == (
        "API contract check: on, against app.openapi() of FastAPI, OpenAPI 3.1.0 (strict: "
        "statuses it does not list fail too)."
    )
    off = _run(tmp_path / "off", "-D", "asgibdd.contract=false")
    assert (off.scenarios.passed, off.scenarios.failed) == (5, 0), off.output
    assert off.output.split("\n")[1] == (
        "API contract check: off (contract = false); responses are not checked against "
        "app.openapi() of FastAPI, OpenAPI 3.1.0."
    )
    assert "API coverage" not in off.output


def test_a_step_that_sends_several_requests_sends_them_all_then_fails(tmp_path: Path) -> None:
    feature = """
    Feature: users
      Scenario: several users
        Given the following users exist at /users:
          | username |
          | ann      |
          | bo       |
          | cy       |
          | di       |
          | ed       |
        When I POST /notes with JSON:
          \"\"\"
          {"text": "x"}
          \"\"\"
        Then the response status is 401
    """
    outcome = run_feature(tmp_path, feature, app=APP)
    assert (outcome.steps.failed, outcome.steps.passed, outcome.steps.skipped) == (1, 2, 0)
    failure = failure_of(outcome, "several users")
    assert failure.count("The response to POST /users does not match the API document") == 3
    assert (
        "... and 2 more responses of this step broke the API document (each is in the journal "
        "and the API coverage)."
    ) in failure
    # All five were sent, and checked.
    assert "  POST /users                     5  201" in outcome.output


def test_a_parallel_run_says_what_it_checks_and_runs_every_step(tmp_path: Path) -> None:
    write_project(tmp_path, {"features/notes.feature": FEATURE, **PROJECT})
    outcome = run_asgibdd(tmp_path, "-j", "2", "-D", f"asgibdd.app={APP}", "features/")
    assert outcome.output.split("\n")[0] == (
        f"API contract check: on, against app.openapi() of FastAPI, OpenAPI 3.1.0 ({ON})."
    )
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (4, 1), outcome.output
    assert (outcome.steps.passed, outcome.steps.failed, outcome.steps.skipped) == (19, 1, 0)
    assert outcome.output.endswith(UNDOCUMENTED)


def test_fail_at_the_request_stops_the_scenario_there(tmp_path: Path) -> None:
    outcome = _run(tmp_path, "-D", "asgibdd.contract_failure=request")
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (4, 1), outcome.output
    assert (outcome.steps.failed, outcome.steps.skipped) == (1, 3)
    assert failure_of(outcome, "registering a user").startswith(
        _header("app.openapi() of FastAPI") + IMAGE_VIOLATION + "Request:\n"
    )


def test_live_runs_read_the_services_document_and_check_the_same(
    live_url: str, tmp_path: Path
) -> None:
    outcome = _run(tmp_path, "-D", "asgibdd.target=live", "-D", f"asgibdd.base_url={live_url}")
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (4, 1), outcome.output
    assert (outcome.steps.passed, outcome.steps.failed, outcome.steps.skipped) == (19, 1, 0)
    source = "/openapi.json served by the service"
    assert outcome.output.split("\n")[1] == (
        f"API contract check: on, against {source}, OpenAPI 3.1.0 ({ON})."
    )
    assert failure_of(outcome, "registering a user").startswith(
        _header(source) + IMAGE_VIOLATION + GOING_ON
    )
    assert outcome.output.endswith("Written to reports/api-coverage.json\n" + UNDOCUMENTED)


def test_a_live_service_without_a_document_is_said_to_be_unchecked(
    live_url: str, tmp_path: Path
) -> None:
    outcome = run_feature(
        tmp_path,
        "Feature: f\n  Scenario: s\n    When I GET /notes/1\n",
        *("-D", "asgibdd.target=live", "-D", f"asgibdd.base_url={live_url}/nowhere"),
    )
    assert outcome.output.split("\n")[1] == (
        "API contract check: off, the service serves no API document at /openapi.json (The "
        "service answered 404 to GET /openapi.json, where its API document should be served; "
        "expected 200). Name it with the `openapi` setting: a file, or the path the service "
        "serves it at."
    )
