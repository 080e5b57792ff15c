"""How each difference between Starlette's client and ours is classified.

Classes:
- "bug": our client is wrong; reported to the client's owner with a reproduction.
- "deliberate": we differ on purpose (a Starlette bug we fix, or a hang we turn into an error).
- "internals": the test inspects Starlette's private implementation, not the client's API.
- "untriaged": not looked at yet.
"""

from __future__ import annotations

import re

#: -W filters for the masked run: leak warnings of one known bug (anyio memory streams left
#: unclosed by asgibdd's client), which under `filterwarnings = error` fail most tests.
KNOWN_BUG_FILTERS: tuple[str, ...] = ("ignore:Unclosed <MemoryObject:ResourceWarning",)

#: (regex searched in "test id + failure line", class, one-line reason); first match wins.
RULES: list[tuple[str, str, str]] = []


def classify(test: str, message: str) -> tuple[str, str]:
    """The class and reason of one difference."""
    subject = f"{test} {message}"
    for pattern, kind, reason in RULES:
        if re.search(pattern, subject):
            return kind, reason
    return "untriaged", ""
