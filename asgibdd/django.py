"""Django support: a behave run tests a Django project the way Django's own test runner does.

When the app under test belongs to a Django project (importing it configured Django's
settings, as every `<project>/asgi.py` does through `get_asgi_application()`), asgibdd
does for the whole behave run what `manage.py test` does for a test suite:

- before the first scenario (`before_all`): `setup_test_environment()` (the test host
  `testserver` joins `ALLOWED_HOSTS`, e-mail goes to `django.core.mail.outbox`, `DEBUG` is
  off) and `setup_databases()`: a test database is created and migrated for every
  configured database, and every connection now points at it, never at the developer's
  own database;
- after every scenario: each test database is flushed (`manage.py flush`, the way
  `TransactionTestCase` cleans up), so no scenario sees another's rows. A rollback per
  scenario would not do: under ASGI, sync views run in a worker thread with a connection
  of their own, which a transaction opened in behave's thread does not cover;
- after the last scenario: `teardown_databases()` drops the test databases and
  `teardown_test_environment()` restores the settings.

Opt out with `django = false` in [tool.asgibdd], `-D asgibdd.django=false` or
`ASGIBDD_DJANGO=false` (the project then manages its own database, hosts and clean-up).

Nothing here imports Django unless the app under test already did.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asgibdd._types import ASGIApp
from asgibdd.app_loader import load_app
from asgibdd.config import AsgiBddConfig
from asgibdd.project import add_to_python_path, import_roots

__all__ = [
    "DjangoTestRun",
    "django_configured",
    "import_app",
    "is_django_project",
    "load_app_and_django",
    "preload_app_module",
    "start_django_test_run",
]


def django_configured() -> bool:
    """True when Django is imported and its settings are configured (apps loaded)."""
    if "django.conf" not in sys.modules or "django.apps" not in sys.modules:
        return False
    settings = sys.modules["django.conf"].settings
    apps = sys.modules["django.apps"].apps
    return bool(settings.configured and apps.ready)


# Where common ASGI wrappers keep the app they wrap (Django's static files handler,
# Sentry's and most middlewares, functools.wraps); Channels routes by scope type.
_WRAPPED = ("application", "app", "inner", "_app", "__wrapped__")


def is_django_project(app: object, *, configured_by_import: bool = False) -> bool:
    """Whether `app` is a Django project's ASGI application.

    Yes when Django is configured and either importing the app configured it (what
    `<project>/asgi.py` does) or `app` is, or wraps, Django's `ASGIHandler`.
    """
    if not django_configured():
        return False
    if configured_by_import:
        return True
    handler = sys.modules["django.core.handlers.asgi"].ASGIHandler
    seen: set[int] = set()
    pending = [app]
    while pending:
        candidate = pending.pop()
        if id(candidate) in seen or len(seen) > 50:
            continue
        seen.add(id(candidate))
        if isinstance(candidate, handler):
            return True
        pending.extend(
            wrapped for name in _WRAPPED if (wrapped := getattr(candidate, name, None)) is not None
        )
        mapping = getattr(candidate, "application_mapping", None)  # Channels' router
        if isinstance(mapping, dict):
            pending.extend(mapping.values())
    return False


@dataclass
class DjangoTestRun:
    """The test environment and test databases of one behave run.

    `flush()` empties every test database (call it after each scenario); `stop()` drops
    them and restores the settings (call it once, after the last scenario). Both record
    how long they took in `timings` (seconds), for the curious and for our tests.
    """

    old_config: list[Any]
    aliases: list[str]
    timings: dict[str, list[float]] = field(default_factory=dict)
    stopped: bool = False

    def _timed(self, name: str, started: float) -> None:
        self.timings.setdefault(name, []).append(time.perf_counter() - started)

    def flush(self) -> None:
        """Delete every row of every test database, as `TransactionTestCase` does."""
        from django.core.management import call_command

        started = time.perf_counter()
        for alias in self.aliases:
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                database=alias,
                reset_sequences=False,
                allow_cascade=False,
                inhibit_post_migrate=False,
            )
        self._timed("flush", started)

    def stop(self) -> None:
        """Drop the test databases and restore the settings; safe to call twice."""
        if self.stopped:
            return
        self.stopped = True
        from django.db import connections
        from django.test.utils import teardown_databases, teardown_test_environment

        started = time.perf_counter()
        try:
            connections.close_all()
            teardown_databases(self.old_config, verbosity=0)
        finally:
            teardown_test_environment()
            self._timed("stop", started)


def start_django_test_run(base_url: str) -> DjangoTestRun:
    """Set up Django's test environment and create the test databases.

    Besides `testserver` (which `setup_test_environment()` adds), the host of `base_url`
    is allowed too, so a configured base URL works as it does with Django's client.
    """
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment

    started = time.perf_counter()
    setup_test_environment(debug=False)
    host = urlsplit(base_url).hostname
    if host and host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    try:
        old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    except BaseException:
        from django.test.utils import teardown_test_environment

        teardown_test_environment()
        raise
    aliases = [
        alias for alias in connections if not connections[alias].settings_dict["TEST"]["MIRROR"]
    ]
    run = DjangoTestRun(old_config=old_config, aliases=aliases)
    run._timed("start", started)
    return run


#: Whether Django was configured before `preload_app_module` imported an app's module,
#: by module name: what `load_app_and_django` would have seen had it imported it first.
_CONFIGURED_BEFORE_PRELOAD: dict[str, bool] = {}


def preload_app_module(config: AsgiBddConfig) -> None:
    """Import the module of the configured app ahead of `before_all` (a parallel worker
    does it while the runner is still listing scenarios), so the run later finds it
    imported. Only the module: a factory is called, and Django set up, by the run itself.
    Nothing is raised: whatever fails here fails again, and is reported, in the run."""
    module_name = config.app.partition(":")[0] if config.app else ""
    if config.live or not module_name or module_name in sys.modules:
        return
    configured_before = django_configured()
    add_to_python_path([*import_roots(config.project_dir or Path.cwd()), Path.cwd()])
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # as `load_app` keeps it quiet
            importlib.import_module(module_name)
    except BaseException:  # whatever it was, the run's own import reports it
        return
    _CONFIGURED_BEFORE_PRELOAD[module_name] = configured_before


def load_app_and_django(config: AsgiBddConfig) -> tuple[ASGIApp, DjangoTestRun | None]:
    """Import the configured app and, if it is a Django project (and not opted out), set
    up Django's test environment and test databases for the run."""
    app, django_project = import_app(config)
    if not django_project or not config.django:
        return app, None
    return app, start_django_test_run(config.base_url)


def import_app(config: AsgiBddConfig) -> tuple[ASGIApp, bool]:
    """The configured app, and whether it is a Django project's (see `is_django_project`),
    judged as if this import were the first even when `preload_app_module` came before."""
    module_name = config.app.partition(":")[0] if config.app else ""
    configured_before = _CONFIGURED_BEFORE_PRELOAD.get(module_name, django_configured())
    app = load_app(config.app, source=config.app_source, project_dir=config.project_dir)
    configured_by_import = django_configured() and not configured_before
    return app, is_django_project(app, configured_by_import=configured_by_import)
