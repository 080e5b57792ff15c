"""Choosing the request of `asgibdd init`'s example scenario, and confirming it in-process.

`candidate_paths` reads the parameter-free GET paths the app's own routing declares:
Starlette and FastAPI routes (mounts included), Litestar's route handlers, Quart's (and
Flask's) URL map, Django's URL conf. The app's health-like routes come first, then its
other routes (shortest first), then framework docs routes (`/openapi.json`, `/docs`,
`/schema`, Django's admin) last, and `/` for an app whose routing cannot be read.

`confirm_example` sends each GET with asgibdd's TestClient, the way the behave run will,
until one answers 2xx; nothing is written for a path that was not seen to work.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgibdd.errors import AsgiBddError

if TYPE_CHECKING:
    from asgibdd.client import TestClient

__all__ = ["HEALTH_NAMES", "MAX_TRIES", "Example", "candidate_paths", "confirm_example"]

HEALTH_NAMES = ("health", "healthz", "healthcheck", "ping", "status", "livez", "readyz")
DOCS_SEGMENTS = frozenset(
    {"docs", "redoc", "schema", "swagger", "openapi.json", "openapi.yaml", "openapi.yml", "admin"}
)
MAX_TRIES = 8
_DJANGO_LITERAL = re.compile(r"[\w\-/]*")


@dataclass(frozen=True)
class Example:
    """The GET the example scenario sends, or None when no candidate answered 2xx.

    `answered` is the status seen in-process; `tried` holds what the earlier candidates
    got, as (path, outcome) pairs like ("/docs", "404").
    """

    path: str | None
    answered: int | None = None
    tried: tuple[tuple[str, str], ...] = ()

    def tried_text(self, shown: int = 3) -> str:
        """`404 from /a, /b; 500 from /c`, at most `shown` paths per outcome."""
        by_outcome: dict[str, list[str]] = {}
        for path, outcome in self.tried:
            by_outcome.setdefault(outcome, []).append(path)
        parts = []
        for outcome, paths in by_outcome.items():
            more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
            parts.append(f"{outcome} from {', '.join(paths[:shown])}{more}")
        return "; ".join(parts)


# -- reading the app's routing ------------------------------------------------------------


def candidate_paths(app: Any) -> list[str]:
    """The app's parameter-free GET paths, likeliest to answer 2xx simply first."""
    docs = _docs_prefixes(app)
    declared = list(dict.fromkeys(_declared_paths(app)))
    ranked = sorted(declared, key=lambda path: _rank(path, docs))
    if "/" not in ranked:
        ranked.append("/")
    return ranked


def _declared_paths(app: Any, depth: int = 0) -> list[str]:
    if type(app).__module__.startswith("django."):
        return _django_paths()
    url_map = getattr(app, "url_map", None)
    if url_map is not None and hasattr(url_map, "iter_rules"):
        return _url_map_paths(url_map)
    routes = getattr(app, "routes", None)
    if isinstance(routes, list | tuple):
        return list(_route_list_paths(routes, ""))
    inner = getattr(app, "app", None)  # a middleware around the app
    if inner is not None and inner is not app and depth < 8:
        return _declared_paths(inner, depth + 1)
    return []


def _route_list_paths(routes: Sequence[Any], prefix: str) -> Iterator[str]:
    """Starlette, FastAPI and Litestar: route objects with `path` and `methods`."""
    for route in routes:
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            continue
        methods = getattr(route, "methods", None)
        mounted = getattr(route, "routes", None)
        if methods is None and isinstance(mounted, list | tuple):  # Starlette's Mount
            yield from _route_list_paths(mounted, prefix + path.rstrip("/"))
        elif methods and "GET" in methods and "{" not in path:
            yield prefix + path


def _url_map_paths(url_map: Any) -> list[str]:
    """Quart (and Flask): werkzeug rules; `static` and rules with arguments are skipped."""
    return [
        rule.rule
        for rule in url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint != "static"
    ]


def _django_paths() -> list[str]:
    """Django: the URL conf of the configured settings, literal patterns only."""
    try:
        from django.urls import URLPattern, URLResolver, get_resolver

        def walk(patterns: Sequence[Any], prefix: str) -> Iterator[str]:
            for entry in patterns:
                literal = _django_literal(entry.pattern)
                if literal is None:
                    continue
                if isinstance(entry, URLResolver):
                    yield from walk(entry.url_patterns, prefix + literal)
                elif isinstance(entry, URLPattern):
                    yield "/" + prefix + literal

        return list(walk(get_resolver().url_patterns, ""))
    except Exception:  # a URL conf that does not import: the confirmation will tell
        return []


def _django_literal(pattern: Any) -> str | None:
    text = str(pattern)
    kind = type(pattern).__name__
    if kind == "RoutePattern":
        return text if not getattr(pattern, "converters", None) and "<" not in text else None
    if kind == "RegexPattern":
        text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        return text if _DJANGO_LITERAL.fullmatch(text) else None
    return None


def _docs_prefixes(app: Any) -> set[str]:
    names = ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")
    found = {getattr(app, name, None) for name in names}
    found.add(getattr(getattr(app, "openapi_config", None), "path", None))  # Litestar
    return {path for path in found if isinstance(path, str) and path}


def _rank(path: str, docs: set[str]) -> tuple[int, int, int, str]:
    segments = [segment for segment in path.split("/") if segment]
    is_docs = any(path == d or path.startswith(d.rstrip("/") + "/") for d in docs) or bool(
        segments and segments[0] in DOCS_SEGMENTS
    )
    if is_docs:
        return (2, 0 if path.endswith(".json") else 1, len(path), path)
    if segments and segments[-1] in HEALTH_NAMES:
        return (0, HEALTH_NAMES.index(segments[-1]), len(path), path)
    return (1, 0, len(path), path)


# -- confirming in-process ----------------------------------------------------------------


def confirm_example(client: TestClient, paths: Sequence[str]) -> Example:
    """The first of `paths` (at most `MAX_TRIES`) that `client` sees answered with 2xx.

    The app's exceptions become 500 answers here (`raise_server_exceptions` is turned
    off), so a failing candidate is just skipped.
    """
    client.raise_server_exceptions = False
    tried: list[tuple[str, str]] = []
    logging.disable(logging.CRITICAL)  # the app's own error logs are noise here
    try:
        with _lifespan(client):
            for path in paths[:MAX_TRIES]:
                try:
                    response = client.get(path)
                except Exception as error:
                    tried.append((path, type(error).__name__))
                    continue
                if response.is_success:
                    return Example(path, response.status_code, tuple(tried))
                tried.append((path, str(response.status_code)))
    except AsgiBddError as error:  # lifespan startup failed or timed out
        tried.append(("lifespan startup", str(error).splitlines()[0]))
    finally:
        logging.disable(logging.NOTSET)
        client.close()
    return Example(None, None, tuple(tried))


@contextlib.contextmanager
def _lifespan(client: TestClient) -> Iterator[None]:
    """Run the requests inside the app's lifespan, as the behave run does.

    By the ASGI rule, an app that raises on the lifespan scope (Django) has no lifespan:
    the requests then go on without it.
    """
    try:
        client.__enter__()
    except AsgiBddError:
        raise
    except Exception:
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            client.__exit__(None, None, None)
