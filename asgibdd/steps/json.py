"""JSON assertion steps: the whole response JSON, the JSON at a JSONPath, and JSON Schema.

The checks themselves live on `JSONSubject`, which knows nothing about HTTP: a websocket
or stream step builds one for a received message and gets the same matching rules and
the same failure messages as the response steps.

Path semantics follow `asgibdd.matching.jsonpath`: a definite path (`$.items[0].name`)
gives its single value, a wildcard or filter (`$.items[?(@.price > 3)].name`) gives the
list of everything it selected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgibdd.environment import get_world
from asgibdd.errors import ConfigError, ExpectationFailed, UsageError
from asgibdd.matching.compare import (
    check_type,
    compare_contains,
    compare_equal,
    contains_value,
    type_name,
)
from asgibdd.matching.jsonpath import Selection, compile_jsonpath, index_path, key_path
from asgibdd.matching.literal import loads_strict, parse_literal
from asgibdd.matching.render import format_value, render_mismatches
from asgibdd.steps.http import doc_string, find_feature_file
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.response import compile_regex, transcript
from asgibdd.steps.variables import last_exchange

__all__ = ["JSON", "JSONSubject", "expected_json", "expected_literal", "response_json"]

JSON = "JSON"


@dataclass(frozen=True)
class JSONSubject:
    """A JSON document under test, and what to show with every failure about it.

    - `document`: the parsed JSON.
    - `name`: how messages call it ("the response JSON", "the message JSON").
    - `describe`: returns the context printed under a failure (the HTTP transcript, the
      received message); called only when a check fails.
    """

    document: Any
    name: str
    describe: Callable[[], str]

    def fail(self, message: str) -> ExpectationFailed:
        """An `ExpectationFailed` with `message` and the subject's context below it."""
        return ExpectationFailed(f"{message}\n{self.describe()}")

    def assert_equal(self, expected: Any) -> None:
        """Deep equality, key order ignored, markers honoured; every mismatch is listed."""
        mismatches = compare_equal(expected, self.document)
        if mismatches:
            heading = f"{_capital(self.name)} is not as expected:"
            raise self.fail(render_mismatches(mismatches, heading=heading))

    def assert_contains(self, expected: Any) -> None:
        """Subset: every expected key and array item must be there and match."""
        mismatches = compare_contains(expected, self.document)
        if mismatches:
            heading = f"{_capital(self.name)} does not contain what was expected:"
            raise self.fail(render_mismatches(mismatches, heading=heading))

    def select(self, path: str, expectation: str) -> Selection:
        """Select `path`; a definite path that selects nothing fails, saying what is there.

        `expectation` completes "Expected the JSON at <path> ..." in that failure.
        """
        selection = compile_jsonpath(path).select(self.document)
        if selection.query.is_definite and not selection.found:
            raise self.fail(
                f'Expected the JSON at "{path}" {expectation}. {selection.explain_missing()}'
            )
        return selection

    def assert_at_is(self, path: str, expected: Any) -> None:
        """The value at `path` deeply equals `expected`."""
        selection = self.select(path, f"to be {format_value(expected)}")
        where = selection.matches[0][0] if selection.query.is_definite else path
        mismatches = compare_equal(expected, selection.value, path=where)
        if mismatches:
            heading = f'The JSON at "{path}" is not as expected:'
            message = render_mismatches(mismatches, heading=heading)
            raise self.fail(message + _selected(selection))

    def assert_at_contains(self, path: str, expected: Any) -> None:
        """The value at `path` contains `expected`: a substring, an item, or a subset."""
        shown = format_value(expected)
        selection = self.select(path, f"to contain {shown}")
        if not contains_value(selection.value, expected):
            raise self.fail(
                f'Expected the JSON at "{path}" to contain {shown}, '
                f"got {format_value(selection.value)}.{_selected(selection)}"
            )

    def assert_at_length(self, path: str, count: int) -> None:
        """The array (or object) at `path`, or the list a wildcard selects, has `count` items."""
        items = _items(count)
        selection = self.select(path, f"to have {items}")
        value = selection.value
        if not isinstance(value, (list, dict)):
            raise self.fail(
                f'Expected the JSON at "{path}" to be an array with {items}, got {_kind(value)}.'
            )
        if len(value) != count:
            raise self.fail(
                f'Expected the JSON at "{path}" to have {items}, got {len(value)}: '
                f"{format_value(value)}.{_selected(selection)}"
            )

    def assert_at_exists(self, path: str) -> None:
        """`path` selects at least one value (null counts as a value)."""
        selection = self.select(path, "to exist")
        if not selection.found:
            raise self.fail(
                f'Expected the JSON at "{path}" to exist, but the path selects nothing.'
            )

    def assert_at_missing(self, path: str) -> None:
        """`path` selects nothing at all."""
        selection = compile_jsonpath(path).select(self.document)
        if selection.found:
            found = "\n".join(
                f"  {where}: {format_value(value)}" for where, value in selection.matches
            )
            raise self.fail(f'Expected no value at "{path}", but the path selects:\n{found}')

    def assert_at_matches(self, path: str, pattern: re.Pattern[str]) -> None:
        """The string at `path` (each string a wildcard selects) contains a regex match."""
        wanted = f"to match the regex {pattern.pattern}"
        selection = self.select(path, wanted)
        if not selection.found:
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, but the path selects nothing.'
            )
        failing = [
            (where, value)
            for where, value in selection.matches
            if not (isinstance(value, str) and pattern.search(value))
        ]
        if failing:
            lines = "\n".join(f"  {where}: got {_kind(value)}" for where, value in failing)
            raise self.fail(f'Expected the JSON at "{path}" {wanted}:\n{lines}')

    def assert_at_type(self, path: str, kind: str) -> None:
        """The value at `path` is of JSON type `kind` (a wildcard's list is an array)."""
        wanted = f"to be {_article(kind)}"
        selection = self.select(path, wanted)
        value = selection.value
        if not check_type(value, kind):
            raise self.fail(f'Expected the JSON at "{path}" {wanted}, got {_kind(value)}.')


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _kind(value: Any) -> str:
    """A value with its JSON type, e.g. `"3" (string)`; null speaks for itself."""
    if value is None:
        return "null"
    return f"{format_value(value, limit=120)} ({type_name(value)})"


