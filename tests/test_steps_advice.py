"""Near misses are answered in the run: undefined steps, refused input, usage errors.

Each behave run writes the console (plain), the JSON report and the JUnit report, and the
tests read the exact text a reader gets in each.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from asgibdd.cli import main
from asgibdd.steps import load_library
from asgibdd.steps.advice import (
    NEAR_MISSES,
    accepted_alternative,
    near_miss_hint,
    near_misses_markdown,
)
from asgibdd.testing import BehaveOutcome, write_project
from tests.behave_project import CONSOLE_OPTIONS, REPORT_OPTIONS, STEPS_LINE, run_feature

ROOT = Path(__file__).resolve().parent.parent
Run = tuple[BehaveOutcome, Path]

PROJECT_STEPS = """
    from behave import then


    @then("the status is {code:d}")
    def own_status(context, code):
        assert context.asgibdd.last_response.status_code == code
"""

FEATURE = """
Feature: Near misses

  Scenario: path without a slash
    When I GET items

  Scenario: nothing like it
    Given the cart is full

  Scenario: the project's own phrase
    When I GET /items
    Then the status is 200

  Scenario: a list
    When I GET /items
    Then the JSON at "$.items" is a list

  Scenario: a quoted status
    When I GET /items
    Then the response status is "200"

  Scenario: a status word
    When I GET /items
    Then the response status is OK

  Scenario: a word that is no status
    When I GET /items
    Then the response status is fine

  Scenario: a table without values
    When I POST /items with JSON fields:
      | name  |
      | apple |

  Scenario: a list in a path
    When I POST /items with JSON:
      \"\"\"
      {"name": "apple", "price": 3}
      \"\"\"
    And I GET /items
    And I store the JSON at "$.items[*].id" as "ids"
    When I GET /items/{{ids}}

  Scenario: a variable in single braces
    Given the variable "id" is 1
    When I GET /items/{id}

  Scenario: a websocket that stays silent
    When I connect to the websocket /ws/echo
    Then I receive text "hello" from the websocket within 50 ms

  Scenario: show the response
    Given the request header "Authorization" is "Bearer t0psecret"
    When I GET /items
    Then show the response
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = tmp_path_factory.mktemp("advice")
    outcome = run_feature(
        project,
        FEATURE,
        *REPORT_OPTIONS,
        **{"steps/own_steps.py": PROJECT_STEPS},
    )
    return outcome, project


def console(run: Run) -> str:
    """The plain formatter's text, with behave's and asgibdd's file paths and lines fixed."""
    text = (run[1] / "plain.txt").read_text()
    # Python 3.11+ marks the failing expression under a traceback line with ~ and ^.
    text = re.sub(r"\n *[~^]+ *(?=\n)", "", text)
    text = re.sub(r'File "[^"]*/behave/([\w/]+\.py)", line \d+', r'File "behave/\1", line N', text)
    return re.sub(
        r'File "[^"]*/asgibdd/([\w/]+\.py)", line \d+', r'File "asgibdd/\1", line N', text
    )


def scenario_block(run: Run, name: str) -> str:
    """The console lines of one scenario, from its title to the blank line after it."""
    text = console(run)
    start = text.index(f"  Scenario: {name}\n")
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else len(text)]


def json_step(run: Run, scenario: str, step: str) -> dict[str, Any]:
    report = json.loads((run[1] / "report.json").read_text())
    for element in report[0]["elements"]:
        if element["name"] == scenario:
            for data in element["steps"]:
                if data["name"] == step:
                    return dict(data["result"])
    raise AssertionError(f"no step {step!r} in {scenario!r}")


def junit_problem(run: Run, scenario: str) -> ElementTree.Element:
    for path in (run[1] / "reports").glob("*.xml"):
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            if case.get("name") == scenario:
                for tag in ("error", "failure"):
                    problem = case.find(tag)
                    if problem is not None:
                        return problem
    raise AssertionError(f"no failing test case {scenario!r}")


PATH_HINT = (
    'The step "When I GET items" matches no step definition.\n'
    "  paths start with /: write `When I GET /items`"
)


def test_an_undefined_step_near_a_library_phrase_shows_what_to_write(run: Run) -> None:
    assert scenario_block(run, "path without a slash") == (
        "  Scenario: path without a slash\n    When I GET items ... undefined\n" + PATH_HINT
    )


