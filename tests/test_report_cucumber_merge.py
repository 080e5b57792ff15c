"""Cucumber JSON and Cucumber Messages from several runs as one: `asgibdd run -j N` and
`asgibdd report merge --cucumber / --messages`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cucumber_messages import Envelope, message_converter

from asgibdd.errors import UsageError
from asgibdd.report.cucumber_merge import Unfinished, merge_cucumber, read_cucumber, with_unfinished
from asgibdd.report.messages_merge import merge_messages, read_messages
from asgibdd.testing import run_asgibdd, run_behave, write_project
from tests.cucumber_json_schema import schema_errors
from tests.report_runs import APP, FEATURE, PYPROJECT

SECOND_FEATURE = """
Feature: With a background
  Background:
    Given the request header "X-Trace" is "t-1"

  Scenario: First
    When I GET /page
    Then the response status is 200

  @second
  Scenario: Second
    When I GET /page
    Then the response status is 200
"""
OUTPUTS = ("-f", "cucumber", "-o", "out.json", "-f", "messages", "-o", "out.ndjson")


def _scenarios(features: list[dict[str, Any]]) -> list[tuple[str, str, int, list[str]]]:
    return [
        (f["uri"], e["type"], e["line"], [s["result"]["status"] for s in e["steps"]])
        for f in features
        for e in f["elements"]
    ]


def _referenced_ids_exist(envelopes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The id references (`...Id`, `...Ids`) that name no message's id."""
    ids: set[str] = set()
    references: list[tuple[str, str]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "id" and isinstance(item, str):
                    ids.add(item)
                elif key.endswith("Id") and isinstance(item, str):
                    references.append((key, item))
                elif key.endswith("Ids") and isinstance(item, list):
                    references.extend((key, each) for each in item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(envelopes)
    return [reference for reference in references if reference[1] not in ids]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same project run serially, with `asgibdd run -j 2`, and as two shards by tag."""
    folders = {}
    for name in ("serial", "parallel", "shards"):
        project = tmp_path_factory.mktemp(name)
        write_project(
            project,
            {
                "app.py": APP,
                "pyproject.toml": PYPROJECT,
                "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
                "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
                "features/report.feature": FEATURE,
                "features/second.feature": SECOND_FEATURE,
            },
        )
        folders[name] = project
    env = {"PYTHONPATH": str(folders["serial"])}
    run_behave(folders["serial"], "-D", "asgibdd.app=app:app", *OUTPUTS, "features/", env=env)
    parallel = run_asgibdd(
        folders["parallel"],
        *("-j", "2", "-D", "asgibdd.app=app:app", *OUTPUTS, "features/"),
        env={"PYTHONPATH": str(folders["parallel"])},
    )
    assert "out.json" in parallel.output, parallel.output
    shards = folders["shards"]
    for index, tags in enumerate(("@second", "not @second")):
        run_behave(
            shards,
            *("-D", "asgibdd.app=app:app", "--tags", tags),
            *("-f", "cucumber", "-o", f"shard{index}.json"),
            *("-f", "messages", "-o", f"shard{index}.ndjson"),
            "features/",
            env={"PYTHONPATH": str(shards)},
        )
    return folders


def _merge_shards(shards: Path, option: str, suffix: str) -> int:
    """`asgibdd report merge shard0.SUFFIX shard1.SUFFIX OPTION merged.SUFFIX`, in-process."""
    from asgibdd.cli import main

    parts = [str(shards / f"shard{index}.{suffix}") for index in (0, 1)]
    return main(["report", "merge", *parts, option, str(shards / f"merged.{suffix}")])


def test_a_parallel_run_writes_one_report_like_the_serial_one(runs: dict[str, Path]) -> None:
    serial = json.loads((runs["serial"] / "out.json").read_text(encoding="utf-8"))
    parallel = json.loads((runs["parallel"] / "out.json").read_text(encoding="utf-8"))
    assert schema_errors(parallel) == []
    assert sorted(_scenarios(parallel)) == sorted(_scenarios(serial))
    assert Counter(row[1] for row in _scenarios(parallel)) == {"scenario": 5, "background": 2}


def test_shards_merge_into_the_run_that_ran_each_scenario(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    shards = runs["shards"]
    status = _merge_shards(shards, "--cucumber", "json")
    assert status == 1  # one scenario failed, one is undefined
    assert capsys.readouterr().out == (
        "5 scenarios from 2 files: 1 failed, 3 passed, 1 undefined\n"
    )
    merged = json.loads((shards / "merged.json").read_text(encoding="utf-8"))
    serial = json.loads((runs["serial"] / "out.json").read_text(encoding="utf-8"))
    assert schema_errors(merged) == []
    assert sorted(_scenarios(merged)) == sorted(_scenarios(serial))


def test_messages_from_workers_and_shards_merge_into_one_valid_stream(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    shards = runs["shards"]
    status = _merge_shards(shards, "--messages", "ndjson")
    assert status == 1
    assert capsys.readouterr().out == (
        "5 scenarios from 2 files: 1 failed, 3 passed, 1 undefined\n"
    )
    serial = read_messages(runs["serial"] / "out.ndjson")
    for merged in (
        read_messages(shards / "merged.ndjson"),
        read_messages(runs["parallel"] / "out.ndjson"),
    ):
        for envelope in merged:
            message_converter.from_dict(envelope, Envelope)
        assert _referenced_ids_exist(merged) == []
        kinds = Counter(next(iter(envelope)) for envelope in merged)
        assert {kind: kinds[kind] for kind in ("meta", "testRunStarted", "testRunFinished")} == {
            "meta": 1,
            "testRunStarted": 1,
            "testRunFinished": 1,
        }
        for kind in ("source", "gherkinDocument", "pickle", "testCase", "testStepFinished"):
            assert kinds[kind] == sum(kind in envelope for envelope in serial), kind
        statuses = Counter(
            envelope["testStepFinished"]["testStepResult"]["status"]
            for envelope in merged
            if "testStepFinished" in envelope
        )
        assert statuses == Counter(
            envelope["testStepFinished"]["testStepResult"]["status"]
            for envelope in serial
            if "testStepFinished" in envelope
        )
        assert merged[-1]["testRunFinished"]["success"] is False


def test_merging_a_report_with_itself_keeps_each_scenario_once(runs: dict[str, Path]) -> None:
    report = read_cucumber(runs["serial"] / "out.json")
    assert merge_cucumber([report, report]) == merge_cucumber([report])
    stream = read_messages(runs["serial"] / "out.ndjson")
    twice = merge_messages([stream, stream])
    assert sum("pickle" in envelope for envelope in twice) == 5


def _merge(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asgibdd", "report", "merge", *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("content", "option", "error"),
    [
        (
            '{"format": "asgibdd-results/1", "features": []}',
            "--cucumber",
            "in.json is an asgibdd results file, not Cucumber JSON; merge results files with "
            "--html/--junit/--results, or give the files `behave -f cucumber -o FILE` wrote.",
        ),
        (
            '{"meta": {}}\n{"testRunStarted": {}}\n',
            "--cucumber",
            "in.json is Cucumber Messages (NDJSON), not Cucumber JSON: merge such files with "
            "--messages FILE, or give the files `behave -f cucumber -o FILE` wrote.",
        ),
        (
            '[{"keyword": "Feature", "location": "features/a.feature:1", "elements": []}]',
            "--cucumber",
            "in.json is not Cucumber JSON: feature 0 has behave's own JSON shape (-f json: a "
            "location, no uri); write Cucumber JSON with `behave -f cucumber -o FILE`.",
        ),
        (
            '{"features": []}',
            "--cucumber",
            "in.json is not Cucumber JSON: expected a JSON array of features, got a JSON "
            "object; give the files `behave -f cucumber -o FILE` wrote.",
        ),
        (
            "[1, 2",
            "--cucumber",
            "in.json is not Cucumber JSON: it is not valid JSON (Expecting ',' delimiter: line "
            "1 column 6 (char 5)), where a JSON array of features was expected; give the files "
            "`behave -f cucumber -o FILE` wrote.",
        ),
        (
            "[\n]\n",
            "--messages",
            "in.json is a JSON array (Cucumber JSON?), not Cucumber Messages (NDJSON, one "
            "envelope a line): merge Cucumber JSON with --cucumber FILE, or give the files "
            "`behave -f messages -o FILE` wrote.",
        ),
        (
            '{"testRunStarted": {}}\n',
            "--messages",
            "in.json is not Cucumber Messages: it does not start with a meta message; give "
            "the files `behave -f messages -o FILE` wrote.",
        ),
        (
            '{"meta": {}}\nnot json\n',
            "--messages",
            "in.json is not Cucumber Messages: line 2 is not one JSON object (got 'not json'), "
            "where NDJSON, one envelope a line, was expected; give the files `behave -f "
            "messages -o FILE` wrote.",
        ),
    ],
)
def test_a_file_of_another_kind_is_refused_in_one_line(
    tmp_path: Path, content: str, option: str, error: str
) -> None:
    (tmp_path / "in.json").write_text(content, encoding="utf-8")
    completed = _merge(tmp_path, "in.json", option, "out")
    assert (completed.returncode, completed.stdout) == (1, "")
    assert completed.stderr == f"asgibdd report: error: {error}\n"
    assert not (tmp_path / "out").exists()


def test_cucumber_and_results_outputs_are_not_mixed(tmp_path: Path) -> None:
    completed = _merge(tmp_path, "a.json", "--cucumber", "x.json", "--html", "x.html")
    assert completed.stderr == (
        "asgibdd report: error: --cucumber and --html merge different inputs (--cucumber "
        "Cucumber JSON, --messages Cucumber Messages, the others results files): run asgibdd "
        "report merge once for each.\n"
    )


def test_a_missing_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        read_cucumber(tmp_path / "nowhere.json")
    assert str(raised.value) == (
        f"{tmp_path / 'nowhere.json'} does not exist; give the files `behave -f cucumber -o "
        "FILE` wrote."
    )


def test_a_scenario_whose_worker_died_replaces_its_skipped_copy_after_its_background() -> None:
    def step(status: str) -> dict[str, Any]:
        return {"keyword": "Given ", "name": "x", "line": 3, "match": {}, "result": {
            "status": status, "duration": 0}}  # fmt: skip

    def element(kind: str, line: int, status: str) -> dict[str, Any]:
        named = {"id": f"f;s{line}", "tags": []} if kind == "scenario" else {}
        return {"keyword": kind.title(), "type": kind, "name": f"s{line}", "description": "",
                "line": line, **named, "steps": [step(status)]}  # fmt: skip

    feature: dict[str, Any] = {
               "uri": "features/f.feature", "id": "f", "keyword": "Feature", "name": "F",
               "description": "", "line": 1, "tags": [], "elements": [
                   element("background", 2, "skipped"), element("scenario", 5, "skipped"),
                   element("background", 2, "passed"), element("scenario", 8, "passed"),
                   element("scenario", 11, "skipped")]}  # fmt: skip
    died = Unfinished("features/f.feature", "F", "s5", 5, ("slow",), "error", 1.5, "it died")
    left_out = dataclasses.replace(died, name="s11", line=11, status="skipped")
    lost = dataclasses.replace(died, uri="features/g.feature", feature_name="G", name="Lost")
    merged = with_unfinished([feature], [died, left_out, lost])
    assert merged[1]["elements"][0]["id"] == "g;lost"
    assert merged[1]["elements"][0]["tags"] == [{"name": "@slow", "line": 4}]
    assert [(e["type"], e["line"]) for e in merged[0]["elements"]] == [
        ("background", 2),
        ("scenario", 5),
        ("background", 2),
        ("scenario", 8),
        ("scenario", 11),
    ]
    replaced = merged[0]["elements"][1]
    assert (replaced["id"], replaced["tags"], replaced["steps"], replaced["before"]) == (
        "f;s5",
        [],  # the copy's names and tags stay
        [],
        [{"match": {}, "result": {"status": "failed", "duration": 1_500_000_000,
                                  "error_message": "it died"}}],
    )  # fmt: skip
    assert merged[0]["elements"][0]["steps"] == [step("skipped")]  # the background kept
    assert merged[0]["elements"][4] == feature["elements"][4]  # left out by --tags: as it was
    assert schema_errors(merged) == []
