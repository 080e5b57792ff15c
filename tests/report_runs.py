"""Real behave runs for the report tests: a small app with secrets and HTML in its
answers, and this repository's own features against the demo app plus a failing one."""

from __future__ import annotations

import shutil
from pathlib import Path

from asgibdd.report import FORMATTERS
from asgibdd.testing import BehaveOutcome, run_behave, write_project

REPOSITORY = Path(__file__).resolve().parent.parent

PYPROJECT = "[tool.behave.formatters]\n" + "".join(
    f'{alias} = "{scoped}"\n' for alias, scoped in FORMATTERS.items()
)

# Values the reports must never show: the app's token and the password sent to it.
SECRETS = ("tok-4711-SECRET", "hunter2-pass")

APP = """
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route


async def login(request):
    return JSONResponse({"access_token": "tok-4711-SECRET", "user": "<b>bob</b>"})


async def page(request):
    return HTMLResponse("<script>window.pwned = 1</script><h1>hi</h1>")


app = Starlette(routes=[Route("/login", login, methods=["POST"]), Route("/page", page)])
"""

FEATURE = """
@reports
Feature: Reports <i>escape</i> what they show

  @smoke
  Scenario: A page that passes
    When I GET /page
    Then the response status is 200

  @auth
  Scenario: A login whose token is not the one expected <img src=x onerror=alert(1)>
    When I POST /login with JSON:
      \"\"\"
      {"username": "bob", "password": "hunter2-pass"}
      \"\"\"
    Then the JSON at "$.access_token" is "something else"

  Scenario: A step nobody wrote
    When I frobnicate the widget
"""


def run_small_project(
    project: Path,
    *formats: str,
    files: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> BehaveOutcome:
    """Run FEATURE against APP with `formats` (`-f html -o report.html ...`); `files`
    replace or add project files, `env` adds to behave's environment."""
    write_project(
        project,
        {
            "app.py": APP,
            "pyproject.toml": PYPROJECT,
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/report.feature": FEATURE,
            **(files or {}),
        },
    )
    return run_behave(
        project,
        "-D",
        "asgibdd.app=app:app",
        *formats,
        "features/",
        env={"PYTHONPATH": str(project), **(env or {})},
    )


FAILING_FEATURE = """
Feature: A feature that fails on purpose
  Scenario: The token is not what the feature expects
    When I POST /login with form:
      | name     | value  |
      | username | alice  |
      | password | s3cret |
    Then the JSON at "$.access_token" is "not the token"
"""

# Writes every token the demo app issued during the run, read from the raw responses in
# the journals, so that a test can look for them in the reports.
LEAK_HOOKS = """
import json
from asgibdd.environment import *  # noqa: F403
from asgibdd import environment as asgibdd
from asgibdd.journal import HTTPEntry


def after_scenario(context, scenario):
    asgibdd.after_scenario(context, scenario)
    with open("issued-secrets.txt", "a") as out:
        for entry in scenario.asgibdd_journal.entries:
            if isinstance(entry, HTTPEntry) and entry.response is not None:
                if entry.response.headers.get("content-type") == "application/json":
                    body = entry.response.json()
                    if isinstance(body, dict) and "access_token" in body:
                        out.write(body["access_token"] + "\\n")
                for cookie in entry.response.cookies.values():
                    out.write(cookie + "\\n")
"""


def run_repository_features(project: Path, *formats: str) -> tuple[BehaveOutcome, list[str]]:
    """This repository's features/ (against the demo app) and FAILING_FEATURE, with
    `formats`; returns the outcome and every secret value the run met."""
    shutil.copytree(REPOSITORY / "features", project / "features")
    shutil.copytree(REPOSITORY / "steps", project / "steps")
    write_project(
        project,
        {
            "pyproject.toml": PYPROJECT,
            "environment.py": LEAK_HOOKS,
            "features/zz_failing.feature": FAILING_FEATURE,
        },
    )
    outcome = run_behave(
        project, "-D", "asgibdd.app=asgibdd.demo:app", *formats, "features/", timeout=300
    )
    issued = (project / "issued-secrets.txt").read_text().split()
    return outcome, sorted({*issued, "s3cret"})


# What `asgibdd init` prints about the report formatters it names in pyproject.toml.
FORMATTERS_ADDED = (
    "  updated   pyproject.toml  (added [tool.behave.formatters]: "
    "-f html / -f junit / -f messages / -f cucumber)"
)
FORMATTERS_IN_PLACE = (
    "  in place  pyproject.toml  ([tool.behave.formatters] names asgibdd's report formatters)"
)
GITIGNORE_CREATED = "  created   .gitignore  (ignores reports/ and .asgibdd/: what runs write)"
GITIGNORE_IN_PLACE = "  in place  .gitignore"
# What `asgibdd init` prints about the editor glue it writes.
GLUE_CREATED = (
    "  created   features/asgibdd_glue.py  (asgibdd's phrases for editors: docs/editors.md)"
)
GLUE_IN_PLACE = "  in place  features/asgibdd_glue.py"
