"""JSON literals as written in feature files, and the MISSING sentinel.

Expected values in steps are JSON literals (`3`, `true`, `null`, `"apple"`, `[1, 2]`).
A bare word is refused rather than guessed, so `is apple` can never silently mean the
string "apple" in one step and something else in another. Table cells and Scenario
Outline values are looser: they are JSON when they parse as JSON, text otherwise.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from asgibdd.errors import UsageError

__all__ = ["MISSING", "Missing", "json_bytes_text", "loads_strict", "parse_cell", "parse_literal"]


class Missing(enum.Enum):
    """Type of `MISSING`: an enum member, so type checkers can narrow on `is MISSING`."""

    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing.MISSING
"""Stands for "no value here at all" (an absent key or item), as opposed to JSON null."""

_PYTHON_CONSTANTS = {"True": "true", "False": "false", "None": "null"}


def _refuse_constant(name: str) -> Any:
    # json.loads accepts NaN and Infinity by default; JSON itself does not.
    raise ValueError(f"{name} is not JSON")


# One decoder for every call: `json.loads` with an option builds a new one each time.
_STRICT_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def json_bytes_text(body: bytes) -> str:
    """A JSON body's bytes as text, decoded the way `json.loads` decodes bytes (UTF-8, or
    UTF-16/32 by their byte pattern)."""
    return body.decode(json.detect_encoding(body), "surrogatepass")


def loads_strict(text: str) -> Any:
    """`json.loads` that refuses `NaN`, `Infinity` and `-Infinity`, which JSON does not allow.

    Raises `json.JSONDecodeError` or `ValueError` like `json.loads`.
    """
    if text.startswith("\ufeff"):
        return json.loads(text)  # json.loads's own error for a byte order mark
    return _STRICT_DECODER.decode(text)


def parse_literal(text: str, *, what: str = "the expected value") -> Any:
    """Parse `text` as a JSON literal and return the Python value.

    `what` names the value in error messages ("the expected value", "the header value").
    A bare word is a `UsageError` that shows how to quote it; malformed JSON (an
    unclosed bracket, a missing comma) is a `UsageError` that says where it broke.
    """
    stripped = text.strip()
    try:
        return loads_strict(stripped)
    except ValueError as error:
        raise UsageError(_explain_bad_literal(stripped, what, error)) from None


def parse_cell(text: str) -> Any:
    """Type a table cell or Scenario Outline value: JSON if it parses as JSON, else the text.

    `42` gives 42, `true` gives True, `"42"` gives the string "42", `apple` and an empty
    cell stay text ("apple", "").
    """
    stripped = text.strip()
    if not stripped:
        return text
    try:
        return loads_strict(stripped)
    except ValueError:
        return text


def _explain_bad_literal(text: str, what: str, error: ValueError) -> str:
    if not text:
        return (
            f"Expected a JSON literal for {what}, got nothing. "
            'Write a JSON value such as 3, true, null, "text" or [1, 2].'
        )
    if text in _PYTHON_CONSTANTS:
        return (
            f"Expected a JSON literal for {what}, got: {text}. "
            f"JSON spells it {_PYTHON_CONSTANTS[text]}."
        )
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return (
            f"Expected a JSON literal for {what}, got: {text}. "
            f"JSON strings use double quotes: {json.dumps(text[1:-1], ensure_ascii=False)}"
        )
    if text[0] in "[{" or (text[0] == '"' and isinstance(error, json.JSONDecodeError)):
        if isinstance(error, json.JSONDecodeError):
            plain, column = error.msg, error.colno
        else:
            plain, column = str(error), 1
        return (
            f"Malformed JSON literal for {what}: {plain} (column {column}).\n"
            f"  {text}\n"
            f"  {' ' * (column - 1)}^"
        )
    return (
        f"Expected a JSON literal for {what}, got: {text}. "
        f"Text must be quoted: {json.dumps(text, ensure_ascii=False)}"
    )
