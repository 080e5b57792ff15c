"""`JSONSubject`: one set of JSON checks for responses, websocket messages and events.

A subject is a parsed JSON document, the name failures call it by, and a function giving
the context printed under a failure (the HTTP transcript, the messages received so far).
Every JSON step, whatever carried the JSON, checks through a subject, so the matching
rules and the failure messages are the same everywhere.

Path semantics follow `asgibdd.matching.jsonpath`: a definite path (`$.items[0].name`)
gives its single value, a wildcard or filter (`$.items[?(@.price > 3)].name`) gives the
list of everything it selected.
"""

from __future__ import annotations

import datetime as _dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from asgibdd.errors import ExpectationFailed
from asgibdd.matching.compare import (
    compare_contains,
    compare_equal,
    compare_same_items,
    contains_value,
    nearest_item,
    render_mismatches,
    values_equal,
)
from asgibdd.matching.format import format_value
from asgibdd.matching.jsonpath import Selection, compile_jsonpath
from asgibdd.matching.literal import MISSING, json_bytes_text, loads_strict
from asgibdd.matching.markers import check_type, is_number, type_name
from asgibdd.matching.patterns import Pattern
from asgibdd.steps.registry import step_usage_error
from asgibdd.steps.support.exchange import last_exchange, transcript

