"""The wider JSON vocabulary: emptiness, bounds, comparisons, choices, collections."""

from __future__ import annotations

import pytest

from asgibdd.testing import BehaveOutcome
from tests.test_steps_json import CATALOGUE_APP
from tests.test_steps_response import failure_of, run_features

PASSING = '''
Feature: the wider vocabulary
  Scenario: every phrase holds
    When I GET /books
    Then the JSON at "$.items" has at least 1 item
    And the JSON at "$.items" has at most 3 items
    And the JSON at "$.items[?(@.name == "Emma")].id" is [2]
    And the JSON at "$.items[0].tags" is empty
    And the JSON at "$.count" is not 4
    And the JSON at "$.count" is greater than 2
    And the JSON at "$.items[1].price" is less than 2.5
    And the JSON at "$.items[0].name" is one of ["Dune", "Emma"]
    And the JSON at "$.items[0]" is:
      """
      {"id": 1, "name": "Dune", "price": 9.5, "tags": [], "note": "#string?"}
      """
    And the JSON at "$.items" contains:
      """
      {"name": "Emma"}
      """
    And the JSON at "$.items[*].name" contains only:
      """
      ["Ulysses", "Dune", "Emma"]
      """
    And the JSON at "$.items[*].name" contains any:
      """
      ["Persuasion", "Emma"]
      """
    And each item of the JSON at "$.items" matches:
      """
      {"id": "#integer", "name": "#string", "note": "#string?"}
      """
    And the JSON at "$.items[*].name" does not contain "Persuasion"
    And each item of the JSON at "$.items[*].tags" is:
      """
      "#array"
      """
'''

FAILING = '''
Feature: the wider vocabulary, failing
  Scenario: not empty
    When I GET /books
    Then the JSON at "$.items" is empty

  Scenario: too few
    When I GET /books
    Then the JSON at "$.items" has at least 4 items

  Scenario: too many
    When I GET /books
    Then the JSON at "$.items" has at most 1 item

  Scenario: is not
    When I GET /books
    Then the JSON at "$.count" is not 3

  Scenario: not greater
    When I GET /books
    Then the JSON at "$.count" is greater than 3

  Scenario: not a number
    When I GET /books
    Then the JSON at "$.items[0].name" is less than 3

  Scenario: not one of
    When I GET /books
    Then the JSON at "$.count" is one of [1, 2]

  Scenario: one of without an array
    When I GET /books
    Then the JSON at "$.count" is one of 3

  Scenario: not only these
    When I GET /books
    Then the JSON at "$.items[*].name" contains only:
      """
      ["Dune", "Emma"]
      """

  Scenario: none of these
    When I GET /books
    Then the JSON at "$.items[*].name" contains any:
      """
      ["Persuasion"]
      """

  Scenario: not every item
    When I GET /books
    Then each item of the JSON at "$.items" matches:
      """
      {"price": "#integer"}
      """

  Scenario: contains what it should not
    When I GET /books
    Then the JSON at "$.items[*].name" does not contain "Emma"

  Scenario: optional but wrong
    When I GET /books
    Then the JSON at "$.items[0]" is:
      """
      {"id": 1, "name": "Dune", "price": "#string?", "tags": []}
      """
'''


@pytest.fixture(scope="module")
def vocabulary_run(tmp_path_factory: pytest.TempPathFactory) -> BehaveOutcome:
    app = (
        CATALOGUE_APP.replace(
            '{"id": 1, "name": "Dune", "price": 9.5}',
            '{"id": 1, "name": "Dune", "price": 9.5, "tags": []}',
        )
        .replace(
            '{"id": 2, "name": "Emma", "price": 2}',
            '{"id": 2, "name": "Emma", "price": 2, "tags": []}',
        )
        .replace(
            '{"id": 3, "name": "Ulysses", "price": 4}',
            '{"id": 3, "name": "Ulysses", "price": 4, "tags": ["long"]}',
        )
    )
    return run_features(
        tmp_path_factory.mktemp("vocabulary"),
        PASSING + FAILING.split("\n", 2)[2],
        app="books:app",
        books_dot_py=app,
    )


def test_every_new_phrase_passes_on_a_response_that_satisfies_it(
    vocabulary_run: BehaveOutcome,
) -> None:
    assert "every phrase holds" in vocabulary_run.output
    assert vocabulary_run.scenarios.passed == 1, vocabulary_run.output
    assert vocabulary_run.scenarios.failed + vocabulary_run.scenarios.error == 13


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (
            "not empty",
            'ExpectationFailed: Expected the JSON at "$.items" to be empty ([], {} or ""), got '
            '[{"id": 1, "name": "Dune", "price": 9.5, "tags": []}, {"id": 2, "name": "Emma", '
            '"price": 2, "tags": []}, {"id": 3, "name ... (44 more characters) (array).\n'
            "Request:\n  GET http://testserver/books",
        ),
        (
            "too few",
            'ExpectationFailed: Expected the JSON at "$.items" to have at least 4 items, got 3:',
        ),
        (
            "too many",
            'ExpectationFailed: Expected the JSON at "$.items" to have at most 1 item, got 3:',
        ),
        ("is not", 'ExpectationFailed: Expected the JSON at "$.count" not to be 3, but it is.'),
        (
            "not greater",
            'ExpectationFailed: Expected the JSON at "$.count" to be a number greater than 3, '
            "got 3.",
        ),
        (
            "not a number",
            'ExpectationFailed: Expected the JSON at "$.items[0].name" to be a number less than 3, '
            'got "Dune" (string).',
        ),
        (
            "not one of",
            'ExpectationFailed: Expected the JSON at "$.count" to be one of [1, 2], '
            "got 3 (integer).",
        ),
        (
            "one of without an array",
            'UsageError: The step "the JSON at "$.count" is one of 3" expects the allowed values '
            'as a JSON array, e.g. ["open", "done"], got: 3',
        ),
        (
            "not only these",
            'ExpectationFailed: The JSON at "$.items[*].name" does not contain only the expected '
            "items:\n"
            "  $.items[*].name: expected 2 items in any order, got 3\n"
            "The path selects 3:",
        ),
        (
            "none of these",
            'ExpectationFailed: Expected the JSON at "$.items[*].name" to contain any of '
            '["Persuasion"], got ["Dune", "Emma", "Ulysses"].',
        ),
        (
            "not every item",
            'ExpectationFailed: 1 of the 3 items at "$.items" do not contain what was expected:\n'
            "  $.items[0].price: expected an integer (#integer), got 9.5 (number)\n",
        ),
        (
            "contains what it should not",
            'ExpectationFailed: Expected the JSON at "$.items[*].name" not to contain "Emma", '
            'got ["Dune", "Emma", "Ulysses"].\nThe path selects 3:',
        ),
        (
            "optional but wrong",
            'ExpectationFailed: The JSON at "$.items[0]" is not as expected:\n'
            "  $.items[0].price: expected a string (#string?), got 9.5 (number)\n",
        ),
    ],
)
def test_each_new_phrase_fails_with_a_message_that_says_what_and_where(
    vocabulary_run: BehaveOutcome, scenario: str, message: str
) -> None:
    assert failure_of(vocabulary_run, scenario).startswith(message)
