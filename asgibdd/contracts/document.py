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

import httpx

from asgibdd.errors import ConfigError

__all__ = [
    "AUTO",
    "APIDocument",
    "discover",
    "document_from_mapping",
    "load_file",
    "load_served",
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
    return APIDocument(data=data, source=source, version=version)


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


def load_served(fetch: Callable[[str], httpx.Response], path: str) -> APIDocument:
    """GET the document the app serves at `path`, once, outside the scenario's journal."""
    source = f"{path} served by the app"
    response = fetch(path)
    if response.status_code != 200:
        raise ConfigError(
            f"The app answered {response.status_code} to GET {path}, where the `openapi` "
            "setting says it serves its API document; expected 200. " + _FIX
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
