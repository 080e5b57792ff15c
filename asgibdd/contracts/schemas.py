"""Response bodies validated against the document's schemas, with jsonschema-rs.

The whole (rewritten) document is registered as one resource, so a `$ref` anywhere in it
resolves, and each schema is compiled once, the first time a response needs it.
Why jsonschema-rs: see docs/contracts.md ("Choosing the validator").
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

__all__ = ["DOCUMENT_URI", "SchemaError", "SchemaValidators"]

DOCUMENT_URI = "urn:asgibdd:openapi"
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_MESSAGE_LIMIT = 200


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
        found = [self._error(error) for error in validator.iter_errors(instance)]
        return sorted(found, key=lambda e: -e.path.count(".") - e.path.count("["))

    def _compile(self, pointer: str) -> jsonschema_rs.Validator:
        try:
            return jsonschema_rs.Draft202012Validator(
                # A URI fragment: `{item_id}` in a path template must be percent-encoded.
                {"$ref": f"{DOCUMENT_URI}#{quote(pointer, safe='/~')}"},
                registry=self._registry,
                validate_formats=True,
                formats={"byte": _is_base64},
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

    def _error(self, error: jsonschema_rs.ValidationError) -> SchemaError:
        path = "$"
        for part in error.instance_path:
            path = index_path(path, part) if isinstance(part, int) else key_path(path, part)
        pointer = "".join(f"/{escape(str(part))}" for part in error.schema_path)
        keyword = str(error.schema_path[-1]) if error.schema_path else "$ref"
        for added, original in self._added.items():
            if pointer == added or pointer.startswith(f"{added}/"):
                pointer, keyword = original, original.rsplit("/", 1)[-1]
                break
        return SchemaError(
            path, truncate(error.message, _MESSAGE_LIMIT, separator=" "), keyword, pointer
        )


def _is_base64(value: str) -> bool:
    """OpenAPI's `byte` format: base64-encoded characters (RFC 4648)."""
    return _BASE64.fullmatch(value) is not None
