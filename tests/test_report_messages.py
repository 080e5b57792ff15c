"""The Cucumber Messages formatter (`behave -f messages -o run.ndjson`).

Every line is read back with the `cucumber-messages` package (Cucumber's own Python
types for the schema): required fields and enum values are checked by it, and writing
the parsed message again must give the very same JSON, so no field is misspelt.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cucumber_messages import Envelope, message_converter

from tests.report_runs import SECRETS, run_repository_features, run_small_project

MESSAGES = ("-f", "messages", "-o", "run.ndjson")


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def _envelopes(path: Path) -> list[dict[str, Any]]:
    envelopes = []
    for line in path.read_text().splitlines():
        envelope = json.loads(line)
        assert len(envelope) == 1, line
        parsed = message_converter.from_dict(envelope, Envelope)
        assert _without_none(message_converter.to_dict(parsed)) == envelope
        envelopes.append(envelope)
    return envelopes


def _of(envelopes: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [envelope[kind] for envelope in envelopes if kind in envelope]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    project = tmp_path_factory.mktemp("messages")
    outcome = run_small_project(project, "-f", "messages", "-o", "run.ndjson", "-f", "plain")
    assert outcome.scenarios.failed == 1, outcome.output
    return _envelopes(project / "run.ndjson")


def test_the_stream_starts_with_meta_and_ends_with_the_run_finished(
    small: list[dict[str, Any]],
) -> None:
    kinds = [next(iter(envelope)) for envelope in small]
    assert kinds[:4] == ["meta", "testRunStarted", "source", "gherkinDocument"]
    assert kinds[-1] == "testRunFinished"
    assert small[-1]["testRunFinished"]["success"] is False
    assert small[0]["meta"]["implementation"]["name"] == "asgibdd"


def test_every_id_a_message_refers_to_was_written_before_it(
    small: list[dict[str, Any]],
) -> None:
    seen: set[str] = set()

    def nodes(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("id"), str):
                seen.add(value["id"])
            for item in value.values():
                nodes(item)
        elif isinstance(value, list):
            for item in value:
                nodes(item)

    references = ("pickleId", "testCaseId", "testCaseStartedId", "testStepId", "pickleStepId")
    for envelope in small:
        message = next(iter(envelope.values()))
        for key in references:
            if key in message:
                assert message[key] in seen, (key, envelope)
        for pickle_ids in (message.get("astNodeIds", []),):
            assert set(pickle_ids) <= seen, envelope
        nodes(message)


def test_results_statuses_messages_and_public_exception_types(
    small: list[dict[str, Any]],
) -> None:
    results = [finished["testStepResult"] for finished in _of(small, "testStepFinished")]
    assert Counter(result["status"] for result in results) == {
        "PASSED": 3,
        "FAILED": 1,
        "UNDEFINED": 1,
    }
    [failed] = [result for result in results if result["status"] == "FAILED"]
    assert failed["exception"]["type"] == "asgibdd.ExpectationFailed"
    assert failed["message"].startswith(
        'The JSON at "$.access_token" is not as expected:\n'
        '  $.access_token: expected "something else", got "***"\n'
    )
    assert [pickle["name"] for pickle in _of(small, "pickle")] == [
        "A page that passes",
        "A login whose token is not the one expected <img src=x onerror=alert(1)>",
        "A step nobody wrote",
    ]
    assert [[tag["name"] for tag in pickle["tags"]] for pickle in _of(small, "pickle")] == [
        ["@reports", "@smoke"],
        ["@reports", "@auth"],
        ["@reports"],
    ]


def test_transcripts_are_masked_text_attachments_of_the_step_that_caused_them(
    small: list[dict[str, Any]],
) -> None:
    attachments = _of(small, "attachment")
    assert [attachment["body"].splitlines()[0] for attachment in attachments] == [
        "GET /page → 200 OK, 44 bytes",
        "POST /login → 200 OK, 54 bytes",
    ]
    assert {attachment["mediaType"] for attachment in attachments} == {"text/plain"}
    pickle_steps = {
        step["id"]: step["text"] for pickle in _of(small, "pickle") for step in pickle["steps"]
    }
    test_steps = {
        step["id"]: pickle_steps[step["pickleStepId"]]
        for case in _of(small, "testCase")
        for step in case["testSteps"]
    }
    assert [test_steps[attachment["testStepId"]] for attachment in attachments] == [
        "I GET /page",
        "I POST /login with JSON:",
    ]
    stream = json.dumps(small, ensure_ascii=False)
    assert [secret for secret in SECRETS if secret in stream] == []
    assert '{\\"username\\": \\"bob\\", \\"password\\": \\"***\\"}' in stream


def test_the_repository_features_and_a_failing_one_make_a_valid_masked_stream(
    tmp_path: Path,
) -> None:
    outcome, secrets = run_repository_features(tmp_path, "-f", "messages", "-o", "run.ndjson")
    assert outcome.scenarios.failed == 1, outcome.output
    envelopes = _envelopes(tmp_path / "run.ndjson")
    scenarios = outcome.scenarios.passed + outcome.scenarios.failed
    assert len(_of(envelopes, "pickle")) == len(_of(envelopes, "testCaseFinished")) == scenarios
    assert len(_of(envelopes, "testStepFinished")) == sum(
        len(pickle["steps"]) for pickle in _of(envelopes, "pickle")
    )
    # Not in the transcripts, nor in the feature files' text (a password in a table).
    stream = (tmp_path / "run.ndjson").read_text()
    assert [secret for secret in secrets if secret in stream] == []
    assert "| password | *** |" in _of(envelopes, "source")[-1]["data"]


HOOK_ENVIRONMENT = """
from asgibdd.environment import *  # noqa: F403
from asgibdd import environment as asgibdd


