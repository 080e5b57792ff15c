"""`asgibdd init` as a new user runs it: every framework and layout green on the first run.

Each test writes a real service into a fresh folder, runs `asgibdd init` with no
arguments, runs `behave features/` (both as subprocesses, as a user would), and runs
`init` again, which must change nothing.
"""

from __future__ import annotations

from pathlib import Path

from asgibdd.testing import BehaveOutcome, run_behave, write_project
from tests.init_projects import (
    DJANGO_PROJECT,
    EXISTING_BEHAVE,
    FASTAPI_SQLALCHEMY,
    LITESTAR,
    QUART,
    SRC_LAYOUT,
    run_asgibdd,
)
from tests.report_runs import (
    FORMATTERS_ADDED,
    FORMATTERS_IN_PLACE,
    GITIGNORE_CREATED,
    GITIGNORE_IN_PLACE,
    GLUE_CREATED,
    GLUE_IN_PLACE,
)

asgibdd = run_asgibdd

ALREADY_IN_PLACE = "Everything is already in place: nothing changed."


def files(project: Path) -> dict[str, bytes]:
    return {
        p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*") if p.is_file()
    }


def init_run_and_init_again(project: Path) -> tuple[list[str], BehaveOutcome, list[str]]:
    """init (no arguments), behave features/ (must pass), init again (must change nothing)."""
    first = asgibdd(project, "init")
    assert first.returncode == 0, first.stdout + first.stderr
    outcome = run_behave(project, "features/", env={"PYTHONDONTWRITEBYTECODE": "1"})
    assert outcome.passed, first.stdout + outcome.output
    written = files(project)
    second = asgibdd(project, "init")
    assert second.returncode == 0, second.stdout + second.stderr
    assert files(project) == written
    assert second.stdout.splitlines()[-2] == ALREADY_IN_PLACE, second.stdout
    return first.stdout.splitlines(), outcome, second.stdout.splitlines()


def test_fastapi_with_sqlalchemy_gets_its_health_route_that_takes_a_dependency(
    tmp_path: Path,
) -> None:
    write_project(tmp_path, FASTAPI_SQLALCHEMY)
    first, outcome, again = init_run_and_init_again(tmp_path)
    assert first == [
        'asgibdd init: app "shop.main:app" (found in shop/main.py)',
        "  example: GET /health answered 200 in-process",
        "  created   features/example.feature",
        "  created   steps/asgibdd_steps.py",
        "  created   environment.py",
        '  updated   pyproject.toml  (added [tool.asgibdd] app = "shop.main:app")',
        FORMATTERS_ADDED,
        GITIGNORE_CREATED,
        GLUE_CREATED,
        "Next: behave features/",
    ]
    assert (outcome.scenarios.passed, outcome.steps.passed) == (1, 2)
    assert again == [
        'asgibdd init: app "shop.main:app" (from [tool.asgibdd] in pyproject.toml)',
        "  in place  features/example.feature",
        "  in place  steps/asgibdd_steps.py",
        "  in place  environment.py",
        '  in place  pyproject.toml  ([tool.asgibdd] already has app = "shop.main:app")',
        FORMATTERS_IN_PLACE,
        GITIGNORE_IN_PLACE,
        GLUE_IN_PLACE,
        ALREADY_IN_PLACE,
        "Next: behave features/",
    ]


def test_litestar_gets_its_own_route_before_the_schema(tmp_path: Path) -> None:
    write_project(tmp_path, LITESTAR)
    first, outcome, _ = init_run_and_init_again(tmp_path)
    assert first[:2] == [
        'asgibdd init: app "tasks.app:app" (found in tasks/app.py)',
        "  example: GET /tasks answered 200 in-process",
    ]
    assert first[-5:-1] == [
        '  created   pyproject.toml  ([tool.asgibdd] app = "tasks.app:app")',
        FORMATTERS_ADDED,
        GITIGNORE_CREATED,
        GLUE_CREATED,
    ]
    assert outcome.scenarios.passed == 1


