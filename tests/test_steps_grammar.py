"""The composable grammar (issue 23): every new phrase's catalogue example run by behave,
the failures they give, values that vary, and steps that run as the phrase they mean."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from asgibdd.cli import main
from asgibdd.errors import ExpectationFailed, UsageError
from asgibdd.generated import generated_value
from asgibdd.secrets import Secrets
from asgibdd.steps import load_library
from asgibdd.steps.advice import closest
from asgibdd.steps.registry import StepDefinition
from asgibdd.steps.support.grammar import EXAMPLE_DOCUMENT
from asgibdd.steps.support.subject import JSONSubject
from asgibdd.testing import BehaveOutcome, write_project
from asgibdd.variables import Variables
from tests.behave_project import STEPS_LINE, run_feature

APP = """
import datetime as dt
import json

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute


def now(seconds=0):
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


async def doc(request):
    items = [
        {"id": 1, "name": "apple", "price": 9, "tags": [], "created_at": now(-60)},
        {"id": 2, "name": "pear", "price": 5, "tags": ["green"], "created_at": now(-30)},
        {"id": 3, "name": "plum", "price": 2, "tags": [], "created_at": now(-10)},
    ]
    response = JSONResponse({"id": 7, "price": 3.4, "items": items})
    response.set_cookie("session", "abc", httponly=True, samesite="lax", max_age=3600)
    return response


async def example(request):
    document = json.loads(request.app.state.example)
    return JSONResponse({**document, "sent_at": now()})


async def csv(request):
    return PlainTextResponse("name,price\\napple,3\\npear,2\\n", media_type="text/csv")


async def upload(request):
    form = await request.form()
    upload = form["file"]
    fields = {k: v for k, v in form.items() if k != "file"}
    return JSONResponse({"type": upload.content_type, "fields": fields})


async def events(request):
    async def stream():
        for n in (1, 2, 3):
            data = json.loads(request.query_params["doc"])
            data.update({"n": n, "sent_at": now()})
            yield f"event: tick\\nid: {n}\\ndata: {json.dumps(data)}\\n\\n"
    return StreamingResponse(stream(), media_type="text/event-stream")


async def echo(websocket):
    await websocket.accept()
    while True:
        await websocket.send_text(await websocket.receive_text())


app = Starlette(routes=[
    Route("/doc", doc), Route("/example", example), Route("/csv", csv),
    Route("/upload", upload, methods=["POST"]), Route("/events", events),
    WebSocketRoute("/ws", echo),
])
app.state.example = EXAMPLE
"""

#: The phrases issue 23 added; each one's catalogue example is run below.
NEW = re.compile(
    r"^(?:the message JSON at|the event JSON at|the event \{|the CSV|each item, if any"
    r"|I receive a message|I receive an event \{name:Quoted\}\{|I receive \{events:Events\}$"
    r"|the websocket connection (?:is accepted|of))"
    r"|is \{number:Number\} ±|is sorted|within the last|DayOffset|TimeOrder|is the JSON at"
    r"|body does not contain|status is not|response cookie \{name:Quoted\} (?:is|has)"
    r"|of type|and form:|for the run"
)


GENERATED = "asgibdd.steps.support.grammar"


def new_definitions() -> list[StepDefinition]:
    return [d for d in load_library() if NEW.search(d.phrase) or d.func.__module__ == GENERATED]


def _setup(definition: StepDefinition) -> list[str]:
    """The steps that make a definition's catalogue example hold against APP."""
    phrase = definition.phrase
    document = EXAMPLE_DOCUMENT.replace('"', '\\"')
    if phrase.startswith("the message JSON at") or phrase.startswith("I receive a message"):
        receive = (
            []
            if phrase.startswith("I receive")
            else ["Then I receive a message from the websocket"]
        )
        return [
            "When I connect to the websocket /ws",
            f'And I send text "{document}" over the websocket',
            *receive,
        ]
    if phrase.startswith("the websocket connection of"):
        return ['When "alice" connects to the websocket /ws']
    if phrase.startswith("the websocket connection"):
        return ["When I connect to the websocket /ws"]
    if phrase.startswith(("the event", "I receive an event", "I receive {events")):
        query = EXAMPLE_DOCUMENT.replace('"{{$now}}"', "null")
        opened = f"When I open the event stream /events?doc={query.replace(' ', '')}"
        received = ['Then I receive an event "tick"'] if phrase.startswith("the event") else []
        return [opened, *received]
    if phrase.startswith("the CSV"):
        return ["When I GET /csv"]
    if phrase.startswith("I {method"):
        return []
    if definition.func.__module__ == GENERATED:
        return ["When I GET /example"]
    return ["When I GET /doc"]


