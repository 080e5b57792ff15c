"""Deep equality and subset comparison of JSON values, with fuzzy markers.

Both comparisons list **every** difference as a `Mismatch` addressed by a JSONPath-style
path, so a failure shows all that is wrong at once instead of the first problem only.

JSON semantics: key order never matters, `1 == 1.0`, but `true` is not `1`.

Fuzzy markers are strings in the *expected* value that stand for a kind of value:

=================  ==========================================================
`#string`          any string             `#number`   any number (integers too)
`#integer`         a whole number         `#boolean`  true or false
`#array`           any array              `#object`   any object
`#null`            null (the key must be there)
`#notnull`         present and not null   `#present`  present, any value, null too
`#notpresent`      the key must be absent `#ignore`   anything, or absent
`#uuid`            a UUID string          `#datetime` an ISO 8601 / RFC 3339 date-time
`#regex <pat>`     a string that the regular expression matches in full
=================  ==========================================================

A literal string starting with `#` is written with two: `"##hashtag"` expects `"#hashtag"`.
A `#word` that looks like a typo of a marker (`#strng`) is a `UsageError`, so a
misspelt marker never silently turns into a literal comparison.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgibdd._suggest import close_matches, did_you_mean
from asgibdd.errors import UsageError
from asgibdd.matching.jsonpath import index_path, key_path
from asgibdd.matching.literal import MISSING, Missing
from asgibdd.matching.render import format_value

__all__ = [
    "MARKERS",
    "MISSING",
    "TYPE_NAMES",
    "Marker",
    "Mismatch",
    "Missing",
    "check_type",
    "compare_contains",
    "compare_equal",
    "contains_value",
    "parse_marker",
    "type_name",
    "values_equal",
]

TYPE_NAMES = ("string", "number", "integer", "boolean", "array", "object", "null")
"""The type names accepted by `check_type` (the phrase `is a number`)."""

MARKERS = (
    "#string",
    "#number",
    "#integer",
    "#boolean",
    "#array",
    "#object",
    "#null",
    "#notnull",
    "#present",
    "#notpresent",
    "#ignore",
    "#uuid",
    "#datetime",
    "#regex",
)
"""Every fuzzy marker; `#regex` takes a pattern after a space."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"(?:[Zz]|[+-](\d{2}):?(\d{2})?)?"
)
_MARKER_WORD = re.compile(r"#([A-Za-z]+)(.*)", re.DOTALL)


@dataclass(frozen=True)
class Mismatch:
    """One difference between an expected and an actual JSON value.

    `path` is JSONPath-style (`$.items[0].price`, `$["a b"]`); `actual` (or `expected`,
    for an unexpected key or item) is `MISSING` when there is no value at all; `reason`
    is a complete phrase such as `expected 3, got 4`.
    """

    path: str
    expected: Any
    actual: Any
    reason: str


@dataclass(frozen=True)
class Marker:
    """A parsed fuzzy marker: its `text` as written, its `name` and, for `#regex`, `pattern`."""

    text: str
    name: str
    pattern: re.Pattern[str] | None = None

    @property
    def accepts_missing(self) -> bool:
        """True for the markers that are satisfied by an absent key."""
        return self.name in ("ignore", "notpresent")


@functools.lru_cache(maxsize=1024)
def parse_marker(text: str) -> Marker | str:
    """Return the `Marker` that `text` stands for, or the literal string it expects.

    `"##x"` expects the literal `"#x"`; a string not starting with `#` is itself. Raises
    `UsageError` for a misspelt marker, a marker with a stray argument, and `#regex`
    without a valid pattern.
    """
    if not text.startswith("#"):
        return text
    if text.startswith("##"):
        return text[1:]
    found = _MARKER_WORD.fullmatch(text)
    if found is None:
        return text
    name, rest = found[1], found[2]
    if name == "regex":
        return _regex_marker(text, rest)
    if f"#{name}" in MARKERS:
        if rest:
            raise UsageError(
                f'The marker "#{name}" takes nothing after it, got "{text}". '
                f'To expect this exact text, write "#{text}".'
            )
        return Marker(text, name)
    typo_of = close_matches(f"#{name}", MARKERS, cutoff=0.75)
    if typo_of:
        suggestion = " or ".join(f'"{marker}"' for marker in typo_of)
        raise UsageError(
            f'Unknown marker "{text}". Did you mean {suggestion}? '
            f'To expect this exact text, write "#{text}". Markers: {", ".join(MARKERS)}.'
        )
    return text


