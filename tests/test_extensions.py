"""Run extensions: the documented example, the order of every hook, the setting's errors,
and two behave runs in one process that see nothing of each other."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asgibdd.config import load_config
from asgibdd.errors import ConfigError
from asgibdd.extensions.project import project_extensions
from asgibdd.testing import run_behave, write_project

DOCS = Path(__file__).resolve().parent.parent / "docs"
STEPS_LINE = "from asgibdd.steps import *  # noqa: F403\n"
HOOKS_LINE = "from asgibdd.environment import *  # noqa: F403\n"
_FILE_BLOCK = re.compile(r"<!-- file: (?P<name>\S+) -->\n```\w*\n(?P<body>.*?)^```$", re.S | re.M)


def documented_files() -> dict[str, str]:
    text = (DOCS / "extensions.md").read_text(encoding="utf-8")
    return {found["name"]: found["body"] for found in _FILE_BLOCK.finditer(text)}


def test_the_documented_example_runs_as_written(tmp_path: Path) -> None:
    files = documented_files()
    assert sorted(files) == [
        "features/items.feature",
        "pyproject.toml",
        "shop.py",
        "shop_testing.py",
    ]
    write_project(tmp_path, {**files, "steps/library.py": STEPS_LINE, "environment.py": HOOKS_LINE})
    outcome = run_behave(tmp_path, "features/", env={"PYTHONPATH": str(tmp_path)})
    assert outcome.passed, outcome.output
    assert outcome.scenarios.passed == 2, outcome.output
    assert not (tmp_path / "shop.db").exists()  # every scenario had a database of its own


RECORDER = """
import os

from asgibdd.world import Extension


def log(line):
    with open(os.environ["LOG"], "a") as file:
        file.write(line + "\\n")


class Recorder(Extension):
    def __init__(self, name="config"):
        self.name = name

    def run_started(self, world):
        log(f"{self.name} run started, app {type(world.app).__name__}")

    def run_ended(self, world):
        log(f"{self.name} run ended")

    def feature_started(self, world, feature):
        log(f"{self.name} feature started: {feature.name}")

    def feature_ended(self, world, feature):
        log(f"{self.name} feature ended: {feature.name}")

    def scenario_started(self, world, scenario):
        log(f"{self.name} scenario started: {scenario.name}, client {world.client}")

    def scenario_ended(self, world, scenario, status):
        log(f"{self.name} scenario ended: {scenario.name}, {status}")

    def exchange_recorded(self, world, step, request, response, duration):
        log(f"{self.name} exchange: {step} -> {response.status_code}")

    def message_recorded(self, world, step, channel, direction, where, text):
        log(f"{self.name} message: {direction} {text} on {where}")


class StartsOnly(Extension):
    def scenario_started(self, world, scenario):
        log(f"starts-only scenario started: {scenario.name}")
"""

RECORDED_FEATURE = """
Feature: recorded
  Scenario: passes
    When I GET /health
    Then the response status is 200

  Scenario: fails
    When I GET /health
    Then the response status is 201
