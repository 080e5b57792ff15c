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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["HTTP_METHODS", "STEP_TYPES", "unquote"]

HTTP_METHODS = ("GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH")

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_ESCAPE = re.compile(r"\\(.)")


_Converter = TypeVar("_Converter", bound=Callable[[str], Any])


def _with_pattern(pattern: str) -> Callable[[_Converter], _Converter]:
    """Like `parse.with_pattern`, but typed: attach the regex `parse` uses for the field."""

    def attach(converter: _Converter) -> _Converter:
        setattr(converter, "pattern", pattern)  # noqa: B010 - the attribute parse reads
        return converter

    return attach


def unquote(text: str) -> str:
    """The content of a double-quoted phrase field: `"a \\"b\\""` → `a "b"`."""
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


@_with_pattern(r".+")
def _literal(text: str) -> str:
    return text


@_with_pattern(r"\d+")
def _count(text: str) -> int:
    return int(text)


@_with_pattern(r"\d+(?:\.\d+)?")
def _seconds(text: str) -> float:
    return float(text)


STEP_TYPES: dict[str, Callable[[str], Any]] = {
    "Method": _method,
    "Path": _path,
    "Quoted": _quoted,
    "Literal": _literal,
    "Count": _count,
    "Seconds": _seconds,
}
