"""Close-match suggestions for lookup errors ("Did you mean ...?").

Every lookup in asgibdd that can fail by a typo (variables, JSON keys, fuzzy markers,
header names, step phrases) ends its message with the same suggestion text, built here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["close_matches", "did_you_mean"]


def close_matches(
    word: str, candidates: Iterable[str], *, n: int = 2, cutoff: float = 0.6
) -> list[str]:
    """Return up to `n` candidates that look like `word`, best first.

    The comparison ignores case, so `content-type` finds `Content-Type`; a candidate
    identical to `word` is never suggested (suggesting the word itself helps nobody).
    """
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        if candidate != word:
            by_folded.setdefault(candidate.casefold(), candidate)
    folded = difflib.get_close_matches(word.casefold(), list(by_folded), n=n, cutoff=cutoff)
    return [by_folded[match] for match in folded]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ` Did you mean "x"?` or ` Did you mean "x" or "y"?`, or "" if nothing is close.

    The leading space lets callers append the result to a finished sentence unconditionally.
    """
    matches = close_matches(word, candidates)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(f'"{match}"' for match in matches) + "?"