def before_scenario(context, scenario):
    asgibdd.before_scenario(context, scenario)
    if "broken" in scenario.tags:
        raise RuntimeError("the database is down")
"""

HOOK_FEATURE = """
Feature: Hooks
  @broken
  Scenario: Set-up fails
    When I GET /page
"""


def test_a_failed_hook_is_a_failed_hook_step_and_the_scenarios_error(tmp_path: Path) -> None:
    outcome = run_small_project(
        tmp_path,
        *MESSAGES,
        *("-f", "html", "-o", "report.html"),
        files={"environment.py": HOOK_ENVIRONMENT, "features/report.feature": HOOK_FEATURE},
    )
    assert outcome.returncode == 1, outcome.output
    envelopes = _envelopes(tmp_path / "run.ndjson")
    [hook] = _of(envelopes, "hook")
    [case] = _of(envelopes, "testCase")
    assert case["testSteps"][-1] == {"id": case["testSteps"][-1]["id"], "hookId": hook["id"]}
    results = {
        finished["testStepId"]: finished["testStepResult"]
        for finished in _of(envelopes, "testStepFinished")
    }
    assert results[case["testSteps"][0]["id"]]["status"] == "SKIPPED"
    failed = results[case["testSteps"][-1]["id"]]
    assert (failed["status"], failed["exception"]["type"]) == ("FAILED", "RuntimeError")
    assert "the database is down" in failed["message"]
    page = (tmp_path / "report.html").read_text()
    assert '<details class="scenario hook_error"' in page
    assert '<pre class="error"><b>RuntimeError</b>\nHOOK-ERROR in before_scenario' in page


SHAPES_FEATURE = """
@shapes
Feature: Every shape of Gherkin
  Background:
    Given the request header "X-Trace" is "t-1"

  Rule: Pages answer
    @outline
    Scenario Outline: GET <path> answers <status>
      When I GET <path>
      Then the response status is <status>

      @first
      Examples: known
        | path  | status |
        | /page | 200    |

      Examples: unknown
        | path  | status |
        | /nope | 404    |

  Rule: Logins
    Scenario: A login with a doc string
      When I POST /login with JSON:
        \"\"\"
        {"username": "bob", "password": "hunter2-pass"}
        \"\"\"
      Then the response status is 200
"""


def test_backgrounds_rules_outlines_and_examples_become_one_pickle_per_row(tmp_path: Path) -> None:
    outcome = run_small_project(
        tmp_path, *MESSAGES, files={"features/report.feature": SHAPES_FEATURE}
    )
    assert outcome.passed, outcome.output
    envelopes = _envelopes(tmp_path / "run.ndjson")
    [document] = _of(envelopes, "gherkinDocument")
    children = document["feature"]["children"]
    assert [next(iter(child)) for child in children] == ["background", "rule", "rule"]
    outline = children[1]["rule"]["children"][0]["scenario"]
    assert [example["name"] for example in outline["examples"]] == ["known", "unknown"]
    rows = {
        row["id"]: row["cells"][0]["value"]
        for example in outline["examples"]
        for row in example["tableBody"]
    }
    pickles = _of(envelopes, "pickle")
    assert [pickle["name"] for pickle in pickles] == [
        # Named by the row's values: the outline's name shows them, the Examples its name.
        "GET /page answers 200 (known)",
        "GET /nope answers 404 (unknown)",
        "A login with a doc string",
    ]
    assert [rows.get(pickle["astNodeIds"][-1]) for pickle in pickles] == ["/page", "/nope", None]
    assert [step["text"] for step in pickles[0]["steps"]] == [
        'the request header "X-Trace" is "t-1"',
        "I GET /page",
        "the response status is 200",
    ]
    assert [tag["name"] for tag in pickles[0]["tags"]] == ["@shapes", "@outline", "@first"]
    doc_string = pickles[2]["steps"][1]["argument"]["docString"]["content"]
    assert doc_string == '{"username": "bob", "password": "***"}'
    statuses = Counter(
        finished["testStepResult"]["status"] for finished in _of(envelopes, "testStepFinished")
    )
    assert statuses == {"PASSED": 9}