def test_the_advice_for_an_undefined_step_is_the_junit_message(run: Run) -> None:
    problem = junit_problem(run, "path without a slash")
    assert (problem.tag, problem.get("type"), problem.get("message")) == (
        "error",
        "UsageError",
        PATH_HINT,
    )


def test_the_advice_for_an_undefined_step_is_in_the_json_report(run: Run) -> None:
    assert json_step(run, "path without a slash", "I GET items") == {
        "status": "undefined",
        "duration": 0,
        "error_message": PATH_HINT.splitlines(),
    }


NOTHING_CLOSE = (
    'The step "Given the cart is full" matches no step definition.\n'
    "  no library step looks like it: `asgibdd steps` lists them all."
)


def test_an_undefined_step_like_no_library_phrase_says_so_and_keeps_behaves_snippet(
    run: Run,
) -> None:
    assert scenario_block(run, "nothing like it") == (
        "  Scenario: nothing like it\n    Given the cart is full ... undefined\n" + NOTHING_CLOSE
    )
    assert json_step(run, "nothing like it", "the cart is full")["error_message"] == (
        NOTHING_CLOSE.splitlines()
    )
    assert junit_problem(run, "nothing like it").get("message") == NOTHING_CLOSE
    assert "@given(u'the cart is full')" in run[0].output  # behave's snippet, as always


def test_the_projects_own_phrase_runs_and_is_never_advised(run: Run) -> None:
    assert scenario_block(run, "the project's own phrase") == (
        "  Scenario: the project's own phrase\n"
        "    When I GET /items ... passed\n"
        "    Then the status is 200 ... passed"
    )


def _usage_error(step: str, message: str, block: str = "") -> str:
    """A step's usage error as the plain console shows it: its kind and message, no
    traceback."""
    return f"    {step} ... error\n{block}UsageError: {message}"


A_LIST = (
    'The step "the JSON at "$.items" is a list" cannot run as written.\n'
    "  JSON types have JSON names (string, number, integer, boolean, array, object, null): "
    'write `Then the JSON at "$.items" is an array`'
)


def test_is_a_list_leads_to_is_an_array_not_to_quoting_it(run: Run) -> None:
    assert scenario_block(run, "a list").endswith(
        _usage_error('Then the JSON at "$.items" is a list', A_LIST)
    )


def test_a_usage_errors_message_is_in_the_json_report_and_junit(run: Run) -> None:
    result = json_step(run, "a list", 'the JSON at "$.items" is a list')
    assert result["status"] == "error"
    assert result["error_message"] == f"UsageError: {A_LIST}".splitlines()
    problem = junit_problem(run, "a list")
    assert (problem.get("type"), problem.get("message")) == ("UsageError", A_LIST)


@pytest.mark.parametrize(
    ("scenario", "step", "message", "block"),
    [
        pytest.param(
            "a quoted status",
            'Then the response status is "200"',
            'The step "the response status is "200"" cannot run as written.\n'
            "  a status code is a number, written without quotes: "
            "write `Then the response status is 200`",
            "",
            id="a quoted status drops the quotes",
        ),
        pytest.param(
            "a status word",
            "Then the response status is OK",
            'The step "the response status is OK" cannot run as written.\n'
            "  a status is written as its number: write `Then the response status is 200`",
            "",
            id="a reason phrase leads to its number",
        ),
        pytest.param(
            "a word that is no status",
            "Then the response status is fine",
            'The step "the response status is fine" expects a status code such as 201 or a '
            "status class such as 2xx, got: fine.",
            "",
            id="a word that is no status is not told about quotes",
        ),
        pytest.param(
            "a table without values",
            "When I POST /items with JSON fields:",
            'The step "I POST /items with JSON fields:" needs a table with exactly the '
            "columns | name | value |, got | name |. The value column is missing: write the "
            'header row | name | value | and one row per entry below it, e.g. | title | "Buy '
            'milk" |.',
            "      | name  |\n      | apple |\n",
            id="a table without the value column says so",
        ),
    ],
)
def test_refused_input_gets_advice_that_points_the_right_way(
    run: Run, scenario: str, step: str, message: str, block: str
) -> None:
    assert scenario_block(run, scenario).endswith(_usage_error(step, message, block))


