"""`asgibdd report merge`: several runs' results as one HTML report and one JUnit file."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from asgibdd.cli import main
from asgibdd.report.merge import merge_runs
from asgibdd.report.model import FeatureResult, Run, ScenarioResult, read_run, write_run
from tests.report_runs import run_small_project


def _scenario(name: str, line: int, status: str = "passed") -> ScenarioResult:
    return ScenarioResult(name, status, 1.0, "features/a.feature", line, [], [])


def test_a_feature_split_across_shards_is_one_feature_again_in_file_order() -> None:
    first = Run(
        features=[FeatureResult("A", "features/a.feature", 1, [], [_scenario("two", 9)])],
        started=100.0,
        duration=5.0,
    )
    second = Run(
        features=[
            FeatureResult("A", "features/a.feature", 1, [], [_scenario("one", 3, "failed")]),
            FeatureResult("B", "features/b.feature", 1, [], [_scenario("three", 2)]),
        ],
        started=102.0,
        duration=10.0,
    )
    merged = merge_runs([first, second])
    assert [(f.name, [s.name for s in f.scenarios]) for f in merged.features] == [
        ("A", ["one", "two"]),
        ("B", ["three"]),
    ]
    assert (merged.started, merged.duration, merged.runs) == (100.0, 12.0, 2)
    assert merged.counts() == {"passed": 2, "failed": 1}


def test_merged_results_read_back_the_same(tmp_path: Path) -> None:
    run = Run(
        features=[FeatureResult("A", "features/a.feature", 1, ["t"], [_scenario("x", 2)])],
        started=1.0,
        duration=2.0,
    )
    write_run(run, tmp_path / "r.results.json")
    assert read_run(tmp_path / "r.results.json") == run
    assert read_run(tmp_path / "r.html") == run  # the report's own path finds its results


def test_a_file_that_is_not_a_results_file_is_refused_with_the_way_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"features": []}))
    assert main(["report", "merge", str(tmp_path / "x.json"), "--html", "out.html"]) == 1
    assert capsys.readouterr().err == (
        f"asgibdd report: error: {tmp_path / 'x.json'} is not an asgibdd results file "
        "(format None, expected 'asgibdd-results/1'); write one with "
        "`behave -f html -o report.html`.\n"
    )


def test_two_shards_merge_into_one_report_and_one_junit_whose_totals_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for shard in ("one", "two"):
        outcome = run_small_project(
            tmp_path / shard, "-f", "html", "-o", "report.html", "-f", "plain"
        )
        assert outcome.scenarios.passed == 1, outcome.output
    status = main(
        [
            "report",
            "merge",
            str(tmp_path / "one" / "report.html"),
            str(tmp_path / "two" / "report.results.json"),
            "--html",
            str(tmp_path / "all.html"),
            "--junit",
            str(tmp_path / "all.xml"),
            "--results",
            str(tmp_path / "all.results.json"),
        ]
    )
    assert status == 1  # a scenario failed
    assert capsys.readouterr().out == "6 scenarios from 2 runs: 2 error, 2 failed, 2 passed\n"
    junit = ElementTree.parse(tmp_path / "all.xml").getroot()
    assert {key: junit.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": "6",
        "failures": "2",
        "errors": "2",
        "skipped": "0",
    }
    assert len(junit.findall("testsuite/testcase")) == 6
    page = (tmp_path / "all.html").read_text()
    assert "<title>asgibdd report: 6 scenarios, 4 not passed</title>" in page
    assert page.count('<details class="scenario ') == 6
    assert read_run(tmp_path / "all.results.json").runs == 2


def test_merge_needs_something_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "merge", "a.results.json"]) == 1
    assert capsys.readouterr().err == (
        "asgibdd report: error: say what to write: --html FILE, --junit FILE and/or "
        "--results FILE.\n"
    )


@pytest.mark.parametrize("features", [0, 1, 3], ids=["no feature", "one", "three"])
def test_a_results_file_is_written_a_feature_at_a_time_as_the_runs_json_text(
    tmp_path: Path, features: int
) -> None:
    run = Run(
        features=[
            FeatureResult(f"F{n} é", "features/a.feature", 1, ["t"], [_scenario("s", 3)])
            for n in range(features)
        ],
        started=100.0,
        duration=5.0,
    )
    write_run(run, tmp_path / "r.results.json")
    assert (tmp_path / "r.results.json").read_text(encoding="utf-8") == run.to_json()
