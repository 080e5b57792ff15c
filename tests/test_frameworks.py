"""`with TestClient(app)` on real frameworks: lifespan, GET/POST JSON, 404, websocket echo.

One small app per framework lives in `tests/apps/` and serves the same contract (see
`tests/apps/__init__.py`). Each framework runs on every anyio backend it supports:

- raw ASGI, Starlette, FastAPI and Litestar run on asyncio and trio;
- Quart is asyncio-only (it calls `asyncio.get_event_loop()` and schedules its own tasks);
- Django is asyncio-only (asgiref's `sync_to_async` runs sync views through the asyncio
  loop's executor).

Django has no websockets without Channels (its `ASGIHandler` refuses every scope but
"http"), so the Django case has no websocket echo; Channels is not a dependency here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from asgibdd import TestClient
from asgibdd.django import DjangoTestRun, start_django_test_run
from tests.conftest import Backend

DJANGO_SITE = Path(__file__).parent / "apps" / "djangosite"


@dataclass(frozen=True)
class Framework:
    name: str
    module: str
    attribute: str = "app"
    backends: tuple[str, ...] = ("asyncio", "trio")
    lifespan: bool = True
    websocket: bool = True

    def load(self) -> Any:
        return getattr(importlib.import_module(self.module), self.attribute)

    def events(self) -> list[str]:
        events: list[str] = importlib.import_module(self.module).EVENTS
        return events


FRAMEWORKS = [
    Framework("raw", "tests.apps.raw_app"),
    Framework("starlette", "tests.apps.starlette_app"),
    Framework("fastapi", "tests.apps.fastapi_app"),
    Framework("litestar", "tests.apps.litestar_app"),
    Framework("quart", "tests.apps.quart_app", backends=("asyncio",)),
    Framework(
        "django",
        "bookshelf.asgi",
        attribute="application",
        backends=("asyncio",),
        lifespan=False,
        websocket=False,
    ),
]
CASES = [
    pytest.param(framework, backend, id=f"{framework.name}-{backend}")
    for framework in FRAMEWORKS
    for backend in framework.backends
]


@pytest.fixture(scope="module")
def django_run() -> Iterator[DjangoTestRun]:
    """The Django project importable, with Django's test environment and test database."""
    if str(DJANGO_SITE) not in sys.path:
        sys.path.insert(0, str(DJANGO_SITE))
    importlib.import_module("bookshelf.asgi")
    run = start_django_test_run("http://testserver")
    try:
        yield run
    finally:
        run.stop()


@pytest.fixture
def app(framework: Framework, request: pytest.FixtureRequest) -> Any:
    if framework.name == "django":
        request.getfixturevalue("django_run")
    if framework.lifespan:
        framework.events().clear()
    return framework.load()


def test_the_frameworks_are_the_six_of_the_matrix() -> None:
    assert [(f.name, f.backends) for f in FRAMEWORKS] == [
        ("raw", ("asyncio", "trio")),
        ("starlette", ("asyncio", "trio")),
        ("fastapi", ("asyncio", "trio")),
        ("litestar", ("asyncio", "trio")),
        ("quart", ("asyncio",)),
        ("django", ("asyncio",)),
    ]


@pytest.mark.parametrize(("framework", "backend"), CASES)
def test_entering_runs_the_lifespan_and_leaving_shuts_it_down(
    framework: Framework, backend: Backend, app: Any
) -> None:
    with TestClient(app, backend=backend) as client:
        if framework.lifespan:
            assert framework.events() == ["startup"]
        assert client.get("/hello").json() == {"hello": "world", "started": True}
    if framework.lifespan:
        assert framework.events() == ["startup", "shutdown"]


@pytest.mark.parametrize(("framework", "backend"), CASES)
def test_get_and_post_json_and_a_404(framework: Framework, backend: Backend, app: Any) -> None:
    with TestClient(app, backend=backend) as client:
        hello = client.get("/hello")
        echo = client.post("/echo", json={"title": "Dune", "tags": ["sf", 1965]})
        missing = client.get("/no/such/page")
    assert (hello.status_code, hello.headers["content-type"]) == (200, "application/json")
    assert hello.json() == {"hello": "world", "started": True}
    assert (echo.status_code, echo.json()) == (
        201,
        {"received": {"title": "Dune", "tags": ["sf", 1965]}},
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("framework", "backend"), [case for case in CASES if cast(Framework, case.values[0]).websocket]
)
def test_a_websocket_echo(framework: Framework, backend: Backend, app: Any) -> None:
    with TestClient(app, backend=backend) as client, client.websocket_connect("/ws") as ws:
        ws.send_text("hello")
        first = ws.receive_text()
        ws.send_text("again")
        second = ws.receive_text()
    assert (first, second) == ("echo: hello", "echo: again")


def test_only_django_goes_without_a_websocket() -> None:
    # Django serves websockets only through Channels, which is not a dependency here.
    assert [f.name for f in FRAMEWORKS if not f.websocket] == ["django"]


@pytest.mark.parametrize("backend", ["asyncio"])
def test_django_writes_go_to_the_test_database_and_a_flush_empties_it(
    backend: Backend, django_run: DjangoTestRun
) -> None:
    from django.db import connection

    application = importlib.import_module("bookshelf.asgi").application
    with TestClient(application, backend=backend) as client:
        created = client.post("/books", json={"title": "Dune"})
        listed = client.get("/books").json()
    django_run.flush()
    with TestClient(application, backend=backend) as client:
        after_flush = client.get("/books").json()
    assert created.status_code == 201
    assert listed == [{"id": created.json()["id"], "title": "Dune"}]
    assert after_flush == []
    assert "memorydb" in str(connection.settings_dict["NAME"])
    assert not (DJANGO_SITE / "db.sqlite3").exists()


def test_django_refuses_an_unknown_host_like_without_asgibdd(django_run: DjangoTestRun) -> None:
    application = importlib.import_module("bookshelf.asgi").application
    with TestClient(application, base_url="http://intruder.example") as client:
        assert client.get("/hello").status_code == 400
