"""Regular expressions written in feature files, compiled once and matched with a time bound.

A pattern from a feature file is untrusted input: `(a|aa)+$` against a long text takes
exponential time in Python's `re`. The `regex` package matches with a `timeout=` that it
checks while backtracking, so a runaway pattern ends as a clear failure naming it instead
of stalling the run. Its syntax is that of `re` (version 0 behaviour).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import regex

from asgibdd.errors import ExpectationFailed, UsageError

__all__ = ["DEFAULT_PATTERN_TIMEOUT", "Pattern", "PatternError", "compile_pattern"]

DEFAULT_PATTERN_TIMEOUT = 1.0
"""Seconds one pattern may spend on one value unless the caller gives its own bound."""


class PatternError(UsageError):
    """A regular expression that does not compile."""


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern: `text` as written, and bounded `search` / `fullmatch`."""

    text: str
    compiled: regex.Pattern[str]

    def search(self, value: str, *, timeout: float = DEFAULT_PATTERN_TIMEOUT) -> bool:
        """Whether the pattern matches anywhere in `value`."""
        return self._run(self.compiled.search, value, timeout)

    def fullmatch(self, value: str, *, timeout: float = DEFAULT_PATTERN_TIMEOUT) -> bool:
        """Whether the pattern matches the whole of `value`."""
        return self._run(self.compiled.fullmatch, value, timeout)

    def _run(self, method: Callable[..., object], value: str, timeout: float) -> bool:
        try:
            return method(value, timeout=timeout) is not None
        except TimeoutError:
            raise ExpectationFailed(
                f"The regular expression {self.text} ran for more than {timeout:g} s on a "
                f"text of {len(value)} characters and was stopped. It backtracks "
                "exponentially on this text: simplify it (avoid nested repeats such as "
                "(a+)+ or (a|aa)+), or check a shorter part of the value."
            ) from None


@functools.lru_cache(maxsize=1024)
def compile_pattern(text: str) -> Pattern:
    """Compile `text`; `PatternError` says what is wrong with it."""
    try:
        return Pattern(text, regex.compile(text))
    except regex.error as error:
        raise PatternError(f"{error}") from None
