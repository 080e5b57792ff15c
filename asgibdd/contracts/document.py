"""The app's OpenAPI document: where it comes from, and its shape checked once.

A document comes from the app object (FastAPI's `app.openapi()`, Litestar's
`app.openapi_schema`), from a file (JSON; YAML when PyYAML is installed), or from a path
the app serves (`/openapi.json`), fetched once through the scenario's client.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

from asgibdd.contracts.dialect import escape
from asgibdd.errors import ConfigError

__all__ = [
    "AUTO",
    "APIDocument",
    "discover",
    "document_from_mapping",
    "load_file",
    "load_served",
    "ref_cycle",
]

AUTO = "auto"
"""The `openapi` setting that asks the app object for its document."""

_FIX = (
    "Point the `openapi` setting at a JSON file or a served path (e.g. "
    '`openapi = "/openapi.json"` in [tool.asgibdd]), or turn the check off with '
    "`contract = false`."
)


@dataclass(frozen=True)
class APIDocument:
    """An OpenAPI 3.0 or 3.1 document, as published, and where it came from.

    - `data`: the document itself (never modified).
    - `source`: for messages, e.g. `app.openapi() of FastAPI` or `file openapi.json`.
    - `version`: the `openapi` field, e.g. `3.1.0`.
    """

    data: Mapping[str, Any]
    source: str
    version: str

    @property
    def is_30(self) -> bool:
        """True for OpenAPI 3.0 (its own schema dialect), False for 3.1 (JSON Schema 2020-12)."""
        return self.version.startswith("3.0")

    @property
    def title(self) -> str:
        info = self.data.get("info")
        return str(info.get("title", "")) if isinstance(info, Mapping) else ""


def document_from_mapping(data: Any, source: str) -> APIDocument:
    """Check that `data` is an OpenAPI 3.0/3.1 document; `ConfigError` says what it is instead."""
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"The API document from {source} must be a JSON object, got {type(data).__name__}. "
            + _FIX
        )
    version = data.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        found = f'"swagger": {data["swagger"]!r}' if "swagger" in data else f"openapi {version!r}"
        raise ConfigError(
            f"The API document from {source} must be OpenAPI 3.0 or 3.1 (an "
            f'"openapi": "3.x.y" field), got {found}. Convert a Swagger 2.0 document to '
            "OpenAPI 3 first. " + _FIX
        )
    if not isinstance(data.get("paths", {}), Mapping):
        raise ConfigError(
            f'The API document from {source} has "paths" that is not an object. ' + _FIX
        )
    cycle = ref_cycle(data, siblings_count=not version.startswith("3.0"))
    if cycle:
        chain = " -> ".join(f"#{pointer}" for pointer in cycle)
        raise ConfigError(
            f"The API document from {source} has a `$ref` cycle that describes nothing: "
            f"{chain}. Each of these only refers to the next, so any body would pass it. "
            "Give one of them a schema of its own (a type, properties, ...) or point its "
            "`$ref` at one, or turn the check off with `contract = false`."
        )
    return APIDocument(data=data, source=source, version=version)


# Keywords that say something about a schema without constraining it.
_ANNOTATIONS = frozenset(
    {
        "$comment",
        "default",
        "deprecated",
        "description",
        "example",
        "examples",
        "externalDocs",
        "readOnly",
        "summary",
        "title",
        "writeOnly",
        "xml",
    }
)


def ref_cycle(data: Mapping[str, Any], *, siblings_count: bool = True) -> list[str]:
    """The first cycle of `$ref`s that refer only to each other (A -> B -> A), as JSON
    pointers ending where they started; empty if there is none.

    A node counts when its local `$ref` is all it says: its other keys are annotations,
    or are ignored (`siblings_count=False`, as OpenAPI 3.0 ignores siblings of `$ref`).
    """
    refers: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, list):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(node))
            continue
        if not isinstance(node, Mapping):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            others = [key for key in node if key != "$ref" and not str(key).startswith("x-")]
            if not siblings_count or all(key in _ANNOTATIONS for key in others):
                refers[pointer] = unquote(ref[1:])
        for key, value in node.items():
            stack.append((f"{pointer}/{escape(str(key))}", value))
    for start in sorted(refers):
        seen: list[str] = []
        at: str | None = start
        while at is not None and at not in seen:
            seen.append(at)
            at = refers.get(at)
        if at is not None:
            return [*seen[seen.index(at) :], at]
    return []


def discover(app: Any) -> APIDocument | None:
    """The document a FastAPI or Litestar app publishes about itself, or None for other apps."""
    modules = {cls.__module__.split(".")[0] for cls in type(app).__mro__}
    if "fastapi" in modules and callable(getattr(app, "openapi", None)):
        return document_from_mapping(
            _call(lambda: app.openapi(), "app.openapi()"), "app.openapi() of FastAPI"
        )
    if "litestar" in modules and hasattr(type(app), "openapi_schema"):
        if getattr(app, "openapi_config", True) is None:
            return None  # the app turned its document off
        schema = _call(lambda: app.openapi_schema, "app.openapi_schema")
        data = _call(lambda: schema.to_schema(), "app.openapi_schema.to_schema()")
        return document_from_mapping(data, "app.openapi_schema of Litestar")
    return None


def _call(get: Callable[[], Any], what: str) -> Any:
    try:
        return get()
    except Exception as error:
        raise ConfigError(
            f"Reading the app's API document with {what} raised {type(error).__name__}: "
            f"{error}. " + _FIX
        ) from error


def load_file(path: Path, setting: str) -> APIDocument:
    """Read a document file: `.json`, or `.yaml`/`.yml` when PyYAML is installed."""
    source = f"file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"Cannot read the API document {path} (from {setting}): {error.strerror or error}. "
            "Check the path; a relative path is read from the folder of pyproject.toml."
        ) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return document_from_mapping(_yaml(text, source), source)
    return document_from_mapping(_json(text, source), source)


def load_served(
    fetch: Callable[[str], httpx.Response], path: str, *, served_by: str = "the app"
) -> APIDocument:
    """GET the document the app serves at `path`, once, outside the scenario's journal."""
    source = f"{path} served by {served_by}"
    try:
        response = fetch(path)
    except Exception as error:
        said = str(error).splitlines()[0] if str(error) else "(no message)"
        raise ConfigError(
            f"GET {path}, where the API document should be served, failed with "
            f"{type(error).__name__}: {said}. Fix that route, or name the document another "
            "way. " + _FIX
        ) from error
    if response.status_code != 200:
        raise ConfigError(
            f"{served_by[0].upper()}{served_by[1:]} answered {response.status_code} to GET "
            f"{path}, where its API document should be served; expected 200. " + _FIX
        )
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if "yaml" in media:
        return document_from_mapping(_yaml(response.text, source), source)
    return document_from_mapping(_json(response.text, source), source)


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"The API document from {source} is not valid JSON: {error}. " + _FIX
        ) from None


def _yaml(text: str, source: str) -> Any:
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigError(
            f"The API document from {source} is YAML, and reading YAML needs PyYAML, which "
            "asgibdd does not install: `pip install pyyaml`, or convert the document to JSON."
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"The API document from {source} is not valid YAML: {error}") from None
