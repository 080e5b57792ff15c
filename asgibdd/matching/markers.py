"""The kinds of JSON value a feature file can name: type words and fuzzy markers.

Type words (`is a number`) and fuzzy markers (`"#number"` inside expected JSON) share
one vocabulary. Each marker is defined once, in `MARKER_KINDS`: its name, the check it
makes, how a failure describes what it wanted, and whether an absent key satisfies it.

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

Any marker but `#regex` takes a `?` to make the value optional: `"#string?"` is a string,
null, or no key at all (Karate writes this `##string`; asgibdd keeps `##` for a literal `#`).

A literal string starting with `#` is written with two: `"##hashtag"` expects `"#hashtag"`.
A `#word` that is no marker (`#strng`, `#notpresnt`, `#hashtag`) is a `UsageError` that
lists the markers, so a misspelt marker never silently turns into a literal comparison.
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
from asgibdd.matching.literal import MISSING
from asgibdd.matching.patterns import Pattern, PatternError, compile_pattern

__all__ = [
    "MARKERS",
    "MARKER_KINDS",
    "TYPE_NAMES",
    "Marker",
    "MarkerKind",
    "check_type",
    "is_number",
    "parse_marker",
    "type_name",
]

TYPE_NAMES = ("string", "number", "integer", "boolean", "array", "object", "null")
"""The type names accepted by `check_type` (the phrase `is a number`)."""


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


def is_number(value: Any) -> bool:
    """A JSON number: an int or float, never a boolean."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return is_number(value) and (isinstance(value, int) or float(value).is_integer())


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"(?:[Zz]|[+-](\d{2}):?(\d{2})?)?"
)
_MARKER_WORD = re.compile(r"#([A-Za-z]+)(.*)", re.DOTALL)


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


@dataclass(frozen=True)
class MarkerKind:
    """One fuzzy marker, defined once.

    - `name`: the word after `#`.
    - `check`: whether a present value satisfies it (absent values: `accepts_missing`).
    - `wants`: how a failure names what it wanted, e.g. "a UUID".
    - `accepts_missing`: whether an absent key satisfies it.
    - `is_type`: whether the name is also a type word (`is a number`).
    """

    name: str
    check: Callable[[Any], bool]
    wants: str
    accepts_missing: bool = False
    is_type: bool = False


MARKER_KINDS: dict[str, MarkerKind] = {
    kind.name: kind
    for kind in (
        MarkerKind("string", lambda v: isinstance(v, str), "a string", is_type=True),
        MarkerKind("number", is_number, "a number", is_type=True),
        MarkerKind("integer", _is_integer, "an integer", is_type=True),
        MarkerKind("boolean", lambda v: isinstance(v, bool), "a boolean", is_type=True),
        MarkerKind("array", lambda v: isinstance(v, (list, tuple)), "an array", is_type=True),
        MarkerKind("object", lambda v: isinstance(v, dict), "an object", is_type=True),
        MarkerKind("null", lambda v: v is None, "null", is_type=True),
        MarkerKind("notnull", lambda v: v is not None, "a value that is not null"),
        MarkerKind("present", lambda v: True, "a value"),
        MarkerKind("notpresent", lambda v: False, "no value here", accepts_missing=True),
        MarkerKind("ignore", lambda v: True, "anything", accepts_missing=True),
        MarkerKind("uuid", lambda v: isinstance(v, str) and bool(_UUID.fullmatch(v)), "a UUID"),
        MarkerKind("datetime", _is_datetime, "an ISO 8601 date-time"),
        # The pattern is per use, so the check lives on `Marker.problem`.
        MarkerKind("regex", lambda v: isinstance(v, str), "a string"),
    )
}

MARKERS = tuple(f"#{name}" for name in MARKER_KINDS)
"""Every fuzzy marker as written; `#regex` takes a pattern after a space."""

assert tuple(kind.name for kind in MARKER_KINDS.values() if kind.is_type) == TYPE_NAMES


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
    return MARKER_KINDS[name].check(value)


@dataclass(frozen=True)
class Marker:
    """A parsed fuzzy marker: its `text` as written, its kind and, for `#regex`, `pattern`."""

    text: str
    kind: MarkerKind
    pattern: Pattern | None = None
    optional: bool = False

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def accepts_missing(self) -> bool:
        """True for the markers that are satisfied by an absent key."""
        return self.optional or self.kind.accepts_missing

    def problem(self, actual: Any, show: Callable[[Any], str]) -> str | None:
        """Why `actual` (or `MISSING`) does not satisfy the marker; None if it does.

        `show` renders a value with its JSON kind, e.g. `3 (number)`.
        """
        if self.optional and (actual is MISSING or actual is None):
            return None
        if actual is MISSING:
            if self.kind.accepts_missing:
                return None
            return f"expected {self.kind.wants} ({self.text}), got nothing"
        if self.name == "notpresent":
            return f"expected no value here (#notpresent), got {show(actual)}"
        if self.pattern is not None:
            if isinstance(actual, str) and self.pattern.fullmatch(actual):
                return None
            return f"expected a string matching the regex {self.pattern.text}, got {show(actual)}"
        if self.kind.check(actual):
            return None
        return f"expected {self.kind.wants} ({self.text}), got {show(actual)}"


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
    if name in MARKER_KINDS:
        if rest == "?":
            return Marker(text, MARKER_KINDS[name], optional=True)
        if rest:
            raise UsageError(
                f'The marker "#{name}" takes nothing after it, got "{text}". '
                f'To expect this exact text, write "#{text}".'
            )
        return Marker(text, MARKER_KINDS[name])
    typo_of = close_matches(f"#{name}", MARKERS, cutoff=0.75)
    suggestion = " or ".join(f'"{marker}"' for marker in typo_of)
    guess = f" Did you mean {suggestion}?" if typo_of else ""
    raise UsageError(
        f'Unknown marker "{text}".{guess} To expect this exact text, write "#{text}". '
        f"Markers: {', '.join(MARKERS)}."
    )


def _regex_marker(text: str, rest: str) -> Marker:
    pattern_text = rest[1:] if rest.startswith(" ") else ""
    if not pattern_text:
        raise UsageError(
            f'The marker "{text}" needs a pattern after a space, e.g. "#regex [a-z]+". '
            f'To expect this exact text, write "#{text}".'
        )
    try:
        pattern = compile_pattern(pattern_text)
    except PatternError as error:
        raise UsageError(
            f'Invalid regular expression in "{text}": {error}. '
            'Write a Python regular expression, e.g. "#regex [a-z]+".'
        ) from None
    return Marker(text, MARKER_KINDS["regex"], pattern)