def examples_feature() -> str:
    scenarios = []
    for number, definition in enumerate(new_definitions()):
        lines = [
            f"  Scenario: {number} {definition.phrase}",
            *(f"    {s}" for s in _setup(definition)),
        ]
        lines += [f"    {line}" for line in definition.example.splitlines()]
        scenarios.append("\n".join(lines))
    return "Feature: the catalogue examples of issue 23\n\n" + "\n\n".join(scenarios) + "\n"


def _app() -> str:
    example = EXAMPLE_DOCUMENT.replace('"{{$now}}"', "null")
    return f"EXAMPLE = {example!r}\n" + APP


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    root: Path = tmp_path_factory.mktemp("grammar")
    return run_feature(
        root,
        examples_feature(),
        app="grammar_app:app",
        **{"grammar_app.py": _app(), "features/fixtures/hello.txt": "hello\n"},
    )


def test_every_new_phrase_has_an_example_and_it_holds(examples_run: BehaveOutcome) -> None:
    count = len(new_definitions())
    assert count >= 70  # 15 comparisons for three subjects, and the rest
    assert examples_run.scenarios.passed == count, examples_run.output


# -- failures say what was expected and what came ----------------------------------------------


def subject(document: object) -> JSONSubject:
    return JSONSubject(document, "the response JSON", lambda: "(transcript)")


def failure(check: Callable[[], None]) -> str:
    with pytest.raises(ExpectationFailed) as caught:
        check()
    return str(caught.value)


def test_a_number_outside_its_tolerance_says_by_how_much() -> None:
    assert failure(lambda: subject({"t": 10.2}).assert_at_close("$.t", 10, 0.05)) == (
        'Expected the JSON at "$.t" to be 10 ± 0.05, got 10.2 (off by 0.2).\n(transcript)'
    )
    subject({"t": 10.05}).assert_at_close("$.t", 10, 0.05)  # the bound counts


def test_an_unsorted_array_names_the_first_item_out_of_order() -> None:
    items = {"items": [{"p": 1}, {"p": 3}, {"p": 2}]}
    assert failure(lambda: subject(items).assert_at_sorted("$.items", "p", descending=False)) == (
        'Expected the JSON at "$.items" to be sorted in ascending order by "p", but item 2 '
        "(2) comes after 3: [1, 3, 2].\n(transcript)"
    )
    subject({"a": [3, 3, 1]}).assert_at_sorted("$.a", None, descending=True)
    assert failure(
        lambda: subject({"a": [1, "b"]}).assert_at_sorted("$.a", None, descending=False)
    ) == (
        'Expected the JSON at "$.a" to be sorted in ascending order, but its values are not all '
        'numbers or all strings: [1, "b"].\n(transcript)'
    )


NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.timezone.utc)


def test_a_time_too_old_or_in_the_future_is_told_how_far() -> None:
    old = subject({"at": "2026-12-07T11:58:00Z"})
    assert failure(lambda: old.assert_at_recent("$.at", 60, NOW)) == (
        'Expected the JSON at "$.at" to be a date-time within the last 60 seconds (now is '
        "2026-12-07T12:00:00Z), got 2026-12-07T11:58:00Z, 120 seconds ago.\n(transcript)"
    )
    future = subject({"at": "2026-12-07T12:00:30+00:00"})
    assert "30 seconds from now" in failure(lambda: future.assert_at_recent("$.at", 60, NOW))
    subject({"at": "2026-12-07T11:59:30"}).assert_at_recent("$.at", 60, NOW)  # no offset: UTC


