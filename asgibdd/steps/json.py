"""JSON assertion steps: the whole response JSON, the JSON at a JSONPath, and JSON Schema.

The checks themselves are `JSONSubject`'s (`steps/support/subject.py`), shared with the
websocket and stream steps.
"""

from __future__ import annotations

import json
from typing import Any

from asgibdd.contracts.schemas import Problem, file_schema, problems
from asgibdd.environment import get_world
from asgibdd.generated import utc_now
from asgibdd.matching.literal import loads_strict
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.support.grammar import declare_json_checks
from asgibdd.steps.support.inputs import (
    count_value,
    expected_json,
    find_feature_file,
    jsonpath_text,
)
from asgibdd.steps.support.subject import capital, response_json

JSON = "JSON"


@library_step("the response JSON is:", section=JSON)
def response_json_is(context: Any) -> None:
    """Check that the response JSON equals the doc string: deep equality, key order ignored.

    Fuzzy markers such as `"#uuid"` or `"#ignore"` stand for values that vary. Every
    difference is listed with its path.

    Example: Then the response JSON is:
        \"\"\"
        {"id": "#integer", "name": "apple", "price": 3, "tags": [], "created_at": "#datetime"}
        \"\"\"
    """
    response_json(context).assert_equal(expected_json(context))


@library_step("the response JSON contains:", section=JSON)
def response_json_contains(context: Any) -> None:
    """Check that the response JSON contains the doc string: its keys and items, in any order.

    Example: Then the response JSON contains:
        \"\"\"
        {"name": "apple", "tags": ["red"]}
        \"\"\"
    """
    response_json(context).assert_contains(expected_json(context))


@library_step("the JSON at {path:JSONPath} is:", section=JSON)
def json_at_is_doc(context: Any, path: str) -> None:
    """Check the value at a JSONPath against the JSON doc string (deep equality, markers).

    Example: Then the JSON at "$.items[0]" is:
        \"\"\"
        {"id": "#integer", "name": "apple", "price": 3, "tags": [], "created_at": "#datetime"}
        \"\"\"
    """
    subject = response_json(context)
    subject.assert_at_is(jsonpath_text(context, path), expected_json(context))


declare_json_checks(
    "the JSON at",
    JSON,
    "the last response's JSON",
    lambda context, where: response_json(context),
)


@library_step("the JSON at {path:JSONPath} is empty", section=JSON)
def json_at_is_empty(context: Any, path: str) -> None:
    """Check that the value at a JSONPath is an empty array, object or string.

    Example: Then the JSON at "$.tags" is empty
    """
    response_json(context).assert_at_empty(jsonpath_text(context, path))


@library_step(
    "the JSON at {path:JSONPath} is sorted in {order:Order} order",
    (
        "the JSON at {path:JSONPath} is sorted by {key:Quoted}",
        'Then the JSON at "$.items" is sorted by "id"',
    ),
    (
        "the JSON at {path:JSONPath} is sorted by {key:Quoted} in {order:Order} order",
        'Then the JSON at "$.items" is sorted by "name" in ascending order',
    ),
    section=JSON,
)
def json_at_sorted(
    context: Any, path: str, key: str | None = None, order: str = "ascending"
) -> None:
    """Check that an array is in order: its values, or each item's value of a key.

    Ascending unless `in descending order`; equal neighbours are fine. The values must be
    all numbers or all strings (strings compare by character codes).

    Example: Then the JSON at "$.items[*].price" is sorted in descending order
    """
    response_json(context).assert_at_sorted(
        jsonpath_text(context, path), key, descending=order == "descending"
    )


@library_step("the JSON at {path:JSONPath} is {days:DayOffset}", section=JSON)
def json_at_days_from_today(context: Any, path: str, days: int) -> None:
    """Check the UTC date of a date or date-time at a JSONPath: `today`, `3 days from today`
    or `2 days ago`.

    Example: Then the JSON at "$.items[0].created_at" is 0 days from today
    """
    response_json(context).assert_at_days_from_today(
        jsonpath_text(context, path), days, utc_now().date()
    )


@library_step(
    "the JSON at {path:JSONPath} is {relation:TimeOrder} the JSON at {other:JSONPath}",
    section=JSON,
)
def json_at_after(context: Any, path: str, relation: str, other: str) -> None:
    """Check that a date-time at a JSONPath is `after` (or `before`) another one.

    Example: Then the JSON at "$.items[1].created_at" is after the JSON at "$.items[0].created_at"
    """
    response_json(context).assert_at_time_order(
        jsonpath_text(context, path), relation, jsonpath_text(context, other)
    )


@library_step("the JSON at {path:JSONPath} is the JSON at {other:JSONPath}", section=JSON)
def json_at_is_other(context: Any, path: str, other: str) -> None:
    """Check that two values of the same response are equal (deep equality).

    Example: Then the JSON at "$.items[0].id" is the JSON at "$.items[0].id"
    """
    response_json(context).assert_at_same_as(
        jsonpath_text(context, path), jsonpath_text(context, other)
    )


@library_step("the JSON at {path:JSONPath} contains only:", section=JSON)
def json_at_contains_only(context: Any, path: str) -> None:
    """Check that the array at a JSONPath holds exactly the doc string's items, in any order.

    Example: Then the JSON at "$.items[*].name" contains only:
        \"\"\"
        ["apple", "pear"]
        \"\"\"
    """
    response_json(context).assert_at_same_items(
        jsonpath_text(context, path), _expected_array(context)
    )


