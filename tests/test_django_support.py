"""`asgibdd.django`: when a run counts as a Django project, and the opt-out setting."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from asgibdd.django import django_configured, is_django_project

DJANGO_SITE = Path(__file__).parent / "apps" / "djangosite"


@pytest.fixture(scope="module")
def django_app() -> Any:
    if str(DJANGO_SITE) not in sys.path:
        sys.path.insert(0, str(DJANGO_SITE))
    return importlib.import_module("bookshelf.asgi").application


def test_django_is_configured_once_the_projects_asgi_module_is_imported(django_app: Any) -> None:
    assert django_configured()


def test_the_django_application_is_a_django_project(django_app: Any) -> None:
    assert is_django_project(django_app)


def test_a_django_application_behind_wrappers_is_a_django_project(django_app: Any) -> None:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    class Middleware:
        def __init__(self, app: Any) -> None:
            self.app = app

    channels_like_router = SimpleNamespace(application_mapping={"http": django_app})
    assert is_django_project(ASGIStaticFilesHandler(django_app))
    assert is_django_project(Middleware(Middleware(django_app)))
    assert is_django_project(channels_like_router)


def test_another_app_in_a_process_where_django_is_configured_is_not(django_app: Any) -> None:
    from tests.apps.starlette_app import app

    assert not is_django_project(app)
    assert is_django_project(app, configured_by_import=True)