def _regex_marker(text: str, rest: str) -> Marker:
    pattern_text = rest[1:] if rest.startswith(" ") else ""
    if not pattern_text:
        raise UsageError(
            f'The marker "{text}" needs a pattern after a space, e.g. "#regex [a-z]+". '
            f'To expect this exact text, write "#{text}".'
        )
    try:
        pattern = re.compile(pattern_text)
    except re.error as error:
        raise UsageError(
            f'Invalid regular expression in "{text}": {error}. '
            'Write a Python regular expression, e.g. "#regex [a-z]+".'
        ) from None
    return Marker(text, "regex", pattern)


def type_name(value: Any) -> str:
    """Name the JSON type of `value`: string, number (a float), integer, boolean, array,
    object or null; `MISSING` is "missing". Anything else is a `UsageError`."""
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise UsageError(f"{value!r} is not a JSON value (it is a {type(value).__name__}).")


def check_type(value: Any, name: str) -> bool:
    """Tell whether `value` is of JSON type `name` (one of `TYPE_NAMES`).

    An integer is also a number, a whole float (2.0) is an integer as in JSON Schema, and
    `true` is never a number. An unknown `name` is a `UsageError` with suggestions.
    """
    if name not in TYPE_NAMES:
        raise UsageError(
            f'Unknown JSON type "{name}". Use one of: {", ".join(TYPE_NAMES)}.'
            + did_you_mean(name, TYPE_NAMES)
        )
    return _TYPE_CHECKS[name](value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or float(value).is_integer())


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda value: isinstance(value, bool),
    "array": lambda value: isinstance(value, (list, tuple)),
    "object": lambda value: isinstance(value, dict),
    "null": lambda value: value is None,
}


def compare_equal(expected: Any, actual: Any, *, path: str = "$") -> list[Mismatch]:
    """List every difference between `expected` and `actual` under deep equality.

    Objects must have the same keys (order ignored): missing and unexpected keys are both
    reported. Arrays are compared item by item, plus one line when the lengths differ.
    Fuzzy markers in `expected` are honoured at any depth. An empty list means equal.
    """
    mismatches: list[Mismatch] = []
    _compare(expected, actual, path, mismatches, subset=False)
    return mismatches


def compare_contains(expected: Any, actual: Any, *, path: str = "$") -> list[Mismatch]:
    """List every way in which `actual` fails to contain `expected` (subset semantics).

    Keys of an expected object must be present and match recursively; extra actual keys
    are fine. Each item of an expected array must match a different actual item, in any
    order. Scalars must be equal; fuzzy markers are honoured. An empty list means it holds.
    """
    mismatches: list[Mismatch] = []
    _compare(expected, actual, path, mismatches, subset=True)
    return mismatches


def values_equal(expected: Any, actual: Any) -> bool:
    """True when `actual` deeply equals `expected`, markers honoured."""
    return not compare_equal(expected, actual)


def contains_value(container: Any, expected: Any) -> bool:
    """True when `container` contains `expected` (the phrase "JSON at path contains X").

    A string contains a substring; an array contains an item that `expected` is a subset
    of (or, for an expected array, all its items in any order); an object contains an
    expected object as a subset.
    """
    if isinstance(container, str):
        return isinstance(expected, str) and expected in container
    if isinstance(container, list):
        if any(not compare_contains(expected, item) for item in container):
            return True
        return isinstance(expected, list) and not compare_contains(expected, container)
    if isinstance(container, dict):
        return isinstance(expected, dict) and not compare_contains(expected, container)
    return False


def _compare(expected: Any, actual: Any, path: str, out: list[Mismatch], *, subset: bool) -> None:
    if isinstance(expected, str):
        wanted = parse_marker(expected)
        if isinstance(wanted, Marker):
            reason = _marker_problem(wanted, actual)
            if reason:
                out.append(Mismatch(path, expected, actual, reason))
            return
        expected = wanted
    if actual is MISSING:
        out.append(Mismatch(path, expected, actual, f"expected {_show(expected)}, got nothing"))
    elif isinstance(expected, dict) and isinstance(actual, dict):
        _compare_objects(expected, actual, path, out, subset=subset)
    elif isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if subset:
            _compare_unordered(list(expected), list(actual), path, out)
        else:
            _compare_arrays(list(expected), list(actual), path, out)
    elif not _scalars_equal(expected, actual):
        out.append(Mismatch(path, expected, actual, _difference(expected, actual)))


def _compare_objects(
    expected: dict[str, Any],
    actual: dict[str, Any],
    path: str,
    out: list[Mismatch],
    *,
    subset: bool,
) -> None:
    for key, wanted in expected.items():
        child = key_path(path, key)
        if key in actual:
            _compare(wanted, actual[key], child, out, subset=subset)
            continue
        marker = parse_marker(wanted) if isinstance(wanted, str) else None
        if not (isinstance(marker, Marker) and marker.accepts_missing):
            reason = f'expected key "{key}" is missing'
            out.append(Mismatch(child, wanted, MISSING, reason))
    if not subset:
        for key, value in actual.items():
            if key not in expected:
                out.append(Mismatch(key_path(path, key), MISSING, value, f'unexpected key "{key}"'))


