"""JSON values as failure messages show them: one-line or indented, always bounded in size.

Deterministic (same value, same text) so tests can pin exact messages, and total: a value
JSON cannot hold is shown by its repr instead of crashing the message that explains a
failure.
"""

from __future__ import annotations

import json
from typing import Any

from asgibdd.matching.literal import MISSING

__all__ = ["format_json", "format_value", "truncate"]


def format_json(value: Any, *, limit: int = 2000) -> str:
    """Pretty-print `value` as indented JSON (non-ASCII kept), cut after `limit` characters.

    A cut text ends with a line saying how many characters were left out.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False, default=_not_json)
    return truncate(text, limit)


def format_value(value: Any, *, limit: int = 300) -> str:
    """Render `value` as compact one-line JSON for messages; `MISSING` is `(missing)`.

    Long values are cut after `limit` characters with a note of how much was left out.
    """
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False, default=_not_json)
    return truncate(text, limit, separator=" ")


def truncate(text: str, limit: int, *, separator: str = "\n") -> str:
    """`text`, or its first `limit` characters and a note of how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{separator}... ({len(text) - limit} more characters)"


def _not_json(value: Any) -> Any:
    # Failure messages must never crash on a value JSON cannot hold; show its repr instead.
    if value is MISSING:
        return "(missing)"
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)