def test_a_date_counted_from_today_and_a_value_that_is_no_date() -> None:
    dated = subject({"d": "2026-12-10", "n": 3})
    dated.assert_at_days_from_today("$.d", 3, NOW.date())
    assert failure(lambda: dated.assert_at_days_from_today("$.d", -1, NOW.date())) == (
        'Expected the JSON at "$.d" to be the date 2026-12-06 (1 day ago), got '
        "2026-12-10T00:00:00Z (3 days from today).\n(transcript)"
    )
    assert failure(lambda: dated.assert_at_days_from_today("$.n", 0, NOW.date())) == (
        'Expected the JSON at "$.n" to be the date 2026-12-07 (today), got 3 (integer), which '
        'is no ISO 8601 date or date-time (e.g. "2026-12-07" or "2026-12-07T10:30:00Z").'
        "\n(transcript)"
    )


def test_two_values_of_one_document_compared() -> None:
    totals = subject({"total": 5, "subtotal": 4, "start": "2026-01-01", "end": "2026-01-02"})
    assert failure(lambda: totals.assert_at_same_as("$.total", "$.subtotal")) == (
        'Expected the JSON at "$.total" to be the JSON at "$.subtotal", 4, got 5.\n(transcript)'
    )
    totals.assert_at_time_order("$.end", "after", "$.start")
    assert "which is not before" in failure(
        lambda: totals.assert_at_time_order("$.end", "before", "$.start")
    )


def test_an_empty_array_fails_each_item_unless_if_any() -> None:
    empty = subject({"items": []})
    empty.assert_each("$.items", {"a": 1}, subset=True, allow_empty=True)
    assert failure(lambda: empty.assert_each("$.items", {"a": 1}, subset=True)) == (
        'Expected each item of the JSON at "$.items" to match, but the array is empty. If an '
        "empty array is fine, write `each item, if any, of the JSON at`.\n(transcript)"
    )


# -- values that vary ----------------------------------------------------------------------------


def test_fresh_values_are_new_on_every_use_and_typed() -> None:
    variables = Variables()
    first, second = variables.interpolate("{{$uuid}}"), variables.interpolate("{{$uuid}}")
    assert first != second and re.fullmatch(r"[0-9a-f-]{36}", first)
    assert isinstance(variables.interpolate_value("{{$timestamp}}"), int)
    assert isinstance(variables.interpolate_value("{{$random_int}}"), int)
    assert re.fullmatch(
        r"user-[0-9a-f]{8}@example\.com", variables.interpolate("{{$random_email}}")
    )
    today = dt.datetime.now(dt.timezone.utc).date()
    in_three = (today + dt.timedelta(days=3)).isoformat()
    assert variables.interpolate("{{$today + 3 days}}") in (
        in_three,
        (today + dt.timedelta(days=4)).isoformat(),
    )
    assert variables.interpolate_json('{"at": "{{ $now - 5 minutes }}"}')["at"].endswith("Z")


def test_an_unknown_fresh_value_lists_those_there_are() -> None:
    with pytest.raises(UsageError) as caught:
        generated_value("$uuid4", 'in "x"')
    assert str(caught.value) == (
        '"{{$uuid4}}" in "x" is no fresh value. Did you mean "uuid"? Fresh values: {{$uuid}}, '
        "{{$timestamp}}, {{$now}}, {{$today}}, {{$random_int}}, {{$random_email}}; $now, "
        "$today and $timestamp take an offset such as {{$today + 3 days}}."
    )
    with pytest.raises(UsageError, match=r"adds a time to \$uuid, which is no time"):
        generated_value("$uuid + 1 day", "here")