@library_step("the JSON at {path:JSONPath} contains any:", section=JSON)
def json_at_contains_any(context: Any, path: str) -> None:
    """Check that the array at a JSONPath contains at least one of the doc string's items.

    Example: Then the JSON at "$.items[*].name" contains any:
        \"\"\"
        ["apple", "plum"]
        \"\"\"
    """
    response_json(context).assert_at_contains_any(
        jsonpath_text(context, path), _expected_array(context)
    )


def _expected_array(context: Any) -> list[Any]:
    expected = expected_json(context)
    if not isinstance(expected, list):
        raise step_usage_error(
            'expects a JSON array in its doc string, e.g. ["apple", "pear"]; for one '
            'value use `Then the JSON at "..." contains:`.'
        )
    return expected


@library_step("the JSON at {path:JSONPath} contains:", section=JSON)
def json_at_contains_doc(context: Any, path: str) -> None:
    """Check that the value at a JSONPath contains the JSON doc string (an item, a subset).

    Example: Then the JSON at "$.items" contains:
        \"\"\"
        {"name": "apple"}
        \"\"\"
    """
    subject = response_json(context)
    subject.assert_at_contains(jsonpath_text(context, path), expected_json(context))


@library_step("the JSON at {path:JSONPath} has at least {count:Items}", section=JSON)
def json_at_has_at_least(context: Any, path: str, count: int | str) -> None:
    """Check that the array at a JSONPath has this many items or more.

    Example: Then the JSON at "$.items" has at least 1 item
    """
    response_json(context).assert_at_length(
        jsonpath_text(context, path), count_value(context, count), "at least"
    )


@library_step("the JSON at {path:JSONPath} has at most {count:Items}", section=JSON)
def json_at_has_at_most(context: Any, path: str, count: int | str) -> None:
    """Check that the array at a JSONPath has this many items or fewer.

    Example: Then the JSON at "$.items" has at most 10 items
    """
    response_json(context).assert_at_length(
        jsonpath_text(context, path), count_value(context, count), "at most"
    )


@library_step("each item of the JSON at {path:JSONPath} matches:", section=JSON)
def each_item_matches(context: Any, path: str) -> None:
    """Check that every item of the array at a JSONPath contains the doc string's keys.

    Markers work, extra keys are fine; every item that does not match is listed.

    Example: Then each item of the JSON at "$.items" matches:
        \"\"\"
        {"id": "#integer", "name": "#string", "price": "#number"}
        \"\"\"
    """
    response_json(context).assert_each(
        jsonpath_text(context, path), expected_json(context), subset=True
    )


@library_step("each item, if any, of the JSON at {path:JSONPath} matches:", section=JSON)
def each_item_if_any_matches(context: Any, path: str) -> None:
    """Like `each item of the JSON at ... matches:`, but an empty array passes too.

    Example: Then each item, if any, of the JSON at "$.items[?(@.price > 100)]" matches:
        \"\"\"
        {"name": "#string"}
        \"\"\"
    """
    response_json(context).assert_each(
        jsonpath_text(context, path), expected_json(context), subset=True, allow_empty=True
    )


@library_step("each item, if any, of the JSON at {path:JSONPath} is:", section=JSON)
def each_item_if_any_is(context: Any, path: str) -> None:
    """Like `each item of the JSON at ... is:`, but an empty array passes too.

    Example: Then each item, if any, of the JSON at "$.items[*].tags" is:
        \"\"\"
        "#array"
        \"\"\"
    """
    response_json(context).assert_each(
        jsonpath_text(context, path), expected_json(context), subset=False, allow_empty=True
    )


@library_step("each item of the JSON at {path:JSONPath} is:", section=JSON)
def each_item_is(context: Any, path: str) -> None:
    """Check that every item of the array at a JSONPath equals the doc string (markers work).

    Example: Then each item of the JSON at "$.items[*].tags" is:
        \"\"\"
        "#array"
        \"\"\"
    """
    response_json(context).assert_each(
        jsonpath_text(context, path), expected_json(context), subset=False
    )


@library_step("the response JSON matches the schema {file:Quoted}", section=JSON)
def response_json_matches_schema(context: Any, file: str) -> None:
    """Validate the response JSON against a JSON Schema file (relative to the feature file).

    Every violation is listed with its path. The engine is the API contract check's
    (jsonschema-rs): formats are checked, and every `pattern` is bounded.

    Example: Then the response JSON matches the schema "schemas/item.json"
    """
    world = get_world(context)
    relative = world.variables.interpolate(file)
    location = find_feature_file(world, context, relative)
    try:
        schema = loads_strict(location.read_text(encoding="utf-8"))
    except ValueError as error:
        raise step_usage_error(
            f'names the schema "{relative}", which is not valid JSON: {error}. Fix the file '
            f"{location}."
        ) from None
    try:
        validator = file_schema(schema)
    except ValueError as error:
        raise step_usage_error(
            f'names the schema "{relative}", which is not a valid JSON Schema: '
            f"{error}. Fix the file {location}."
        ) from None
    subject = response_json(context)
    found = sorted(problems(validator, subject.document), key=_problem_order)
    if found:
        lines = [f"  {problem.path}: {problem.message}" for problem in found[:50]]
        more = [f"  ... and {len(found) - 50} more"] if len(found) > 50 else []
        count = [f"{len(found)} violations."] if len(found) > 1 else []
        heading = f'{capital(subject.name)} does not match the schema "{relative}":'
        raise subject.fail("\n".join([heading, *lines, *more, *count]))


def _problem_order(problem: Problem) -> tuple[str, str]:
    return (json.dumps(list(problem.instance_path)), problem.message)