def test_a_list_in_a_path_names_the_variable_its_value_and_the_fix(run: Run) -> None:
    block = scenario_block(run, "a list in a path")
    ids = re.search(r'The variable "ids" is a list, (\[[\d,]+\]),', block)
    assert ids is not None, block
    assert block.endswith(
        _usage_error(
            "When I GET /items/{{ids}}",
            f'The variable "ids" is a list, {ids[1]}, so it cannot go into the path '
            "/items/{{ids}}: a path takes one value. Store one item instead, e.g. And I store "
            'the JSON at "$.ids[0]" as "ids" (a JSONPath with a wildcard or a filter always '
            "stores a list).",
        )
    )


def test_a_variable_in_single_braces_in_a_path_asks_for_two(run: Run) -> None:
    assert scenario_block(run, "a variable in single braces").endswith(
        _usage_error(
            "When I GET /items/{id}",
            "The path /items/{id} has {id}, which is sent as it is written. Variables are "
            "written with two braces: {{id}}.",
        )
    )


def test_show_the_response_prints_while_behave_captures_with_secrets_masked(run: Run) -> None:
    outcome = run[0]
    assert "Request:\n  GET http://testserver/items\n" in outcome.output
    assert "  Authorization: Bearer ***\n" in outcome.output
    assert "t0psecret" not in outcome.output
    junit = "".join(path.read_text() for path in (run[1] / "reports").glob("*.xml"))
    assert "  Authorization: Bearer ***\n" in junit  # the captured copy is kept too
    assert "Bearer t0psecret" not in junit.replace(
        '"Bearer t0psecret"', ""
    )  # only the feature's line


def test_a_websocket_wait_that_runs_out_is_a_public_expectation_failed_in_junit(run: Run) -> None:
    problem = junit_problem(run, "a websocket that stays silent")
    assert (problem.tag, problem.get("type"), problem.get("message")) == (
        "failure",
        "ExpectationFailed",
        'Expected text "hello" from the websocket /ws/echo within 0.05 seconds, but no '
        "message came.\nReceived so far: nothing.",
    )


# -- the near-miss table: data, docs, and every example run ----------------------------------

SHOULD = "steps say what is, not what should be"
STATUS = "the status is checked with `the response status`"
BODY = "a response's text is `the response body`, its JSON `the response JSON`"
HEADER = "say whose header it is: `the request header` (sent) or `the response header`"
REQUEST = "a request is written as the method and the path"


@pytest.mark.parametrize(
    ("keyword", "text", "hint"),
    [
        ("Then", "the status is 200", f"{STATUS}: write `Then the response status is 200`"),
        ("Then", "the response code is 201", f"{STATUS}: write `Then the response status is 201`"),
        (
            "Then",
            'the status code should be "404"',
            f"{SHOULD}, and {STATUS}, and a status code is a number, written without quotes: "
            "write `Then the response status is 404`",
        ),
        ("When", "I send a GET request to /items", f"{REQUEST}: write `When I GET /items`"),
        (
            "When",
            "I send a DELETE request to items/3",
            f"{REQUEST}, and paths start with /: write `When I DELETE /items/3`",
        ),
        (
            "Then",
            'the response should contain "apple"',
            f'{SHOULD}, and {BODY}: write `Then the response body contains "apple"`',
        ),
        (
            "Then",
            "the response should be:",
            f"{SHOULD}, and {BODY}: write `Then the response JSON is:` or "
            "`Then the response body is:`",
        ),
        (
            "Given",
            'the header "X-Token" is "abc"',
            f'{HEADER}: write `Given the request header "X-Token" is "abc"`',
        ),
        (
            "Then",
            'the header "Content-Type" contains "json"',
            f'{HEADER}: write `Then the response header "Content-Type" contains "json"`',
        ),
        (
            "Then",
            'the JSON at "$.price" is a nummber',
            "JSON types have JSON names (string, number, integer, boolean, array, object, "
            'null): write `Then the JSON at "$.price" is a number`',
        ),
        (
            "And",
            'I store the JSON at $.id as "id"',
            'a JSONPath is written in double quotes: write `And I store the JSON at "$.id" as '
            '"id"`',
        ),
        ("Then", 'the JSON at "$.name" is an apple', None),  # quoting is the right advice
        ("Then", 'the response body contains "it should be fine"', None),  # a value
        ("Then", 'the JSON at "$.items" contains 3', None),  # a valid check for the value 3
        (
            "Then",
            'the JSON at "$.items" contains 2 items',
            "a length is written `has <n> items` (`contains 3` looks for the value 3): write "
            '`Then the JSON at "$.items" has 2 items`',
        ),
        ("Then", "the response status is fine", None),
        (
            "Then",
            "the response status code is not found",
            "a status is written as its number: write `Then the response status code is 404`",
        ),
        ("Given", "the cart is full", None),
    ],
)
def test_near_misses_a_newcomer_writes(keyword: str, text: str, hint: str | None) -> None:
    step_type = {"given": "given", "when": "when", "then": "then"}.get(keyword.casefold())
    assert near_miss_hint(text, load_library(), keyword=keyword, step_type=step_type) == hint


