"""Which documented operation a request answered, and which status and media type entry
of it a response falls under."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from asgibdd.contracts.dialect import escape

__all__ = ["METHODS", "Operation", "OperationIndex", "documented_media_type", "documented_status"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER = re.compile(r"\{[^{}/]+\}")


@dataclass(frozen=True)
class Operation:
    """One documented method of one path template.

    `pointer` is where it is in the document (`/paths/~1items~1{item_id}/get`),
    `responses` its Responses object (references to `#/components/responses` resolved,
    with the pointer each entry really lives at in `response_pointers`).
    """

    method: str
    template: str
    pointer: str
    operation_id: str | None
    responses: Mapping[str, Any]
    response_pointers: Mapping[str, str]

    @property
    def label(self) -> str:
        """`GET /items/{item_id}`, as messages and the coverage table name it."""
        return f"{self.method} {self.template}"

    @property
    def statuses(self) -> tuple[str, ...]:
        """The documented status keys, in the document's order (`200`, `4XX`, `default`)."""
        return tuple(self.responses)


@dataclass(frozen=True)
class _Template:
    template: str
    pattern: re.Pattern[str]
    literal_length: int
    parameters: int


class OperationIndex:
    """Every operation of a document, found by method and request path.

    A request path is tried as it is, then without the client's `root_path`, then without
    the path of each entry in `servers`. A literal template wins over a templated one
    (`/items/new` over `/items/{id}`), then the one with more literal characters.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.operations: list[Operation] = []
        self._by_key: dict[tuple[str, str], Operation] = {}
        templates: list[_Template] = []
        paths = data.get("paths") or {}
        for template, item in paths.items():
            pointer = f"/paths/{escape(str(template))}"
            item, pointer = _follow(data, item, pointer)
            if not isinstance(item, Mapping):
                continue
            templates.append(_compile(str(template)))
            for method in METHODS:
                spec = item.get(method)
                if isinstance(spec, Mapping):
                    operation = _operation(data, str(template), method, spec, f"{pointer}/{method}")
                    self.operations.append(operation)
                    self._by_key[(operation.method, operation.template)] = operation
        self._templates = sorted(templates, key=lambda t: (t.parameters, -t.literal_length))
        self._prefixes = _server_prefixes(data.get("servers"))

    def find(self, method: str, path: str, root_path: str = "") -> Operation | None:
        """The operation answering `method path`, or None when the document has none."""
        prefixes = [p for p in (root_path.rstrip("/"), *self._prefixes) if p]
        candidates = [path] + [
            path[len(p) :] or "/" for p in prefixes if path.startswith(p + "/") or path == p
        ]
        for candidate in candidates:
            for template in self._templates:
                if template.pattern.fullmatch(candidate):
                    found = self._by_key.get((method.upper(), template.template))
                    if found is not None:
                        return found
        return None


def _compile(template: str) -> _Template:
    pattern, last, parameters = "", 0, 0
    for found in _PARAMETER.finditer(template):
        pattern += re.escape(template[last : found.start()]) + "[^/]+"
        last, parameters = found.end(), parameters + 1
    pattern += re.escape(template[last:])
    literal = len(_PARAMETER.sub("", template))
    return _Template(template, re.compile(pattern), literal, parameters)


def _operation(
    data: Mapping[str, Any], template: str, method: str, spec: Mapping[str, Any], pointer: str
) -> Operation:
    responses: dict[str, Any] = {}
    pointers: dict[str, str] = {}
    raw = spec.get("responses")
    for status, response in raw.items() if isinstance(raw, Mapping) else ():
        where = f"{pointer}/responses/{escape(str(status))}"
        resolved, where = _follow(data, response, where)
        responses[str(status)] = resolved if isinstance(resolved, Mapping) else {}
        pointers[str(status)] = where
    operation_id = spec.get("operationId")
    return Operation(
        method=method.upper(),
        template=template,
        pointer=pointer,
        operation_id=operation_id if isinstance(operation_id, str) else None,
        responses=responses,
        response_pointers=pointers,
    )


def _follow(data: Mapping[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """`node`, or what its local `$ref` chain leads to, with the pointer it lives at."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            break
        seen.add(ref)
        target: Any = data
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        node, pointer = target, ref[1:]
    return node, pointer


def _server_prefixes(servers: Any) -> list[str]:
    prefixes = []
    for server in servers if isinstance(servers, list) else ():
        url = server.get("url") if isinstance(server, Mapping) else None
        if isinstance(url, str) and "{" not in url:
            path = urlsplit(url).path.rstrip("/")
            if path:
                prefixes.append(path)
    return sorted(set(prefixes), key=len, reverse=True)


def documented_status(statuses: Iterable[str], status: int) -> str | None:
    """The Responses key `status` falls under: exact, then `4XX`, then `default`."""
    keys = {key.upper(): key for key in statuses}
    for wanted in (str(status), f"{str(status)[0]}XX", "DEFAULT"):
        if wanted in keys:
            return keys[wanted]
    return None


def documented_media_type(content: Mapping[str, Any], media_type: str) -> str | None:
    """The Content key `media_type` falls under: exact, then `type/*`, then `*/*`."""
    keys = {key.split(";")[0].strip().lower(): key for key in content}
    major = media_type.split("/")[0]
    for wanted in (media_type, f"{major}/*", "*/*"):
        if wanted in keys:
            return keys[wanted]
    return None
