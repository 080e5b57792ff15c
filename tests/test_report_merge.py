"""`asgibdd report merge`: several runs' results as one HTML report and one JUnit file."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from asgibdd.cli import main
from asgibdd.report.merge import merge_runs
from asgibdd.report.model import (
    FeatureResult,
    Run,
    ScenarioResult,
    Section,
    StepResult,
    TranscriptItem,
    read_run,
    write_run,
)
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
        f"(format None, expected 'asgibdd-results/1'); {WRITE_ONE}.\n"
    )


WRITE_ONE = (
    "write one with `behave -f html -o report.html` (it writes report.results.json beside "
    "the report) or with `asgibdd report merge --results FILE`"
)
VALID = {"format": "asgibdd-results/1", "features": [], "started": 0.0, "duration": 1.0}
SCENARIO = {
    "name": "s",
    "status": "passed",
    "duration": 0.1,
    "filename": "features/a.feature",
    "line": 3,
    "tags": [],
    "steps": [],
    "transcript": [],
    "error_type": None,
    "error_message": None,
}
FEATURE = {
    "name": "A",
    "filename": "features/a.feature",
    "line": 1,
    "tags": [],
    "scenarios": [SCENARIO],
    "description": [],
}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            [{"keyword": "Feature", "name": "A", "elements": [], "location": "a.feature:1"}],
            "{path} is behave's own JSON report (-f json), not asgibdd's results. asgibdd "
            f"report merge reads asgibdd's results files: {WRITE_ONE}.",
        ),
        (
            [1, 2],
            '{path} holds a JSON list, not an asgibdd results file (a JSON object with "format": '
            f'"asgibdd-results/1"); {WRITE_ONE}.',
        ),
        (
            {key: value for key, value in VALID.items() if key != "duration"},
            '{path} is not a valid asgibdd results file: at the top level: "duration" is a '
            f"required property. Results files are written, not edited: {WRITE_ONE}.",
        ),
        (
            {**VALID, "by": "hand"},
            "{path} is not a valid asgibdd results file: at the top level: Additional properties "
            "are not allowed ('by' was unexpected). Results files are written, not edited: "
            f"{WRITE_ONE}.",
        ),
        (
            {**VALID, "duration": "1.5"},
            '{path} is not a valid asgibdd results file: at duration: "1.5" is not of type '
            f'"number". Results files are written, not edited: {WRITE_ONE}.',
        ),
        (
            # The probe: a line that is markup. It never reaches a page.
            {
                **VALID,
                "features": [{**FEATURE, "scenarios": [{**SCENARIO, "line": "<img src=x>"}]}],
            },
            "{path} is not a valid asgibdd results file: at features[0].scenarios[0].line: "
            '"<img src=x>" is not of type "integer". Results files are written, not edited: '
            f"{WRITE_ONE}.",
        ),
        (
            {**VALID, "features": [{**FEATURE, "scenarios": [{"name": "s"}]}]},
            "{path} is not a valid asgibdd results file: at features[0].scenarios[0]: "
            '"status" is a required property. Results files are written, not edited: '
            f"{WRITE_ONE}.",
        ),
    ],
)
def test_a_wrong_results_file_gets_an_error_naming_the_field_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: object, message: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(content))
    assert main(["report", "merge", str(path), "--html", str(tmp_path / "out.html")]) == 1
    assert capsys.readouterr().err == f"asgibdd report: error: {message.format(path=path)}\n"
    assert not (tmp_path / "out.html").exists()


def test_a_folder_given_as_results_is_refused_with_the_files_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "merge", str(tmp_path), "--html", str(tmp_path / "out.html")]) == 1
    assert capsys.readouterr().err == (
        f"asgibdd report: error: {tmp_path} is a folder; give the results files in it "
        f"({tmp_path}/*.results.json).\n"
    )


PAYLOAD = '"><img src=x onerror=alert(1)><script>window.pwned=1</script>'


def hostile_run(started: float) -> Run:
    """A run whose every text field carries markup, as a crafted results file could."""
    step = StepResult(
        PAYLOAD, PAYLOAD, PAYLOAD, 0.1, 7, PAYLOAD, PAYLOAD, PAYLOAD, [[PAYLOAD], [PAYLOAD]]
    )
    exchange = TranscriptItem(PAYLOAD, PAYLOAD, 0.0, PAYLOAD, PAYLOAD, 0.2)
    scenario = ScenarioResult(
        PAYLOAD, PAYLOAD, 0.3, PAYLOAD, 3, [PAYLOAD], [step], [exchange], PAYLOAD, PAYLOAD
    )
    feature = FeatureResult(PAYLOAD, PAYLOAD, 1, [PAYLOAD], [scenario], [PAYLOAD])
    section = Section(PAYLOAD, PAYLOAD, [PAYLOAD], [[PAYLOAD]], PAYLOAD)
    return Run([feature], started, 1.0, [section])


def test_merge_escapes_every_field_of_every_input(tmp_path: Path) -> None:
    inputs = []
    for index in range(2):
        inputs.append(str(tmp_path / f"run{index}.results.json"))
        write_run(hostile_run(100.0 + index), Path(inputs[-1]))
    assert main(["report", "merge", *inputs, "--html", str(tmp_path / "merged.html")]) == 1
    page = (tmp_path / "merged.html").read_text()
    assert page.count("<script") == 1  # the report's own
    assert "<img" not in page
    assert page.count("&lt;script&gt;window.pwned=1&lt;/script&gt;") >= 20


def test_the_reports_policy_allows_its_own_script_and_style_only(tmp_path: Path) -> None:
    write_run(hostile_run(100.0), tmp_path / "run.results.json")
    main(
        ["report", "merge", str(tmp_path / "run.results.json"), "--html", str(tmp_path / "r.html")]
    )
    assert_policy_allows_only_own_code((tmp_path / "r.html").read_text())


def assert_policy_allows_only_own_code(page: str) -> None:
    """No 'unsafe-inline': the page's one script and one style, by their SHA-256 hashes."""
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert script is not None and style is not None

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert policy[1] == (
        f"default-src 'none'; style-src 'sha256-{digest(style[1])}'; "
        f"script-src 'sha256-{digest(script[1])}'; img-src data:"
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
    assert "<title>app:app: 6 scenarios, 4 not passed (asgibdd report)</title>" in page
    assert page.count('<details class="scenario ') == 6
    assert read_run(tmp_path / "all.results.json").runs == 2


def test_merge_needs_something_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "merge", "a.results.json"]) == 1
    assert capsys.readouterr().err == (
        "asgibdd report: error: say what to write: --html FILE, --junit FILE and/or "
        "--results FILE (from results files), --cucumber FILE (from Cucumber JSON files) or "
        "--messages FILE (from Cucumber Messages files).\n"
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
