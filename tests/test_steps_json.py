"""The JSON steps (whole JSON, JSON at a path, schema), run by behave on throwaway projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome
from tests.behave_project import run_feature
from tests.test_steps_response import failure_of, run_features

# A small real app whose answers never change, so failure texts can be pinned whole.
CATALOGUE_APP = """
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/books")
def books():
    return {
        "count": 3,
        "items": [
            {"id": 1, "name": "Dune", "price": 9.5},
            {"id": 2, "name": "Emma", "price": 2},
            {"id": 3, "name": "Ulysses", "price": 4},
        ],
    }


@app.get("/text", response_class=PlainTextResponse)
def text():
    return PlainTextResponse("not json")
"""

BOOKS_EXCHANGE = """\
Request:
  GET http://testserver/books
  Host: testserver
  Accept: */*
  Accept-Encoding: gzip, deflate
  Connection: keep-alive
  user-agent: testclient
Response:
  200 OK
  content-length: 125
  content-type: application/json

  {
    "count": 3,
    "items": ["""

SCHEMA = """{
  "type": "object",
  "required": ["count", "items"],
  "properties": {
    "count": {"type": "string"},
    "items": {"type": "array", "items": {"required": ["id", "isbn"]}}
  }
}
"""


@pytest.fixture(scope="module")
def json_run(tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    feature = """
        Feature: JSON checks
          Scenario: passing checks
            When I GET /books
            Then the response JSON contains:
              \"\"\"
              {"count": 3, "items": [{"name": "Emma"}, {"id": "#integer", "name": "Dune"}]}
              \"\"\"
            And the response JSON is:
              \"\"\"
              {"count": "#number", "items": [
                {"id": 1, "name": "Dune", "price": 9.5},
                {"id": 2, "name": "Emma", "price": 2.0},
                {"id": 3, "name": "#regex U.*", "price": "#ignore"}
              ]}
              \"\"\"
            And the JSON at "$.items[?(@.price > 3)].name" is ["Dune", "Ulysses"]
            And the JSON at "$.items[0]" is {"price": 9.5, "name": "Dune", "id": 1}
            And the JSON at "$.items[*].name" contains "Emma"
            And the JSON at "$.items[1].name" contains "mm"
            And the JSON at "$.items" has 3 items
            And the JSON at "$.items[?(@.price < 3)]" has 1 items
            And the JSON at "$.count" exists
            And the JSON at "$.total" does not exist
            And the JSON at "$.items[*].name" matches "^[A-Z]\\w+$"
            And the JSON at "$.items[0].price" is a number
            And the JSON at "$.count" is an integer
            And the JSON at "$.items" is an array
            And I store the JSON at "$.items[1]" as "emma"
            And I store the JSON at "$.count" as "count"
            And the JSON at "$.items[1]" is "{{emma}}"
            And the JSON at "$.count" is {{count}}
            And the JSON at "$.items[*].id" is [1, 2, {{count}}]

          Scenario: whole JSON with several mismatches
            When I GET /books
            Then the response JSON is:
              \"\"\"
              {"count": 2, "items": [
                {"id": 1, "name": "Dune", "price": 9},
                {"id": "#string", "name": "Emma", "price": 2},
                {"id": 3, "name": "Ulysses", "price": 4}
              ], "total": 3}
              \"\"\"

          Scenario: contains a missing item
            When I GET /books
            Then the response JSON contains:
              \"\"\"
              {"items": [{"name": "Hamlet"}]}
              \"\"\"

          Scenario: an item nearly there
            When I GET /books
            Then the JSON at "$.items" contains:
              \"\"\"
              {"name": "Emma", "price": 3}
              \"\"\"

          Scenario: missing path
            When I GET /books
            Then the JSON at "$.item[0].name" is "Dune"

          Scenario: filter selects something else
            When I GET /books
            Then the JSON at "$.items[?(@.price > 3)].name" is ["Dune"]

          Scenario: wrong length
            When I GET /books
            Then the JSON at "$.items" has 2 items

          Scenario: wrong type
            When I GET /books
            Then the JSON at "$.items[0].name" is a number

          Scenario: not matching
            When I GET /books
            Then the JSON at "$.items[*].name" matches "^[DE]\\w+$"

          Scenario: present but should not be
            When I GET /books
            Then the JSON at "$.items[?(@.price < 3)].id" does not exist

          Scenario: does not contain
            When I GET /books
            Then the JSON at "$.items[*].name" contains "Hamlet"

          Scenario: schema violation
            When I GET /books
            Then the response JSON matches the schema "schemas/books.json"

          Scenario: unquoted literal
            When I GET /books
            Then the JSON at "$.items[0].name" is Dune

          Scenario: invalid JSONPath
            When I GET /books
            Then the JSON at "$.items[" exists

          Scenario: response is not JSON
            When I GET /text
            Then the JSON at "$.name" exists

          Scenario: misspelt marker
            When I GET /books
            Then the JSON at "$.count" is "#integr"
    """
    root = tmp_path_factory.mktemp("json")
    (root / "catalogue_app.py").write_text(CATALOGUE_APP, encoding="utf-8")
    return run_features(
        root,
        feature,
        app="catalogue_app:app",
        features__schemas__books_dot_json=SCHEMA,
    )


def test_passing_json_checks_pass_and_the_others_fail(json_run: BehaveOutcome) -> None:
    assert json_run.scenarios.passed == 1, json_run.output
    assert json_run.scenarios.failed == 11, json_run.output
    assert json_run.scenarios.error == 4, json_run.output


def test_whole_json_mismatch_lists_every_path(json_run: BehaveOutcome) -> None:
    assert failure_of(json_run, "whole JSON with several mismatches").startswith(
        "ExpectationFailed: The response JSON is not as expected:\n"
        "  $.count: expected 2, got 3\n"
        "  $.items[0].price: expected 9, got 9.5\n"
        "  $.items[1].id: expected a string (#string), got 2 (number)\n"
        '  $.total: expected key "total" is missing\n'
        "4 mismatches.\n" + BOOKS_EXCHANGE
    )


def test_contains_failure_says_which_item_has_no_match_and_the_nearest(
    json_run: BehaveOutcome,
) -> None:
    assert failure_of(json_run, "contains a missing item").startswith(
        "ExpectationFailed: The response JSON does not contain what was expected:\n"
        '  $.items: expected an item matching {"name": "Hamlet"}, none of the 3 items '
        "matches; the nearest, $.items[0], differs:\n"
        '    $.items[0].name: expected "Hamlet", got "Dune"\n'
        "Request:\n"
    )


def test_an_item_the_array_lacks_is_shown_against_the_nearest_item(
    json_run: BehaveOutcome,
) -> None:
    assert failure_of(json_run, "an item nearly there").startswith(
        'ExpectationFailed: Expected the JSON at "$.items" to contain {"name": "Emma", '
        '"price": 3}, got [{"id": 1, "name": "Dune", "price": 9.5}, {"id": 2, "name": '
        '"Emma", "price": 2}, {"id": 3, "name": "Ulysses", "price": 4}].\n'
        "The nearest item, $.items[1], differs:\n"
        "  $.items[1].price: expected 3, got 2\n"
        "Request:\n"
    )


def test_missing_path_names_what_exists_with_did_you_mean(json_run: BehaveOutcome) -> None:
    assert failure_of(json_run, "missing path").startswith(
        'ExpectationFailed: Expected the JSON at "$.item[0].name" to be "Dune". No value at '
        '"$.item[0].name": "$" has keys: count, items. Did you mean "items"?\nRequest:\n'
    )


def test_filter_failure_lists_what_the_path_selected(json_run: BehaveOutcome) -> None:
    assert failure_of(json_run, "filter selects something else").startswith(
        'ExpectationFailed: The JSON at "$.items[?(@.price > 3)].name" is not as expected:\n'
        "  $.items[?(@.price > 3)].name: expected 1 item, got 2\n"
        '  $.items[?(@.price > 3)].name[1]: unexpected item "Ulysses"\n'
        "2 mismatches.\n"
        "The path selects 2:\n"
        '  $.items[0].name: "Dune"\n'
        '  $.items[2].name: "Ulysses"\n'
        "Request:\n"
    )


def test_path_check_failures_say_expected_and_got(json_run: BehaveOutcome) -> None:
    assert failure_of(json_run, "wrong length").startswith(
        'ExpectationFailed: Expected the JSON at "$.items" to have 2 items, got 3: '
        '[{"id": 1, "name": "Dune", "price": 9.5}, {"id": 2, "name": "Emma", "price": 2}, '
        '{"id": 3, "name": "Ulysses", "price": 4}].\nRequest:\n'
    )
    assert failure_of(json_run, "wrong type").startswith(
        'ExpectationFailed: Expected the JSON at "$.items[0].name" to be a number, '
        'got "Dune" (string).\nRequest:\n'
    )
    assert failure_of(json_run, "not matching").startswith(
        'ExpectationFailed: Expected the JSON at "$.items[*].name" to match the regex ^[DE]\\w+$:\n'
        '  $.items[2].name: got "Ulysses" (string)\nRequest:\n'
    )
    assert failure_of(json_run, "present but should not be").startswith(
        'ExpectationFailed: Expected no value at "$.items[?(@.price < 3)].id", but the path '
        "selects:\n  $.items[1].id: 2\nRequest:\n"
    )
    assert failure_of(json_run, "does not contain").startswith(
        'ExpectationFailed: Expected the JSON at "$.items[*].name" to contain "Hamlet", '
        'got ["Dune", "Emma", "Ulysses"].\nThe path selects 3:\n'
    )


def test_schema_violations_are_all_listed(json_run: BehaveOutcome) -> None:
    assert failure_of(json_run, "schema violation").startswith(
        'ExpectationFailed: The response JSON does not match the schema "schemas/books.json":\n'
        '  $.count: 3 is not of type "string"\n'
        '  $.items[0]: "isbn" is a required property\n'
        '  $.items[1]: "isbn" is a required property\n'
        '  $.items[2]: "isbn" is a required property\n'
        "4 violations.\n" + BOOKS_EXCHANGE
    )


def test_misuse_is_a_usage_error_that_says_what_to_do(json_run: BehaveOutcome) -> None:
    assert failure_of(json_run, "unquoted literal") == (
        "UsageError: Expected a JSON literal for the expected value, got: Dune. "
        'Text must be quoted: "Dune"'
    )
    assert failure_of(json_run, "invalid JSONPath") == (
        'UsageError: Invalid JSONPath "$.items[": it ends too early (is a bracket, '
        "parenthesis or quote left open?).\n"
        "  $.items[\n"
        "          ^\n"
        'Valid JSONPath looks like "$.items[0].name", "$.items[*].name" or '
        '"$.items[?(@.price > 3)].name".'
    )
    assert failure_of(json_run, "response is not JSON").startswith(
        'UsageError: The step "the JSON at "$.name" exists" needs a JSON response, but the '
        "app answered 200 with a body that is not JSON (Expecting value: line 1 column 1 "
        "(char 0)), text/plain; charset=utf-8. Check the status first (Then the response "
        "status is 200), or use the response body steps for text.\nRequest:\n"
    )
    assert failure_of(json_run, "misspelt marker").startswith(
        'UsageError: Unknown marker "#integr". Did you mean "#integer"?'
    )


PATTERN_SCHEMA = """{
  "type": "object",
  "properties": {
    "nested": {"type": "string", "pattern": "^(a|aa)+$"},
    "twice": {"type": "string", "pattern": "^(a|aa)+\\\\1$"}
  }
}"""


def test_the_schema_step_runs_every_pattern_bounded(tmp_path: Path) -> None:
    # Python's `re` takes many seconds on the first (nested repeats, 41 characters); the
    # second (the same with a backreference, 3,001 characters) backtracks past the bound.
    nested, twice = "a" * 40 + "!", "a" * 3_000 + "b"
    outcome = run_feature(
        tmp_path,
        f"""
        Feature: patterns
          Scenario: nested repeats
            Given the request header "Content-Type" is "application/json"
            When I POST /echo with body:
              \"\"\"
              {{"nested": "{nested}"}}
              \"\"\"
            Then the response JSON matches the schema "patterns.json"

          Scenario: a backreference
            Given the request header "Content-Type" is "application/json"
            When I POST /echo with body:
              \"\"\"
              {{"twice": "{twice}"}}
              \"\"\"
            Then the response JSON matches the schema "patterns.json"
        """,
        **{"features/patterns.json": PATTERN_SCHEMA},
    )
    assert outcome.scenarios.failed == 2, outcome.output
    assert failure_of(outcome, "nested repeats").startswith(
        'ExpectationFailed: The response JSON does not match the schema "patterns.json":\n'
        f'  $.nested: "{nested}" does not match "^(a|aa)+$"\nRequest:\n'
    )
    assert failure_of(outcome, "a backreference").startswith(
        'ExpectationFailed: The response JSON does not match the schema "patterns.json":\n'
        "  $.twice: the pattern could not be decided within 1,000,000 backtracking steps "
        "(asgibdd's bound for any pattern); simplify the pattern (a backreference or "
        "lookaround over a long text backtracks)\nRequest:\n"
    )


def test_a_regex_that_backtracks_forever_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    text = "a" * 40 + "!"
    outcome = run_feature(
        tmp_path,
        f"""
        Feature: runaway regex
          Scenario: nested repeats against a long text
            Given the request header "Content-Type" is "application/json"
            When I POST /echo with body:
              \"\"\"
              {{"s": "{text}"}}
              \"\"\"
            Then the JSON at "$.s" matches "(a|aa)+$"
        """,
        "-D",
        "asgibdd.timeout=0.3",
    )
    assert outcome.scenarios.failed == 1, outcome.output
    assert (
        "ASSERT FAILED: The regular expression (a|aa)+$ ran for more than 0.3 s on a text of "
        "41 characters and was stopped. It backtracks exponentially on this text: simplify it "
        "(avoid nested repeats such as (a+)+ or (a|aa)+), or check a shorter part of the value."
    ) in outcome.output


def test_a_json_body_is_decoded_as_json_decodes_bytes_unless_a_charset_is_named() -> None:
    import httpx

    from asgibdd.steps.support.subject import _body_text

    document = '{"name": "Zoë"}'
    utf16 = httpx.Response(
        200, content=document.encode("utf-16-le"), headers={"content-type": "application/json"}
    )
    latin1 = httpx.Response(
        200,
        content=document.encode("latin-1"),
        headers={"content-type": "application/json; charset=ISO-8859-1"},
    )
    assert _body_text(utf16) == document
    assert _body_text(latin1) == document