def test_an_environment_variable_is_read_masked_when_secret_and_named_when_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STAGING_TOKEN", "s3cr3t-value")
    monkeypatch.setenv("REGION", "eu-west")
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    secrets = Secrets()
    variables = Variables(secrets)
    assert variables.interpolate("Bearer {{env.STAGING_TOKEN}} in {{env.REGION}}") == (
        "Bearer s3cr3t-value in eu-west"
    )
    assert secrets.mask_text("s3cr3t-value eu-west") == "*** eu-west"
    with pytest.raises(UsageError) as caught:
        variables.interpolate("{{env.NOT_SET_ANYWHERE}}")
    assert str(caught.value) == (
        'The environment variable "NOT_SET_ANYWHERE" is not set, but '
        '"{{env.NOT_SET_ANYWHERE}}" in "{{env.NOT_SET_ANYWHERE}}". Set it where behave runs '
        "(export NOT_SET_ANYWHERE=...), or in the CI job's environment."
    )


def test_a_value_stored_for_the_run_is_read_by_a_later_scenarios_variables() -> None:
    run: dict[str, object] = {}
    Variables(run=run).set_for_run("first_user", "alice")
    later = Variables(run=run)
    assert later.interpolate("/users/{{first_user}}") == "/users/alice"
    assert "first_user" in later.names()
    assert "first_user" not in Variables()  # another run


# -- a run: counts from variables, steps that run as the phrase they mean, advice ---------------

RUN = """
Feature: grammar in a run

  Scenario: counts and comparisons from variables
    Given the variable "n" is 3 for the run
    And the variable "low" is 2
    When I GET /doc
    Then the JSON at "$.items" has {{n}} items
    And the JSON at "$.price" is greater than {{low}}

  Scenario: should-forms and other wordings run as the phrase they mean
    When I GET /doc
    Then the JSON at "$.items" has {{n}} items
    Then the response status should be 200
    And the response body should not contain "password"
    And the JSON at "$.price" is approximately 3.3 within 0.2
    And the JSON at "$.items[*].price" is in descending order
    And the response cookie "session" is set

  Scenario: an upload with its own content type and form fields
    When I POST /upload with file "fixtures/hello.txt" as "file" of type "text/csv" and form:
      | name  | value |
      | title | hello |
    Then the JSON at "$.type" is "text/csv"
    And the JSON at "$.fields.title" is "hello"

  Scenario: event clauses in any order, then two checks on the same event
    When I open the event stream /events?doc={}
    Then I receive an event "tick" within 2 seconds with id "1" with data containing "sent_at"
    And the event JSON at "$.n" is 1
    And the event JSON at "$.sent_at" is within the last 1 minute
    And I receive 2 events

  Scenario: a cookie attribute that differs
    When I GET /doc
    Then the response cookie "session" has SameSite "Strict"

  Scenario: an opposite check is never run for a should-form
    When I GET /doc
    Then the response status should not be 200

  Scenario: a marker that does not exist
    When I GET /doc
    Then the JSON at "$.id" is "#notpresnt"

  Scenario: a comparison that does not exist
    When I GET /doc
    Then the JSON at "$.price" is between 1 and 5

  Scenario: approximately, with no tolerance
    When I GET /doc
    Then the JSON at "$.price" is approximately 3

  Scenario: a websocket step is advised websocket phrases only
    When I connect to the websocket /ws
    Then the websocket shows a message
"""


