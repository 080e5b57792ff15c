"""Response bodies validated against the document's schemas, with jsonschema-rs.

The whole (rewritten) document is registered as one resource, so a `$ref` anywhere in it
resolves, and each schema is compiled once, the first time a response needs it.
Why jsonschema-rs: see docs/contracts.md ("Choosing the validator").

Every schema check asgibdd runs goes through this one engine, the automatic check and the
`the response JSON matches the schema` step alike (`file_schema`, `problems`): `pattern`
runs on fancy-regex with a bound on its backtracking (`PATTERN_BACKTRACK_LIMIT`), so no
pattern can hang a run, and a pattern that reaches the bound is a failure that says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from asgibdd.contracts.dialect import escape, to_json_schema
from asgibdd.errors import ConfigError
from asgibdd.matching.format import truncate
from asgibdd.matching.jsonpath import index_path, key_path

__all__ = [
    "DOCUMENT_URI",
    "PATTERN_BACKTRACK_LIMIT",
    "Problem",
    "SchemaError",
    "SchemaValidators",
    "file_schema",
    "problems",
]

DOCUMENT_URI = "urn:asgibdd:openapi"
PATTERN_BACKTRACK_LIMIT = 1_000_000
"""Backtracking steps one `pattern` may take on one value (a few milliseconds of work).
Patterns without backreferences or lookaround run in linear time and never reach it."""
_PATTERNS = jsonschema_rs.FancyRegexOptions(backtrack_limit=PATTERN_BACKTRACK_LIMIT)
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_MESSAGE_LIMIT = 200


@dataclass(frozen=True)
class Problem:
    """One rule a JSON value breaks: where in the value (`$.items[2].price`), what, and the
    path of the broken keyword in the schema."""

    path: str
    message: str
    schema_path: tuple[str | int, ...]
    instance_path: tuple[str | int, ...] = ()


def problems(validator: jsonschema_rs.Validator, instance: Any) -> list[Problem]:
    """Every rule `instance` breaks, in the validator's order, each message said plainly."""
    try:
        found = list(validator.iter_errors(instance))
    except ValueError as error:
        # jsonschema-rs gives up describing a failure nested deeper than it can recurse.
        return [
            Problem(
                "$",
                f"breaks the schema somewhere deeper than the validator can describe ({error})",
                (),
            )
        ]
    return [_problem(error) for error in found]


def _problem(error: jsonschema_rs.ValidationError) -> Problem:
    path = "$"
    for part in error.instance_path:
        path = index_path(path, part) if isinstance(part, int) else key_path(path, part)
    message = error.message
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.BacktrackLimitExceeded):
        message = (
            f"the pattern could not be decided within {PATTERN_BACKTRACK_LIMIT:,} "
            "backtracking steps (asgibdd's bound for any pattern); simplify the pattern "
            "(a backreference or lookaround over a long text backtracks)"
        )
    return Problem(path, message, tuple(error.schema_path), tuple(error.instance_path))


def file_schema(schema: Any) -> jsonschema_rs.Validator:
    """A validator for a JSON Schema of its own (its `$schema` picks the draft, 2020-12
    by default), formats checked, patterns bounded, never fetching a remote `$ref`.

    `ValueError` says why `schema` is not a valid JSON Schema.
    """
    try:
        jsonschema_rs.meta.validate(schema)
    except jsonschema_rs.ValidationError as error:
        raise ValueError(f"{error.message} (at {_problem(error).path})") from None
    except jsonschema_rs.ReferencingError as error:
        raise ValueError(str(error).split("\n")[0]) from None
    try:
        return jsonschema_rs.validator_for(
            schema, validate_formats=True, pattern_options=_PATTERNS, offline=True
        )
    except (ValueError, jsonschema_rs.ReferencingError) as error:
        raise ValueError(str(error).split("\n")[0]) from None


@dataclass(frozen=True)
class SchemaError:
    """One broken rule: where in the body (`$.items[2].price`), what, which keyword, and
    the JSON pointer of that keyword in the document."""

    path: str
    message: str
    keyword: str
    pointer: str


class SchemaValidators:
    """Compiled validators for the schemas of one document, by JSON pointer."""

    def __init__(self, data: Mapping[str, Any], *, is_30: bool) -> None:
        document, self._added = to_json_schema(data, is_30=is_30)
        self._registry = jsonschema_rs.Registry(
            [(DOCUMENT_URI, document)], draft=jsonschema_rs.Draft202012
        )
        self._validators: dict[str, jsonschema_rs.Validator] = {}

    def errors(self, pointer: str, instance: Any) -> list[SchemaError]:
        """Every rule `instance` breaks of the schema at `pointer`, deepest path first."""
        validator = self._validators.get(pointer)
        if validator is None:
            validator = self._compile(pointer)
            self._validators[pointer] = validator
        found = [self._error(problem, pointer) for problem in problems(validator, instance)]
        return sorted(found, key=lambda e: -e.path.count(".") - e.path.count("["))

    def _compile(self, pointer: str) -> jsonschema_rs.Validator:
        try:
            return jsonschema_rs.Draft202012Validator(
                # A URI fragment: `{item_id}` in a path template must be percent-encoded.
                {"$ref": f"{DOCUMENT_URI}#{quote(pointer, safe='/~')}"},
                registry=self._registry,
                validate_formats=True,
                formats={"byte": _is_base64},
                pattern_options=_PATTERNS,
                offline=True,  # never fetch a `$ref` from the network
            )
        except ValueError as error:
            reason = str(error).split("\n")[0]
            raise ConfigError(
                f"The API document's schema at #{pointer} cannot be compiled: {reason}. "
                "asgibdd resolves references inside the document only: bundle external "
                "`$ref`s into it (e.g. under #/components/schemas), or turn the check off "
                "with `contract = false`."
            ) from None

    def _error(self, problem: Problem, schema_pointer: str) -> SchemaError:
        if not problem.schema_path:  # not said where: the schema as a whole
            return SchemaError(problem.path, problem.message, "schema", schema_pointer)
        pointer = "".join(f"/{escape(str(part))}" for part in problem.schema_path)
        keyword = str(problem.schema_path[-1])
        for added, original in self._added.items():
            if pointer == added or pointer.startswith(f"{added}/"):
                pointer, keyword = original, original.rsplit("/", 1)[-1]
                break
        return SchemaError(
            problem.path, truncate(problem.message, _MESSAGE_LIMIT, separator=" "), keyword, pointer
        )


def _is_base64(value: str) -> bool:
    """OpenAPI's `byte` format: base64-encoded characters (RFC 4648)."""
    return _BASE64.fullmatch(value) is not None
