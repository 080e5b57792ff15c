"""`asgibdd run` on throwaway projects: the same results as a serial behave run, whatever
the split, and nothing lost when a worker dies or hangs."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any
from unittest.mock import ANY
from xml.etree import ElementTree

import pytest

from asgibdd import testing
from asgibdd.parallel.outputs import _json_features
from asgibdd.report.cucumber_merge import cucumber_counts
from asgibdd.report.messages_merge import read_messages
from asgibdd.testing import BehaveOutcome, run_behave, write_project
from tests.cucumber_json_schema import schema_errors
from tests.test_report_cucumber_merge import _referenced_ids_exist

REPO = Path(__file__).resolve().parent.parent

# A raw ASGI app: lifespan, `/items/N` answering {"id": N}, anything else 404.
APP = """
import json

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    parts = scope["path"].strip("/").split("/")
    found = len(parts) == 2 and parts[0] == "items"
    body = json.dumps({"id": int(parts[1])} if found else {"detail": "Not Found"}).encode()
    await send({"type": "http.response.start", "status": 200 if found else 404,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
"""

STEPS = """
import os
import time

from behave import when

from asgibdd.steps import *  # noqa: F403


@when("the worker crashes")
def crash(context):
    os._exit(3)


@when("the worker hangs")
def hang(context):
    time.sleep(120)
"""

ITEMS = """
Feature: Items
  Background:
    Given the request header "X-Trace" is "1"

  Scenario: first item
    When I GET /items/1
    Then the JSON at "$.id" is 1

  @fast
  Scenario: second item
    When I GET /items/2
    Then the JSON at "$.id" is 2

  Scenario: a wrong expectation
    When I GET /items/3
    Then the JSON at "$.id" is 4

  @fast
  Scenario Outline: item <n>
    When I GET /items/<n>
    Then the response status is <status>

    Examples:
      | n  | status |
      | 5  | 200    |
      | 6  | 200    |
      | 7  | 200    |
"""

OTHERS = """
@fast
Feature: Others
  Scenario: missing
    When I GET /nothing
    Then the response status is 404

  Scenario: undefined step
    When I frobnicate the server
"""


def project(tmp_path: Path, **features: str) -> Path:
    files = {
        "app.py": APP,
        "steps/library.py": STEPS,
        "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
    }
    files.update({f"features/{name}.feature": text for name, text in features.items()})
    return write_project(tmp_path, files)


@pytest.fixture(autouse=True)
def _no_ci_shard_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    # A CI system's own shard variables would pick a shard in every run of these tests.
    for name in list(os.environ):
        if name.startswith(("CI_NODE_", "CIRCLE_NODE_")):
            monkeypatch.delenv(name)


def run_asgibdd(
    root: Path, *arguments: str, env: dict[str, str] | None = None, timeout: float = 120
) -> BehaveOutcome:
    """`asgibdd run` in `root`, which is importable (its app module lives there)."""
    return testing.run_asgibdd(root, *arguments, env={"PYTHONPATH": str(root), **(env or {})},
                               timeout=timeout)  # fmt: skip


APP_OPTION = ("-D", "asgibdd.app=app:app")


def junit_cases(folder: Path) -> dict[str, Counter[tuple[str, str]]]:
    """Per JUnit file: (test case name, outcome) counted."""
    found: dict[str, Counter[tuple[str, str]]] = {}
    for path in sorted(folder.glob("*.xml")):
        suite = ElementTree.parse(path).getroot()
        cases: Counter[tuple[str, str]] = Counter()
        for case in suite.iter("testcase"):
            outcome = next(
                (tag for tag in ("failure", "error", "skipped") if case.find(tag) is not None),
                "passed",
            )
            cases[(case.get("name", ""), outcome)] += 1
        found[path.name] = cases
        assert int(suite.get("tests", "0")) == sum(cases.values())
    return found


def json_elements(path: Path) -> Counter[tuple[str, str, str]]:
    return Counter(
        (feature["name"], element["name"], element.get("status", ""))
        for feature in json.loads(path.read_text())
        for element in feature["elements"]
        if element["type"] != "background"
    )


def serial_and_parallel(
    root: Path, jobs: str, *options: str, runner: tuple[str, ...] = ()
) -> tuple[BehaveOutcome, BehaveOutcome]:
    """`behave` and `asgibdd run -j jobs` with the same options, each writing behave's JSON
    (serial.json / run.json) and JUnit files (serial/ / run/)."""
    outputs = ("--junit", "-f", "json", "-o")
    serial = run_behave(
        root, *APP_OPTION, *options, *outputs, "serial.json", "--junit-directory", "serial",
        "features/", env={"PYTHONPATH": str(root)},
    )  # fmt: skip
    parallel = run_asgibdd(
        root, "-j", jobs, *runner, *APP_OPTION, *options, *outputs, "run.json", "--junit-directory",
        "run", "features/",
    )  # fmt: skip
    return serial, parallel


@pytest.mark.parametrize(
    ("jobs", "runner"), [("1", ()), ("2", ()), ("3", ()), ("2", ("--batch", "2"))]
)
def test_counts_exit_status_junit_and_json_are_those_of_a_serial_run(
    tmp_path: Path, jobs: str, runner: tuple[str, ...]
) -> None:
    """--batch 2: each worker runs its share as several behave processes of 2 scenarios."""
    root = project(tmp_path, items=ITEMS, others=OTHERS)
    serial, parallel = serial_and_parallel(root, jobs, runner=runner)
    assert serial.returncode == parallel.returncode == 1, parallel.output
    assert parallel.features == serial.features, parallel.output
    assert parallel.scenarios == serial.scenarios
    assert parallel.steps == serial.steps
    assert junit_cases(root / "run") == junit_cases(root / "serial")
    assert json_elements(root / "run.json") == json_elements(root / "serial.json")
    assert "Failing scenarios:\n  features/items.feature:14  a wrong expectation" in parallel.output
    assert "Errored scenarios:\n  features/others.feature:7  undefined step" in parallel.output


def test_tags_select_what_is_scheduled_and_the_rest_counts_as_skipped(tmp_path: Path) -> None:
    root = project(tmp_path, items=ITEMS, others=OTHERS)
    serial, parallel = serial_and_parallel(root, "2", "--tags", "@fast")
    assert (parallel.scenarios, parallel.steps, parallel.features) == (
        serial.scenarios,
        serial.steps,
        serial.features,
    ), parallel.output
    # The scenarios --tags left out are in the outputs once, skipped, as behave writes them.
    assert json_elements(root / "run.json") == json_elements(root / "serial.json")
    assert ("Items", "first item", "skipped") in json_elements(root / "run.json")
    assert junit_cases(root / "run") == junit_cases(root / "serial")
    assert parallel.scenarios.passed == 5
    assert parallel.scenarios.skipped == 2
    listed = run_asgibdd(root, "-j", "2", "--list", "--tags", "not @fast", "features/")
    assert sorted(listed.output.split("\n")) == sorted(
        [
            "worker 1: features/items.feature:5  first item",
            "worker 2: features/items.feature:14  a wrong expectation",
            "",
        ]
    )


def test_console_output_is_one_block_per_scenario(tmp_path: Path) -> None:
    root = project(tmp_path, items=ITEMS)
    outcome = run_asgibdd(root, "-j", "2", *APP_OPTION, "--tags", "not @fast", "features/")
    first = (
        "  Scenario: first item\n"
        '    Given the request header "X-Trace" is "1" ... passed\n'
        "    When I GET /items/1 ... passed\n"
        '    Then the JSON at "$.id" is 1 ... passed\n'
    )
    assert first in outcome.output
    assert outcome.output.startswith(
        # What the run checks, as the workers said it, then the scenarios.
        "API contract check: off, this app publishes no OpenAPI document asgibdd can read "
        "(it reads FastAPI's and Litestar's itself). Name one with the `openapi` setting to "
        "check every response.\n"
        "Feature: Items  # features/items.feature\n"
    )
    assert outcome.output.endswith(
        "Failing scenarios:\n"
        "  features/items.feature:14  a wrong expectation\n\n"
        "0 features passed, 1 failed, 0 skipped\n"
        "1 scenario passed, 1 failed, 4 skipped\n"
        "5 steps passed, 1 failed, 12 skipped\n" + outcome.output.splitlines()[-1] + "\n"
    )
    assert outcome.output.splitlines()[-1].startswith("Took 0min ")


CRASHING = """
@serial
Feature: Crash
  Scenario: before the crash
    When I GET /items/1

  Scenario: the crash
    When the worker crashes

  Scenario: after the crash
    When I GET /items/2
"""


def test_a_crashing_worker_loses_nothing_of_the_others(tmp_path: Path) -> None:
    root = project(tmp_path, items=ITEMS, crash=CRASHING)
    # @serial keeps the crash feature on one worker, so the other one has items.feature.
    listed = run_asgibdd(root, "-j", "2", "--list", "features/")
    crash_worker = {line.split(":")[0] for line in listed.output.splitlines() if "crash" in line}
    assert len(crash_worker) == 1, listed.output
    worker = next(iter(crash_worker))
    share = sum(line.startswith(f"{worker}:") for line in listed.output.splitlines())
    cucumber = ("-f", "asgibdd.report.cucumber:CucumberJSONFormatter", "-o", "cucumber.json")
    outcome = run_asgibdd(root, "-j", "2", *APP_OPTION, *cucumber, "features/")
    assert outcome.returncode == 1
    # The worker ran crash.feature first (file order): one passed, then it died.
    assert (
        f"asgibdd run: {worker} exited with status 3; {share - 1} of its {share} scenarios "
        "did not finish. The other workers' results are complete." in outcome.output
    )
    assert (
        f"  Scenario: the crash\n    ... {worker} exited with status 3 while this scenario ran"
        in outcome.output
    )
    assert (
        f"  Scenario: after the crash\n    ... not run: {worker} exited with status 3 before "
        "it started" in outcome.output
    )
    counts = outcome.scenarios
    assert (counts.error, counts.untested) == (1, share - 2)
    assert counts.passed + counts.failed + counts.error + counts.untested == 9
    assert counts.failed == 1  # a wrong expectation, whichever worker ran it
    assert "Errored scenarios:\n  features/crash.feature:6  the crash" in outcome.output
    # The Cucumber JSON has every scenario once; the dead worker's, as the runner saw them.
    features = json.loads((root / "cucumber.json").read_text(encoding="utf-8"))
    assert schema_errors(features) == []
    assert cucumber_counts(features) == {
        "failed": counts.failed + counts.error,
        "passed": counts.passed,
        "skipped": counts.untested,
    }
    crash = next(feature for feature in features if feature["uri"] == "features/crash.feature")
    assert [
        (element["name"], element["line"], element["tags"], element["before"], element["steps"])
        for element in crash["elements"]
    ] == [
        ("before the crash", 3, [{"name": "@serial", "line": 2}], [_ran("passed")], []),
        (
            "the crash",
            6,
            [{"name": "@serial", "line": 5}],
            [_ran("failed", f"{worker} exited with status 3 while this scenario ran")],
            [],
        ),
        (
            "after the crash",
            9,
            [{"name": "@serial", "line": 8}],
            [_ran("skipped", f"not run: {worker} exited with status 3 before it started")],
            [],
        ),
    ]


def _ran(status: str, message: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"status": status, "duration": ANY}
    if message is not None:
        result["error_message"] = message
    return {"match": {}, "result": result}


def test_outputs_a_dead_worker_left_half_written_are_merged_from_what_it_wrote_whole(
    tmp_path: Path,
) -> None:
    # 40 scenarios' worth of output is more than the worker's write buffers hold: the
    # worker dies with the first feature's JSON, Cucumber JSON and Messages half written.
    big = "@serial\nFeature: Big\n" + "".join(
        f'  Scenario: s{i}\n    When I GET /items/{i}\n    Then the JSON at "$.id" is {i}\n'
        for i in range(40)
    )
    root = project(tmp_path, a_big=big, crash=CRASHING)
    outputs = ("-f", "json", "-o", "behave.json", "-f", "asgibdd.report.cucumber:"
               "CucumberJSONFormatter", "-o", "cucumber.json", "-f",
               "asgibdd.report.messages:MessagesFormatter", "-o", "run.ndjson")  # fmt: skip
    outcome = run_asgibdd(root, "-j", "2", *APP_OPTION, *outputs, "features/")
    assert outcome.returncode == 1
    assert "Traceback" not in outcome.output
    assert "41 scenarios passed, 0 failed, 1 error, 0 skipped, 1 untested" in outcome.output
    behave_json = json.loads((root / "behave.json").read_text(encoding="utf-8"))
    assert [(f["name"], len(f["elements"])) for f in behave_json] == [("Big", 40)]
    features = json.loads((root / "cucumber.json").read_text(encoding="utf-8"))
    assert schema_errors(features) == []
    assert cucumber_counts(features) == {"passed": 41, "failed": 1, "skipped": 1}
    envelopes = read_messages(root / "run.ndjson")
    assert _referenced_ids_exist(envelopes) == []
    started = {e["testCaseStarted"]["id"] for e in envelopes if "testCaseStarted" in e}
    finished = {
        e["testCaseFinished"]["testCaseStartedId"] for e in envelopes if "testCaseFinished" in e
    }
    assert started == finished  # the attempt the crash cut short is left out
    assert envelopes[-1]["testRunFinished"]["success"] is False


def test_a_half_written_output_gives_what_was_written_whole(tmp_path: Path) -> None:
    array = tmp_path / "array.json"
    array.write_text('[\n{"name": "one"},\n {"name": "two"},\n{"name": "thr', encoding="utf-8")
    assert _json_features(array) == [{"name": "one"}, {"name": "two"}]
    lines = tmp_path / "lines.ndjson"
    lines.write_text('{"meta": {}}\n{"pickle": {"id": "1"}}\n{"pick', encoding="utf-8")
    assert _json_features(lines) == [{"meta": {}}, {"pickle": {"id": "1"}}]
    whole = tmp_path / "whole.json"
    whole.write_text('[{"name": "one"}]', encoding="utf-8")
    assert _json_features(whole) == [{"name": "one"}]


def test_a_hung_worker_is_stopped_within_the_scenario_limit(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        hang="Feature: Hang\n  Scenario: hangs\n    When the worker hangs\n",
        items="Feature: Fine\n  Scenario: fine\n    When I GET /items/1\n",
    )
    started = time.monotonic()
    # The limit also covers a worker's start-up: 10 s keeps a slow machine's start-up inside it.
    outcome = run_asgibdd(root, "-j", "2", *APP_OPTION, "--scenario-timeout", "10", "features/")
    assert time.monotonic() - started < 90
    assert outcome.returncode == 1
    assert (
        "asgibdd run: worker 1 was stopped after 10 s without progress (running "
        "features/hang.feature:2); 1 of its 1 scenarios did not finish." in outcome.output
    )
    assert outcome.scenarios.passed == 1
    assert outcome.scenarios.error == 1


SHARDED = "Feature: Many\n" + "".join(
    f"  Scenario: s{number}\n    When I GET /items/{number}\n\n" for number in range(1, 13)
)


def shard_lists(root: Path, *arguments: str, env: dict[str, str] | None = None) -> list[list[str]]:
    lists = []
    for index in range(1, 5):
        outcome = run_asgibdd(
            root, "--list", "--shard", f"{index}/4", *arguments, "features/", env=env
        )
        assert outcome.returncode == 0, outcome.output
        lists.append([line.split(": ", 1)[1] for line in outcome.output.splitlines()])
    return lists


def test_shards_are_disjoint_complete_deterministic_and_balanced(tmp_path: Path) -> None:
    root = project(tmp_path, many=SHARDED)
    by_counts = shard_lists(root)
    assert [len(shard) for shard in by_counts] == [3, 3, 3, 3]
    assert sorted(line for shard in by_counts for line in shard) == sorted(
        f"features/many.feature:{2 + 3 * (n - 1)}  s{n}" for n in range(1, 13)
    )
    assert shard_lists(root) == by_counts
    # An earlier run found s1..s3 ten times slower than the rest.
    seconds = {f"features/many.feature::s{n}": (1.0 if n <= 3 else 0.1) for n in range(1, 13)}
    (root / ".asgibdd").mkdir()
    (root / ".asgibdd" / "durations.json").write_text(
        json.dumps({"format": "asgibdd-durations/1", "scenarios": seconds})
    )
    balanced = shard_lists(root)
    loads = [
        sum(seconds[f"features/many.feature::{line.split()[-1]}"] for line in shard)
        for shard in balanced
    ]
    assert max(loads) <= 1.15 * (sum(loads) / 4), (loads, balanced)
    # Each slow one alone, the nine quick ones together: loads 1.0, 1.0, 1.0, 0.9.
    assert sorted(len(shard) for shard in balanced) == [1, 1, 1, 9]


def test_ci_variables_choose_the_shard(tmp_path: Path) -> None:
    root = project(tmp_path, many=SHARDED)
    wanted = run_asgibdd(root, "--list", "--shard", "2/4", "features/").output
    gitlab = run_asgibdd(
        root, "--list", "features/", env={"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "4"}
    )
    circle = run_asgibdd(
        root, "--list", "features/", env={"CIRCLE_NODE_INDEX": "1", "CIRCLE_NODE_TOTAL": "4"}
    )
    assert gitlab.output == circle.output == wanted


def test_serial_scenarios_run_in_one_worker(tmp_path: Path) -> None:
    serial = "@serial\nFeature: Database\n" + "".join(
        f"  Scenario: d{n}\n    When I GET /items/{n}\n\n" for n in range(1, 5)
    )
    root = project(tmp_path, many=SHARDED, db=serial)
    listed = run_asgibdd(root, "-j", "3", "--list", "features/")
    workers = {line.split(":")[0] for line in listed.output.splitlines() if "db.feature" in line}
    assert len(workers) == 1, listed.output
    outcome = run_asgibdd(root, "-j", "3", *APP_OPTION, "features/")
    assert outcome.returncode == 0, outcome.output
    assert outcome.scenarios.passed == 16


def test_every_run_updates_the_durations_file(tmp_path: Path) -> None:
    root = project(tmp_path, items=ITEMS)
    run_asgibdd(root, "-j", "2", *APP_OPTION, "features/")
    data = json.loads((root / ".asgibdd" / "durations.json").read_text())
    assert data["format"] == "asgibdd-durations/1"
    assert sorted(data["scenarios"]) == [
        "features/items.feature::a wrong expectation",
        "features/items.feature::first item",
        "features/items.feature::item 5 -- status=200",
        "features/items.feature::item 6 -- status=200",
        "features/items.feature::item 7 -- status=200",
        "features/items.feature::second item",
    ]


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (
            ["-j", "0"],
            2,
            "asgibdd run: error: argument -j/--jobs: -j expects a number of worker processes "
            "of 1 or more, got '0'",
        ),
        (
            ["--batch", "0"],
            2,
            "asgibdd run: error: argument --batch: --batch expects a number of scenarios per "
            "behave process of 1 or more, got '0'",
        ),
        (
            ["--scenario-timeout", "-1"],
            2,
            "asgibdd run: error: argument --scenario-timeout: expected seconds above 0, got '-1'",
        ),
        (
            ["--shard", "5/4"],
            1,
            "asgibdd run: error: --shard 5/4 is not a shard: expected 1 <= INDEX <= TOTAL "
            "(1/4 to 4/4). Shards count from 1.",
        ),
        (
            ["nowhere/"],
            1,
            'asgibdd run: error: "nowhere" does not exist. Pass feature files or folders '
            "(default: features/).",
        ),
        (
            ["-f", "json"],
            1,
            "asgibdd run: error: -f json writes to the console, which asgibdd run keeps for "
            "its own per-scenario output. Give it a file: -f json -o FILE.",
        ),
        (
            ["--durations", "features"],
            1,
            "asgibdd run: error: features is a folder, not a durations file. Pass a file with "
            "--durations (default: .asgibdd/durations.json); the next run writes it.",
        ),
        (
            ["--durations", "features/list.json"],
            1,
            "asgibdd run: error: features/list.json holds a JSON list, not an asgibdd "
            'durations file (a JSON object with "format": "asgibdd-durations/1"). Delete it '
            "or pass another file with --durations; the next run writes one.",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(
    tmp_path: Path, arguments: list[str], status: int, message: str
) -> None:
    root = project(tmp_path, items=ITEMS)
    (root / "features" / "list.json").write_text('[["features/items.feature::first", 1.0]]')
    outcome = run_asgibdd(root, *arguments)
    assert outcome.returncode == status
    assert message in outcome.output
    assert "Traceback" not in outcome.output


LIFESPAN_APP = """
import os

from app import app as items


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        with open(os.environ["LOG"], "a") as log:
            log.write(f"startup in {os.getpid()}\\n")
    await items(scope, receive, send)
"""


def test_a_feature_lifespan_split_over_workers_starts_once_in_each(tmp_path: Path) -> None:
    feature = "@asgibdd.lifespan=feature\nFeature: Shared\n" + "".join(
        f'  Scenario: s{n}\n    When I GET /items/{n}\n    Then the JSON at "$.id" is {n}\n\n'
        for n in range(1, 7)
    )
    root = project(tmp_path, shared=feature)
    (root / "counted.py").write_text(LIFESPAN_APP)
    log = root / "log.txt"
    outcome = run_asgibdd(
        root, "-j", "2", "-D", "asgibdd.app=counted:app", "features/", env={"LOG": str(log)}
    )
    assert outcome.returncode == 0, outcome.output
    assert outcome.scenarios.passed == 6
    assert outcome.features.passed == 1  # split over two workers, counted once
    starts = log.read_text().splitlines()
    assert len(starts) == 2 and len(set(starts)) == 2, starts


RULES = """
Feature: Rules
  Rule: known items
    Scenario: one
      When I GET /items/1
      Then the JSON at "$.id" is 1

    Scenario: two
      When I GET /items/2
      Then the JSON at "$.id" is 3

  Rule: unknown items
    Scenario: none
      When I GET /nothing
      Then the response status is 404
"""


def test_rules_are_counted_as_behave_counts_them(tmp_path: Path) -> None:
    root = project(tmp_path, rules=RULES)
    serial, parallel = serial_and_parallel(root, "2")
    rule_lines = [
        [line for line in outcome.output.splitlines() if " rule" in line and "passed," in line]
        for outcome in (serial, parallel)
    ]
    assert rule_lines[0] == rule_lines[1] == ["1 rule passed, 1 failed, 0 skipped"]
    assert (parallel.scenarios, parallel.steps) == (serial.scenarios, serial.steps)


def test_after_a_crash_the_workers_next_batch_still_runs(tmp_path: Path) -> None:
    root = project(tmp_path, crash=CRASHING)
    outcome = run_asgibdd(root, "-j", "1", "--batch", "1", *APP_OPTION, "features/")
    assert outcome.returncode == 1
    assert (
        "asgibdd run: worker 1 exited with status 3; 1 of its 1 scenarios did not finish."
        in outcome.output
    )
    assert (outcome.scenarios.passed, outcome.scenarios.error) == (2, 1), outcome.output


def test_stop_ends_every_worker_at_the_first_failure(tmp_path: Path) -> None:
    root = project(tmp_path, items=ITEMS)
    serial, parallel = serial_and_parallel(root, "1", "--stop", runner=("--batch", "2"))
    assert parallel.returncode == serial.returncode == 1
    assert (parallel.scenarios, parallel.steps) == (serial.scenarios, serial.steps)
    assert (
        "asgibdd run: --stop: features/items.feature:14 failed, stopping every worker."
        in parallel.output
    )
    both = run_asgibdd(root, "-j", "2", "--stop", *APP_OPTION, "features/")
    assert both.returncode == 1
    assert both.scenarios.failed == 1
    assert "stopping every worker" in both.output