@pytest.fixture(scope="module")
def grammar_run(tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    root: Path = tmp_path_factory.mktemp("grammar_run")
    files = {"grammar_app.py": _app(), "features/fixtures/hello.txt": "hello\n"}
    return run_feature(root, RUN, app="grammar_app:app", **files)


def test_variables_and_meant_phrases_run(grammar_run: BehaveOutcome) -> None:
    assert grammar_run.scenarios.passed == 4, grammar_run.output


def test_a_cookie_attribute_says_what_it_was(grammar_run: BehaveOutcome) -> None:
    assert (
        'Expected the response cookie "session" to have SameSite "Strict", got "lax".'
        in grammar_run.output
    )


def test_a_should_not_form_fails_as_the_negated_check(grammar_run: BehaveOutcome) -> None:
    assert "Expected the response status not to be 200, got 200 OK." in grammar_run.output


def test_an_unknown_marker_lists_the_markers_in_the_run(grammar_run: BehaveOutcome) -> None:
    assert (
        'Unknown marker "#notpresnt". Did you mean "#notpresent" or "#present"? To expect this '
        "exact text, "
        'write "##notpresnt". Markers: #string, #number,' in grammar_run.output
    )


def test_websocket_advice_names_websocket_phrases_only(grammar_run: BehaveOutcome) -> None:
    advice = grammar_run.output.split('The step "Then the websocket shows a message"')[1]
    suggestions = [line for line in advice.splitlines()[1:3] if "did you mean" in line]
    assert suggestions and all("websocket" in line for line in suggestions), advice


def test_approximately_without_a_tolerance_is_told_the_tolerance_phrase(
    grammar_run: BehaveOutcome,
) -> None:
    assert (
        'Text must be quoted: "approximately 3". If it is a comparison rather than a text, the '
        "comparisons after `is` are: `is not <value>`, `is <n> ± <tolerance>`,"
    ) in grammar_run.output


def test_an_unknown_comparison_is_told_the_comparisons_not_to_quote_it(
    grammar_run: BehaveOutcome,
) -> None:
    assert (
        "Expected a JSON literal for the expected value, got: between 1 and 5. Text must be "
        'quoted: "between 1 and 5". If it is a comparison rather than a text, the comparisons '
        "after `is` are: `is not <value>`, `is <n> ± <tolerance>`, `is greater than <n>`,"
    ) in grammar_run.output


def test_the_closest_phrases_keep_the_transport_and_the_sense() -> None:
    library = list(load_library())

    def offered(text: str) -> list[str]:
        return [definition.phrase for definition in closest(text, library)]

    assert all("message" in p or "websocket" in p for p in offered("the websocket shows a message"))
    assert offered("the websocket shows a message")
    # "message" alone is an HTTP API's word too: no websocket phrase for it.
    assert not any("message" in p for p in offered('the error message is "Not found"'))
    # No opposite check for a text that negates nothing, and the other way round.
    assert not any(" not " in p for p in offered('the JSON at "$.a" is present'))
    assert all("not" in p or "no " in p for p in offered('the JSON at "$.a" is not there'))
    # Nor the opposite verb: closing is never offered opening.
    assert offered("I open the websocket chat")
    assert not any("close" in p for p in offered("I open the websocket chat"))
    assert not any("open" in p for p in offered("I close the event stream"))


def test_asgibdd_check_names_the_catalogue_phrase_of_a_step_that_runs_as_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        tmp_path,
        {
            "steps/library.py": STEPS_LINE,
            "features/a.feature": (
                "Feature: a\n  Scenario: b\n    When I GET /items\n"
                "    Then the response status should be 200\n"
            ),
        },
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert main(["check"]) == 1
    assert capsys.readouterr().out.splitlines()[:2] == [
        "features/a.feature:4: not the catalogue's phrase: Then the response status should be 200",
        "  steps say what is, not what should be: write `Then the response status is 200`",
    ]


ENV_FEATURE = """
Feature: environment variables

  Scenario: a secret from the environment never shows
    Given the request header "X-Region" is "{{env.GRAMMAR_REGION}}"
    When I GET /doc
    Then the response body contains "{{env.GRAMMAR_API_TOKEN}}"

  Scenario: a variable that is not set
    When I GET /doc?region={{env.GRAMMAR_NOT_SET}}
"""


def test_environment_variables_in_a_run_are_masked_when_secret_and_named_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAMMAR_API_TOKEN", "tok-8f3a9c")
    monkeypatch.setenv("GRAMMAR_REGION", "eu-west-7")
    monkeypatch.delenv("GRAMMAR_NOT_SET", raising=False)
    outcome = run_feature(
        tmp_path, ENV_FEATURE, app="grammar_app:app", **{"grammar_app.py": _app()}
    )
    assert "tok-8f3a9c" not in outcome.output
    assert 'Expected the response body to contain "***", but it does not' in outcome.output
    assert "X-Region: eu-west-7" in outcome.output  # not a secret: shown as it is
    assert (
        'The environment variable "GRAMMAR_NOT_SET" is not set, but "{{env.GRAMMAR_NOT_SET}}" '
        'in "/doc?region={{env.GRAMMAR_NOT_SET}}". Set it where behave runs'
    ) in outcome.output