"""


def test_every_hook_is_called_in_order_and_ends_in_reverse(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "recorder.py": RECORDER,
            "pyproject.toml": (
                '[tool.asgibdd]\napp = "asgibdd.demo:app"\ncontract = false\n'
                'extensions = ["recorder:Recorder", "recorder:StartsOnly"]\n'
            ),
            "environment.py": (
                "from asgibdd import environment as asgibdd\n"
                "from recorder import Recorder\n\n"
                "def before_all(context):\n"
                '    asgibdd.before_all(context, extensions=[Recorder("env")])\n\n'
                "def before_feature(context, feature):\n"
                "    asgibdd.before_feature(context, feature)\n\n"
                "def before_scenario(context, scenario):\n"
                "    asgibdd.before_scenario(context, scenario)\n"
            ),
            "steps/library.py": STEPS_LINE,
            "features/recorded.feature": RECORDED_FEATURE,
        },
    )
    log = tmp_path / "log.txt"
    outcome = run_behave(tmp_path, "features/", env={"PYTHONPATH": str(tmp_path), "LOG": str(log)})
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (1, 1), outcome.output
    assert log.read_text().splitlines() == [
        "config run started, app FastAPI",
        "env run started, app FastAPI",
        "config feature started: recorded",
        "env feature started: recorded",
        "config scenario started: passes, client None",
        "starts-only scenario started: passes",
        "env scenario started: passes, client None",
        "config exchange: I GET /health -> 200",
        "env exchange: I GET /health -> 200",
        "env scenario ended: passes, passed",
        "config scenario ended: passes, passed",
        "config scenario started: fails, client None",
        "starts-only scenario started: fails",
        "env scenario started: fails, client None",
        "config exchange: I GET /health -> 200",
        "env exchange: I GET /health -> 200",
        "env scenario ended: fails, failed",
        "config scenario ended: fails, failed",
        "env feature ended: recorded",
        "config feature ended: recorded",
        "env run ended",
        "config run ended",
    ]


@pytest.mark.parametrize(
    ("setting", "files", "message"),
    [
        (
            'extensions = "recorder:Recorder"',
            {},
            "[tool.asgibdd] extensions in {pyproject} must be a list of `module:Factory` names "
            "(each called with no arguments for an extension), e.g. extensions = "
            "[\"shop.testing:AuditHeader\"]; got 'recorder:Recorder'.",
        ),
        (
            'extensions = ["no_such_module_here:Thing"]',
            {},
            'Cannot import the module "no_such_module_here" of the extension '
            '"no_such_module_here:Thing" ([tool.asgibdd] extensions in {folder}): '
            "ModuleNotFoundError: No module named 'no_such_module_here'. Check the module name "
            "and that its folder is on the Python path.",
        ),
        (
            'extensions = ["plain:VALUE"]',
            {"plain.py": "VALUE = 3\n"},
            'The extension "plain:VALUE" ([tool.asgibdd] extensions in {folder}) names int 3, '
            "which is not callable: name a class (or a function) that returns the extension.",
        ),
        (
            'extensions = ["plain:Nothing"]',
            {"plain.py": "class Nothing:\n    pass\n"},
            'The extension "plain:Nothing" ([tool.asgibdd] extensions in {folder}) built '
            "<plain.Nothing object>, which has none of the extension hooks (run_started, "
            "run_ended, feature_started, feature_ended, scenario_started, scenario_ended, "
            "exchange_recorded, message_recorded, outbound_recorded). Subclass "
            "asgibdd.world.Extension and write the hooks you need.",
        ),
        (
            'extensions = ["plain:broken"]',
            {"plain.py": "def broken():\n    raise RuntimeError('no database')\n"},
            'The extension "plain:broken" ([tool.asgibdd] extensions in {folder}) raised '
            "RuntimeError: no database when called with no arguments to build the extension.",
        ),
    ],
)
def test_a_bad_extension_setting_says_what_was_expected_and_what_to_do(
    tmp_path: Path, setting: str, files: dict[str, str], message: str
) -> None:
    folder = tmp_path / "project_with_extensions"
    write_project(folder, {"pyproject.toml": f'[tool.asgibdd]\napp = "a:b"\n{setting}\n', **files})
    for name in files:
        sys.modules.pop(name.removesuffix(".py"), None)
    with pytest.raises(ConfigError) as raised:
        project_extensions(load_config({}, {}, folder))
    shown = re.sub(r" at 0x[0-9a-f]+>", ">", str(raised.value))
    assert shown == message.format(pyproject=folder / "pyproject.toml", folder=folder)


# Runs behave twice in one process (the second time on an app without an API document),
# printing after each run what a run could leave behind.
TWICE = """
import gc, io, logging, sys, traceback
from contextlib import redirect_stdout

from behave import model, model_core, runner
from behave.__main__ import main
from behave.model_type import Status

from asgibdd.report import sections

status_tests = {name: getattr(Status, name) for name in ("has_failed", "is_error")}
# Python 3.12.1 starts with objects frozen: what counts is a change from that.
FROZEN_AT_START = gc.get_freeze_count()


def left_behind():
    return (
        f"traceback is behave's: {runner.traceback is traceback and model.traceback is traceback}, "
        f"model is behave's: {type(vars(model_core.BasicStatement)['captured']) is property}, "
        f"status tests are behave's: "
        f"{all(getattr(Status, n) is f for n, f in status_tests.items())}, "
        f"httpx level: {logging.getLogger('httpx').level}, "
        f"report sections: {len(sections._providers)}, "
        f"frozen: {gc.get_freeze_count() != FROZEN_AT_START}, "
        f"library steps in behave: {len(library_steps())}, "
        f"find_match replaced: {'find_match' in vars(runner.the_step_registry)}"
    )


def library_steps():
    return [m for m in runner.the_step_registry.steps["step"]
            if type(m).__name__ == "LibraryStepMatcher"]