def _compare_arrays(expected: list[Any], actual: list[Any], path: str, out: list[Mismatch]) -> None:
    if len(expected) != len(actual):
        reason = f"expected {_items(len(expected))}, got {len(actual)}"
        out.append(Mismatch(path, expected, actual, reason))
    for index, wanted in enumerate(expected):
        child = index_path(path, index)
        if index < len(actual):
            _compare(wanted, actual[index], child, out, subset=False)
        else:
            out.append(Mismatch(child, wanted, MISSING, f"missing item, expected {_show(wanted)}"))
    for index in range(len(expected), len(actual)):
        extra = actual[index]
        out.append(
            Mismatch(index_path(path, index), MISSING, extra, f"unexpected item {_show(extra)}")
        )


def _compare_unordered(
    expected: list[Any], actual: list[Any], path: str, out: list[Mismatch]
) -> None:
    # Each expected item needs its own actual item: a maximum bipartite matching, so one
    # actual item can never satisfy two expected ones and the order never matters.
    fits = [[not compare_contains(wanted, item) for item in actual] for wanted in expected]
    owner: list[int | None] = [None] * len(actual)

    def assign(wanted_index: int, seen: set[int]) -> bool:
        for item_index, fit in enumerate(fits[wanted_index]):
            if fit and item_index not in seen:
                seen.add(item_index)
                current = owner[item_index]
                if current is None or assign(current, seen):
                    owner[item_index] = wanted_index
                    return True
        return False

    for wanted_index, wanted in enumerate(expected):
        if assign(wanted_index, set()):
            continue
        if not actual:
            reason = f"expected an item matching {_show(wanted)}, but the array is empty"
        elif any(fits[wanted_index]):
            reason = (
                f"expected another item matching {_show(wanted)}; "
                "each actual item can match only one expected item"
            )
        else:
            reason = (
                f"expected an item matching {_show(wanted)}, "
                f"none of the {_items(len(actual))} matches"
            )
        out.append(Mismatch(path, wanted, actual, reason))


def _marker_problem(marker: Marker, actual: Any) -> str | None:
    name = marker.name
    if name == "ignore":
        return None
    if name == "notpresent":
        return (
            None
            if actual is MISSING
            else f"expected no value here (#notpresent), got {_got(actual)}"
        )
    if actual is MISSING:
        return f"expected {_MARKER_WANTS.get(name, 'a value')} ({marker.text}), got nothing"
    if name == "present":
        return None
    if name == "regex":
        assert marker.pattern is not None
        if isinstance(actual, str) and marker.pattern.fullmatch(actual):
            return None
        return f"expected a string matching the regex {marker.pattern.pattern}, got {_got(actual)}"
    if _MARKER_CHECKS[name](actual):
        return None
    return f"expected {_MARKER_WANTS[name]} ({marker.text}), got {_got(actual)}"


def _is_datetime(value: Any) -> bool:
    found = isinstance(value, str) and _DATETIME.fullmatch(value)
    if not found:
        return False
    year, month, day, hour, minute = (int(found[i]) for i in range(1, 6))
    second = min(int(found[6] or 0), 59)  # RFC 3339 allows a leap second, 60
    offset_hours, offset_minutes = int(found[7] or 0), int(found[8] or 0)
    if offset_hours > 23 or offset_minutes > 59:
        return False
    try:
        _dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


_MARKER_CHECKS: dict[str, Callable[[Any], bool]] = {
    **_TYPE_CHECKS,
    "notnull": lambda value: value is not None,
    "uuid": lambda value: isinstance(value, str) and _UUID.fullmatch(value) is not None,
    "datetime": _is_datetime,
}

_MARKER_WANTS = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
    "notnull": "a value that is not null",
    "present": "a value",
    "uuid": "a UUID",
    "datetime": "an ISO 8601 date-time",
    "regex": "a string",
}


def _scalars_equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if _is_number(expected) and _is_number(actual):
        return bool(expected == actual)
    return type(expected) is type(actual) and bool(expected == actual)


def _difference(expected: Any, actual: Any) -> str:
    if _json_kind(expected) == _json_kind(actual):
        return f"expected {_show(expected)}, got {_show(actual)}"
    return f"expected {_got(expected)}, got {_got(actual)}"


def _json_kind(value: Any) -> str:
    try:
        kind = type_name(value)
    except UsageError:
        return type(value).__name__
    return "number" if kind == "integer" else kind


def _got(value: Any) -> str:
    """A value with its JSON kind, e.g. `3 (number)`; null speaks for itself."""
    if value is None:
        return "null"
    return f"{_show(value)} ({_json_kind(value)})"


def _show(value: Any) -> str:
    return format_value(value, limit=120)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"
