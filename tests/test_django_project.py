"""The Django trial, as a new user would run it.

A fresh folder, `django-admin startproject` and `startapp`, a model with JSON views, a
migrated developer database holding one row of their own; then asgibdd added by hand
(`[tool.asgibdd] app` in pyproject.toml, hook calls in environment.py, one steps line) and
`behave features/`. Scenario 1 creates a row, scenario 2 sees none, and the developer's
database is untouched afterwards.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from asgibdd.testing import run_behave, write_project

PROJECT_FILES = {
    "books/models.py": """
        from django.db import models


        class Book(models.Model):
            title = models.CharField(max_length=200)
    """,
    "books/views.py": """
        import json

        from django.http import JsonResponse
        from django.views.decorators.csrf import csrf_exempt

        from books.models import Book


        @csrf_exempt
        def books(request):
            if request.method == "POST":
                book = Book.objects.create(title=json.loads(request.body)["title"])
                return JsonResponse({"id": book.pk, "title": book.title}, status=201)
            titles = [{"id": book.pk, "title": book.title} for book in Book.objects.all()]
            return JsonResponse(titles, safe=False)
    """,
    "books/urls.py": """
        from django.urls import path

        from books import views

        urlpatterns = [path("books/", views.books)]
    """,
    "pyproject.toml": """
        [tool.asgibdd]
        app = "bookshelf.asgi:application"
    """,
    "environment.py": """
        import json
        from pathlib import Path

        from asgibdd import environment as asgibdd
        from asgibdd.extensions.django import DjangoDatabases


        def before_all(context):
            asgibdd.before_all(context)


        def before_feature(context, feature):
            asgibdd.before_feature(context, feature)


        def before_scenario(context, scenario):
            asgibdd.before_scenario(context, scenario)


        def after_scenario(context, scenario):
            asgibdd.after_scenario(context, scenario)


        def after_all(context):
            asgibdd.after_all(context)
            django = context.asgibdd.extension(DjangoDatabases).run
            Path("django-run.json").write_text(json.dumps({
                "test_database": str(django.old_config[0][0].settings_dict["NAME"]),
                "timings": django.timings,
            }))
    """,
    "steps/asgibdd_steps.py": "from asgibdd.steps import *  # noqa: F403\n",
    "features/books.feature": """
        Feature: the bookshelf
          Scenario: adding a book
            When I POST /books/ with JSON:
              \"\"\"
              {"title": "Dune"}
              \"\"\"
            Then the response status is 201
            And the JSON at "$.title" is "Dune"
            When I GET /books/
            Then the JSON at "$" has 1 items

          Scenario: a new scenario starts from an empty shelf
            When I GET /books/
            Then the response status is 200
            And the response JSON is:
              \"\"\"
              []
              \"\"\"
    """,
}


def django_admin(folder: Path, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "django", *arguments], cwd=folder, check=True, capture_output=True
    )


def manage(folder: Path, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=folder, check=True, capture_output=True
    )


def make_project(folder: Path) -> Path:
    """startproject + startapp + a model and JSON views, migrated, one row of the developer."""
    django_admin(folder, "startproject", "bookshelf", ".")
    django_admin(folder, "startapp", "books")
    write_project(folder, PROJECT_FILES)
    settings = folder / "bookshelf" / "settings.py"
    text = settings.read_text()
    settings.write_text(text.replace("INSTALLED_APPS = [\n", 'INSTALLED_APPS = [\n    "books",\n'))
    urls = folder / "bookshelf" / "urls.py"
    urls.write_text(
        urls.read_text()
        .replace("from django.urls import path", "from django.urls import include, path")
        .replace("urlpatterns = [\n", 'urlpatterns = [\n    path("", include("books.urls")),\n')
    )
    manage(folder, "makemigrations", "books")
    manage(folder, "migrate")
    database = folder / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO books_book (title) VALUES ('My own copy')")
    return database


def test_a_startproject_project_runs_on_a_test_database_with_isolated_scenarios(
    tmp_path: Path,
) -> None:
    database = make_project(tmp_path)
    before = (database.read_bytes(), database.stat().st_mtime_ns)

    outcome = run_behave(tmp_path, "features/", "-f", "plain", env={"PYTHONPATH": str(tmp_path)})

    assert outcome.passed, outcome.output
    assert (outcome.scenarios.passed, outcome.steps.passed) == (2, 8), outcome.output
    # The developer's database: same bytes, same mtime, their own row only.
    assert (database.read_bytes(), database.stat().st_mtime_ns) == before
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT title FROM books_book").fetchall() == [("My own copy",)]
    assert sorted(path.name for path in tmp_path.glob("*.sqlite3*")) == ["db.sqlite3"]
    # The run's own record: Django's in-memory SQLite test database, flushed twice.
    run = json.loads((tmp_path / "django-run.json").read_text())
    assert run["test_database"] == "file:memorydb_default?mode=memory&cache=shared"
    assert (sorted(run["timings"]), len(run["timings"]["flush"])) == (["flush", "start"], 2)
    print("Django test run timings (s):", run["timings"])
