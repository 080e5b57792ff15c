"""Write the benchmark's throwaway project: one app, the same checks as behave and as pytest.

`write_suite(root, scenarios, extra_steps)` lays out, under `root`:

    pyproject.toml              [tool.asgibdd] app = "bench_app:app", nothing else
    bench_app.py                a small FastAPI app with an empty lifespan
    environment.py              asgibdd's hooks, by the documented one-line import
    steps/asgibdd_steps.py      the one-line import of the library steps
    features/items_NN.feature   `scenarios` scenarios, 50 to a file
    tests_starlette/test_items_NN.py   the same checks with Starlette's TestClient
    tests_asgibdd/test_items_NN.py     the same checks with asgibdd's TestClient
    tests_bdd/                  the same feature files run by pytest-bdd, its steps written
                                with Starlette's TestClient (a client per scenario)

Every scenario and every test: a fresh client with its lifespan, one GET, three JSON checks.
With `extra_steps`, each scenario gets that many more JSON assertion steps (the pytest suites
do not change), to measure what one step costs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

__all__ = ["SCENARIOS_PER_FILE", "write_suite"]

SCENARIOS_PER_FILE = 50

_APP = '''
"""The app under test: FastAPI, an empty lifespan, one JSON endpoint."""

import contextlib

from fastapi import FastAPI


@contextlib.asynccontextmanager
async def lifespan(app):
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    return {
        "id": item_id,
        "name": f"item {item_id}",
        "price": item_id * 1.5,
        "tags": ["red", "round"],
        "owner": {"name": "alice", "email": "alice@example.com"},
        "stock": item_id % 7,
        "active": item_id % 2 == 0,
    }
'''

_PYPROJECT = """
[tool.asgibdd]
app = "bench_app:app"
"""

# The documented short form: asgibdd's before_*/after_* hooks become the project's hooks.
_ENVIRONMENT = "from asgibdd.environment import *  # noqa: F403\n"

_STEPS = "from asgibdd.steps import *  # noqa: F403\n"

_STARLETTE_IMPORT = """
import warnings

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette warns on import that plain httpx (not httpx2) is deprecated for its client.
    warnings.filterwarnings("ignore", "Using `httpx`", StarletteDeprecationWarning)
    from starlette.testclient import TestClient
"""

_ASGIBDD_IMPORT = """
from asgibdd import TestClient
"""


# pytest-bdd's side: the three step phrases the base suite uses, written the way a
# pytest-bdd user would (parse-style phrases, a client fixture per scenario), with
# Starlette's client; only `$.name` paths, which is all the suite asks.
_BDD_CONFTEST = f"""
import json

import pytest
from pytest_bdd import parsers, then, when
{_STARLETTE_IMPORT}
from bench_app import app


@pytest.fixture
def client():
    with TestClient(app) as client:
        yield client


@pytest.fixture
def exchange():
    return {{}}


@when(parsers.parse("I GET {{path}}"))
def get(client, exchange, path):
    exchange["response"] = client.get(path)


@then(parsers.parse('the JSON at "{{path}}" is {{expected}}'))
def json_at_is(exchange, path, expected):
    assert exchange["response"].json()[path.removeprefix("$.")] == json.loads(expected)
"""

_BDD_TESTS = """
from pytest_bdd import scenarios

scenarios("../features")
"""


def _extra_steps(item_id: int, count: int) -> list[str]:
    """`count` further JSON assertions, cycling through the rest of the payload."""
    active = "true" if item_id % 2 == 0 else "false"  # as bench_app computes them
    pool = [
        'And the JSON at "$.tags[0]" is "red"',
        'And the JSON at "$.tags[1]" is "round"',
        'And the JSON at "$.owner.name" is "alice"',
        'And the JSON at "$.owner.email" is "alice@example.com"',
        f'And the JSON at "$.stock" is {item_id % 7}',
        f'And the JSON at "$.active" is {active}',
        'And the JSON at "$.tags" has 2 items',
        'And the JSON at "$.id" is a number',
        'And the JSON at "$.name" is a string',
        'And the JSON at "$.owner" exists',
    ]
    return [pool[index % len(pool)] for index in range(count)]


def _scenario(item_id: int, extra_steps: int) -> str:
    lines = [
        f"  Scenario: item {item_id}",
        f"    When I GET /items/{item_id}",
        f'    Then the JSON at "$.id" is {item_id}',
        f'    And the JSON at "$.name" is "item {item_id}"',
        f'    And the JSON at "$.price" is {item_id * 1.5!r}',
        *(f"    {step}" for step in _extra_steps(item_id, extra_steps)),
    ]
    return "\n".join(lines)


def _test(item_id: int) -> str:
    return textwrap.dedent(f"""
        def test_item_{item_id}():
            with TestClient(app) as client:
                response = client.get("/items/{item_id}")
                assert response.json()["id"] == {item_id}
                assert response.json()["name"] == "item {item_id}"
                assert response.json()["price"] == {item_id * 1.5!r}
        """)


def _chunks(scenarios: int) -> list[range]:
    return [
        range(start, min(start + SCENARIOS_PER_FILE, scenarios))
        for start in range(0, scenarios, SCENARIOS_PER_FILE)
    ]


def write_suite(root: Path, scenarios: int, extra_steps: int = 0) -> Path:
    """Write the project under `root` (created if needed) and return `root`."""
    if scenarios < 1:
        raise ValueError(f"scenarios must be at least 1, got {scenarios}")
    files: dict[str, str] = {
        "pyproject.toml": _PYPROJECT,
        "bench_app.py": _APP,
        "environment.py": _ENVIRONMENT,
        "steps/asgibdd_steps.py": _STEPS,
        "tests_bdd/conftest.py": _BDD_CONFTEST,
        "tests_bdd/test_features.py": _BDD_TESTS,
    }
    for number, ids in enumerate(_chunks(scenarios), start=1):
        feature = "\n\n".join(_scenario(item_id, extra_steps) for item_id in ids)
        files[f"features/items_{number:02d}.feature"] = f"Feature: items {number}\n\n{feature}\n"
        tests = "".join(_test(item_id) for item_id in ids)
        files[f"tests_starlette/test_items_{number:02d}.py"] = (
            f"{_STARLETTE_IMPORT}\nfrom bench_app import app\n{tests}"
        )
        files[f"tests_asgibdd/test_items_{number:02d}.py"] = (
            f"{_ASGIBDD_IMPORT}\nfrom bench_app import app\n{tests}"
        )
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.lstrip("\n"), encoding="utf-8")
    return root
