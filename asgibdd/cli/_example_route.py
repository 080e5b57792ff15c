"""Choosing the request of `asgibdd init`'s example scenario from the app's routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HEALTH_PATHS", "Example", "choose_example"]

HEALTH_PATHS = ("/health", "/healthz", "/ping", "/status", "/livez", "/readyz", "/")


@dataclass(frozen=True)
class Example:
    """The request the example scenario sends and the status it can be sure of."""

    path: str
    status: str
    reason: str


def choose_example(app: Any) -> Example:
    """A GET the app is sure to answer with success, read from its routes when it has any."""
    special = {
        getattr(app, name, None)
        for name in ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")
    } - {None}
    simple = [
        route.path
        for route in getattr(app, "routes", None) or []
        if _is_simple_get(route) and route.path not in special
    ]
    if simple:
        preferred = [path for path in HEALTH_PATHS if path in simple]
        path = preferred[0] if preferred else min(simple, key=lambda p: (len(p), p))
        return Example(path, "2xx", "a GET route of the app that needs no parameters")
    openapi = getattr(app, "openapi_url", None)
    if isinstance(openapi, str) and openapi:
        return Example(openapi, "200", "the OpenAPI schema the app serves")
    return Example("/", "2xx", "the app's routes could not be read; edit it if / is not served")


def _is_simple_get(route: Any) -> bool:
    path = getattr(route, "path", None)
    methods = getattr(route, "methods", None) or ()
    if not isinstance(path, str) or "{" in path or "GET" not in methods:
        return False
    dependant = getattr(route, "dependant", None)  # FastAPI: skip auth and required inputs
    if dependant is None:
        return True
    if dependant.dependencies:
        return False
    inputs = (
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    )
    return not any(field.field_info.is_required() for field in inputs)
