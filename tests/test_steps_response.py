"""The response steps (status, headers, body), run by behave on throwaway projects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome, run_behave, write_project

# behave 1.3's `main()` replaces `step_registry.registry` after `behave.runner` bound the
# one it runs with, so the library is installed into the runner's registry explicitly.
# TODO: back to `from asgibdd.steps import *` once registry.install targets that registry.
STEPS_FILE = """\
from behave.runner import the_step_registry

from asgibdd.steps import install_steps

install_steps(the_step_registry)
"""

ENVIRONMENT_FILE = "from asgibdd.environment import *  # noqa: F403\n"

_SCENARIO = re.compile(r"^  Scenario(?: Outline)?: (?P<name>.+?)\s*$", re.MULTILINE)
_ERROR_LINE = re.compile(r"^(?P<kind>\w*(?:Error|Timeout)): ", re.MULTILINE)


def run_features(
    root: Path, feature: str, *, app: str = "asgibdd.demo:app", **files: str
) -> BehaveOutcome:
    """Write a project with one feature (and `files`, by relative path) and run behave."""
    write_project(
        root,
        {
            "steps/asgibdd_steps.py": STEPS_FILE,
            "environment.py": ENVIRONMENT_FILE,
            "features/checks.feature": feature,
            **{name.replace("__", "/").replace("_dot_", "."): text for name, text in files.items()},
        },
    )
    return run_behave(root, "-f", "plain", "-D", f"asgibdd.app={app}", "features/")


def failure_of(outcome: BehaveOutcome, scenario: str) -> str:
    """The failure message of one scenario: `ExpectationFailed: ...` or `UsageError: ...`."""
    starts = list(_SCENARIO.finditer(outcome.output))
    for index, found in enumerate(starts):
        if found["name"] != scenario:
            continue
        end = starts[index + 1].start() if index + 1 < len(starts) else len(outcome.output)
        block = outcome.output[found.end() : end].split("\nFailing scenarios:")[0]
        block = block.split("\nErrored scenarios:")[0]
        if "ASSERT FAILED: " in block:
            return "ExpectationFailed: " + block.split("ASSERT FAILED: ", 1)[1].strip()
        error = _ERROR_LINE.search(block)  # an asgibdd error: its kind and message
        if error:
            return f"{error['kind']}: " + block[error.end() :].strip()
        raise AssertionError(f"scenario {scenario!r} did not fail:\n{outcome.output}")
    raise AssertionError(f"no scenario {scenario!r} in:\n{outcome.output}")


REQUEST_42 = """\
Request:
  GET http://testserver/items/42
  Host: testserver
  Accept: */*
  Accept-Encoding: gzip, deflate
  Connection: keep-alive
  user-agent: testclient
Response:
  404 Not Found
  content-length: 30
  content-type: application/json

  {
    "detail": "Item 42 not found"
  }
Replay (the app ran in-process; this targets its base URL http://testserver, point it at a \
running server of the app):
  curl -X GET http://testserver/items/42"""


@pytest.fixture(scope="module")
def response_run(tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    feature = """
        Feature: Response checks
          Scenario: passing checks
            When I POST /items with JSON:
              \"\"\"
              {"name": "apple", "price": 3}
              \"\"\"
            Then the response status is 201
            And the response status code is 2xx
            And the response header "location" is "/items/1"
            And the response header "CONTENT-TYPE" contains "json"
            And the response header "Location" matches "^/items/\\d+$"
            And the response header "Location" exists
            And the response header "X-Nothing" does not exist
            And the response body contains "apple"
            When I DELETE /items/1
            Then the response body is empty
            Given the request header "Content-Type" is "text/plain"
            When I POST /echo with body:
              \"\"\"
              one
              two
              \"\"\"
            Then the response body is:
              \"\"\"
              one
              two
              \"\"\"

          Scenario: wrong status
            When I GET /items/42
            Then the response status is 200

          Scenario: wrong status class
            When I GET /items/42
            Then the response status code is 2xx

          Scenario: status that is not a status
            When I GET /items/42
            Then the response status is OK

          Scenario: missing header
            When I GET /items/42
            Then the response header "content-typ" is "application/json"

          Scenario: wrong header
            When I GET /items/42
            Then the response header "Content-Type" is "text/html"

          Scenario: header that should be absent
            When I GET /items/42
            Then the response header "Content-Length" does not exist

          Scenario: header not matching
            When I GET /items/42
            Then the response header "Content-Type" matches "^text/\\w+"

          Scenario: invalid regex
            When I GET /items/42
            Then the response header "Content-Type" matches "(json"

          Scenario: body without the text
            When I GET /items/42
            Then the response body contains "apple"

          Scenario: different body
            Given the request header "Content-Type" is "text/plain"
            When I POST /echo with body:
              \"\"\"
              one
              two
              \"\"\"
            Then the response body is:
              \"\"\"
              one
              too
              \"\"\"

          Scenario: body not empty
            When I GET /items/42
            Then the response body is empty

          Scenario: assertion before any request
            Then the response status is 200
    """
    return run_features(tmp_path_factory.mktemp("response"), feature)


def test_passing_response_checks_pass_and_the_others_fail(response_run: BehaveOutcome) -> None:
    assert response_run.scenarios.passed == 1, response_run.output
    assert response_run.scenarios.failed == 9, response_run.output
    assert response_run.scenarios.error == 3, response_run.output


def test_wrong_status_names_both_codes_and_shows_the_exchange(
    response_run: BehaveOutcome,
) -> None:
    assert failure_of(response_run, "wrong status") == (
        "ExpectationFailed: Expected the response status to be 200, got 404 Not Found.\n"
        + REQUEST_42
    )


def test_status_class_failure_names_the_class(response_run: BehaveOutcome) -> None:
    assert failure_of(response_run, "wrong status class").startswith(
        "ExpectationFailed: Expected the response status to be a 2xx status, "
        "got 404 Not Found.\nRequest:"
    )


def test_a_status_that_is_not_a_number_is_a_usage_error(response_run: BehaveOutcome) -> None:
    # A reason phrase is a near miss: the advice names its number (tests/test_steps_advice.py).
    assert failure_of(response_run, "status that is not a status") == (
        'UsageError: The step "the response status is OK" cannot run as written.\n'
        "  a status is written as its number: write `Then the response status is 200`"
    )


def test_missing_header_suggests_the_close_name_and_lists_the_headers(
    response_run: BehaveOutcome,
) -> None:
    assert failure_of(response_run, "missing header") == (
        'ExpectationFailed: Expected the response header "content-typ" to be '
        '"application/json", but the response has no such header. Did you mean '
        '"content-type" or "content-length"? It has: content-length, content-type.\n' + REQUEST_42
    )


def test_header_failures_say_expected_and_got(response_run: BehaveOutcome) -> None:
    assert failure_of(response_run, "wrong header").startswith(
        'ExpectationFailed: Expected the response header "Content-Type" to be "text/html", '
        'got "application/json".\nRequest:'
    )
    assert failure_of(response_run, "header that should be absent").startswith(
        'ExpectationFailed: Expected no response header "Content-Length", got "30".\n'
    )
    assert failure_of(response_run, "header not matching").startswith(
        'ExpectationFailed: Expected the response header "Content-Type" to match the regex '
        '^text/\\w+, got "application/json".\n'
    )


def test_an_invalid_regex_is_a_usage_error(response_run: BehaveOutcome) -> None:
    assert failure_of(response_run, "invalid regex") == (
        'UsageError: The step "the response header "Content-Type" matches "(json"" has an '
        'invalid regular expression "(json": missing ) at '
        'position 5. Write a Python regular expression, e.g. "^a.+" or "\\d{3}".'
    )


def test_body_failures_show_what_was_expected(response_run: BehaveOutcome) -> None:
    assert failure_of(response_run, "body without the text") == (
        'ExpectationFailed: Expected the response body to contain "apple", but it does not '
        "(30 characters, shown below).\n" + REQUEST_42
    )
    assert failure_of(response_run, "different body").startswith(
        "ExpectationFailed: The response body is not as expected; they differ first at "
        "line 2, column 2.\nExpected:\n  one\n  too\nGot:\n  one\n  two\nRequest:\n"
        "  POST http://testserver/echo\n"
    )
    assert failure_of(response_run, "body not empty") == (
        "ExpectationFailed: Expected an empty response body, got 30 bytes.\n" + REQUEST_42
    )


def test_an_assertion_before_any_request_says_to_send_one(response_run: BehaveOutcome) -> None:
    assert failure_of(response_run, "assertion before any request") == (
        'UsageError: The step "the response status is 200" needs a response, but no request '
        "was sent in this scenario yet. Send one first, e.g. `When I GET /items`."
    )