def test_quart_gets_a_route_from_its_url_map(tmp_path: Path) -> None:
    write_project(tmp_path, QUART)
    first, outcome, _ = init_run_and_init_again(tmp_path)
    assert first[:2] == [
        'asgibdd init: app "notes:app" (found in notes.py)',
        "  example: GET /ping answered 200 in-process",
    ]
    assert outcome.scenarios.passed == 1


def test_a_src_layout_is_found_by_init_check_and_behave_even_from_a_parent_folder(
    tmp_path: Path,
) -> None:
    service = tmp_path / "service"
    write_project(service, SRC_LAYOUT)
    first, outcome, _ = init_run_and_init_again(service)
    assert first[:2] == [
        'asgibdd init: app "taskboard.web:app" (found in src/taskboard/web.py)',
        "  example: GET /boards answered 200 in-process",
    ]
    assert outcome.scenarios.passed == 1
    checked = asgibdd(service, "check")
    assert checked.stdout.startswith("OK: all 2 steps"), checked.stdout + checked.stderr
    # behave's own discovery starts from the features path; so does asgibdd's config.
    from_parent = run_behave(tmp_path, "service/features/")
    assert from_parent.passed, from_parent.output
    checked = asgibdd(tmp_path, "check", "service/features/")
    assert checked.stdout.startswith("OK: all 2 steps"), checked.stdout + checked.stderr


def test_an_existing_behave_project_is_written_into_and_keeps_its_hooks_and_steps(
    tmp_path: Path,
) -> None:
    write_project(tmp_path, EXISTING_BEHAVE)
    first, outcome, again = init_run_and_init_again(tmp_path)
    assert first == [
        'asgibdd init: app "shop.main:app" (found in shop/main.py)',
        "  example: GET /health answered 200 in-process",
        "  created   features/example.feature",
        "  created   features/steps/asgibdd_steps.py",
        "  updated   features/environment.py  (added asgibdd's calls to before_all, "
        "before_feature, before_scenario, after_scenario)",
        '  created   pyproject.toml  ([tool.asgibdd] app = "shop.main:app")',
        FORMATTERS_ADDED,
        GITIGNORE_CREATED,
        GLUE_CREATED,
        "Next: behave features/",
    ]
    assert (outcome.scenarios.passed, outcome.steps.passed) == (2, 5), outcome.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".gitignore",
        "features",
        "pyproject.toml",
        "shop",
    ]
    assert again[1:4] == [
        "  in place  features/example.feature",
        "  in place  features/steps/asgibdd_steps.py",
        "  in place  features/environment.py",
    ]
    assert (tmp_path / "features/environment.py").read_text() == (
        '"""The team\'s own hooks."""\n'
        "\n"
        "import os\n"
        "from asgibdd import environment as asgibdd\n"
        "\n"
        "\n"
        "def before_all(context):\n"
        "    asgibdd.before_all(context)\n"
        '    context.hook_log = ["before_all"]\n'
        '    context.currency = os.environ.get("CURRENCY", "EUR")\n'
        "\n"
        "\n"
        "def before_scenario(context, scenario):\n"
        "    asgibdd.before_scenario(context, scenario)\n"
        '    context.hook_log.append("before_scenario")\n'
        "\n"
        "\n"
        "def before_feature(context, feature):\n"
        "    asgibdd.before_feature(context, feature)\n"
        "\n"
        "\n"
        "def after_scenario(context, scenario):\n"
        "    asgibdd.after_scenario(context, scenario)\n"
    )
    checked = asgibdd(tmp_path, "check")
    assert checked.stdout.startswith("OK: all 5 steps"), checked.stdout + checked.stderr


def test_django_gets_a_route_from_its_url_conf(tmp_path: Path) -> None:
    write_project(tmp_path, DJANGO_PROJECT)
    first, outcome, _ = init_run_and_init_again(tmp_path)
    assert first[:2] == [
        'asgibdd init: app "mysite.asgi:application" (found in mysite/asgi.py)',
        "  example: GET /health/ answered 200 in-process",
    ]
    assert outcome.scenarios.passed == 1
