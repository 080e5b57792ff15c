"""A behave run per framework: a tiny feature with GET/POST, status and JSON checks passes.

The apps are the ones in `tests/apps/` (one contract for all, see its `__init__.py`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome
from tests.behave_project import HOOKS_LINE, run_feature

DJANGO_SITE = Path(__file__).parent / "apps" / "djangosite"

CONTRACT_FEATURE = """
    Feature: the shared contract
      Scenario: read JSON
        When I GET /hello
        Then the response status is 200
        And the JSON at "$.hello" is "world"
        And the JSON at "$.started" is true

      Scenario: send JSON
        When I POST /echo with JSON:
          \"\"\"
          {"title": "Dune", "year": 1965}
          \"\"\"
        Then the response status is 201
        And the JSON at "$.received.title" is "Dune"
        And the JSON at "$.received.year" is 1965

      Scenario: an unknown page
        When I GET /no/such/page
        Then the response status is 404
"""

BOOKS_FEATURE = """
    Feature: every scenario starts from an empty test database
      Scenario: a book is added
        When I POST /books with JSON:
          \"\"\"
          {"title": "Dune"}
          \"\"\"
        Then the response status is 201
        When I GET /books
        Then the JSON at "$" has 1 items
        And the JSON at "$[0].title" is "Dune"

      Scenario: the next scenario does not see it
        When I GET /books
        Then the response JSON is:
          \"\"\"
          []
          \"\"\"
"""

APPS = {
    "raw": "tests.apps.raw_app:app",
    "starlette": "tests.apps.starlette_app:app",
    "fastapi": "tests.apps.fastapi_app:app",
    "litestar": "tests.apps.litestar_app:app",
    "quart": "tests.apps.quart_app:app",
    "django": "bookshelf.asgi:application",
}


def run_project(tmp_path: Path, app: str, feature: str, *options: str) -> BehaveOutcome:
    files = {}
    if app == APPS["django"]:
        # The Django project is not installed: its folder goes on sys.path, as
        # `manage.py` would put it.
        files["environment.py"] = (
            f"import sys\nsys.path.insert(0, {str(DJANGO_SITE)!r})\n{HOOKS_LINE}"
        )
    return run_feature(tmp_path, feature, *options, app=app, **files)


@pytest.mark.parametrize("framework", list(APPS))
def test_a_behave_run_passes_on_the_framework(tmp_path: Path, framework: str) -> None:
    outcome = run_project(tmp_path, APPS[framework], CONTRACT_FEATURE)
    assert outcome.passed, outcome.output
    assert (outcome.scenarios.passed, outcome.steps.passed) == (3, 10), outcome.output


@pytest.mark.parametrize("lifespan", ["scenario", "run"])
def test_django_scenarios_write_to_a_test_database_and_do_not_see_each_other(
    tmp_path: Path, lifespan: str
) -> None:
    outcome = run_project(tmp_path, APPS["django"], BOOKS_FEATURE, f"-Dasgibdd.lifespan={lifespan}")
    assert outcome.passed, outcome.output
    assert (outcome.scenarios.passed, outcome.steps.passed) == (2, 7), outcome.output
    assert not (DJANGO_SITE / "db.sqlite3").exists(), "the developer's database was created"


def test_django_support_can_be_turned_off_and_then_django_refuses_the_test_host(
    tmp_path: Path,
) -> None:
    feature = """
        Feature: no test set-up
          Scenario: Django's own ALLOWED_HOSTS apply
            When I GET /hello
            Then the response status is 400
    """
    outcome = run_project(tmp_path, APPS["django"], feature, "-D", "asgibdd.django=false")
    assert outcome.passed, outcome.output
    assert not (DJANGO_SITE / "db.sqlite3").exists()
