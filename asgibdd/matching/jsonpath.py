"""JSONPath queries on jsonpath-ng's extended parser, compiled once and explained on failure.

Semantics of a selection (the same as Jayway JsonPath and Karate):

* A **definite** path can only ever select one node: it is built from the root `$`, member
  names (`.name`, `["a b"]`) and single indices (`[0]`, `[-1]`), optionally followed by a
  function such as `` `len` ``. Its value is that node's value, and selecting nothing is a
  failure that names the deepest part of the path that did exist (`"$" has keys: item`).
* An **indefinite** path (a wildcard `[*]`, a filter `[?(@.price > 3)]`, a slice `[0:2]`,
  a union `[0,1]` or recursive descent `..`) selects any number of nodes. Its value is
  always the list of the selected values, possibly empty, so a filter that matches one
  item still gives a one-element list.

Every selected node is reported with its concrete path (`$.items[1].name`), written the
way mismatch reports write paths: identifiers after a dot, other keys in brackets.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from jsonpath_ng import jsonpath as nodes
from jsonpath_ng.ext import arithmetic, iterable
from jsonpath_ng.ext.parser import parse as _ext_parse

from asgibdd._suggest import did_you_mean
from asgibdd.errors import ExpectationFailed, UsageError
from asgibdd.matching.format import format_value

__all__ = [
    "JSONPathQuery",
    "Selection",
    "compile_jsonpath",
    "index_path",
    "key_path",
]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXAMPLES = '"$.items[0].name", "$.items[*].name" or "$.items[?(@.price > 3)].name"'
_CACHE_LIMIT = 4096
_cache: dict[str, JSONPathQuery] = {}


def key_path(parent: str, key: str) -> str:
    """Path of member `key` under `parent`: `$.name`, or `$["a b"]` when not an identifier."""
    if _IDENTIFIER.fullmatch(key):
        return f"{parent}.{key}"
    return f"{parent}[{format_value(key, limit=10_000)}]"


def index_path(parent: str, index: int) -> str:
    """Path of array item `index` under `parent`: `$.items[0]`."""
    return f"{parent}[{index}]"


class JSONPathQuery:
    """A compiled JSONPath expression; get one from `compile_jsonpath`.

    Attributes: `expression` (the text as written), `is_definite` (True when the path can
    select at most one node, see the module docstring), `notes` (deprecation notices from
    jsonpath-ng about the syntax used, in its own words; empty for modern syntax).
    """

    __slots__ = ("_concrete", "_parsed", "_steps", "expression", "is_definite", "notes")

    def __init__(self, expression: str, parsed: Any, notes: tuple[str, ...] = ()) -> None:
        self.expression = expression
        self.is_definite: bool = _is_definite(parsed)
        self.notes = notes
        self._parsed = parsed
        self._steps = _member_and_index_steps(parsed)
        self._concrete = _written_path(self._steps) if self._steps is not None else expression

    def __repr__(self) -> str:
        return f"JSONPathQuery({self.expression!r})"

    def find(self, document: Any) -> list[tuple[str, Any]]:
        """Return every selected node as `(concrete path, value)`, in document order.

        The concrete path of a computed value (`` `len` ``, arithmetic) is the expression.
        """
        if self._steps is not None:
            # The common case, `$.a.b[0]` where every step exists, without jsonpath-ng's
            # machinery: what it would select, found by plain lookups. Anything else (a
            # missing key, an index out of range, a step into a scalar) is left to it.
            value = document
            for step in self._steps:
                if isinstance(step, str):
                    if type(value) is not dict or step not in value:
                        break
                elif type(value) is not list or not 0 <= step < len(value):
                    break
                value = value[step]
            else:
                return [(self._concrete, value)]
        try:
            found = self._parsed.find(document)
        except (KeyError, TypeError):
            # jsonpath-ng 1.8 (the newest Python 3.10 installs) raises on an index into an
            # object instead of selecting nothing; later versions select nothing.
            return []
        return [(self._concrete_path(datum), datum.value) for datum in found]

    def select(self, document: Any) -> Selection:
        """Select from `document`; see `Selection` for what `.value` gives."""
        return Selection(self, self.find(document), document)

    def _concrete_path(self, datum: Any) -> str:
        steps: list[str] = []
        while datum is not None:
            step = datum.path
            if isinstance(step, nodes.Root):
                steps.append("$")
            elif isinstance(step, nodes.Fields) and len(step.fields) == 1:
                steps.append(key_path("", step.fields[0]))
            elif isinstance(step, nodes.Index) and len(step.indices) == 1:
                index = step.indices[0]
                if index < 0 and datum.context is not None:
                    index += len(datum.context.value)
                steps.append(index_path("", index))
            elif type(step) is not nodes.This:
                return self.expression
            datum = datum.context
        if not steps or steps[-1] != "$":
            return self.expression
        return "".join(reversed(steps))


def _member_and_index_steps(parsed: Any) -> tuple[str | int, ...] | None:
    """The keys and indices of a path made only of `$`, single member names and single
    indices from 0 (`$.a["b c"][0]`); None for any other path."""
    steps: list[str | int] = []
    node = parsed
    while isinstance(node, nodes.Child):
        right = node.right
        if type(right) is nodes.Fields and len(right.fields) == 1 and right.fields[0] != "*":
            steps.append(right.fields[0])
        elif type(right) is nodes.Index and len(right.indices) == 1 and right.indices[0] >= 0:
            steps.append(right.indices[0])
        else:
            return None
        node = node.left
    if type(node) is not nodes.Root or not steps:
        return None
    return tuple(reversed(steps))


def _written_path(steps: tuple[str | int, ...]) -> str:
    path = "$"
    for step in steps:
        path = key_path(path, step) if isinstance(step, str) else index_path(path, step)
    return path


@dataclass(frozen=True)
class Selection:
    """What a query selected from one document.

    `matches` lists `(concrete path, value)` pairs; `found` is True when anything matched.
    `value` is the single value for a definite path and the list of values for an
    indefinite one (possibly empty). Reading `value` of a definite path that matched
    nothing raises `ExpectationFailed` that shows what the document has instead.
    """

    query: JSONPathQuery
    matches: list[tuple[str, Any]]
    document: Any = None

    @property
    def found(self) -> bool:
        """True when the path selected at least one node."""
        return bool(self.matches)

    @property
    def values(self) -> list[Any]:
        """The selected values as a list, whatever kind of path selected them."""
        return [value for _, value in self.matches]

    @property
    def value(self) -> Any:
        """The single value (definite path) or the list of values (indefinite path)."""
        if not self.query.is_definite:
            return self.values
        if not self.matches:
            raise ExpectationFailed(self.explain_missing())
        return self.matches[0][1]

    def explain_missing(self) -> str:
        """Say why nothing matched, naming the deepest part of the path that did exist."""
        headline = f'No value at "{self.query.expression}"'
        reason = _explain_walk(self.query._parsed, self.document)
        return f"{headline}: {reason}" if reason else f"{headline}."


def compile_jsonpath(expression: str) -> JSONPathQuery:
    """Compile `expression` once and return the cached `JSONPathQuery` on later calls.

    Raises `UsageError` for invalid syntax (with the parser's complaint in plain words, a
    caret under the position and valid examples) and for expressions not starting at `$`.
    """
    cached = _cache.get(expression)
    if cached is not None:
        return cached
    if not expression.lstrip().startswith("$"):
        suggestion = "$" + ("" if expression.startswith(("[", ".")) else ".") + expression.strip()
        raise UsageError(
            f'JSONPath "{expression}" must start at the document root "$". '
            f'Did you mean "{suggestion}"? Valid JSONPath looks like {_EXAMPLES}.'
        )
    # jsonpath-ng warns about syntax it will drop in 2.0; keep that as a note for the
    # user instead of letting a warning escape into their test run.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        try:
            parsed = _ext_parse(expression)
        except Exception as error:  # jsonpath-ng raises several unrelated types
            raise UsageError(_explain_syntax_error(expression, error)) from None
    notes = tuple(str(warning.message) for warning in caught)
    query = JSONPathQuery(expression, parsed, notes)
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[expression] = query
    return query


def _explain_syntax_error(expression: str, error: Exception) -> str:
    message = str(error)
    position: int | None = None
    hint = ""
    if match := re.fullmatch(r"Parse error at \d+:(\d+) near token (.*) \(\S+\)", message):
        position, problem = int(match[1]), f'unexpected "{match[2]}"'
    elif message.startswith("Parse error near the end of string"):
        position = len(expression)
        problem = "it ends too early (is a bracket, parenthesis or quote left open?)"
    elif match := re.fullmatch(
        r"Error on line \d+, col (\d+): Unexpected character: (.*?) ?", message
    ):
        position, problem = int(match[1]), f'unexpected character "{match[2]}"'
    elif message.startswith("Unexpected EOF in string literal"):
        position, problem = len(expression), "a quoted name or string is never closed"
    elif match := re.fullmatch(r"Unknown named operator `(.*)` at \d+:(\d+)", message):
        position = int(match[2])
        problem = f"unknown function `{match[1]}`"
        hint = did_you_mean(match[1], ["len", "keys", "str()", "path", "sorted"])
    else:
        problem = message[:1].lower() + message[1:]
    lines = [f'Invalid JSONPath "{expression}": {problem}.{hint}']
    if position is not None:
        lines += [f"  {expression}", "  " + " " * position + "^"]
    lines.append(f"Valid JSONPath looks like {_EXAMPLES}.")
    return "\n".join(lines)


def _is_definite(node: Any) -> bool:
    if isinstance(node, nodes.Child):
        return _is_definite(node.left) and _is_definite(node.right)
    if isinstance(node, nodes.Fields):
        return len(node.fields) == 1 and node.fields[0] != "*"
    if isinstance(node, nodes.Index):
        return len(node.indices) == 1
    if isinstance(node, arithmetic.Operation):
        return _is_definite(node.left) and _is_definite(node.right)
    # Root, This and its one-value transforms (sorted, str, sub, split), and len/keys
    # each yield one value per input; anything else may fan out.
    return isinstance(node, (nodes.Root, nodes.This, iterable.Len, iterable.Keys)) or (
        not isinstance(node, nodes.JSONPath)
    )


def _flatten(node: Any) -> list[Any]:
    if isinstance(node, nodes.Child):
        return _flatten(node.left) + _flatten(node.right)
    return [node]


def _explain_walk(parsed: Any, document: Any) -> str:
    """Follow a definite path step by step and describe where the document ran out."""
    current, path = document, "$"
    for step in _flatten(parsed):
        if isinstance(step, nodes.Root):
            current, path = document, "$"
        elif isinstance(step, nodes.Fields) and len(step.fields) == 1:
            key = step.fields[0]
            if not isinstance(current, dict):
                return f'"{path}" is {_describe(current)}, not an object.'
            if key not in current:
                return _describe_keys(path, current, key)
            current, path = current[key], key_path(path, key)
        elif isinstance(step, nodes.Index) and len(step.indices) == 1:
            index = step.indices[0]
            if not isinstance(current, list):
                return f'"{path}" is {_describe(current)}, not an array.'
            if not -len(current) <= index < len(current):
                if not current:
                    return f'"{path}" is an empty array.'
                return f'"{path}" has {_items(len(current))} (indices 0 to {len(current) - 1}).'
            current, path = current[index], index_path(path, index % len(current))
        elif type(step) is not nodes.This:
            return ""
    return ""


def _describe_keys(path: str, mapping: dict[str, Any], key: str) -> str:
    if not mapping:
        return f'"{path}" is an empty object.'
    keys = list(mapping)
    shown = ", ".join(keys[:20]) + (f", ... ({len(keys) - 20} more)" if len(keys) > 20 else "")
    return f'"{path}" has keys: {shown}.' + did_you_mean(key, keys)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    kind = "an array" if isinstance(value, list) else _article_kind(value)
    return f"{kind} ({format_value(value, limit=60)})"


def _article_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object"


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"
