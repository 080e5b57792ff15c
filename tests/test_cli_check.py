from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from behave import runner, step_registry

from asgibdd.cli import main
from asgibdd.testing import write_project

ROOT = Path(__file__).resolve().parent.parent

LIBRARY_LINE = "from asgibdd.steps import *  # noqa: F403\n"

PROJECT_STEPS = """
    from behave import given, step, then


    @given("the cart is empty")
    def cart_is_empty(context):
        pass


    @step("the cart is {state}")
    def cart_state(context, state):
        pass


    @then("the response status is {status:d}")
    def own_status(context, status):
        pass
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_project(
        tmp_path,
        {"steps/asgibdd_steps.py": LIBRARY_LINE, "steps/shop_steps.py": PROJECT_STEPS},
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, str]:
    status = main(["check", *paths])
    captured = capsys.readouterr()
    assert captured.err == ""
    return status, captured.out


def test_a_clean_project_passes_with_a_summary(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        project,
        {
            "features/items.feature": """
                Feature: Items
                  Scenario: list
                    Given the cart is full
                    When I GET /items
                    Then the JSON at "$.count" is 0
            """
        },
    )
    assert check(capsys) == (
        0,
        "OK: all 3 steps in 1 feature file(s) match exactly one step definition.\n",
    )


def test_undefined_and_ambiguous_steps_are_listed_with_locations_and_suggestions(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        project,
        {
            "features/shop.feature": """
                Feature: Shop
                  Background:
                    Given the cart is empty

                  Scenario: typos
                    When I GETT /items
                    Then the respons header "Location" exists
                    And the flux capacitor hums

                  Scenario Outline: outline rows are checked as written
                    When I GET /items/<id>
                    Then the response status is <status>

                    Examples:
                      | id | status |
                      | 1  | 200    |
                      | 99 | 404    |
            """
        },
    )
    status, out = check(capsys)
    assert status == 1
    assert out == (
        "features/shop.feature:3: ambiguous step: Given the cart is empty\n"
        '  matched by: "the cart is empty" (steps/shop_steps.py:4)\n'
        '  matched by: "the cart is {state}" (steps/shop_steps.py:9)\n'
        "  behave runs the first.\n"
        "features/shop.feature:6: undefined step: When I GETT /items\n"
        "  did you mean: I <method> <path>  (e.g. When I GET /items?limit=2)\n"
        'features/shop.feature:7: undefined step: Then the respons header "Location" exists\n'
        '  did you mean: the response header "<name>" exists  '
        '(e.g. Then the response header "Location" exists)\n'
        '  did you mean: the response header "<name>" is "<value>"  '
        '(e.g. Then the response header "Content-Type" is "application/json")\n'
        "features/shop.feature:8: undefined step: And the flux capacitor hums\n"
        "  no library step looks like it: `asgibdd steps` lists them all.\n"
        "4 problem(s) in 8 steps in 1 feature file(s): 1 ambiguous step, 3 undefined steps.\n"
    )


def test_a_project_step_that_shadows_a_library_phrase_is_not_ambiguous(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        project,
        {
            "features/a.feature": """
                Feature: A
                  Scenario: a
                    Then the response status is 200
            """
        },
    )
    assert check(capsys, "features/a.feature")[0] == 0


def test_check_leaves_behave_registries_as_it_found_them(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    write_project(project, {"features/a.feature": "Feature: A\n  Scenario: a\n"})
    registries = [runner.the_step_registry, step_registry.registry]
    before = [{kind: list(ms) for kind, ms in r.steps.items()} for r in registries]
    assert check(capsys)[0] == 0
    # A second project defining the same phrases elsewhere loads without a clash.
    other = tmp_path_factory.mktemp("other")
    write_project(other, {"steps/shop_steps.py": PROJECT_STEPS, "features/b.feature": ""})
    assert check(capsys, str(other / "features"))[0] == 0
    assert [{kind: list(ms) for kind, ms in r.steps.items()} for r in registries] == before


def test_an_unparsable_feature_is_reported_with_its_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        project,
        {"features/bad.feature": "Feature: Bad\n  Scenario: s\n    When I GET /\n  Oops\n"},
    )
    status, out = check(capsys)
    assert status == 1
    assert out.splitlines()[0].startswith("features/bad.feature:4: cannot parse: ")
    assert out.splitlines()[-1] == ("1 problem(s) in 0 steps in 1 feature file(s): 1 cannot parse.")


def test_features_without_steps_folder_or_environment_fail_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"features/a.feature": "Feature: A\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("asgibdd check: error: No steps/ folder or environment.py in ")
    assert err.endswith(
        " or any folder above it, so behave would not run these features. "
        "Run `asgibdd init` to create them.\n"
    )


def test_a_path_that_is_not_a_feature_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "README.md"]) == 1
    assert capsys.readouterr().err == (
        'asgibdd check: error: "README.md" is neither a folder nor a .feature file. Pass '
        "feature files or folders holding them (default: features/).\n"
    )


def test_a_broken_step_file_is_reported_as_behave_would_fail(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        project,
        {"steps/zz_broken.py": "import not_a_module_anywhere\n", "features/a.feature": ""},
    )
    assert main(["check"]) == 1
    assert capsys.readouterr().err == (
        f"asgibdd check: error: Loading the step files in {project / 'steps'} raised "
        "ModuleNotFoundError: No module named 'not_a_module_anywhere'. behave would fail the "
        "same way; fix the step file.\n"
    )


def test_our_own_acceptance_suite_is_clean() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "asgibdd", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.startswith("OK: all ")
