from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from asgibdd import TestClient
from asgibdd.cli import main
from asgibdd.cli._example_route import candidate_paths, confirm_example
from asgibdd.cli._scaffold import write_gitignore
from asgibdd.cli.init import find_app_candidates, merge_pyproject
from asgibdd.errors import ConfigError
from asgibdd.testing import run_behave, write_project
from tests.init_projects import DJANGO_PROJECT, run_python
from tests.report_runs import (
    FORMATTERS_ADDED,
    FORMATTERS_IN_PLACE,
    GITIGNORE_CREATED,
    GITIGNORE_IN_PLACE,
    GLUE_CREATED,
    GLUE_IN_PLACE,
    PYPROJECT,
)

ROOT = Path(__file__).resolve().parent.parent

SHOP_APP = """
    from fastapi import FastAPI

    app = FastAPI(title="Shop")


    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}


    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}
"""

SHOP_PYPROJECT = """
    [project]
    name = "shop"  # the shop service
    version = "1.0"

    [tool.ruff]
    line-length = 90
"""


@pytest.fixture
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    """init imports the app it finds; keep the test's sys.path changes to the test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def run_init(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "asgibdd", "init", *arguments],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_init_scaffolds_a_fastapi_project_whose_example_passes_and_rerun_changes_nothing(
    tmp_path: Path,
) -> None:
    write_project(tmp_path, {"shop/__init__.py": "", "shop/main.py": SHOP_APP})
    write_project(tmp_path, {"pyproject.toml": SHOP_PYPROJECT})
    original_pyproject = (tmp_path / "pyproject.toml").read_text()

    first = run_init(tmp_path)

    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        'asgibdd init: app "shop.main:app" (found in shop/main.py)\n'
        "  example: GET /health answered 200 in-process\n"
        "  created   features/example.feature\n"
        "  created   steps/asgibdd_steps.py\n"
        "  created   environment.py\n"
        '  updated   pyproject.toml  (added [tool.asgibdd] app = "shop.main:app")\n'
        f"{FORMATTERS_ADDED}\n"
        f"{GITIGNORE_CREATED}\n"
        f"{GLUE_CREATED}\n"
        "Next: behave features/\n"
    )
    assert (tmp_path / "pyproject.toml").read_text() == (
        original_pyproject + '\n[tool.asgibdd]\napp = "shop.main:app"\n' + "\n" + PYPROJECT
    )
    assert (
        (tmp_path / "steps/asgibdd_steps.py")
        .read_text()
        .endswith("\nfrom asgibdd.steps import *  # noqa: F403\n")
    )
    assert (
        "    When I GET /health\n    Then the response status is 2xx\n"
        in (tmp_path / "features/example.feature").read_text()
    )

    outcome = run_behave(tmp_path, "features/")
    assert outcome.passed, outcome.output
    assert (outcome.scenarios.passed, outcome.steps.passed) == (1, 2)

    written = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    second = run_init(tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[1:] == [
        "  in place  features/example.feature",
        "  in place  steps/asgibdd_steps.py",
        "  in place  environment.py",
        '  in place  pyproject.toml  ([tool.asgibdd] already has app = "shop.main:app")',
        FORMATTERS_IN_PLACE,
        GITIGNORE_IN_PLACE,
        GLUE_IN_PLACE,
        "Everything is already in place: nothing changed.",
        "Next: behave features/",
    ]
    assert second.stdout.splitlines()[0] == (
        'asgibdd init: app "shop.main:app" (from [tool.asgibdd] in pyproject.toml)'
    )
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == written


def test_init_without_a_findable_app_says_how_to_name_it_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path, {"tools.py": "VALUE = compute()\n"})

    assert main(["init", str(tmp_path)]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"asgibdd init: error: No ASGI app found in {tmp_path.resolve()}: no module there "
        "assigns an app at module level (app = FastAPI(), Starlette(), Litestar(), Quart(), "
        'create_app(), ...).\nName the app: asgibdd init --app "package.module:app"\n'
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tools.py"]


def test_init_with_app_option_creates_pyproject_for_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_imports: None
) -> None:
    assert main(["init", str(tmp_path), "--app", "asgibdd.demo:app"]) == 0

    assert capsys.readouterr().out.splitlines()[:2] == [
        'asgibdd init: app "asgibdd.demo:app" (from --app)',
        "  example: GET /health answered 200 in-process",
    ]
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[tool.asgibdd]\napp = "asgibdd.demo:app"\n' + "\n" + PYPROJECT
    )


def test_init_reports_an_app_option_that_cannot_be_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_imports: None
) -> None:
    assert main(["init", str(tmp_path), "--app", "nowhere_to_be_found:app"]) == 1

    err = capsys.readouterr().err
    assert err.startswith(
        'asgibdd init: error: Cannot import the module "nowhere_to_be_found" of the app '
        '"nowhere_to_be_found:app" (from --app): ModuleNotFoundError:'
    )
    assert list(tmp_path.iterdir()) == []


def test_own_hooks_get_asgibdd_calls_and_force_rewrites_all_but_the_hooks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_imports: None
) -> None:
    write_project(
        tmp_path,
        {
            "environment.py": "# my own hooks\n",
            "pyproject.toml": """
                [tool.asgibdd]  # settings for behave
                app = "old.module:app"
                timeout = 2.5

                [tool.other]
                app = "keep me"
            """,
        },
    )
    assert main(["init", str(tmp_path), "--app", "asgibdd.demo:app"]) == 0
    assert capsys.readouterr().out.splitlines()[4:6] == [
        "  updated   environment.py  (added asgibdd's calls to before_all, before_feature, "
        "before_scenario, after_scenario)",
        '  unchanged pyproject.toml  ([tool.asgibdd] names the app "old.module:app"; '
        "--force replaces it)",
    ]
    hooks = (tmp_path / "environment.py").read_text()
    assert hooks.startswith("# my own hooks\nfrom asgibdd import environment as asgibdd\n")

    assert main(["init", str(tmp_path), "--app", "asgibdd.demo:app", "--force"]) == 0
    assert capsys.readouterr().out.splitlines()[2:6] == [
        "  overwrote features/example.feature",
        "  overwrote steps/asgibdd_steps.py",
        "  in place  environment.py",
        '  updated   pyproject.toml  (replaced [tool.asgibdd] app = "old.module:app" by '
        'app = "asgibdd.demo:app")',
    ]
    assert (tmp_path / "environment.py").read_text() == hooks
    assert (tmp_path / "pyproject.toml").read_text() == textwrap.dedent(
        """\
        [tool.asgibdd]  # settings for behave
        app = "asgibdd.demo:app"
        timeout = 2.5

        [tool.other]
        app = "keep me"
        """
    ) + "\n" + PYPROJECT


def test_merge_adds_the_app_under_an_existing_table_without_one() -> None:
    text = '[project]\nname = "x"\n\n[tool.asgibdd]\ntimeout = 3\n'
    merged, note = merge_pyproject(text, "x.main:app", force=False)
    assert merged == '[project]\nname = "x"\n\n[tool.asgibdd]\napp = "x.main:app"\ntimeout = 3\n'
    assert note == 'added app = "x.main:app" to [tool.asgibdd]'


def test_merge_appends_a_table_to_a_file_without_final_newline() -> None:
    merged, _ = merge_pyproject('[project]\nname = "x"', "x:app", force=False)
    assert merged == '[project]\nname = "x"\n\n[tool.asgibdd]\napp = "x:app"\n'


def test_merge_leaves_a_dotted_key_table_alone_and_says_to_edit_it() -> None:
    text = "[tool]\nasgibdd.timeout = 3\n"
    assert merge_pyproject(text, "x:app", force=True) == (
        text,
        "[tool.asgibdd] is written in a form init does not edit; set app by hand",
    )


def test_merge_refuses_invalid_toml_with_the_reason() -> None:
    with pytest.raises(ConfigError) as raised:
        merge_pyproject("[tool\n", "x:app", force=False)
    assert str(raised.value).startswith("pyproject.toml is not valid TOML: ")
    assert str(raised.value).endswith(". Fix the file first.")


def test_app_scan_reads_syntax_only_and_ranks_known_constructors_first(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "side_effects.py": "raise SystemExit('never import me')\napp = make()\n",
            "src/service/__init__.py": "",
            "src/service/asgi.py": "from litestar import Litestar\napplication = Litestar()\n",
            "tests/test_app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "broken.py": "def (:\n",
        },
    )
    found = [
        (c.reference, c.file.relative_to(tmp_path).as_posix())
        for c in find_app_candidates(tmp_path)
    ]
    assert found == [
        ("service.asgi:application", "src/service/asgi.py"),
        ("side_effects:app", "side_effects.py"),
    ]


def test_candidates_put_health_routes_first_then_the_shortest_parameter_free_gets() -> None:
    async def ok(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route("/zebra", ok),
            Route("/a/{x}", ok),
            Route("/ab", ok),
            Route("/form", ok, methods=["POST"]),
            Mount("/api", routes=[Route("/v1/health", ok)]),
        ]
    )
    assert candidate_paths(app) == ["/api/v1/health", "/ab", "/zebra", "/"]


def test_fastapi_candidates_keep_a_health_route_with_a_dependency_before_the_docs() -> None:
    from fastapi import Depends, FastAPI

    app = FastAPI()

    def session() -> str:
        return "db"

    @app.get("/health")
    def health(db: str = Depends(session)) -> dict[str, str]:
        return {"status": "ok", "db": db}

    @app.get("/search")
    def search(q: str) -> str:
        return q

    assert candidate_paths(app) == [
        "/health",
        "/search",
        "/openapi.json",
        "/docs",
        "/redoc",
        "/docs/oauth2-redirect",
        "/",
    ]


def test_litestar_candidates_put_the_apps_routes_before_its_schema_routes() -> None:
    from litestar import Litestar, get

    @get("/tasks")
    async def tasks() -> list[str]:
        return []

    @get("/tasks/done")
    async def done() -> list[str]:
        return []

    paths = candidate_paths(Litestar(route_handlers=[tasks, done]))
    assert paths[:3] == ["/tasks", "/tasks/done", "/schema/openapi.json"]
    assert all(path.startswith("/schema") for path in paths[2:-1])


def test_quart_candidates_come_from_its_url_map_without_static_or_arguments() -> None:
    from quart import Quart

    app = Quart("notes")

    @app.get("/notes/<int:note_id>")
    async def note(note_id: int) -> dict[str, int]:
        return {"id": note_id}

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"pong": True}

    @app.post("/notes")
    async def create() -> dict[str, bool]:
        return {}

    assert candidate_paths(app) == ["/ping", "/"]


def test_django_candidates_come_from_its_url_conf_with_the_admin_last(tmp_path: Path) -> None:
    # Django's settings are process-wide: read the URL conf in a fresh interpreter.
    write_project(tmp_path, DJANGO_PROJECT)
    completed = run_python(
        tmp_path,
        "from mysite.asgi import application\n"
        "from asgibdd.cli._example_route import candidate_paths\n"
        "print(candidate_paths(application)[:3])",
    )
    assert completed.stdout == "['/health/', '/notes/', '/admin/']\n", completed.stderr


def test_confirmation_skips_candidates_that_do_not_answer_2xx() -> None:
    async def ok(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def broken(request: object) -> PlainTextResponse:
        raise RuntimeError("no database")

    app = Starlette(routes=[Route("/health", broken), Route("/items", ok)])
    example = confirm_example(TestClient(app), candidate_paths(app))
    assert (example.path, example.answered, example.tried) == ("/items", 200, (("/health", "500"),))

    nothing = confirm_example(TestClient(Starlette()), ["/"])
    assert (nothing.path, nothing.tried_text()) == (None, "404 from /")


def test_confirmation_goes_on_without_lifespan_for_an_app_that_raises_on_it() -> None:
    async def app(scope: dict[str, object], receive: object, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError("only HTTP, like Django")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    assert confirm_example(TestClient(app), ["/"]).answered == 204


def test_init_refuses_a_dir_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert main(["init", str(missing)]) == 1
    assert capsys.readouterr().err == (
        f'asgibdd init: error: "{missing}" is not a folder. Create it first, or pass a folder.\n'
    )


def test_a_step_file_that_already_loads_the_library_is_enough(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_imports: None
) -> None:
    write_project(
        tmp_path,
        {
            "features/steps/ours.py": "from asgibdd.steps import *  # noqa: F403\n",
            "features/existing.feature": "Feature: Ours\n",
        },
    )
    assert main(["init", str(tmp_path), "--app", "asgibdd.demo:app"]) == 0
    assert capsys.readouterr().out.splitlines()[2:5] == [
        "  created   features/example.feature",
        "  in place  features/steps/ours.py  (loads asgibdd's steps)",
        "  created   features/environment.py",
    ]
    assert not (tmp_path / "features/steps/asgibdd_steps.py").exists()
    assert not (tmp_path / "steps").exists()


def test_init_adds_what_runs_write_to_an_existing_gitignore_once(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("__pycache__/\n/reports", encoding="utf-8")
    assert str(write_gitignore(tmp_path)) == (
        "  updated   .gitignore  (ignores .asgibdd/: what runs write)"
    )
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == (
        "__pycache__/\n/reports\n# written by asgibdd runs\n.asgibdd/\n"
    )
    assert str(write_gitignore(tmp_path)) == "  in place  .gitignore"
