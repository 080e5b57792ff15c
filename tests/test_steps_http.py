"""Request and capture steps, run by behave on temporary projects against the demo app."""

from __future__ import annotations

from pathlib import Path

from tests.behave_project import run_feature


def test_every_verb_and_body_kind_reaches_the_app(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        '''
        Feature: requests
          Scenario: verbs
            When I POST /items with JSON fields:
              | name  | value |
              | name  | fig   |
              | price | 4     |
            And I store the JSON at "$.id" as "id"
            When I PUT /items/{{id}} with JSON:
              """
              {"name": "fig", "price": 5}
              """
            And I PATCH /items/{{id}} with JSON:
              """
              {"price": 6}
              """
            And I store the JSON at "$.price" as "price"
            And I HEAD /health
            And I OPTIONS /items
            And I DELETE /items/{{id}}
            And I GET /items/{{id}}
            Then I store the JSON at "$.detail" as "detail"
        ''',
    )
    assert outcome.passed, outcome.output
    assert outcome.steps.passed == 10


def test_uploading_a_missing_file_fails_and_lists_where_it_looked(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: upload
          Scenario: missing file
            When I POST /upload with file "fixtures/nope.png" as "file"
        """,
    )
    assert outcome.scenarios.error == 1, outcome.output
    features = (tmp_path / "features").resolve()
    assert (
        'UsageError: The step "I POST /upload with file "fixtures/nope.png" as "file"" names '
        'the file "fixtures/nope.png", which does not exist. Looked for it at:\n'
        f"  - {features / 'fixtures' / 'nope.png'}\n"
        "Put the file there, or fix the path (it is relative to the feature file)."
    ) in outcome.output


def test_uploading_a_file_next_to_the_feature_sends_its_bytes(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: upload
          Scenario: a file
            When I POST /upload with file "data/note.txt" as "file"
            And I store the JSON at "$.size" as "size"
            And the variable "expected" is 5
            Then I GET /items?limit={{size}}
            And show the response
        """,
        "--no-capture",
        **{"features/data/note.txt": "hello"},
    )
    assert outcome.passed, outcome.output
    assert "  GET http://testserver/items?limit=5" in outcome.output


def test_unknown_variable_fails_with_the_known_names(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: variables
          Scenario: typo
            Given the variable "item_id" is 1
            When I GET /items/{{item_ib}}
        """,
    )
    assert outcome.scenarios.error == 1, outcome.output
    assert 'Did you mean "item_id"?' in outcome.output
    assert "UsageError" in outcome.output


def test_capturing_before_any_request_names_the_step(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: misuse
          Scenario: no request yet
            Then I store the JSON at "$.id" as "id"
        """,
    )
    assert outcome.scenarios.error == 1, outcome.output
    assert (
        'UsageError: The step "I store the JSON at "$.id" as "id"" needs a response, but no '
        "request was sent in this scenario yet. Send one first, e.g. `When I GET /items`."
    ) in outcome.output


def test_a_table_with_wrong_columns_says_which_columns_it_needs(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: misuse
          Scenario: wrong table
            When I POST /login with form:
              | field    | content |
              | username | alice   |
        """,
    )
    assert (
        'UsageError: The step "I POST /login with form:" needs a table with exactly the columns '
        "| name | value |, got | field | content |. Rename the header row."
    ) in outcome.output


def test_a_missing_doc_string_is_a_usage_error(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: misuse
          Scenario: no doc string
            When I POST /items with JSON:
        """,
    )
    assert (
        'UsageError: The step "I POST /items with JSON:" needs a doc string below it: the text '
        'between two """ lines.'
    ) in outcome.output


def test_storing_a_missing_json_value_fails_with_the_transcript(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: captures
          Scenario: missing
            When I GET /health
            Then I store the JSON at "$.nope" as "x"
        """,
    )
    assert outcome.scenarios.failed == 1, outcome.output
    assert 'Cannot store the JSON at "$.nope" as "x". No value at "$.nope"' in outcome.output
    assert "  GET http://testserver/health" in outcome.output


def test_storing_a_missing_header_suggests_close_names(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: captures
          Scenario: missing header
            When I GET /health
            Then I store the response header "content-typo" as "x"
        """,
    )
    assert outcome.scenarios.failed == 1, outcome.output
    assert (
        'Cannot store the response header "content-typo" as "x": the response has no such '
        'header. Did you mean "content-type" or "content-length"? It has: content-length, '
        "content-type.\nRequest:\n  GET http://testserver/health\n"
    ) in outcome.output


def test_bearer_token_and_cookie_reach_the_app(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: auth
          Scenario: login then me
            When I POST /login with form:
              | name     | value  |
              | username | alice  |
              | password | s3cret |
            And I store the JSON at "$.access_token" as "token"
            Given I am authenticated with the bearer token "{{token}}"
            When I GET /me
            Then I store the JSON at "$.username" as "user"
            When I GET /session
            Then I store the JSON at "$.username" as "session_user"
        """,
    )
    assert outcome.passed, outcome.output


SLOW_APP = """
import anyio


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/never":
        await anyio.sleep_forever()
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"text/plain")]})
    while True:
        await send({"type": "http.response.body", "body": b"line\\\\n", "more_body": True})
        await anyio.sleep(0.01)
"""


def test_a_request_that_never_finishes_fails_in_time_and_names_the_step_to_use(
    tmp_path: Path,
) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: unfinished answers
          Scenario: an endless body
            When I GET /lines

          Scenario: no answer at all
            When I GET /never
        """,
        "-D",
        "asgibdd.timeout=0.3",
        app="slow_app:app",
        **{"slow_app.py": SLOW_APP},
    )
    assert outcome.scenarios.failed == 2, outcome.output
    assert "ASSERT FAILED: The response to GET /lines did not finish within 0.3 s" in outcome.output
    assert (
        "To read a body as it arrives, open it with `When I open the stream /lines` and check "
        'it with `Then I receive the line "..."`.\nIf the app is slow on purpose, raise the '
        "limit: `timeout` in [tool.asgibdd] or `-D asgibdd.timeout=...` (seconds)."
    ) in outcome.output
    assert (
        "ASSERT FAILED: The app did not start its response to GET /never within 0.3 s (no "
        '"http.response.start" yet).\nIf the app is slow on purpose, raise the limit: '
        "`timeout` in [tool.asgibdd] or `-D asgibdd.timeout=...` (seconds)."
    ) in outcome.output


def test_an_event_stream_read_as_a_plain_request_names_the_event_stream_step(
    tmp_path: Path,
) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: unfinished answers
          Scenario: an event stream requested as a plain GET
            When I GET /events?interval=0.05
        """,
        "-D",
        "asgibdd.timeout=0.3",
    )
    assert outcome.scenarios.failed == 1, outcome.output
    assert (
        "ASSERT FAILED: The response to GET /events did not finish within 0.3 s: "
        'it started with 200 and content-type "text/event-stream; charset=utf-8", then '
    ) in outcome.output
    assert (
        "This is an event stream: open it with `When I open the event stream "
        '/events?interval=0.05`, then check its events with `Then I receive an event "..."`.'
    ) in outcome.output
