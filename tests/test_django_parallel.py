"""A Django project under `asgibdd run -j 2`: each worker creates, flushes and drops test
databases of its own, on SQLite with a fixed test name and on a real PostgreSQL server, and
the developer's database is never touched. And a project with no `DATABASES` at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome, run_asgibdd, run_behave, write_project
from tests.postgres_server import PostgresServer, postgres_server

SETTINGS = """
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "django-insecure-only-for-asgibdd-tests"
ALLOWED_HOSTS = []
INSTALLED_APPS = ["items"]
ROOT_URLCONF = "shop.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ["SHOP_DATABASE"] == "sqlite":
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        # As docs/frameworks.md suggests for a test database that outlives a connection.
        "TEST": {"NAME": BASE_DIR / "test_db.sqlite3"},
    }}
elif os.environ["SHOP_DATABASE"] == "postgresql":
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shopdb",
        "USER": "postgres",
        "HOST": os.environ["SHOP_HOST"],
        "PORT": os.environ["SHOP_PORT"],
    }}
"""

FILES = {
    "shop/__init__.py": "",
    "shop/settings.py": SETTINGS,
    "shop/asgi.py": """
        import os

        from django.core.asgi import get_asgi_application

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
        application = get_asgi_application()
    """,
    "shop/urls.py": """
        from django.urls import path

        from items import views

        urlpatterns = [path("items", views.items), path("hello", views.hello)]
    """,
    "items/__init__.py": "",
    "items/models.py": """
        from django.db import models


        class Item(models.Model):
            name = models.CharField(max_length=100)
    """,
    "items/migrations/__init__.py": "",
    "items/migrations/0001_initial.py": """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Item",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("name", models.CharField(max_length=100)),
                    ],
                )
            ]
    """,
    "items/views.py": """
        import json

        from django.http import JsonResponse
        from django.views.decorators.csrf import csrf_exempt


        async def hello(request):
            return JsonResponse({"hello": "world"})


        @csrf_exempt
        def items(request):
            from items.models import Item

            if request.method == "POST":
                item = Item.objects.create(name=json.loads(request.body)["name"])
                return JsonResponse({"id": item.pk}, status=201)
            return JsonResponse([item.name for item in Item.objects.all()], safe=False)
    """,
    "pyproject.toml": """
        [tool.asgibdd]
        app = "shop.asgi:application"
    """,
    "environment.py": """
        import json
        import os
        from pathlib import Path

        from asgibdd import environment as asgibdd
        from asgibdd.environment import *  # noqa: F403
        from asgibdd.extensions.django import DjangoDatabases


        def after_all(context):
            django = context.asgibdd.extension(DjangoDatabases).run
            names = [str(old[0].settings_dict["NAME"]) for old in django.old_config]
            worker = os.environ.get("ASGIBDDRUN_WORKER", "serial")
            Path(f"test-databases-{worker}.json").write_text(json.dumps(names))
            asgibdd.after_all(context)
    """,
    "steps/asgibdd_steps.py": "from asgibdd.steps import *  # noqa: F403\n",
}


def feature(name: str) -> str:
    """Four scenarios that each add a row and see only their own."""
    return f"Feature: {name}\n" + "".join(
        f"""
  Scenario: {name} {number}
    When I POST /items with JSON:
      \"\"\"
      {{"name": "{name} {number}"}}
      \"\"\"
    Then the response status is 201
    When I GET /items
    Then the response JSON is:
      \"\"\"
      ["{name} {number}"]
      \"\"\"
"""
        for number in range(1, 5)
    )


def shop(tmp_path: Path) -> Path:
    files = {**FILES, "features/a.feature": feature("a"), "features/b.feature": feature("b")}
    return write_project(tmp_path / "shop", files)


def run_parallel(root: Path, environment: dict[str, str]) -> BehaveOutcome:
    return run_asgibdd(root, "-j", "2", "features/", env={"PYTHONPATH": str(root), **environment})


def test_each_worker_has_its_own_sqlite_test_database_with_a_fixed_test_name(
    tmp_path: Path,
) -> None:
    root = shop(tmp_path)
    outcome = run_parallel(root, {"SHOP_DATABASE": "sqlite"})
    assert outcome.returncode == 0, outcome.output
    assert (outcome.scenarios.passed, outcome.scenarios.failed, outcome.scenarios.error) == (
        8,
        0,
        0,
    )
    for worker in ("1", "2"):
        names = json.loads((root / f"test-databases-{worker}.json").read_text())
        assert names == [str(root / f"test_db_{worker}.sqlite3")]
    assert sorted(path.name for path in root.glob("*.sqlite3")) == []  # dropped; never db


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


def test_each_worker_has_its_own_postgresql_test_database(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    root = shop(tmp_path)
    environment = {
        "SHOP_DATABASE": "postgresql",
        "SHOP_HOST": postgres.host,
        "SHOP_PORT": str(postgres.port),
    }
    for _ in range(2):  # the probe lost a worker in every run
        outcome = run_parallel(root, environment)
        assert outcome.returncode == 0, outcome.output
        assert (outcome.scenarios.passed, outcome.scenarios.untested) == (8, 0)
        for worker in ("1", "2"):
            names = json.loads((root / f"test-databases-{worker}.json").read_text())
            assert names == [f"test_shopdb_{worker}"]
        # Both dropped at the end; the developer's `shopdb` was never even created.
        assert postgres.databases() == ["postgres", "template0", "template1"]
    serial = run_behave(root, "features/", env={"PYTHONPATH": str(root), **environment})
    assert serial.scenarios.passed == 8, serial.output
    assert json.loads((root / "test-databases-serial.json").read_text()) == ["test_shopdb"]


NO_DATABASE_FEATURE = """
Feature: no database
  Scenario: hello
    When I GET /hello
    Then the JSON at "$.hello" is "world"

  Scenario: hello again
    When I GET /hello
    Then the response status is 200
"""


@pytest.mark.parametrize("runner", ["behave", "asgibdd run -j 2"])
def test_a_django_project_without_databases_ends_its_scenarios_passed(
    tmp_path: Path, runner: str
) -> None:
    root = write_project(
        tmp_path / "minimal",
        {**FILES, "features/hello.feature": NO_DATABASE_FEATURE, "environment.py": (
            "from asgibdd.environment import *  # noqa: F403\n"
        )},
    )  # fmt: skip
    environment = {"PYTHONPATH": str(root), "SHOP_DATABASE": "none"}
    if runner == "behave":
        outcome = run_behave(root, "features/", env=environment)
    else:
        outcome = run_asgibdd(root, "-j", "2", "features/", env=environment)
    assert outcome.returncode == 0, outcome.output
    assert outcome.scenarios.passed == 2
    assert "cleanup_error" not in outcome.output
