"""Fresh values written `{{$name}}`: a new one on every use, so a second run never collides.

| written                          | gives                                        |
|----------------------------------|----------------------------------------------|
| `{{$uuid}}`                      | a random UUID, `"0b6f…-…"`                   |
| `{{$timestamp}}`                 | the Unix time in whole seconds, a number     |
| `{{$now}}`                       | the UTC date-time, `"2026-12-07T19:30:00Z"`  |
| `{{$today}}`                     | the UTC date, `"2026-12-07"`                 |
| `{{$random_int}}`                | a whole number from 0 to 999999              |
| `{{$random_email}}`              | `"user-3f9a0c1d@example.com"`                |

`$now`, `$today` and `$timestamp` take an offset: `{{$now + 5 minutes}}`,
`{{$today - 3 days}}`, `{{$timestamp + 1 hour}}` (seconds, minutes, hours, days, weeks).
Nothing is evaluated: the offset is read by a regular expression, and anything else is a
`UsageError` that lists what can be written.
"""

from __future__ import annotations

import datetime as _dt
import re
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from asgibdd._suggest import did_you_mean
from asgibdd.errors import UsageError

__all__ = ["GENERATED", "TIME_UNITS", "generated_value", "is_generated", "utc_now"]

#: Seconds per unit, for offsets (`+ 3 days`) and durations (`within the last 2 minutes`).
TIME_UNITS = {
    "second": 1.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "week": 604800.0,
}

_OFFSET = re.compile(
    r"\$(?P<name>\w+)(?:\s*(?P<sign>[+-])\s*(?P<amount>\d+)\s*(?P<unit>second|minute|hour|day|week)s?)?"
)
_TIMED = ("now", "today", "timestamp")


def utc_now() -> _dt.datetime:
    """The current UTC time (one place, so every relative value reads the same clock)."""
    return _dt.datetime.now(_dt.timezone.utc)


def _now(at: _dt.datetime) -> str:
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


GENERATED: dict[str, Callable[[_dt.datetime], Any]] = {
    "uuid": lambda _: str(uuid.uuid4()),
    "timestamp": lambda at: int(at.timestamp()),
    "now": _now,
    "today": lambda at: at.date().isoformat(),
    "random_int": lambda _: secrets.randbelow(1_000_000),
    "random_email": lambda _: f"user-{secrets.token_hex(4)}@example.com",
}
"""Each fresh value by name, made from the (offset) current time."""


def is_generated(name: str) -> bool:
    """Whether a placeholder's name asks for a fresh value (`$uuid`, `$now + 1 day`)."""
    return name.startswith("$")


def generated_value(name: str, where: str) -> Any:
    """A fresh value for `{{<name>}}` (name with its `$`); `where` says where it was written."""
    found = _OFFSET.fullmatch(name.strip())
    known = ", ".join(f"{{{{${key}}}}}" for key in GENERATED)
    if found is None or found["name"] not in GENERATED:
        word = found["name"] if found else name.strip().lstrip("$")
        raise UsageError(
            f'"{{{{{name}}}}}" {where} is no fresh value.{did_you_mean(word, GENERATED)} '
            f"Fresh values: {known}; $now, $today and $timestamp take an offset such as "
            "{{$today + 3 days}}."
        )
    at = utc_now()
    if found["sign"]:
        if found["name"] not in _TIMED:
            raise UsageError(
                f'"{{{{{name}}}}}" {where} adds a time to ${found["name"]}, which is no time. '
                "Only $now, $today and $timestamp take an offset, e.g. {{$now + 5 minutes}}."
            )
        seconds = int(found["amount"]) * TIME_UNITS[found["unit"]]
        at += _dt.timedelta(seconds=seconds if found["sign"] == "+" else -seconds)
    return GENERATED[found["name"]](at)
