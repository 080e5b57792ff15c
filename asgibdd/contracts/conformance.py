"""One response checked against the operation it answered: status, media type, body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from asgibdd.contracts.dialect import escape
from asgibdd.contracts.operations import (
    Operation,
    OperationIndex,
    documented_media_type,
    documented_status,
)
from asgibdd.contracts.schemas import SchemaValidators

__all__ = ["Verdict", "Violation", "check_response"]


@dataclass(frozen=True)
class Violation:
    """One way a response breaks its document.

    - `where`: `status 418`, `content type text/plain`, `body`, or a JSON path (`$.items[2]`).
    - `problem`: what is wrong, in words.
    - `rule`: the keyword broken (`responses`, `content`, `required`, `type`, ...).
    - `pointer`: where that rule is in the document (a JSON pointer, `/components/...`).
    """

    where: str
    problem: str
    rule: str
    pointer: str


@dataclass(frozen=True)
class Verdict:
    """What the check found for one exchange; `operation` is None for an undocumented one."""

    method: str
    path: str
    status: int
    operation: Operation | None
    status_key: str | None
    violations: tuple[Violation, ...]


def check_response(
    index: OperationIndex,
    schemas: SchemaValidators,
    request: httpx.Request,
    response: httpx.Response,
    *,
    root_path: str = "",
) -> Verdict:
    """Check `response` against the operation `request` matched, if the document has one."""
    method, path, status = request.method.upper(), request.url.path, response.status_code
    operation = index.find(method, path, root_path)
    if operation is None:
        return Verdict(method, path, status, None, None, ())
    status_key = documented_status(operation.statuses, status)
    if status_key is None:
        listed = ", ".join(operation.statuses) or "none"
        violation = Violation(
            f"status {status}",
            f"not documented for this operation; the document lists: {listed}",
            "responses",
            f"{operation.pointer}/responses",
        )
        return Verdict(method, path, status, operation, None, (violation,))
    entry = operation.responses[status_key]
    pointer = operation.response_pointers[status_key]
    violations = _content(schemas, entry, pointer, status_key, response)
    return Verdict(method, path, status, operation, status_key, tuple(violations))


def _content(
    schemas: SchemaValidators,
    entry: Mapping[str, Any],
    pointer: str,
    status_key: str,
    response: httpx.Response,
) -> list[Violation]:
    header = response.headers.get("content-type")
    media_type = header.split(";")[0].strip().lower() if header else None
    content = entry.get("content")
    if not isinstance(content, Mapping) or not content:
        if media_type is None and not response.content:
            return []
        return [
            Violation(
                "body",
                f"a body ({media_type or 'no content type'}), but the document describes "
                f"no body for status {status_key}",
                "content",
                pointer,
            )
        ]
    listed = ", ".join(content)
    if media_type is None:
        if not response.content:
            return []  # nothing was sent, so nothing contradicts the document
        return [
            Violation(
                "content type",
                f"missing; the document lists: {listed}",
                "content",
                f"{pointer}/content",
            )
        ]
    key = documented_media_type(content, media_type)
    if key is None:
        return [
            Violation(
                f"content type {media_type}",
                f"not documented for status {status_key}; the document lists: {listed}",
                "content",
                f"{pointer}/content",
            )
        ]
    media = content[key]
    schema_pointer = f"{pointer}/content/{escape(key)}/schema"
    if not isinstance(media, Mapping) or "schema" not in media or not _is_json(media_type):
        return []  # only JSON bodies are checked against a schema
    try:
        body = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return [Violation("body", f"not valid JSON ({error})", "schema", schema_pointer)]
    return [
        Violation(error.path, error.message, error.keyword, error.pointer)
        for error in schemas.errors(schema_pointer, body)
    ]


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")
