"""JSON assertion steps: the whole response JSON, the JSON at a JSONPath, and JSON Schema.

The checks themselves are `JSONSubject`'s (`steps/support/subject.py`), shared with the
websocket and stream steps.
"""

from __future__ import annotations

import json
from typing import Any

from asgibdd.contracts.schemas import Problem, file_schema, problems
from asgibdd.environment import get_world
from asgibdd.matching.literal import loads_strict
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.support.inputs import (
    expected_json,
    expected_literal,
    find_feature_file,
    jsonpath_text,
    step_pattern,
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


@library_step("the JSON at {path:JSONPath} is {expected:Expected}", section=JSON)
def json_at_is(context: Any, path: str, expected: str) -> None:
    """Check the value at a JSONPath against a JSON literal (deep equality, markers honoured).

    A wildcard or filter path gives the list of what it selects.

    Example: Then the JSON at "$.items[0].name" is "apple"
    """
    subject = response_json(context)
    subject.assert_at_is(jsonpath_text(context, path), expected_literal(context, expected))


@library_step("the JSON at {path:JSONPath} is not {expected:Literal}", section=JSON)
def json_at_is_not(context: Any, path: str, expected: str) -> None:
    """Check that the value at a JSONPath is anything but this JSON literal.

    Example: Then the JSON at "$.count" is not 0
    """
    subject = response_json(context)
    subject.assert_at_is_not(jsonpath_text(context, path), expected_literal(context, expected))


@library_step("the JSON at {path:JSONPath} is empty", section=JSON)
def json_at_is_empty(context: Any, path: str) -> None:
    """Check that the value at a JSONPath is an empty array, object or string.

    Example: Then the JSON at "$.tags" is empty
    """
    response_json(context).assert_at_empty(jsonpath_text(context, path))


@library_step("the JSON at {path:JSONPath} is greater than {number:Number}", section=JSON)
def json_at_greater(context: Any, path: str, number: float) -> None:
    """Check that the value at a JSONPath is a number above the given one.

    Example: Then the JSON at "$.price" is greater than 2
    """
    response_json(context).assert_at_compared(jsonpath_text(context, path), "greater than", number)


@library_step("the JSON at {path:JSONPath} is less than {number:Number}", section=JSON)
def json_at_less(context: Any, path: str, number: float) -> None:
    """Check that the value at a JSONPath is a number below the given one.

    Example: Then the JSON at "$.price" is less than 10
    """
    response_json(context).assert_at_compared(jsonpath_text(context, path), "less than", number)


@library_step("the JSON at {path:JSONPath} is one of {options:Literal}", section=JSON)
def json_at_one_of(context: Any, path: str, options: str) -> None:
    """Check that the value at a JSONPath equals one of the values of a JSON array.

    Example: Then the JSON at "$.name" is one of ["apple", "pear"]
    """
    choices = expected_literal(context, options)
    if not isinstance(choices, list) or not choices:
        raise step_usage_error(
            f'expects the allowed values as a JSON array, e.g. ["open", "done"], got: {options}'
        )
    response_json(context).assert_at_one_of(jsonpath_text(context, path), choices)


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


@library_step("the JSON at {path:JSONPath} contains {expected:Literal}", section=JSON)
def json_at_contains(context: Any, path: str, expected: str) -> None:
    """Check that the value at a JSONPath contains a JSON literal.

    A string contains a substring; an array contains a matching item (any order); an
    object contains the expected keys.

    Example: Then the JSON at "$.items[*].name" contains "apple"
    """
    subject = response_json(context)
    subject.assert_at_contains(jsonpath_text(context, path), expected_literal(context, expected))


@library_step("the JSON at {path:JSONPath} does not contain {expected:Literal}", section=JSON)
def json_at_does_not_contain(context: Any, path: str, expected: str) -> None:
    """Check that the value at a JSONPath does not contain a JSON literal (text, item, keys).

    Example: Then the JSON at "$.items[*].name" does not contain "plum"
    """
    subject = response_json(context)
    subject.assert_at_lacks(jsonpath_text(context, path), expected_literal(context, expected))


@library_step("the JSON at {path:JSONPath} has {count:Items}", section=JSON)
def json_at_has_items(context: Any, path: str, count: int) -> None:
    """Check the length of the array at a JSONPath, or how many values a wildcard selects.

    Example: Then the JSON at "$.items" has 3 items
    """
    response_json(context).assert_at_length(jsonpath_text(context, path), count)


@library_step("the JSON at {path:JSONPath} has at least {count:Items}", section=JSON)
def json_at_has_at_least(context: Any, path: str, count: int) -> None:
    """Check that the array at a JSONPath has this many items or more.

    Example: Then the JSON at "$.items" has at least 1 item
    """
    response_json(context).assert_at_length(jsonpath_text(context, path), count, "at least")


@library_step("the JSON at {path:JSONPath} has at most {count:Items}", section=JSON)
def json_at_has_at_most(context: Any, path: str, count: int) -> None:
    """Check that the array at a JSONPath has this many items or fewer.

    Example: Then the JSON at "$.items" has at most 10 items
    """
    response_json(context).assert_at_length(jsonpath_text(context, path), count, "at most")


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


@library_step("the JSON at {path:JSONPath} exists", section=JSON)
def json_at_exists(context: Any, path: str) -> None:
    """Check that a JSONPath selects a value (null counts as a value).

    Example: Then the JSON at "$.id" exists
    """
    response_json(context).assert_at_exists(jsonpath_text(context, path))


@library_step("the JSON at {path:JSONPath} does not exist", section=JSON)
def json_at_does_not_exist(context: Any, path: str) -> None:
    """Check that a JSONPath selects nothing at all.

    Example: Then the JSON at "$.password" does not exist
    """
    response_json(context).assert_at_missing(jsonpath_text(context, path))


@library_step("the JSON at {path:JSONPath} matches {pattern:Quoted}", section=JSON)
def json_at_matches(context: Any, path: str, pattern: str) -> None:
    """Check a string at a JSONPath against a regular expression (anchor it with ^ and $).

    With a wildcard or filter path, every selected value must be a matching string.

    Example: Then the JSON at "$.name" matches "^a.+"
    """
    regex = step_pattern(context, pattern)
    timeout = get_world(context).config.timeout
    response_json(context).assert_at_matches(jsonpath_text(context, path), regex, timeout=timeout)


@library_step("the JSON at {path:JSONPath} is {kind:JSONType}", section=JSON)
def json_at_is_a(context: Any, path: str, kind: str) -> None:
    """Check the JSON type at a JSONPath: string, number, integer, boolean, array, object, null.

    Example: Then the JSON at "$.price" is a number
    """
    response_json(context).assert_at_type(jsonpath_text(context, path), kind)


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
