"""asgibdd's verdicts cross-checked against an independent implementation: schemathesis's
response validation (`schema[path][method].validate_response(response)`), on the real
responses of the FastAPI and Litestar shops.

schemathesis passes a status the document does not list (it only checks documented ones),
as asgibdd does by default; a strict asgibdd fails it. schemathesis's response validation
checks the body, not the media type: for that break the sides are expected to differ, and
asgibdd must be the one failing.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from asgibdd import TestClient
from asgibdd.contracts import ContractChecker, discover
from tests.test_contracts_apps import FASTAPI_SHOP, LITESTAR_SHOP

schemathesis = pytest.importorskip("schemathesis")

PATHS = ("/items/7", "/teapot", "/text", "/nameless", "/orders", "/extra", "/blue")


def _load(name: str, code: str) -> Any:
    module = types.ModuleType(name)
    sys.modules[name] = module  # frameworks resolve annotations through the module
    exec(compile(code, f"<{name}>", "exec"), module.__dict__)
    return module.app


@pytest.fixture(scope="module", params=["fastapi", "litestar"])
def shop(request: pytest.FixtureRequest) -> Iterator[tuple[Any, ContractChecker]]:
    name = f"crosscheck_{request.param}_shop"
    app = _load(name, FASTAPI_SHOP if request.param == "fastapi" else LITESTAR_SHOP)
    document = discover(app)
    assert document is not None
    yield app, ContractChecker(document)
    del sys.modules[name]


def _theirs(document: Any, template: str, method: str, response: httpx.Response) -> bool:
    """schemathesis's verdict: True when it finds the response conforming."""
    operation = schemathesis.openapi.from_dict(dict(document))[template][method]
    try:
        operation.validate_response(response)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("path", PATHS)
def test_verdicts_agree_with_schemathesis(shop: tuple[Any, ContractChecker], path: str) -> None:
    app, checker = shop
    with TestClient(app) as client:
        response = client.get(path)
    verdict = checker.check(response.request, response, fetch=client.get)
    if verdict.operation is None:
        # The Litestar shop has no /extra (it cannot document "no other fields"): a request
        # no operation describes is only listed in the coverage, never failed.
        assert (path, verdict.violations) == ("/extra", ())
        return
    assert checker.document is not None
    theirs = _theirs(checker.document.data, verdict.operation.template, "GET", response)
    ours = not verdict.violations
    if verdict.status_key is None:
        # An undocumented status: both let it pass; a strict check fails it.
        assert (ours, theirs) == (True, True)
        strict = checker.check(response.request, response, fetch=client.get, strict=True)
        assert [v.rule for v in strict.violations] == ["responses"]
    elif [v.rule for v in verdict.violations] == ["content"]:
        # An undocumented media type: schemathesis lets it pass, asgibdd reports it.
        assert (ours, theirs) == (False, True)
    else:
        assert ours == theirs, verdict.violations
