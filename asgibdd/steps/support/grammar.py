"""One set of comparisons for every JSON subject: `<subject> <comparison>`.

A websocket message and a server-sent event are checked with the same words as a
response (`the JSON at "<path>" ...`): `is`, `is not`, `contains`, `does not contain`,
`matches`, `is a <type>`, `has <n> items`, `is <n> ± <tolerance>`, `is greater than`,
`is less than`, `is one of`, `is sorted`, `is within the last`, `exists`, `does not exist`.
`COMPARISONS` lists them once; `declare_json_checks` declares every comparison for one
subject (`the message JSON at`, `the event JSON at`), each a library step with its own
catalogue entry and example, all checking through `JSONSubject`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgibdd.environment import get_world
from asgibdd.generated import utc_now
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.support.inputs import (
    count_value,
    expected_literal,
    jsonpath_text,
    number_value,
    step_pattern,
)
from asgibdd.steps.support.subject import JSONSubject

__all__ = ["COMPARISONS", "EXAMPLE_DOCUMENT", "Comparison", "declare_json_checks"]

# check(subject, context, path, fields)
Check = Callable[[JSONSubject, Any, str, dict[str, Any]], None]

EXAMPLE_DOCUMENT = (
    '{"type": "joined", "count": 2, "price": 3.3, "tags": ["a", "b"], "ids": [1, 2, 3], '
    '"sent_at": "{{$now}}"}'
)
"""The JSON the generated examples check (sent as a message, or an event's data), with
`{{$now}}` standing for the time it is sent."""


@dataclass(frozen=True)
class Comparison:
    """One comparison: the words after the subject, what it checks, and an example tail
    (`"$.count" is 2`) that holds for `EXAMPLE_DOCUMENT`."""

    phrase: str
    description: str
    example: str
    check: Check


def _one_of(subject: JSONSubject, context: Any, path: str, fields: dict[str, Any]) -> None:
    choices = expected_literal(context, fields["options"])
    if not isinstance(choices, list) or not choices:
        raise step_usage_error(
            "expects the allowed values as a JSON array, e.g. "
            f'["open", "done"], got: {fields["options"]}'
        )
    subject.assert_at_one_of(path, choices)


def _matches(subject: JSONSubject, context: Any, path: str, fields: dict[str, Any]) -> None:
    timeout = get_world(context).config.timeout
    subject.assert_at_matches(path, step_pattern(context, fields["pattern"]), timeout=timeout)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "is {expected:Expected}",
        "equals a JSON literal: deep equality, key order ignored, markers such as "
        '`"#uuid"` honoured; a wildcard or filter path gives the list of what it selects',
        '"$.type" is "joined"',
        lambda s, c, p, f: s.assert_at_is(p, expected_literal(c, f["expected"])),
    ),
    Comparison(
        "is not {expected:Literal}",
        "is anything but this JSON literal",
        '"$.count" is not 0',
        lambda s, c, p, f: s.assert_at_is_not(p, expected_literal(c, f["expected"])),
    ),
    Comparison(
        "contains {expected:Literal}",
        "contains a JSON literal: a string a substring, an array a matching item (in "
        "any order), an object the expected keys",
        '"$.type" contains "join"',
        lambda s, c, p, f: s.assert_at_contains(p, expected_literal(c, f["expected"])),
    ),
    Comparison(
        "does not contain {expected:Literal}",
        "does not contain a text, an item or keys",
        '"$.tags" does not contain "z"',
        lambda s, c, p, f: s.assert_at_lacks(p, expected_literal(c, f["expected"])),
    ),
    Comparison(
        "matches {pattern:Quoted}",
        "is a string a regular expression matches (found anywhere: anchor it with ^ "
        "and $); with a wildcard, every selected value must match",
        '"$.type" matches "^jo"',
        _matches,
    ),
    Comparison(
        "is {kind:JSONType}",
        "is of a JSON type (string, number, integer, boolean, array, object, null)",
        '"$.tags" is an array',
        lambda s, c, p, f: s.assert_at_type(p, f["kind"]),
    ),
    Comparison(
        "has {count:Items}",
        "has this many items (an array's length, or how many values a wildcard "
        "selects); the count may be a `{{variable}}`",
        '"$.tags" has 2 items',
        lambda s, c, p, f: s.assert_at_length(p, count_value(c, f["count"])),
    ),
    Comparison(
        "is {number:Number} ± {tolerance:Number}",
        "is a number within a tolerance of another, bounds included",
        '"$.price" is 3 ± 0.5',
        lambda s, c, p, f: s.assert_at_close(
            p, number_value(c, f["number"]), number_value(c, f["tolerance"])
        ),
    ),
    Comparison(
        "is greater than {number:Number}",
        "is a number above another (or a `{{variable}}`)",
        '"$.count" is greater than 1',
        lambda s, c, p, f: s.assert_at_compared(p, "greater than", number_value(c, f["number"])),
    ),
    Comparison(
        "is less than {number:Number}",
        "is a number below another (or a `{{variable}}`)",
        '"$.count" is less than 10',
        lambda s, c, p, f: s.assert_at_compared(p, "less than", number_value(c, f["number"])),
    ),
    Comparison(
        "is one of {options:Literal}",
        "equals one of the values of a JSON array",
        '"$.type" is one of ["joined", "left"]',
        _one_of,
    ),
    Comparison(
        "is sorted",
        "is an array in ascending order",
        '"$.ids" is sorted',
        lambda s, c, p, f: s.assert_at_sorted(p, None, descending=False),
    ),
    Comparison(
        "is within the last {duration:Duration}",
        "is an ISO 8601 date-time at most this long ago and not later than now (no "
        "offset means UTC)",
        '"$.sent_at" is within the last 5 minutes',
        lambda s, c, p, f: s.assert_at_recent(p, f["duration"], utc_now()),
    ),
    Comparison(
        "exists",
        "is there (null counts as a value)",
        '"$.count" exists',
        lambda s, c, p, f: s.assert_at_exists(p),
    ),
    Comparison(
        "does not exist",
        "is not there at all",
        '"$.error" does not exist',
        lambda s, c, p, f: s.assert_at_missing(p),
    ),
)


def declare_json_checks(
    subject: str,
    section: str,
    what: str,
    get: Callable[[Any, str], JSONSubject],
    skip: tuple[str, ...] = (),
) -> None:
    """Declare `<subject> "<path>" <comparison>` for every comparison (but `skip`).

    `subject` is the phrase's start (`the event JSON at`), `what` names the document in
    descriptions ("the last event's data"), `get(context, path)` gives the subject.
    """
    for comparison in COMPARISONS:
        if comparison.phrase in skip:
            continue
        _declare(subject, section, what, get, comparison)


def _declare(
    subject: str,
    section: str,
    what: str,
    get: Callable[[Any, str], JSONSubject],
    comparison: Comparison,
) -> None:
    def check(context: Any, path: str, **fields: Any) -> None:
        where = jsonpath_text(context, path)
        comparison.check(get(context, where), context, where, fields)

    words = comparison.phrase.split(" {")[0].replace(" ", "_")
    check.__name__ = check.__qualname__ = f"{subject.replace(' ', '_')}_{words}"
    check.__doc__ = (
        f"Check that the value at a JSONPath in {what} {comparison.description}.\n\n"
        f"Example: Then {subject} {comparison.example}"
    )
    library_step(f"{subject} {{path:JSONPath}} {comparison.phrase}", section=section)(check)
