"""The Cucumber JSON report format as a JSON Schema, written for these tests from its public
description (Cucumber's JSON formatter documentation and the reports Jenkins' Cucumber
Reports plugin, Xray and cucumber-html-reporter read), strict about what asgibdd writes:
no property that is not listed, every one the readers need present."""

from __future__ import annotations

from typing import Any


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


_TEXT = {"type": "string"}
_LINE = {"type": "integer", "minimum": 1}
_TAGS = {
    "type": "array",
    "items": _object({"name": {"type": "string", "pattern": "^@"}, "line": _LINE}),
}
_RESULT = _object(
    {
        "status": {"enum": ["passed", "failed", "skipped", "pending", "undefined", "ambiguous"]},
        # Nanoseconds, a whole number.
        "duration": {"type": "integer", "minimum": 0},
    },
    {"error_message": _TEXT},
)
_MATCH = _object(
    {},
    {
        "location": {"type": "string", "pattern": r"^[^:]+:\d+$|^environment\.py$"},
        "arguments": {
            "type": "array",
            "items": _object({"val": _TEXT, "offset": {"type": "integer", "minimum": 0}}),
        },
    },
)
_EMBEDDING = _object(
    {
        "data": {"type": "string", "pattern": "^[A-Za-z0-9+/]*={0,2}$"},
        "mime_type": _TEXT,
    },
    {"name": _TEXT},
)
_STEP = _object(
    {
        "keyword": {"type": "string", "pattern": " $"},
        "name": _TEXT,
        "line": _LINE,
        "match": _MATCH,
        "result": _RESULT,
    },
    {
        "doc_string": _object({"value": _TEXT, "content_type": _TEXT, "line": _LINE}),
        "rows": {"type": "array", "items": _object({"cells": {"type": "array", "items": _TEXT}})},
        "embeddings": {"type": "array", "items": _EMBEDDING, "minItems": 1},
    },
)
_HOOK = _object({"match": _MATCH, "result": _RESULT})
_STEPS = {"type": "array", "items": _STEP}
_BACKGROUND = _object(
    {
        "keyword": _TEXT,
        "type": {"const": "background"},
        "name": _TEXT,
        "description": _TEXT,
        "line": _LINE,
        "steps": _STEPS,
    }
)
_SCENARIO = _object(
    {
        "id": {"type": "string", "pattern": "^[^;]*;.+"},
        "keyword": {"enum": ["Scenario", "Scenario Outline", "Example", "Scenario Template"]},
        "type": {"const": "scenario"},
        "name": _TEXT,
        "description": _TEXT,
        "line": _LINE,
        "tags": _TAGS,
        "steps": _STEPS,
    },
    {
        "start_timestamp": {
            "type": "string",
            "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$",
        },
        "before": {"type": "array", "items": _HOOK},
        "after": {"type": "array", "items": _HOOK},
    },
)
_FEATURE = _object(
    {
        "uri": {"type": "string", "pattern": r"\.feature$"},
        "id": _TEXT,
        "keyword": _TEXT,
        "name": _TEXT,
        "description": _TEXT,
        "line": _LINE,
        "tags": _TAGS,
        "elements": {"type": "array", "items": {"oneOf": [_BACKGROUND, _SCENARIO]}},
    }
)

CUCUMBER_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": _FEATURE,
}


def schema_errors(report: Any) -> list[str]:
    """Where `report` breaks the schema, one line each (empty: it is valid)."""
    import jsonschema_rs

    validator = jsonschema_rs.validator_for(CUCUMBER_JSON_SCHEMA)
    return [
        f"{'/'.join(str(part) for part in error.instance_path)}: {error.message}"
        for error in validator.iter_errors(report)
    ]
