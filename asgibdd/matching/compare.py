"""Deep equality and subset comparison of JSON values, with fuzzy markers.

Both comparisons list **every** difference as a `Mismatch` addressed by a JSONPath-style
path, so a failure shows all that is wrong at once instead of the first problem only;
`render_mismatches` turns the list into the lines of a failure message.

JSON semantics: key order never matters, `1 == 1.0`, but `true` is not `1`. Fuzzy markers
(`"#uuid"`, `"#ignore"`, ...) in the *expected* value are defined in `markers`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from asgibdd.errors import UsageError
from asgibdd.matching.format import format_value
from asgibdd.matching.jsonpath import index_path, key_path
from asgibdd.matching.literal import MISSING, Missing
from asgibdd.matching.markers import Marker, is_number, parse_marker, type_name

__all__ = [
    "MISSING",
    "Mismatch",
    "Missing",
    "compare_contains",
    "compare_equal",
    "compare_same_items",
    "contains_value",
    "nearest_item",
    "render_mismatches",
    "values_equal",
]


@dataclass(frozen=True)
class Mismatch:
    """One difference between an expected and an actual JSON value.

    `path` is JSONPath-style (`$.items[0].price`, `$["a b"]`); `actual` (or `expected`,
    for an unexpected key or item) is `MISSING` when there is no value at all; `reason`
    is a complete phrase such as `expected 3, got 4`. `details`: for an expected item no
    item of an array matches, how the nearest item differs from it, path by path.
    """

    path: str
    expected: Any
    actual: Any
    reason: str
    details: tuple[Mismatch, ...] = ()


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


def compare_same_items(expected: list[Any], actual: Any, *, path: str = "$") -> list[Mismatch]:
    """List how the array `actual` differs from holding exactly the `expected` items, in
    any order: each expected item must equal (markers honoured) an item of its own, and
    no item may be left over."""
    if not isinstance(actual, (list, tuple)):
        return [Mismatch(path, expected, actual, f"expected an array, got {_got(actual)}")]
    mismatches: list[Mismatch] = []
    if len(expected) != len(actual):
        reason = f"expected {_items(len(expected))} in any order, got {len(actual)}"
        mismatches.append(Mismatch(path, expected, actual, reason))
    _compare_unordered(list(expected), list(actual), path, mismatches, subset=False)
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
            reason = wanted.problem(actual, _got)
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
    expected: list[Any], actual: list[Any], path: str, out: list[Mismatch], *, subset: bool = True
) -> None:
    # Each expected item needs its own actual item: a maximum bipartite matching, so one
    # actual item can never satisfy two expected ones and the order never matters.
    compare = compare_contains if subset else compare_equal
    fits = [[not compare(wanted, item) for item in actual] for wanted in expected]
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

    unmatched = [index for index in range(len(expected)) if not assign(index, set())]
    # An item another expected item took is the nearest only when no other item is.
    taken = {index for index, wanted in enumerate(owner) if wanted is not None}
    for wanted_index in unmatched:
        wanted = expected[wanted_index]
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
            nearest = nearest_item(wanted, actual, path=path, subset=subset, taken=taken)
            if nearest is not None:
                where, details = nearest
                reason += f"; the nearest, {where}, differs:"
                out.append(Mismatch(path, wanted, actual, reason, tuple(details)))
                continue
        out.append(Mismatch(path, wanted, actual, reason))


def nearest_item(
    expected: Any,
    items: Sequence[Any],
    *,
    path: str = "$",
    subset: bool = True,
    taken: Collection[int] = (),
) -> tuple[str, list[Mismatch]] | None:
    """The item of `items` (an array at `path`) that comes closest to `expected`, and how
    it differs: its path and its mismatches (`compare_contains`, or `compare_equal`
    unless `subset`). Only items of the same JSON kind as `expected` count (an object
    is never near a number); the one with the fewest differences wins, the first of
    equals, and items whose index is in `taken` (matched by another expected item) only
    when no other item is of that kind. None when no item is of that kind."""
    compare = compare_contains if subset else compare_equal
    kind = _json_kind(expected)
    best: tuple[tuple[bool, int], str, list[Mismatch]] | None = None
    for index, item in enumerate(items):
        if _json_kind(item) != kind:
            continue
        where = index_path(path, index)
        differences = compare(expected, item, path=where)
        rank = (index in taken, len(differences))
        if best is None or rank < best[0]:
            best = (rank, where, differences)
    return None if best is None else (best[1], best[2])


def _scalars_equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if is_number(expected) and is_number(actual):
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


def render_mismatches(mismatches: Sequence[Mismatch], *, heading: str, limit: int = 50) -> str:
    """Render a heading, one `  <path>: <reason>` line per mismatch, then a count.

    A mismatch's `details` (the nearest item's differences) follow it, indented further.
    The count line appears when there is more than one mismatch; past `limit` lines the
    rest are summarised as `  ... and N more`.
    """
    lines = [heading]
    for mismatch in mismatches[:limit]:
        lines.append(f"  {mismatch.path}: {mismatch.reason}")
        lines.extend(f"    {detail.path}: {detail.reason}" for detail in mismatch.details[:limit])
        if len(mismatch.details) > limit:
            lines.append(f"    ... and {len(mismatch.details) - limit} more")
    if len(mismatches) > limit:
        lines.append(f"  ... and {len(mismatches) - limit} more")
    if len(mismatches) > 1:
        lines.append(f"{len(mismatches)} mismatches.")
    return "\n".join(lines)
