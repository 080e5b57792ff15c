"""Merging the workers' outputs: behave's JSON, and asgibdd's own reports (asgibdd.report)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from asgibdd.parallel.outputs import OutputPlan, _Keep, merge_behave_json
from asgibdd.report.model import (
    FeatureResult,
    Run,
    ScenarioResult,
    StepResult,
    read_run,
    results_path,
    write_run,
)


def element(line: int, status: str, kind: str = "scenario") -> dict[str, object]:
    return {"type": kind, "name": f"s{line}", "status": status, "location": f"f.feature:{line}"}


def test_behave_json_keeps_each_workers_own_scenarios_and_the_unscheduled_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    feature = {"name": "F", "location": "f.feature:1"}
    background = element(2, "passed", "background")
    first = [{**feature, "elements": [background, element(4, "passed"), element(8, "skipped"),
                                      element(12, "skipped")]}]  # fmt: skip
    second = [{**feature, "elements": [background, element(4, "skipped"), element(8, "failed"),
                                       element(12, "skipped")]}]  # fmt: skip
    parts = [tmp_path / "1.json", tmp_path / "2.json"]
    for part, data in zip(parts, (first, second), strict=True):
        part.write_text(json.dumps(data))
    merged = merge_behave_json(parts, _Keep([{"f.feature:4"}, {"f.feature:8"}]))
    assert [(e["type"], e["location"], e["status"]) for e in merged[0]["elements"]] == [
        ("background", "f.feature:2", "passed"),
        ("scenario", "f.feature:4", "passed"),
        ("scenario", "f.feature:8", "failed"),
        ("scenario", "f.feature:12", "skipped"),  # --tags left it out: once, as behave has it
    ]


def test_asgibdd_reports_of_two_workers_merge_into_one_html_and_one_junit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker keeps its own scenarios; the others' appear in its results as skipped."""
    monkeypatch.chdir(tmp_path)
    folders = [tmp_path / "w1", tmp_path / "w2"]
    statuses = (("passed", "skipped"), ("skipped", "failed"))
    for folder, (first, second) in zip(folders, statuses, strict=True):
        folder.mkdir()
        run = Run(
            features=[
                FeatureResult(
                    "F", "f.feature", 1, [],
                    [_scenario("one", 4, first), _scenario("two", 8, second)],
                )
            ]
        )  # fmt: skip
        write_run(run, results_path(folder / "asgibdd-results.html"))
    plan = OutputPlan(html=tmp_path / "report.html", asgibdd_junit=tmp_path / "junit.xml")
    assert "-f" in plan.options(folders[0])
    written = plan.merge(folders, [{"f.feature:4"}, {"f.feature:8"}])
    assert written == [tmp_path / "report.html", tmp_path / "junit.xml"]
    merged = read_run(tmp_path / "report.html")
    assert [(s.name, s.status) for s in merged.scenarios()] == [
        ("one", "passed"),
        ("two", "failed"),
    ]
    junit = ElementTree.parse(tmp_path / "junit.xml").getroot()
    assert (junit.get("tests"), junit.get("failures")) == ("2", "1")
    assert (
        "<title>asgibdd report: 2 scenarios, 1 not passed</title>"
        in (tmp_path / "report.html").read_text()
    )


def _scenario(name: str, line: int, status: str) -> ScenarioResult:
    step = StepResult("When", "I GET /", status, 0.01, line + 1)
    return ScenarioResult(name, status, 0.01, "f.feature", line, [], [step])
