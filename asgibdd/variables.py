"""Scenario variables and `{{name}}` interpolation.

A step stores a value (`And I store the JSON at "$.id" as "item_id"`) and later steps use
it as `{{item_id}}` in paths, quoted strings, tables and doc strings. Spaces inside the
braces are allowed (`{{ item_id }}`) and `\\{{` writes literal braces.

Inside JSON the value keeps its type where that is unambiguous: a JSON string that is
exactly `"{{name}}"` becomes the value itself (a number stays a number, an object stays
an object), and a bare `{{name}}` outside any string becomes the value's JSON. Inside a
longer string the value is spliced in as text. Nothing is ever evaluated as code: a
placeholder names a variable, and that is all it can do.

Two kinds of name are not set by a step:

- `{{$uuid}}`, `{{$now + 5 minutes}}`, ...: a fresh value on every use (`asgibdd.generated`).
- `{{env.NAME}}`: the environment variable `NAME` of the process running behave; a name
  that is not set is an error naming it, and a value whose name looks secret
  (`STAGING_TOKEN`) is masked in every output.

A value stored *for the run* goes into the run's own store (`run`, which the World keeps
for the run) and is read by every later scenario, after the scenario's own variables.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from typing import Any

from asgibdd._suggest import did_you_mean
from asgibdd.errors import UsageError
from asgibdd.generated import generated_value, is_generated
from asgibdd.matching.literal import loads_strict
from asgibdd.secrets import MASK, Secrets

__all__ = ["Variables"]

_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_ENV = "env."
# An optional backslash (the escape), then {{ ... }} with nothing but the name inside.
_PLACEHOLDER = re.compile(r"(\\?)\{\{(.*?)\}\}", re.DOTALL)
_WHOLE_STRING_PLACEHOLDER = re.compile(r'"\{\{\s*([^{}"\\]*?)\s*\}\}"')
_SINGLE_BRACES = re.compile(r"(?<!\{)\{\s*([A-Za-z0-9_.-]+)\s*\}(?!\})")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class Variables:
    """The variables of one scenario: a name → JSON value store with interpolation.

    Names use letters, digits, `_`, `-` and `.`; values are any JSON value.
    """

    def __init__(self, secrets: Secrets | None = None, run: dict[str, Any] | None = None) -> None:
        self._values: dict[str, Any] = {}
        self._secrets = secrets
        self._run: dict[str, Any] = {} if run is None else run
        self._uses: list[tuple[str, Any]] | None = None
        #: Each library step whose placeholders stood for values: (its text, the text
        #: with the values it used), in the order the steps ran (see `noting_uses`).
        self.resolved_steps: list[tuple[str, str]] = []

    def set(self, name: str, value: Any) -> None:
        """Store `value` under `name`, replacing any previous value."""
        if not _NAME.fullmatch(name):
            raise UsageError(
                f'Invalid variable name "{name}": use letters, digits, "_", "-" and "." only, '
                'e.g. "item_id".'
            )
        self._values[name] = value

    def set_for_run(self, name: str, value: Any) -> None:
        """Store `value` for this scenario and every later one of the run."""
        self.set(name, value)
        self._run[name] = value

    def get(self, name: str) -> Any:
        """Return the value of `name`; an unknown name is a `UsageError` listing the known."""
        return self._lookup(name, "")

    def __contains__(self, name: object) -> bool:
        return name in self._values or name in self._run

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __repr__(self) -> str:
        return f"Variables({self._values!r})"

    def names(self) -> list[str]:
        """The names of all variables (the run's too), sorted."""
        return sorted({*self._values, *self._run})

    def clear(self) -> None:
        """Forget every variable (a new scenario starts empty)."""
        self._values.clear()

    def as_dict(self) -> dict[str, Any]:
        """A copy of the variables as a plain dict."""
        return dict(self._values)

    @contextlib.contextmanager
    def noting_uses(self, step_text: str) -> Iterator[None]:
        """While a library step runs: note the value each placeholder stood for (a fresh
        value as it was made), and at its end, if `step_text` has placeholders, add it
        with those values to `resolved_steps` (a secret-named variable's value as `***`)."""
        outer, self._uses = self._uses, []
        uses = self._uses
        try:
            yield
        finally:
            self._uses = outer
            if uses and "{{" in step_text:
                resolved = self._resolve(step_text, uses)
                if resolved != step_text:
                    self.resolved_steps.append((step_text, resolved))

    def _resolve(self, text: str, uses: list[tuple[str, Any]]) -> str:
        left = list(uses)

        def value(found: re.Match[str]) -> str:
            name = found[2].strip()
            if found[1]:
                return found[0]
            index = next((i for i, (used, _) in enumerate(left) if used == name), None)
            if index is None:
                return found[0]  # not used by the step (yet): as written
            _, shown = left.pop(index)
            policy = self._secrets.policy if self._secrets is not None else None
            if policy is not None and policy.is_secret_name(name):
                return MASK
            if isinstance(shown, str):
                return shown
            return json.dumps(shown, ensure_ascii=False, separators=(",", ":"))

        return _PLACEHOLDER.sub(value, text)

    def interpolate(self, text: str) -> str:
        """Replace each `{{name}}` in `text` by the variable's value.

        Strings are inserted as they are, other values as compact JSON (`[1,2]`, `true`);
        `\\{{` stands for a literal `{{`.
        """
        if "{{" not in text:
            return text
        return _PLACEHOLDER.sub(lambda found: self._text_for(found, text, found.start()), text)

    def interpolate_path(self, path: str) -> str:
        """Like `interpolate`, for the path of a request: a list or an object stored in a
        variable is a `UsageError`, since `/tasks/[1]` is never the path that was meant."""
        for found in _PLACEHOLDER.finditer(path):
            if found[1]:
                continue
            name = found[2].strip()
            # Checked without noting the use: the value used is the one `interpolate` takes.
            value = self._value(found[2], _where(path, found.start(), "the path"))
            if isinstance(value, (list, dict)):
                kind = "a list" if isinstance(value, list) else "an object"
                shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                raise UsageError(
                    f'The variable "{name}" is {kind}, {_shorten(shown)}, so it cannot go '
                    f"into the path {path}: a path takes one value. Store one item "
                    f'instead, e.g. And I store the JSON at "$.{name}[0]" as "{name}" '
                    "(a JSONPath with a wildcard or a filter always stores a list)."
                )
        for found in _SINGLE_BRACES.finditer(path):
            if found[1] in self._values:  # a path may hold braces of its own; a name it knows
                raise UsageError(
                    f"The path {path} has {found[0]}, which is sent as it is written. "
                    f"Variables are written with two braces: {{{{{found[1]}}}}}."
                )
        return self.interpolate(path)

    def interpolate_value(self, value: Any) -> Any:
        """Interpolate every string inside an already-parsed value (a table cell, a row).

        A string that is exactly one placeholder becomes the variable's value with its
        type, as in JSON; other strings (and object keys) are interpolated as text.
        """
        if isinstance(value, str):
            whole = _PLACEHOLDER.fullmatch(value.strip())
            if whole and not whole[1]:
                return self._lookup(whole[2], _where(value, 0, "the text"))
            return self.interpolate(value)
        if isinstance(value, list):
            return [self.interpolate_value(item) for item in value]
        if isinstance(value, dict):
            return {self.interpolate(key): self.interpolate_value(v) for key, v in value.items()}
        return value

    def interpolate_json(self, text: str, *, what: str = "the JSON doc string") -> Any:
        """Parse the JSON document `text` after substituting its placeholders.

        `"{{name}}"` as a whole string becomes the typed value, `{{name}}` inside a longer
        string is spliced in as text (escaped for JSON), and a bare `{{name}}` outside
        strings becomes the value's JSON. Malformed JSON is a `UsageError` that names `what`
        and shows the line and column in `text` with a caret under the position.
        """
        pieces: list[tuple[int, int, bool]] = []  # (offset in result, offset in text, verbatim)
        result: list[str] = []
        length = 0

        def emit(chunk: str, source_offset: int, verbatim: bool) -> None:
            nonlocal length
            pieces.append((length, source_offset, verbatim))
            result.append(chunk)
            length += len(chunk)

        position = 0
        for string in _JSON_STRING.finditer(text):
            self._emit_bare(text[position : string.start()], position, text, what, emit)
            emit(self._json_string(string, text, what), string.start(), False)
            position = string.end()
        self._emit_bare(text[position:], position, text, what, emit)

        substituted = "".join(result)
        try:
            return loads_strict(substituted)
        except ValueError as error:
            source = _source_offset(error, pieces)
            raise UsageError(_explain_bad_json(text, what, error, source)) from None

    def _emit_bare(self, chunk: str, offset: int, text: str, what: str, emit: Any) -> None:
        """Emit text outside JSON strings, replacing bare placeholders by JSON values."""
        position = 0
        for found in _PLACEHOLDER.finditer(chunk):
            if found[1]:
                continue  # outside a string an escape means nothing; let the parser say so
            emit(chunk[position : found.start()], offset + position, True)
            value = self._lookup(found[2], _where(text, offset + found.start(), what))
            emit(json.dumps(value, ensure_ascii=False), offset + found.start(), False)
            position = found.end()
        emit(chunk[position:], offset + position, True)

    def _json_string(self, string: re.Match[str], text: str, what: str) -> str:
        """Return a JSON string literal with its placeholders substituted."""
        literal = string[0]
        whole = _WHOLE_STRING_PLACEHOLDER.fullmatch(literal)
        if whole:
            value = self._lookup(whole[1], _where(text, string.start(), what))
            return json.dumps(value, ensure_ascii=False)
        if "{{" not in literal:
            return literal

        def splice(found: re.Match[str]) -> str:
            inserted = self._text_for(found, text, string.start() + found.start(), what)
            # Escape as JSON string content; `\{{` became `{{`, which needs no escaping.
            return inserted if found[1] else json.dumps(inserted, ensure_ascii=False)[1:-1]

        return _PLACEHOLDER.sub(splice, literal)

    def _text_for(
        self, found: re.Match[str], text: str, position: int, what: str = "the text"
    ) -> str:
        if found[1]:
            return "{{" + found[2] + "}}"
        value = self._lookup(found[2], _where(text, position, what))
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def _lookup(self, raw_name: str, where: str) -> Any:
        """Return the value of the variable named in a placeholder; `where` says where it
        is. While a step notes its uses, the value is noted too."""
        value = self._value(raw_name, where)
        if self._uses is not None:
            self._uses.append((raw_name.strip(), value))
        return value

    def _value(self, raw_name: str, where: str) -> Any:
        name = raw_name.strip()
        if is_generated(name):
            return generated_value(name, where)
        if not _NAME.fullmatch(name):
            raise UsageError(
                f'"{{{{{raw_name}}}}}" {where} is not a variable reference: names use '
                'letters, digits, "_", "-" and ".". To write literal braces, use \\{{.'
            )
        if name in self._values:
            return self._values[name]
        if name in self._run:
            value = self._run[name]
            if self._secrets is not None and self._secrets.policy.is_secret_name(name):
                self._secrets.remember(value)
            return value
        if name.startswith(_ENV):
            return self._environment(name[len(_ENV) :], where)
        raise UsageError(self._unknown(name, where=where))

    def _environment(self, name: str, where: str) -> str:
        value = os.environ.get(name)
        if value is None:
            raise UsageError(
                f'The environment variable "{name}" is not set, but "{{{{env.{name}}}}}" '
                f"{where or 'names it'}. Set it where behave runs (export {name}=...), or "
                "in the CI job's environment."
            )
        if self._secrets is not None and self._secrets.policy.is_secret_name(name):
            self._secrets.remember(value)
        return value

    def _unknown(self, name: str, *, where: str) -> str:
        headline = f'Unknown variable "{name}"' + (f" {where}" if where else "")
        if not self._values and not self._run:
            return (
                f"{headline}: no variables are set yet. Store one first, e.g. "
                f'And I store the JSON at "$.id" as "{name}".'
            )
        known = ", ".join(self.names())
        return f"{headline}. Known variables: {known}.{did_you_mean(name, self.names())}"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(text: str, position: int, what: str) -> str:
    """Say where a placeholder is: the text itself if one line, else its line in `what`."""
    if "\n" not in text:
        return f'in "{text}"'
    line_number = text.count("\n", 0, position) + 1
    line = text.splitlines()[line_number - 1].strip()
    return f"in {what} at line {line_number}: {line}"


def _source_offset(error: ValueError, pieces: list[tuple[int, int, bool]]) -> int:
    """Map a position in the substituted text back to the text the user wrote."""
    if not isinstance(error, json.JSONDecodeError):
        return 0
    for start, source, verbatim in reversed(pieces):
        if start <= error.pos:
            return source + (error.pos - start if verbatim else 0)
    return 0


def _explain_bad_json(text: str, what: str, error: ValueError, offset: int) -> str:
    if not text.strip():
        return f"{what[:1].upper()}{what[1:]} is empty; expected a JSON document."
    problem = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
    comma = _trailing_comma(text, offset)
    if comma is not None:
        # Python 3.13 names this error and points at the comma; older versions point past
        # it. Say it one way on every version.
        offset, problem = comma, "a comma before a closing bracket"
    line_number = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    column = offset - line_start + 1
    hint = _hint(text, offset, problem)
    return (
        f"{what[:1].upper()}{what[1:]} is not valid JSON: {problem} "
        f"(line {line_number}, column {column}).{hint}\n"
        f"  {line}\n"
        f"  {' ' * (column - 1)}^"
    )


def _trailing_comma(text: str, offset: int) -> int | None:
    """Where the comma is, if the JSON error at `offset` is a comma before `}` or `]`."""
    before = text[:offset].rstrip()
    if before.endswith(",") and text[offset : offset + 1] in ("}", "]"):
        return len(before) - 1
    if text[offset : offset + 1] == "," and text[offset + 1 :].lstrip()[:1] in ("}", "]"):
        return offset
    return None


def _hint(text: str, offset: int, problem: str) -> str:
    if problem == "a comma before a closing bracket":
        return " JSON does not allow a trailing comma: remove it."
    if problem == "Expecting ',' delimiter":
        return " Is a comma missing before this point?"
    if text[offset : offset + 1] == "'":
        return " JSON strings use double quotes."
    return ""
