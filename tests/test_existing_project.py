"""An existing behave project adds asgibdd with one line and keeps working, run after run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from asgibdd.testing import run_behave, write_project

EXISTING_PROJECT = {
    "environment.py": """
        from asgibdd import environment as asgibdd


        def before_all(context):
            context.hook_log = ["before_all"]
            asgibdd.before_all(context)


        def before_feature(context, feature):
            asgibdd.before_feature(context, feature)


        def before_scenario(context, scenario):
            asgibdd.before_scenario(context, scenario)
            context.hook_log.append("before_scenario")


        def after_scenario(context, scenario):
            asgibdd.after_scenario(context, scenario)
    """,
    # The project's own steps: a custom parse type, `{name}` fields, one regex step.
    "steps/project_steps.py": """
        import parse
        from behave import given, register_type, step, then, use_step_matcher


        @parse.with_pattern(r"\\d+")
        def parse_number(text):
            return int(text)


        register_type(Number=parse_number)


        @given("{count:Number} apples in a basket named {name}")
        def apples(context, count, name):
            context.basket = (name, count)


        @then('the basket "{name}" holds {count:Number} apples')
        def basket_holds(context, name, count):
            assert context.basket == (name, count), context.basket


        @then("the hooks ran")
        def hooks_ran(context):
            assert context.hook_log == ["before_all", "before_scenario"], context.hook_log


        use_step_matcher("re")


        @step(r"the answer is (?P<answer>\\d+)")
        def answer(context, answer):
            assert answer == "42"


        from asgibdd.steps import *  # noqa: F403,E402

        use_step_matcher("parse")


        @then("I remember the status")
        def remember_status(context):
            assert context.asgibdd.last_response.status_code == 200
    """,
    "features/project.feature": """
        Feature: an existing project with asgibdd added
          Scenario: the project's own steps still work
            Given 3 apples in a basket named fruit
            Then the basket "fruit" holds 3 apples
            And the answer is 42
            And the hooks ran

          Scenario: the library's steps work next to them
            When I GET /health
            Then I remember the status
            And I store the JSON at "$.status" as "status"
    """,
}


def test_one_import_line_adds_the_library_without_changing_the_project_steps(
    tmp_path: Path,
) -> None:
    write_project(tmp_path, EXISTING_PROJECT)
    outcome = run_behave(tmp_path, "features/", "-D", "asgibdd.app=asgibdd.demo:app")
    assert outcome.passed, outcome.output
    assert (outcome.scenarios.passed, outcome.steps.passed) == (2, 7)


RUN_TWICE = """
import sys

from behave.__main__ import main

first = main(["features/", "--no-color", "-f", "progress", "-D", "asgibdd.app=asgibdd.demo:app"])
second = main(["features/", "--no-color", "-f", "progress", "-D", "asgibdd.app=asgibdd.demo:app"])
print("EXIT CODES", first, second)
sys.exit(first or second)
"""


def test_two_in_process_runs_both_pass(tmp_path: Path) -> None:
    write_project(tmp_path, {**EXISTING_PROJECT, "run_twice.py": RUN_TWICE})
    completed = subprocess.run(
        [sys.executable, "run_twice.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env_with_package(),
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert "EXIT CODES 0 0" in output, output
    assert output.count("2 scenarios passed, 0 failed") == 2, output


def _env_with_package() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
