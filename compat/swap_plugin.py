"""pytest plugin: run a third-party test suite with asgibdd's TestClient in Starlette's place.

Load it with `-p swap_plugin` (with `compat/` and the project root on `sys.path`). pytest
imports `-p` plugins before it reads any conftest or test module, so patching the module
attributes here is early enough: every later `from starlette.testclient import TestClient`
and `from fastapi.testclient import TestClient` (a plain re-export) binds to ours.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import asgibdd

# Starlette warns at import time when it falls back to plain httpx; that warning belongs to
# Starlette's client, which this plugin is replacing, so it must not fail the suite.
STARLETTE_HTTPX_WARNING = "Using `httpx` with `starlette.testclient` is deprecated"

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=STARLETTE_HTTPX_WARNING)
    import starlette.testclient as starlette_testclient

#: Public names a suite imports from `starlette.testclient`, mapped to our replacements.
REPLACEMENTS: dict[str, Any] = {
    "TestClient": asgibdd.TestClient,
    "WebSocketTestSession": asgibdd.WebSocketTestSession,
    "WebSocketDenialResponse": asgibdd.WebSocketDenialResponse,
}

#: Starlette's originals, kept so a test of the harness can tell the two apart.
ORIGINALS: dict[str, Any] = {name: getattr(starlette_testclient, name) for name in REPLACEMENTS}


def swap_clients() -> list[str]:
    """Point Starlette's (and FastAPI's, if installed) client names at asgibdd's.

    Returns the dotted names that were replaced.
    """
    replaced = []
    for name, replacement in REPLACEMENTS.items():
        setattr(starlette_testclient, name, replacement)
        replaced.append(f"starlette.testclient.{name}")
    try:
        import fastapi.testclient as fastapi_testclient
    except ImportError:  # FastAPI is optional: only Starlette suites need no FastAPI
        return replaced
    fastapi_testclient.TestClient = asgibdd.TestClient  # type: ignore[misc,assignment]
    replaced.append("fastapi.testclient.TestClient")
    return replaced


SWAPPED = swap_clients()


def pytest_report_header(config: pytest.Config) -> str:
    return "asgibdd compat: " + ", ".join(SWAPPED) + " -> asgibdd"


def pytest_collection_finish(session: pytest.Session) -> None:
    # A suite that reloads starlette.testclient would silently test Starlette again.
    if starlette_testclient.TestClient is not asgibdd.TestClient:
        raise pytest.UsageError(
            "compat: starlette.testclient.TestClient is no longer asgibdd.TestClient after "
            "collection (was the module reloaded?); the results would not test asgibdd."
        )