def _selected(selection: Selection) -> str:
    """For a wildcard or filter path, list what it selected; nothing for a definite path."""
    if selection.query.is_definite:
        return ""
    if not selection.matches:
        return "\nThe path selects nothing."
    lines = [f"  {where}: {format_value(value, limit=120)}" for where, value in selection.matches]
    return f"\nThe path selects {len(lines)}:\n" + "\n".join(lines[:20])


def response_json(context: Any) -> JSONSubject:
    """The last response's body as a `JSONSubject`; `UsageError` if it is not JSON."""
    _, response = last_exchange(context)
    text = response.text
    try:
        document = loads_strict(text)
    except ValueError as error:
        content_type = response.headers.get("content-type", "no Content-Type")
        got = "an empty body" if not text.strip() else f"a body that is not JSON ({error})"
        raise step_usage_error(
            f"needs a JSON response, but the app answered {response.status_code} with "
            f"{got}, {content_type}. Check the status first (Then the response status is "
            "200), or use the response body steps for text.\n" + transcript(context)
        ) from None
    return JSONSubject(document, "the response JSON", lambda: transcript(context))


def expected_literal(context: Any, text: str) -> Any:
    """Parse a one-line expected value: a JSON literal with `{{variables}}` typed inside."""
    variables = get_world(context).variables
    try:
        literal = parse_literal(text, what="the expected value")
    except UsageError:
        if "{{" not in text:
            raise
        # A bare {{name}} (or one inside an array) is the variable's JSON, as in doc strings.
        return variables.interpolate_json(text.strip(), what="the expected value")
    return variables.interpolate_value(literal)


def expected_json(context: Any) -> Any:
    """Parse the doc string under the step as expected JSON, `{{variables}}` typed inside."""
    return get_world(context).variables.interpolate_json(
        doc_string(context), what="the expected JSON doc string"
    )


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


@library_step("the JSON at {path:Quoted} is {expected:Expected}", section=JSON)
def json_at_is(context: Any, path: str, expected: str) -> None:
    """Check the value at a JSONPath against a JSON literal (deep equality, markers honoured).

    A wildcard or filter path gives the list of what it selects.

    Example: Then the JSON at "$.items[0].name" is "apple"
    """
    subject = response_json(context)
    subject.assert_at_is(_path(context, path), expected_literal(context, expected))