__all__ = [
    "JSONSubject",
    "capital",
    "describe_kind",
    "parse_json_text",
    "parse_moment",
    "response_json",
]


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
            heading = f"{capital(self.name)} is not as expected:"
            raise self.fail(render_mismatches(mismatches, heading=heading))

    def assert_contains(self, expected: Any) -> None:
        """Subset: every expected key and array item must be there and match."""
        mismatches = compare_contains(expected, self.document)
        if mismatches:
            heading = f"{capital(self.name)} does not contain what was expected:"
            raise self.fail(render_mismatches(mismatches, heading=heading))

    def select(self, path: str, expectation: str | Callable[[], str]) -> Selection:
        """Select `path`; a definite path that selects nothing fails, saying what is there.

        `expectation` completes "Expected the JSON at <path> ..." in that failure (a
        function giving it, when it costs something to say).
        """
        selection = compile_jsonpath(path).select(self.document)
        if selection.query.is_definite and not selection.found:
            said = expectation if isinstance(expectation, str) else expectation()
            raise self.fail(f'Expected the JSON at "{path}" {said}. {selection.explain_missing()}')
        return selection

    def assert_at_is(self, path: str, expected: Any) -> None:
        """The value at `path` deeply equals `expected`."""
        selection = self.select(path, lambda: f"to be {format_value(expected)}")
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
            where = selection.matches[0][0] if selection.query.is_definite else path
            raise self.fail(
                f'Expected the JSON at "{path}" to contain {shown}, '
                f"got {format_value(selection.value)}.{_nearest(expected, selection.value, where)}"
                f"{_selected(selection)}"
            )

    def assert_at_lacks(self, path: str, unwanted: Any) -> None:
        """The value at `path` does not contain `unwanted` (no such substring, item or keys)."""
        shown = format_value(unwanted)
        selection = self.select(path, f"not to contain {shown}")
        if contains_value(selection.value, unwanted):
            raise self.fail(
                f'Expected the JSON at "{path}" not to contain {shown}, got '
                f"{format_value(selection.value)}.{_selected(selection)}"
            )

    def assert_at_length(self, path: str, count: int, bound: str = "exactly") -> None:
        """The array (or object) at `path`, or the list a wildcard selects, has `count`
        items: `exactly`, `at least` or `at most`."""
        items = _items(count)
        wanted = items if bound == "exactly" else f"{bound} {items}"
        selection = self.select(path, f"to have {wanted}")
        value = selection.value
        if not isinstance(value, (list, dict)):
            raise self.fail(
                f'Expected the JSON at "{path}" to be an array with {wanted}, '
                f"got {describe_kind(value)}."
            )
        holds = {
            "exactly": len(value) == count,
            "at least": len(value) >= count,
            "at most": len(value) <= count,
        }[bound]
        if not holds:
            raise self.fail(
                f'Expected the JSON at "{path}" to have {wanted}, got {len(value)}: '
                f"{format_value(value)}.{_selected(selection)}"
            )

    def assert_at_empty(self, path: str) -> None:
        """The value at `path` is an empty array, object or string."""
        selection = self.select(path, "to be empty")
        value = selection.value
        if value not in ([], {}, "") or isinstance(value, bool):
            raise self.fail(
                f'Expected the JSON at "{path}" to be empty ([], {{}} or ""), got '
                f"{describe_kind(value)}.{_selected(selection)}"
            )

    def assert_at_is_not(self, path: str, unwanted: Any) -> None:
        """The value at `path` does not equal `unwanted` (markers honoured)."""
        shown = format_value(unwanted)
        selection = self.select(path, f"not to be {shown}")
        if values_equal(unwanted, selection.value):
            raise self.fail(
                f'Expected the JSON at "{path}" not to be {shown}, but it is.{_selected(selection)}'
            )

    def assert_at_compared(self, path: str, relation: str, number: float) -> None:
        """The number at `path` is `greater than` / `less than` `number`."""
        wanted = f"to be a number {relation} {format_value(number)}"
        selection = self.select(path, wanted)
        value = selection.value
        if not is_number(value):
            raise self.fail(f'Expected the JSON at "{path}" {wanted}, got {describe_kind(value)}.')
        holds = value > number if relation == "greater than" else value < number
        if not holds:
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, got {format_value(value)}.'
                f"{_selected(selection)}"
            )

    def assert_at_close(self, path: str, number: float, tolerance: float) -> None:
        """The number at `path` is `number`, give or take `tolerance` (bounds included)."""
        wanted = f"to be {format_value(number)} ± {format_value(tolerance)}"
        selection = self.select(path, wanted)
        value = selection.value
        if not is_number(value):
            raise self.fail(f'Expected the JSON at "{path}" {wanted}, got {describe_kind(value)}.')
        off = abs(value - number)
        # Binary floats miss decimal bounds by a hair (10.05 - 10 > 0.05): allow that hair.
        if off > tolerance + 1e-9 * max(1.0, abs(number)):
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, got {format_value(value)} '
                f"(off by {off:.6g}).{_selected(selection)}"
            )

    def assert_at_sorted(self, path: str, key: str | None, *, descending: bool) -> None:
        """The array at `path` is in order (of its items, or of each item's `key`)."""
        order = "descending" if descending else "ascending"
        wanted = f"to be sorted in {order} order" + (f' by "{key}"' if key else "")
        selection = self.select(path, wanted)
        value = selection.value
        if not isinstance(value, list):
            raise self.fail(f'Expected the JSON at "{path}" {wanted}, got {describe_kind(value)}.')
        keys = [item.get(key, MISSING) if isinstance(item, dict) else MISSING for item in value]
        sorted_values: list[Any] = keys if key else value
        if key and MISSING in keys:
            index = keys.index(MISSING)
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, but item {index} has no "{key}": '
                f"{format_value(value[index])}."
            )
        kinds = {"number" if is_number(v) else type_name(v) for v in sorted_values}
        if len(kinds) > 1 or not kinds <= {"number", "integer", "string"}:
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, but its values are not all numbers '
                f"or all strings: {format_value(sorted_values)}."
            )
        for index in range(1, len(sorted_values)):
            before, after = sorted_values[index - 1], sorted_values[index]
            if (after > before) if descending else (after < before):
                raise self.fail(
                    f'Expected the JSON at "{path}" {wanted}, but item {index} '
                    f"({format_value(after)}) comes after {format_value(before)}: "
                    f"{format_value(sorted_values)}."
                )

    def assert_at_recent(self, path: str, seconds: float, now: _dt.datetime) -> None:
        """The date-time at `path` lies within `seconds` before `now` (and not after it)."""
        wanted = f"to be a date-time within the last {_seconds(seconds)}"
        moment = self._moment(path, wanted)
        age = (now - moment).total_seconds()
        # A second of grace: an app that rounds its clock up is not in the future.
        if not -1 <= age <= seconds:
            when = f"{_seconds(abs(age))} {'ago' if age >= 0 else 'from now'}"
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted} (now is {_iso(now)}), got '
                f"{_iso(moment)}, {when}."
            )

    def assert_at_days_from_today(self, path: str, days: int, today: _dt.date) -> None:
        """The date (or date-time's UTC date) at `path` is `days` after `today` (before, < 0)."""
        target = today + _dt.timedelta(days=days)
        wanted = f"to be the date {target.isoformat()} ({_days(days)})"
        moment = self._moment(path, wanted)
        if moment.date() != target:
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, got {_iso(moment)} '
                f"({_days((moment.date() - today).days)})."
            )

    def assert_at_time_order(self, path: str, relation: str, other: str) -> None:
        """The date-time at `path` is `after` / `before` the one at `other`."""
        wanted = f'to be {relation} the JSON at "{other}"'
        moment = self._moment(path, wanted)
        reference = self._moment(other, f"to be a date-time (it is compared with {path})")
        if not (moment > reference if relation == "after" else moment < reference):
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, got {_iso(moment)}, which is not '
                f"{relation} {_iso(reference)}."
            )

    def assert_at_same_as(self, path: str, other: str) -> None:
        """The value at `path` deeply equals the value at `other` in the same document."""
        reference = self.select(other, f'to be compared with the JSON at "{path}"').value
        selection = self.select(path, f'to be the JSON at "{other}"')
        if not values_equal(reference, selection.value):
            raise self.fail(
                f'Expected the JSON at "{path}" to be the JSON at "{other}", '
                f"{format_value(reference)}, got {format_value(selection.value)}."
            )

    def _moment(self, path: str, wanted: str) -> _dt.datetime:
        """The date or date-time at `path`, in UTC (no offset means UTC)."""
        value = self.select(path, wanted).value
        moment = parse_moment(value)
        if moment is None:
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, got {describe_kind(value)}, which is '
                'no ISO 8601 date or date-time (e.g. "2026-12-07" or "2026-12-07T10:30:00Z").'
            )
        return moment

    def assert_at_one_of(self, path: str, options: list[Any]) -> None:
        """The value at `path` equals one of `options` (markers honoured)."""
        shown = format_value(options)
        selection = self.select(path, f"to be one of {shown}")
        if not any(values_equal(option, selection.value) for option in options):
            raise self.fail(
                f'Expected the JSON at "{path}" to be one of {shown}, got '
                f"{describe_kind(selection.value)}.{_selected(selection)}"
            )

    def assert_at_same_items(self, path: str, expected: list[Any]) -> None:
        """The array at `path` holds exactly the `expected` items, in any order."""
        selection = self.select(path, "to contain only the expected items")
        where = selection.matches[0][0] if selection.query.is_definite else path
        mismatches = compare_same_items(expected, selection.value, path=where)
        if mismatches:
            heading = f'The JSON at "{path}" does not contain only the expected items:'
            raise self.fail(render_mismatches(mismatches, heading=heading) + _selected(selection))

    def assert_at_contains_any(self, path: str, expected: list[Any]) -> None:
        """The array at `path` contains at least one of the `expected` items."""
        shown = format_value(expected)
        selection = self.select(path, f"to contain any of {shown}")
        if not any(contains_value(selection.value, item) for item in expected):
            raise self.fail(
                f'Expected the JSON at "{path}" to contain any of {shown}, got '
                f"{format_value(selection.value)}.{_selected(selection)}"
            )

    def assert_each(
        self, path: str, expected: Any, *, subset: bool, allow_empty: bool = False
    ) -> None:
        """Every item of the array at `path` equals (or, with `subset`, contains) `expected`;
        an empty array fails unless `allow_empty`."""
        selection = self.select(path, "to be an array")
        value = selection.value
        if not isinstance(value, list):
            raise self.fail(
                f'Expected the JSON at "{path}" to be an array, got {describe_kind(value)}.'
            )
        if not value:
            if allow_empty:
                return
            raise self.fail(
                f'Expected each item of the JSON at "{path}" to match, but the array is empty. '
                "If an empty array is fine, write `each item, if any, of the JSON at`."
            )
        base = selection.matches[0][0] if selection.query.is_definite else path
        compare = compare_contains if subset else compare_equal
        per_item = [
            compare(expected, item, path=f"{base}[{index}]") for index, item in enumerate(value)
        ]
        mismatches = [mismatch for item in per_item for mismatch in item]
        if mismatches:
            failing = sum(1 for item in per_item if item)
            heading = (
                f'{failing} of the {_items(len(value))} at "{path}" '
                f"{'do not contain' if subset else 'are not'} what was expected:"
            )
            raise self.fail(render_mismatches(mismatches, heading=heading))

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

    def assert_at_matches(self, path: str, pattern: Pattern, *, timeout: float) -> None:
        """The string at `path` (each string a wildcard selects) contains a regex match."""
        wanted = f"to match the regex {pattern.text}"
        selection = self.select(path, wanted)
        if not selection.found:
            raise self.fail(
                f'Expected the JSON at "{path}" {wanted}, but the path selects nothing.'
            )
        failing = [
            (where, value)
            for where, value in selection.matches
            if not (isinstance(value, str) and pattern.search(value, timeout=timeout))
        ]
        if failing:
            lines = "\n".join(f"  {where}: got {describe_kind(value)}" for where, value in failing)
            raise self.fail(f'Expected the JSON at "{path}" {wanted}:\n{lines}')

    def assert_at_type(self, path: str, kind: str) -> None:
        """The value at `path` is of JSON type `kind` (a wildcard's list is an array)."""
        wanted = f"to be {_article(kind)}"
        selection = self.select(path, wanted)
        value = selection.value
        if not check_type(value, kind):
            raise self.fail(f'Expected the JSON at "{path}" {wanted}, got {describe_kind(value)}.')