def test_asgibdd_check_gives_the_advice_the_run_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        tmp_path,
        {
            "steps/library.py": STEPS_LINE,
            "features/a.feature": "Feature: a\n  Scenario: b\n    When I GET items\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert main(["check"]) == 1
    assert capsys.readouterr().out.splitlines()[:2] == [
        "features/a.feature:3: undefined step: When I GET items",
        "  paths start with /: write `When I GET /items`",
    ]


def test_no_library_phrase_is_rewritten_into_another() -> None:
    library = list(load_library())
    assert [d.example_text for d in library if near_miss_hint(d.example_text, library)] == []


def test_every_near_miss_leads_to_a_library_phrase() -> None:
    library = list(load_library())
    for near_miss in NEAR_MISSES:
        keyword, text = near_miss.example.splitlines()[0].split(" ", 1)
        assert near_miss_hint(text, library, keyword=keyword) is not None, near_miss.example


def test_the_product_owner_docs_list_every_near_miss_as_generated() -> None:
    docs = (ROOT / "docs" / "product-owners.md").read_text(encoding="utf-8")
    assert near_misses_markdown(load_library()) in docs


def test_every_near_miss_that_runs_means_the_phrase_its_advice_names() -> None:
    library = list(load_library())
    for near_miss in NEAR_MISSES:
        keyword, text = near_miss.example.splitlines()[0].split(" ", 1)
        step_type = keyword.casefold() if keyword in ("Given", "When", "Then") else None
        alternative = accepted_alternative(text, step_type, library)
        hint = near_miss_hint(text, library, keyword=keyword, step_type=step_type)
        if near_miss.runs:
            assert hint is not None and hint.endswith(f"`{keyword} {alternative}`"), hint
        else:
            assert alternative is None, near_miss.example


def test_a_guess_never_runs() -> None:
    library = list(load_library())
    for text in (
        'the JSON at "$.items" is a list',  # which type was meant is a guess
        'the status code should be "404"',  # a should-form chained with a guess
        'the JSON at "$.items" contains 3 items',  # may mean the value 3
        'the JSON at "$.e" is "the "admin" role"',  # where the quotes end is a guess
    ):
        assert accepted_alternative(text, "then", library) is None, text


def test_every_documented_near_miss_gets_its_documented_answer_in_a_run(tmp_path: Path) -> None:
    library = list(load_library())
    scenarios = []
    expected = []
    for number, near_miss in enumerate(n for n in NEAR_MISSES if not n.runs):
        first, *block = near_miss.example.splitlines()
        keyword, text = first.split(" ", 1)
        step_type = keyword.casefold()
        hint = near_miss_hint(text, library, keyword=keyword, step_type=step_type)
        lines = [f"  Scenario: near miss {number}", "    When I GET /items", f"    {first}"]
        scenarios.append("\n".join([*lines, *(f"    {line}" for line in block)]))
        expected.append(f"  {hint}")
    outcome = run_feature(tmp_path, "Feature: near misses\n\n" + "\n\n".join(scenarios) + "\n")
    assert outcome.scenarios.passed == 0, outcome.output
    missing = [line for line in expected if f"\n{line}\n" not in outcome.output]
    assert missing == [], outcome.output


def test_a_step_that_runs_as_the_phrase_it_means_is_printed_as_written(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: Meant phrases
          Scenario: as written
            When I GET /items
            Then the JSON at "$.count" is approximately 0 within 0.05
            And the response status should be 200
        """,
        *CONSOLE_OPTIONS,
    )
    assert outcome.steps.passed == 3, outcome.output
    assert (tmp_path / "pretty.txt").read_text().splitlines()[3:6] == [
        "    When I GET /items",
        '    Then the JSON at "$.count" is approximately 0 within 0.05',
        "    And the response status should be 200",
    ]
