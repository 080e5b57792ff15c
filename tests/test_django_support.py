"""`asgibdd.django`: when a run counts as a Django project, and the opt-out setting."""

from __future__ import annotations

import importlib
import subprocess
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


_PRELOAD_CHECK = """
import sys
from pathlib import Path

from asgibdd.config import AsgiBddConfig
from asgibdd.django import django_configured, import_app, preload_app_module

site = Path(sys.argv[1])
sys.path[:0] = [str(site), str(Path.cwd())]
config = AsgiBddConfig(app=sys.argv[2], app_source="the test", project_dir=Path.cwd())
if sys.argv[3] == "preload":
    preload_app_module(config)  # what a parallel worker does while the runner lists
recognised = import_app(config)[1]
print(django_configured(), recognised)
"""


_OPAQUE_APP = """
from bookshelf.asgi import application as _django


async def app(scope, receive, send):  # nothing on it says Django: only its import does
    await _django(scope, receive, send)
"""


@pytest.mark.parametrize("first", ["preload", "no preload"])
def test_a_preloaded_django_project_is_still_recognised_as_one(first: str, tmp_path: Path) -> None:
    """A parallel worker imports the app's module early; the run must still see that the
    import configured Django (and so set up its test databases)."""
    (tmp_path / "opaque_site.py").write_text(_OPAQUE_APP)
    done = subprocess.run(
        [sys.executable, "-c", _PRELOAD_CHECK, str(DJANGO_SITE), "opaque_site:app", first],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_a_preload_that_fails_leaves_the_error_to_the_run(tmp_path: Path) -> None:
    from asgibdd.app_loader import load_app
    from asgibdd.config import AsgiBddConfig
    from asgibdd.django import preload_app_module
    from asgibdd.errors import ConfigError

    (tmp_path / "broken_app.py").write_text("raise RuntimeError('no database')\n")
    config = AsgiBddConfig(app="broken_app:app", app_source="the test", project_dir=tmp_path)
    preload_app_module(config)  # quiet
    with pytest.raises(ConfigError, match="raised RuntimeError: no database"):
        load_app(config.app, source=config.app_source, project_dir=config.project_dir)