def parse_moment(value: Any) -> _dt.datetime | None:
    """An ISO 8601 date (midnight) or date-time as an aware UTC datetime; None if not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    text = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        moment = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc)


def _iso(moment: _dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _seconds(seconds: float) -> str:
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


def _days(days: int) -> str:
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"{days} {unit} from today" if days > 0 else f"{-days} {unit} ago"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def describe_kind(value: Any) -> str:
    """A value with its JSON type, e.g. `"3" (string)`; null speaks for itself."""
    if value is None:
        return "null"
    return f"{format_value(value, limit=120)} ({type_name(value)})"


def _nearest(expected: Any, value: Any, where: str) -> str:
    """For an item an array lacks: which item comes nearest, and how it differs."""
    if not isinstance(value, list) or isinstance(expected, str):
        return ""
    nearest = nearest_item(expected, value, path=where)
    if nearest is None:
        return ""
    at, mismatches = nearest
    return render_mismatches(mismatches, heading=f"\nThe nearest item, {at}, differs:")


def _selected(selection: Selection) -> str:
    """For a wildcard or filter path, list what it selected; nothing for a definite path."""
    if selection.query.is_definite:
        return ""
    if not selection.matches:
        return "\nThe path selects nothing."
    lines = [f"  {where}: {format_value(value, limit=120)}" for where, value in selection.matches]
    return f"\nThe path selects {len(lines)}:\n" + "\n".join(lines[:20])


# Each response's body, parsed once for all the steps that check it (checks only read it).
_DOCUMENTS: weakref.WeakKeyDictionary[httpx.Response, Any] = weakref.WeakKeyDictionary()


def response_json(context: Any) -> JSONSubject:
    """The last response's body as a `JSONSubject`; `UsageError` if it is not JSON."""
    _, response = last_exchange(context)
    document = _DOCUMENTS.get(response, MISSING)
    if document is not MISSING:
        return JSONSubject(document, "the response JSON", lambda: transcript(context))
    text = _body_text(response)
    try:
        document = _DOCUMENTS[response] = loads_strict(text)
    except ValueError as error:
        content_type = response.headers.get("content-type", "no Content-Type")
        got = "an empty body" if not text.strip() else f"a body that is not JSON ({error})"
        raise step_usage_error(
            f"needs a JSON response, but the app answered {response.status_code} with "
            f"{got}, {content_type}. Check the status first (Then the response status is "
            "200), or use the response body steps for text.\n" + transcript(context)
        ) from None
    return JSONSubject(document, "the response JSON", lambda: transcript(context))


def _body_text(response: httpx.Response) -> str:
    """The body as text: decoded as JSON decodes bytes (UTF-8, or UTF-16/32 by their
    byte pattern) unless the Content-Type names a charset, which httpx then applies."""
    if "charset" in response.headers.get("content-type", "").lower():
        return response.text
    return json_bytes_text(response.content)


def parse_json_text(text: str | None, failure_start: str, got: str) -> Any:
    """The JSON in `text`; else `ExpectationFailed` "<failure_start>, got <got>, which ..."."""
    if text is not None:
        try:
            return loads_strict(text)
        except ValueError as error:
            problem = f"which is not JSON ({error})"
    else:
        problem = "which is not UTF-8 text"
    raise ExpectationFailed(f"{failure_start}, got {got}, {problem}.")
