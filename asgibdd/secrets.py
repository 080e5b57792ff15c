"""What counts as a secret, and hiding it in every text asgibdd writes.

Two rules, applied together:

- **By name.** Credential headers (`Authorization`, `Cookie`, `Set-Cookie`, ...) and any
  header, query parameter, form field or JSON key (at any depth) whose name contains one
  of `SecretPolicy.names` (password, secret, token, api_key, session, ...) has its value
  shown as `***`. Names are compared lower-cased with `-` read as `_`.
- **By value.** Every value found under such a name while a scenario runs (in a request
  or in a response) is remembered, and masked wherever it shows up again: in a path, a
  websocket URL, a later body, a failure message. A login response's `access_token`
  therefore stays hidden when the scenario sends it back as `/ws?token=...`.

Values shorter than `MIN_VALUE_LENGTH` are masked by name only: masking a "1" in every
text would hide more than it protects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "DEFAULT_SECRET_NAMES",
    "MASK",
    "MIN_VALUE_LENGTH",
    "SecretPolicy",
    "Secrets",
]

MASK = "***"
MIN_VALUE_LENGTH = 4

DEFAULT_SECRET_NAMES = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "credential",
    "session",
    "authorization",
    "cookie",
    "signature",
)
"""Parts of a name that mark its value as secret (`client_secret`, `x_api_key`, ...)."""


class SecretPolicy:
    """Which names are secret: the defaults plus a project's own (`secret_names` in config)."""

    def __init__(self, extra_names: Iterable[str] = ()) -> None:
        self.names = tuple(
            dict.fromkeys(_normal(name) for name in (*DEFAULT_SECRET_NAMES, *extra_names))
        )
        self._verdicts: dict[str, bool] = {}
        # Lower-casing a whole text and lower-casing one key of it agree for ASCII names.
        self.names_are_ascii = all(name.isascii() for name in self.names)

    def may_name_a_secret(self, json_text: str) -> bool:
        """False when no key inside the JSON document `json_text` can be a secret name:
        none of the name parts occurs anywhere in it (so it need not be parsed). A `\\u`
        escape could spell a name in disguise, so it always answers True then."""
        if "\\u" in json_text or not self.names_are_ascii:
            return True
        normal = json_text.lower().replace("-", "_")
        return any(part in normal for part in self.names)

    def is_secret_name(self, name: str) -> bool:
        """Whether a header, parameter, field or key called `name` holds a secret."""
        # Remembered per name: transcripts and reports ask about the same few headers and
        # keys for every exchange.
        verdict = self._verdicts.get(name)
        if verdict is None:
            normal = _normal(name)
            verdict = self._verdicts[name] = any(part in normal for part in self.names)
        return verdict


def _normal(name: str) -> str:
    return name.strip().lower().replace("-", "_")


class Secrets:
    """The secret values one scenario has seen, and the masking of text and JSON by them.

    One instance per scenario; `remember` is called for every value found under a secret
    name, `mask_text` and `mask_json` hide them.
    """

    def __init__(self, policy: SecretPolicy | None = None) -> None:
        self.policy = policy or SecretPolicy()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def __len__(self) -> int:
        return len(self._values)

    def remember(self, value: Any) -> None:
        """Mask `value` (text, number, or every scalar inside a list/object) from now on."""
        if isinstance(value, Mapping):
            for item in value.values():
                self.remember(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                self.remember(item)
        elif value is not None and not isinstance(value, bool):
            text = str(value)
            if len(text) >= MIN_VALUE_LENGTH and text not in self._values:
                self._values.add(text)
                self._pattern = None

    def remember_all(self, other: Secrets) -> None:
        """Remember every value `other` remembers (a report of a whole feature masks with
        the secrets of all its scenarios)."""
        self.remember(sorted(other._values))

    def remember_json(self, document: Any) -> None:
        """Remember the values of every secret-named key inside a JSON document."""
        if isinstance(document, Mapping):
            for key, value in document.items():
                if self.policy.is_secret_name(str(key)):
                    self.remember(value)
                else:
                    self.remember_json(value)
        elif isinstance(document, list):
            for item in document:
                self.remember_json(item)

    def remember_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember the values of secret-named pairs (query parameters, form fields)."""
        for name, value in pairs:
            if self.policy.is_secret_name(name):
                self.remember(value)

    def mask_text(self, text: str) -> str:
        """`text` with every remembered value replaced by `***` (longest values first)."""
        if not self._values or not text:
            return text
        if self._pattern is None:
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(value) for value in ordered))
        return self._pattern.sub(MASK, text)

    def mask_json(self, document: Any) -> Any:
        """A copy of `document` with secret-named keys' values and remembered values masked."""
        if isinstance(document, Mapping):
            return {
                key: MASK if self.policy.is_secret_name(str(key)) else self.mask_json(value)
                for key, value in document.items()
            }
        if isinstance(document, list):
            return [self.mask_json(item) for item in document]
        if isinstance(document, str):
            return self.mask_text(document)
        return document
