"""The field types used in asgibdd's step phrases.

They are handed to asgibdd's own matchers only (see `registry.py`); behave's global
`register_type` is never called, so a project's own `{name:Type}` fields keep their meaning.

| field           | matches                                   | value given to the step     |
|-----------------|-------------------------------------------|-----------------------------|
| `{x:Method}`    | GET HEAD OPTIONS DELETE POST PUT PATCH    | the verb, as written        |
| `{x:Path}`      | `/items?q=1`, `/items/{{id}}`, `{{url}}`  | the text, not yet resolved  |
| `{x:Quoted}`    | `"text"` with `\\"` and `\\\\` escapes    | the text between the quotes |
| `{x:Literal}`   | the rest of the line, e.g. `3`, `"a"`     | the raw text (parse later)  |
| `{x:Count}`     | a bare whole number, e.g. `3`             | an `int`                    |
| `{x:Seconds}`   | a bare number, e.g. `0.2`                 | a `float`                   |
| `{x:Duration}`  | `2 seconds`, `500 ms`, `5 minutes`, `1 day` | seconds, a `float` above 0 |
| `{x:Events}`    | `1 event`, `3 events`                     | the number, an `int`        |
| `{x:Rows}`      | `1 row`, `3 rows`, `{{n}} rows`           | an `int`, or the `{{n}}`    |
| `{x:Items}`     | `1 item`, `3 items`, `{{n}} items`        | an `int`, or the `{{n}}`    |
| `{x:JSONPath}`  | `"$.a[?(@.b == "x")]"`: quotes inside too | the text between the quotes |
| `{x:Number}`    | a bare JSON number, e.g. `3`, `-2.5`, or  | an `int` or `float`, or the |
|                 | a variable `{{limit}}`                    | `{{limit}}` text            |
| `{x:JSONType}`  | `a string`, `an integer`, `a null`, ...   | the type word, `integer`    |
| `{x:Expected}`  | like `Literal`, but none of the phrases   | the raw text (parse later)  |
|                 | that follow `is` (`a number`, `empty`,    |                             |
|                 | `not ...`, `one of ...`, `sorted`, ...)   |                             |
| `{x:VariableValue}` | like `Literal`, not ending ` for the run` | the raw text          |
| `{x:Status}`    | like `Literal`, not `one of`, `not ...`   | the raw text (parse later)  |
| `{x:Check}`     | like `Literal`, not ending `within 2 s`   | the raw text (a step)       |
| `{x:Words}`     | a few words, e.g. `tasks`, `open tasks`   | the text                    |
| `{x:Order}`     | `ascending` or `descending`               | the word                    |
| `{x:DayOffset}` | `today`, `3 days from today`, `1 day ago` | days from today, an `int`   |
| `{x:TimeOrder}` | `after` or `before`                       | the word                    |
| `{x:EventPart}` | `data`, `id` or `type`                    | the word                    |
| `{x:EventClauses}` | nothing, or ` with data "x"`, ` with data containing "x"`, ` with id "1"`, |
|                 | ` within 2 seconds`, in any order         | a dict by clause            |
| `{x:CookieFlag}`| `HttpOnly`, `Secure`, `Partitioned`       | the word, as written        |
| `{x:CookieAttribute}` | `SameSite`, `Max-Age`, `Path`, `Domain`, `Expires` | the word    |
| `{x:URL}`       | `https://pay.example.com`, `{{pay_url}}`  | the text, not yet resolved  |
| `{x:Requests}`  | `1 request`, `3 requests`                 | the number, an `int`        |
| `{x:TimeUnit}`  | `seconds`, `minute`, `hours`, `days`      | seconds in one, an `int`    |
| `{x:Instant}`   | `2026-03-01T09:00:00Z`, `{{start}}`       | the text, not yet parsed    |

A field converter that rejects its text raises `UsageError` with the rest of a sentence
that starts "The step "<text>" ..."; the registry adds that start when the step runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from asgibdd.errors import UsageError
from asgibdd.matching.markers import TYPE_NAMES

__all__ = ["HTTP_METHODS", "STEP_TYPES", "parse_duration", "unquote"]

HTTP_METHODS = ("GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH")

_QUOTED = r'"(?:[^"\\]|\\.)*"'
# Only the two escapes a quoted field needs; any other backslash is kept, so a regex like
# "^\d+$" reaches the step as written.
_ESCAPE = re.compile(r'\\(["\\])')
_DURATION = re.compile(
    r"(?P<amount>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>seconds?|s|milliseconds?|ms|minutes?|min|hours?|h|days?|d)"
)
# Seconds per duration unit, by the unit's first letters.
_UNIT_SECONDS = {"ms": 0.001, "mi": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_TYPE_WORDS = "|".join(TYPE_NAMES)


_Converter = TypeVar("_Converter", bound=Callable[[str], Any])


def _with_pattern(pattern: str) -> Callable[[_Converter], _Converter]:
    """Like `parse.with_pattern`, but typed: attach the regex `parse` uses for the field."""

    def attach(converter: _Converter) -> _Converter:
        setattr(converter, "pattern", pattern)  # noqa: B010 - the attribute parse reads
        return converter

    return attach


def unquote(text: str) -> str:
    """The content of a double-quoted phrase field: `"a \\"b\\""` → `a "b"`.

    Only `\\"` and `\\\\` are escapes; `"^\\d+$"` gives `^\\d+$`.
    """
    return _ESCAPE.sub(r"\1", text[1:-1])


@_with_pattern("|".join(HTTP_METHODS))
def _method(text: str) -> str:
    return text


# A path is unquoted and has no spaces; it starts with "/" or is a whole variable (a
# stored Location header, say) or an absolute URL of the test server.
@_with_pattern(r"(?:/|\{\{|https?://)\S*")
def _path(text: str) -> str:
    return text


@_with_pattern(_QUOTED)
def _quoted(text: str) -> str:
    return unquote(text)


# A JSON literal never ends with ":", which ends every phrase with a doc string below it
# (`contains:`, `contains only:`): the two never match the same text.
@_with_pattern(r".*[^:]")
def _literal(text: str) -> str:
    return text


@_with_pattern(r"\d+")
def _count(text: str) -> int:
    return int(text)


@_with_pattern(r"\d+(?:\.\d+)?")
def _seconds(text: str) -> float:
    return float(text)


def parse_duration(text: str) -> float:
    """Seconds from `0.2 seconds`, `500 ms`, `5 minutes`, `2 hours`, `1 day`; `UsageError`
    for anything else."""
    found = _DURATION.fullmatch(text.strip())
    if found is None or float(found["amount"]) <= 0:
        raise UsageError(
            f'has the duration "{text}", which is not a time above zero. Write it like '
            '"2 seconds", "500 ms", "5 minutes", "2 hours" or "1 day".'
        )
    unit = found["unit"]
    prefix = next(p for p in ("min", "ms", "mi", "s", "h", "d") if unit.startswith(p))
    return float(found["amount"]) * _UNIT_SECONDS[prefix]


# Loose on purpose (a number and a word): "2 minutes" reaches the converter and gets a clear
# error instead of leaving the step undefined.
@_with_pattern(r"\S+(?: \S+)?")
def _duration(text: str) -> float:
    return parse_duration(text)


@_with_pattern(r"\d+ events?")
def _events(text: str) -> int:
    return int(text.split(" ", 1)[0])


_VARIABLE = r"\{\{[^{}]+\}\}"


def _counted(text: str) -> int | str:
    count = text.rsplit(" ", 1)[0]
    return int(count) if count.isdigit() else count


@_with_pattern(rf"(?:\d+|{_VARIABLE}) items?")
def _items(text: str) -> int | str:
    return _counted(text)


@_with_pattern(rf"(?:\d+|{_VARIABLE}) rows?")
def _rows(text: str) -> int | str:
    return _counted(text)


# Inner double quotes are allowed (a filter like [?(@.a == "x")]): the field ends at the
# last quote that lets the rest of the phrase match, so the path is never cut short.
@_with_pattern(r'".+?"')
def _jsonpath(text: str) -> str:
    return text[1:-1].replace('\\"', '"')


@_with_pattern(rf"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|{_VARIABLE}")
def _number(text: str) -> int | float | str:
    # "3" stays the integer 3, "2.5" and "1e3" are floats, as JSON reads them; a
    # {{variable}} is read when the step runs.
    if text.startswith("{{"):
        return text
    return int(text) if text.lstrip("-").isdigit() else float(text)


@_with_pattern(r"[A-Za-z][\w -]*?")
def _words(text: str) -> str:
    return text


# `is a number` and `is "a number"` must reach different steps: a JSON type is an article and
# a type word; an expected value is any text except exactly that.
@_with_pattern(rf"an? (?:{_TYPE_WORDS})")
def _json_type(text: str) -> str:
    return text.split(" ", 1)[1]


# Words that start another phrase after `is`: `is empty`, `is not 3`, `is one of [...]`.
# Each of them either is a phrase of its own or gets advice naming one (`approximately`).
_AFTER_IS = (
    rf"an? (?:{_TYPE_WORDS})$|empty$|not |one of |greater than |less than |sorted\b"
    r"|ordered |in \w+ order$"
    r"|within |(?:after|before) the JSON at |the JSON at |today$|\d+ days? (?:from today|ago)$"
    r"|(?:(?:approximately|about|around|roughly|nearly|close to) )?-?[\d.]+"
    r" (?:±|\+/-|\+-|within|plus or minus|give or take) "
)


@_with_pattern(rf"(?!{_AFTER_IS}).*[^:]")
def _expected(text: str) -> str:
    return text


# A variable's value, but not the ` for the run` that may follow it (another phrase).
@_with_pattern(r"(?!.* for the run$).*[^:]")
def _variable_value(text: str) -> str:
    return text


@_with_pattern(r"(?!one of |not ).*[^:]")
def _status(text: str) -> str:
    return text


# A check that does not end with its own bound (` within 10 seconds` is another phrase).
@_with_pattern(r"(?!.* within \S+ \S+$).*[^:]")
def _check(text: str) -> str:
    return text


@_with_pattern(r"ascending|descending")
def _order(text: str) -> str:
    return text.casefold()


@_with_pattern(r"today|\d+ days? (?:from today|ago)")
def _day_offset(text: str) -> int:
    if text.casefold() == "today":
        return 0
    days = int(text.split(" ", 1)[0])
    return -days if text.casefold().endswith("ago") else days


@_with_pattern(r"after|before")
def _time_order(text: str) -> str:
    return text.casefold()


@_with_pattern(r"HttpOnly|Secure|Partitioned")
def _cookie_flag(text: str) -> str:
    return text


@_with_pattern(r"SameSite|Max-Age|Path|Domain|Expires")
def _cookie_attribute(text: str) -> str:
    return text


@_with_pattern(r"data|id|type")
def _event_part(text: str) -> str:
    return text


_EVENT_CLAUSE = re.compile(
    rf" with (?P<clause>data containing|data|id) (?P<text>{_QUOTED})| within (?P<duration>\S+ \S+)"
)


@_with_pattern(rf"(?: with (?:data containing|data|id) {_QUOTED}| within \S+ \S+)*")
def _event_clauses(text: str) -> dict[str, Any]:
    clauses: dict[str, Any] = {}
    for found in _EVENT_CLAUSE.finditer(text):
        key = "within" if found["duration"] else found["clause"].replace(" ", "_")
        if key in clauses:
            raise UsageError(f'says "{key.replace("_", " ")}" twice; say it once.')
        value = found["duration"] or found["text"]
        clauses[key] = parse_duration(value) if found["duration"] else unquote(value)
    return clauses


@_with_pattern(r"(?:https?://|\{\{)\S+")
def _url(text: str) -> str:
    return text


@_with_pattern(r"\d+ requests?")
def _requests(text: str) -> int:
    return int(text.split(" ", 1)[0])


_TIME_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@_with_pattern(r"(?:second|minute|hour|day)s?")
def _time_unit(text: str) -> int:
    return _TIME_UNITS[text.lower().removesuffix("s")]


# An ISO 8601 date and time (checked by the step, which names the step in its error) or a
# whole variable.
@_with_pattern(r"\d{4}-\d\d-\d\d[T ]\S+|\{\{\S+\}\}")
def _instant(text: str) -> str:
    return text


STEP_TYPES: dict[str, Callable[[str], Any]] = {
    "Method": _method,
    "Path": _path,
    "Quoted": _quoted,
    "Literal": _literal,
    "Count": _count,
    "Seconds": _seconds,
    "Duration": _duration,
    "Events": _events,
    "Items": _items,
    "Rows": _rows,
    "JSONPath": _jsonpath,
    "Number": _number,
    "Words": _words,
    "Status": _status,
    "Check": _check,
    "JSONType": _json_type,
    "Expected": _expected,
    "VariableValue": _variable_value,
    "Order": _order,
    "DayOffset": _day_offset,
    "TimeOrder": _time_order,
    "EventPart": _event_part,
    "EventClauses": _event_clauses,
    "CookieFlag": _cookie_flag,
    "CookieAttribute": _cookie_attribute,
    "URL": _url,
    "Requests": _requests,
    "TimeUnit": _time_unit,
    "Instant": _instant,
}