print("before:", left_behind())
for run, app in ((1, "asgibdd.demo:app"), (2, "plain_app:app")):
    output = io.StringIO()
    with redirect_stdout(output):
        code = main(["features/", "-f", "asgibdd.report.html:HTMLFormatter", "-o",
                     f"report{run}.html", "-f", "plain", "--no-color", "-D", f"asgibdd.app={app}"])
    text = output.getvalue()
    tables = text.count("API coverage:")
    after_summary = tables == 0 or text.index("API coverage:") > text.index("1 scenario passed")
    print(f"run {run}: exit {code}, coverage tables {tables}, after the summary: {after_summary}")
    print(f"after run {run}:", left_behind())
"""

PLAIN_APP = """
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"up"})
"""


def test_two_behave_runs_in_one_process_see_nothing_of_each_other(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "twice.py": TWICE,
            "plain_app.py": PLAIN_APP,
            "environment.py": HOOKS_LINE,
            "steps/library.py": STEPS_LINE,
            "features/health.feature": (
                "Feature: health\n  Scenario: up\n    When I GET /health\n"
                "    Then the response status is 200\n"
            ),
        },
    )
    done = subprocess.run(
        [sys.executable, "twice.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    clean = (
        "traceback is behave's: True, model is behave's: True, status tests are behave's: True, "
        "httpx level: 0, "
        "report sections: 0, frozen: False, library steps in behave: 0, "
        "find_match replaced: False"
    )
    # Each run says as it starts what it checks (on the console itself, past any capture).
    assert done.stdout.splitlines() == [
        f"before: {clean}",
        "API contract check: on, against app.openapi() of FastAPI, OpenAPI 3.1.0 (the bodies "
        "and content types it documents; statuses it does not list are reported, not failed).",
        "run 1: exit 0, coverage tables 1, after the summary: True",
        f"after run 1: {clean}",
        "API contract check: off, this app publishes no OpenAPI document asgibdd can read (it "
        "reads FastAPI's and Litestar's itself). Name one with the `openapi` setting to check "
        "every response.",
        "run 2: exit 0, coverage tables 0, after the summary: True",
        f"after run 2: {clean}",
    ], done.stdout + done.stderr
    first, second = ((tmp_path / f"report{run}.html").read_text() for run in (1, 2))
    assert "API coverage" in first
    assert "API coverage" not in second  # the first run's section is gone with it


def test_the_reused_scenario_client_puts_every_setting_back(tmp_path: Path) -> None:
    from asgibdd.client import TestClient
    from asgibdd.run_clients import ReusedClient

    async def app(scope: object, receive: object, send: object) -> None:
        raise NotImplementedError  # never called: only the settings count

    client = TestClient(app, wait_timeout=3.0)
    reused = ReusedClient.of(client)
    client.wait_timeout = 0.5
    client.raise_server_exceptions = False
    assert reused.as_built() is client
    assert (client.wait_timeout, client.raise_server_exceptions) == (3.0, True)


def test_the_extensions_page_names_every_one_of_asgibdd_s_own_extensions() -> None:
    import importlib
    import inspect

    import asgibdd.extensions
    from asgibdd.world import Extension

    text = (DOCS / "extensions.md").read_text(encoding="utf-8")
    folder = Path(asgibdd.extensions.__file__).parent
    own = set()
    for path in folder.glob("*.py"):
        module = importlib.import_module(f"asgibdd.extensions.{path.stem}")
        own |= {
            name
            for name, value in vars(module).items()
            if inspect.isclass(value)
            and value.__module__ == module.__name__
            and Extension in value.__mro__[1:]
        }
    assert len(own) == 16, own
    assert [name for name in sorted(own) if f"| `{name}` |" not in text] == []


def test_the_gc_freeze_is_undone_and_a_permanent_generation_made_before_is_left_alone() -> None:
    from asgibdd.extensions.gc_freeze import FrozenGarbageCollector

    world: Any = None  # the extension reads nothing of the World
    gc.unfreeze()  # as Python 3.10, 3.11 and 3.13 start
    ours = FrozenGarbageCollector()
    ours.run_started(world)
    assert gc.get_freeze_count() > 0
    ours.run_ended(world)
    assert gc.get_freeze_count() == 0

    gc.freeze()  # someone else's, as Python 3.12.1 starts
    try:
        theirs = gc.get_freeze_count()
        other = FrozenGarbageCollector()
        other.run_started(world)
        other.run_ended(world)
        assert gc.get_freeze_count() == theirs
    finally:
        gc.unfreeze()
