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
    """What the check found for one exchange; `operation` is None for an undocumented one.

    `status_key` is None when the operation does not list the status: then `violations`
    holds that only in a strict check, and the status is reported, not failed, otherwise.
    """

    method: str
    path: str
    status: int
    operation: Operation | None
    status_key: str | None
    violations: tuple[Violation, ...]

    @property
    def undocumented_status(self) -> bool:
        """Whether the operation is documented but this status is not."""
        return self.operation is not None and self.status_key is None


def check_response(
    index: OperationIndex,
    schemas: SchemaValidators,
    request: httpx.Request,
    response: httpx.Response,
    *,
    root_path: str = "",
    strict: bool = False,
) -> Verdict:
    """Check `response` against the operation `request` matched, if the document has one.

    A status the operation does not list is a violation only when `strict`.
    """
    method, path, status = request.method.upper(), request.url.path, response.status_code
    operation = index.find(method, path, root_path)
    if operation is None:
        return Verdict(method, path, status, None, None, ())
    status_key = documented_status(operation.statuses, status)
    if status_key is None:
        if not strict:
            return Verdict(method, path, status, operation, None, ())
        listed = ", ".join(operation.statuses) or "none"
        violation = Violation(
            f"status {status}",
            f"not documented for this operation; the document lists: {listed}",
            "responses",
            f"{operation.pointer}/responses",
        )
        return Verdict(method, path, status, operation, None, (violation,))
    if _carries_no_body(method, response):
        return Verdict(method, path, status, operation, status_key, ())
    entry = operation.responses[status_key]
    pointer = operation.response_pointers[status_key]
    violations = _content(schemas, entry, pointer, status_key, response)
    return Verdict(method, path, status, operation, status_key, tuple(violations))


_BODILESS_STATUSES = (204, 304)


def _carries_no_body(method: str, response: httpx.Response) -> bool:
    """Empty is not a body: a 204, a 304, an answer to HEAD and a `Content-Length: 0`
    response carry none, whatever content type they name."""
    if response.status_code in _BODILESS_STATUSES or method == "HEAD":
        return True
    return bool(response.headers.get("content-length", "").strip() == "0")


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
    except RecursionError:
        return [
            Violation(
                "body",
                "nested too deep for Python to read as JSON; it cannot be checked",
                "schema",
                schema_pointer,
            )
        ]
    return [
        Violation(error.path, error.message, error.keyword, error.pointer)
        for error in schemas.errors(schema_pointer, body)
    ]


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")
