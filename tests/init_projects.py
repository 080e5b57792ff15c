"""Small real services, one per framework and layout, that `asgibdd init` is tried on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_asgibdd(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m asgibdd ARGUMENTS` in `project`, as a user runs it there."""
    return subprocess.run(
        [sys.executable, "-m", "asgibdd", *arguments],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_python(project: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter in `project`, with it and asgibdd importable."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env={**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# FastAPI + SQLAlchemy on SQLite: /health takes a database session as a dependency.
FASTAPI_SQLALCHEMY = {
    "pyproject.toml": """
        [project]
        name = "shop"
        version = "1.0"
    """,
    "shop/__init__.py": "",
    "shop/db.py": """
        from collections.abc import Iterator
        from pathlib import Path

        from sqlalchemy import String, create_engine
        from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

        engine = create_engine(f"sqlite:///{Path(__file__).resolve().parent.parent / 'shop.db'}")


        class Base(DeclarativeBase):
            pass


        class Item(Base):
            __tablename__ = "items"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(50))


        def get_session() -> Iterator[Session]:
            with Session(engine) as session:
                yield session
    """,
    "shop/main.py": """
        from contextlib import asynccontextmanager

        from fastapi import Depends, FastAPI, HTTPException
        from sqlalchemy import func, select
        from sqlalchemy.orm import Session

        from shop.db import Base, Item, engine, get_session


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            Base.metadata.create_all(engine)
            yield


        app = FastAPI(title="Shop", lifespan=lifespan)


        @app.get("/health")
        def health(session: Session = Depends(get_session)) -> dict[str, object]:
            count = session.scalar(select(func.count()).select_from(Item))
            return {"status": "ok", "items": count}


        @app.get("/items/{item_id}")
        def item(item_id: int, session: Session = Depends(get_session)) -> dict[str, object]:
            found = session.get(Item, item_id)
            if found is None:
                raise HTTPException(404, f"Item {item_id} not found")
            return {"id": found.id, "name": found.name}
    """,
}

# Litestar without a health route: its own /tasks comes before the /schema routes.
LITESTAR = {
    "tasks/__init__.py": "",
    "tasks/app.py": """
        from litestar import Litestar, get

        TASKS = [{"id": 1, "title": "write the first scenario", "done": False}]


        @get("/tasks")
        async def list_tasks() -> list[dict[str, object]]:
            return TASKS


        @get("/tasks/done")
        async def done_tasks() -> list[dict[str, object]]:
            return [task for task in TASKS if task["done"]]


        app = Litestar(route_handlers=[list_tasks, done_tasks])
    """,
}

# Quart: routes come from its URL map (the static route and /notes/<id> are skipped).
QUART = {
    "notes.py": """
        from quart import Quart

        app = Quart(__name__)
        NOTES = {1: "hello"}


        @app.get("/ping")
        async def ping():
            return {"pong": True}


        @app.get("/notes/<int:note_id>")
        async def note(note_id: int):
            return {"id": note_id, "text": NOTES[note_id]}
    """,
}

# A src/ layout: the package is importable only with src/ on the path.
SRC_LAYOUT = {
    "pyproject.toml": """
        [project]
        name = "taskboard"
        version = "0.1"

        [tool.setuptools.packages.find]
        where = ["src"]
    """,
    "src/taskboard/__init__.py": "",
    "src/taskboard/web.py": """
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route


        async def boards(request):
            return JSONResponse([{"name": "backlog"}])


        app = Starlette(routes=[Route("/boards", boards)])
    """,
}

# An existing behave project: features/steps/ and features/environment.py with the team's
# own hooks, parse-matcher steps with a registered type, and a step file that imports the
# service's own package.
EXISTING_BEHAVE = {
    "shop/__init__.py": "",
    "shop/catalog.py": 'PRICES = {"apple": 3, "pear": 5}\n',
    "shop/main.py": """
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from shop.catalog import PRICES


        async def prices(request):
            return JSONResponse(PRICES)


        async def health(request):
            return JSONResponse({"status": "ok"})


        app = Starlette(routes=[Route("/prices", prices), Route("/health", health)])
    """,
    "features/environment.py": '''
        """The team's own hooks."""

        import os


        def before_all(context):
            context.hook_log = ["before_all"]
            context.currency = os.environ.get("CURRENCY", "EUR")


        def before_scenario(context, scenario):
            context.hook_log.append("before_scenario")
    ''',
    "features/steps/shop_steps.py": """
        import parse
        from behave import given, register_type, then

        from shop.catalog import PRICES


        @parse.with_pattern(r"\\d+")
        def parse_number(text):
            return int(text)


        register_type(Number=parse_number)


        @given("a basket with {count:Number} {fruit}s")
        def basket(context, count, fruit):
            context.total = count * PRICES[fruit]


        @then("the basket costs {amount:Number} {currency}")
        def costs(context, amount, currency):
            assert (context.total, context.currency) == (amount, currency)


        @then("the team's hooks ran")
        def hooks_ran(context):
            assert context.hook_log[:2] == ["before_all", "before_scenario"], context.hook_log
    """,
    "features/basket.feature": """
        Feature: Basket
          Scenario: Apples cost three each
            Given a basket with 4 apples
            Then the basket costs 12 EUR
            And the team's hooks ran
    """,
}

# Django: `project.asgi:application`, a JSON view, and the admin (ranked last).
DJANGO_PROJECT = {
    "mysite/__init__.py": "",
    "mysite/settings.py": """
        from pathlib import Path

        BASE_DIR = Path(__file__).resolve().parent.parent
        SECRET_KEY = "not-a-secret-only-for-tests"
        DEBUG = True
        ALLOWED_HOSTS = []
        INSTALLED_APPS = [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
        ]
        MIDDLEWARE = [
            "django.middleware.common.CommonMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ]
        ROOT_URLCONF = "mysite.urls"
        TEMPLATES = [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ]
        DATABASES = {
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
        }
        USE_TZ = True
    """,
    "mysite/views.py": """
        from django.http import JsonResponse


        def health(request):
            return JsonResponse({"status": "ok"})


        def notes(request):
            return JsonResponse({"notes": []})
    """,
    "mysite/urls.py": """
        from django.contrib import admin
        from django.urls import path

        from mysite import views

        urlpatterns = [
            path("admin/", admin.site.urls),
            path("notes/", views.notes),
            path("health/", views.health),
        ]
    """,
    "mysite/asgi.py": """
        import os

        from django.core.asgi import get_asgi_application

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        application = get_asgi_application()
    """,
}