@library_step("the JSON at {path:Quoted} contains {expected:Literal}", section=JSON)
def json_at_contains(context: Any, path: str, expected: str) -> None:
    """Check that the value at a JSONPath contains a JSON literal.

    A string contains a substring; an array contains a matching item (any order); an
    object contains the expected keys.

    Example: Then the JSON at "$.items[*].name" contains "apple"
    """
    subject = response_json(context)
    subject.assert_at_contains(_path(context, path), expected_literal(context, expected))


@library_step("the JSON at {path:Quoted} has {count:Count} items", section=JSON)
def json_at_has_items(context: Any, path: str, count: int) -> None:
    """Check the length of the array at a JSONPath, or how many values a wildcard selects.

    Example: Then the JSON at "$.items" has 3 items
    """
    response_json(context).assert_at_length(_path(context, path), count)


@library_step("the JSON at {path:Quoted} exists", section=JSON)
def json_at_exists(context: Any, path: str) -> None:
    """Check that a JSONPath selects a value (null counts as a value).

    Example: Then the JSON at "$.id" exists
    """
    response_json(context).assert_at_exists(_path(context, path))


@library_step("the JSON at {path:Quoted} does not exist", section=JSON)
def json_at_does_not_exist(context: Any, path: str) -> None:
    """Check that a JSONPath selects nothing at all.

    Example: Then the JSON at "$.password" does not exist
    """
    response_json(context).assert_at_missing(_path(context, path))


@library_step("the JSON at {path:Quoted} matches {pattern:Quoted}", section=JSON)
def json_at_matches(context: Any, path: str, pattern: str) -> None:
    """Check a string at a JSONPath against a regular expression (anchor it with ^ and $).

    With a wildcard or filter path, every selected value must be a matching string.

    Example: Then the JSON at "$.name" matches "^a.+"
    """
    regex = compile_regex(get_world(context).variables.interpolate(pattern))
    response_json(context).assert_at_matches(_path(context, path), regex)


@library_step("the JSON at {path:Quoted} is {kind:JSONType}", section=JSON)
def json_at_is_a(context: Any, path: str, kind: str) -> None:
    """Check the JSON type at a JSONPath: string, number, integer, boolean, array, object, null.

    Example: Then the JSON at "$.price" is a number
    """
    response_json(context).assert_at_type(_path(context, path), kind)


def _path(context: Any, path: str) -> str:
    """The JSONPath with its `{{variables}}` filled in, checked for syntax before use."""
    interpolated = get_world(context).variables.interpolate(path)
    compile_jsonpath(interpolated)
    return interpolated


@library_step("the response JSON matches the schema {file:Quoted}", section=JSON)
def response_json_matches_schema(context: Any, file: str) -> None:
    """Validate the response JSON against a JSON Schema file (relative to the feature file).

    Needs the `jsonschema` extra. Every violation is listed with its path.

    Example: Then the response JSON matches the schema "schemas/item.json"
    """
    validator_for = _jsonschema_validator_for()
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
    validator_class = validator_for(schema)
    schema_problem = _schema_problem(validator_class, schema)
    if schema_problem:
        raise step_usage_error(
            f'names the schema "{relative}", which is not a valid JSON Schema: '
            f"{schema_problem}. Fix the file {location}."
        )
    subject = response_json(context)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(subject.document), key=_error_order)
    if errors:
        lines = [f"  {_error_path(error)}: {error.message}" for error in errors[:50]]
        more = [f"  ... and {len(errors) - 50} more"] if len(errors) > 50 else []
        count = [f"{len(errors)} violations."] if len(errors) > 1 else []
        heading = f'{_capital(subject.name)} does not match the schema "{relative}":'
        raise subject.fail("\n".join([heading, *lines, *more, *count]))


def _jsonschema_validator_for() -> Any:
    try:
        from jsonschema.validators import validator_for  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigError(
            "Checking JSON against a schema needs the jsonschema package, which is not "
            'installed. Install it with: pip install "asgibdd[jsonschema]"'
        ) from None
    return validator_for


def _schema_problem(validator_class: Any, schema: Any) -> str | None:
    from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped, unused-ignore]

    try:
        validator_class.check_schema(schema)
    except SchemaError as error:
        return f"{error.message} (at {_error_path(error, schema_path=True)})"
    return None


def _error_path(error: Any, *, schema_path: bool = False) -> str:
    path = "$"
    for part in error.schema_path if schema_path else error.absolute_path:
        path = index_path(path, part) if isinstance(part, int) else key_path(path, str(part))
    return path


def _error_order(error: Any) -> tuple[str, str]:
    return (json.dumps(list(error.absolute_path)), error.message)
