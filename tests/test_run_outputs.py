"""Merging the workers' outputs: behave's JSON, and asgibdd's reports through the API of
`asgibdd.report` (model.read_run/results_path/write_run, merge.merge_runs,
html_render.render_html, junit.render_junit), stood in for here by small fakes."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from asgibdd.errors import UsageError
from asgibdd.parallel.outputs import OutputPlan, _Keep, merge_behave_json


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


@dataclass(frozen=True)
class FakeScenario:
    filename: str
    line: int
    status: str


@dataclass(frozen=True)
class FakeFeature:
    filename: str
    scenarios: list[FakeScenario]


@dataclass
class FakeRun:
    features: list[FakeFeature] = field(default_factory=list)


@pytest.fixture
def fake_report(tmp_path: Path) -> Iterator[dict[str, object]]:
    """`asgibdd.report` as the runner uses it; what it was called with is kept."""
    calls: dict[str, object] = {}
    model = types.ModuleType("asgibdd.report.model")
    model.results_path = lambda report: report.with_name(report.stem + ".results.json")  # type: ignore[attr-defined]

    def read_run(path: Path) -> FakeRun:
        rows = json.loads(model.results_path(path).read_text())
        return FakeRun(
            [FakeFeature("f.feature", [FakeScenario("f.feature", *row) for row in rows])]
        )

    model.read_run = read_run  # type: ignore[attr-defined]
    model.write_run = lambda run, path: calls.setdefault("results", path)  # type: ignore[attr-defined]
    merge = types.ModuleType("asgibdd.report.merge")

    def merge_runs(runs: list[FakeRun]) -> FakeRun:
        calls["runs"] = runs
        return FakeRun([replace(runs[0].features[0], scenarios=[
            s for run in runs for f in run.features for s in f.scenarios])])  # fmt: skip

    merge.merge_runs = merge_runs  # type: ignore[attr-defined]
    render = types.ModuleType("asgibdd.report.html_render")
    render.render_html = lambda run: (
        "<html>"
        + ",".join(  # type: ignore[attr-defined]
            f"{s.line}:{s.status}" for f in run.features for s in f.scenarios
        )
    )
    junit = types.ModuleType("asgibdd.report.junit")
    junit.render_junit = lambda run: f"<testsuites tests='{len(run.features[0].scenarios)}'/>"  # type: ignore[attr-defined]
    package = types.ModuleType("asgibdd.report")
    modules = {"asgibdd.report": package, "asgibdd.report.model": model,
               "asgibdd.report.merge": merge, "asgibdd.report.html_render": render,
               "asgibdd.report.junit": junit}  # fmt: skip
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield calls
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def test_asgibdd_reports_are_merged_through_asgibdd_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_report: dict[str, object]
) -> None:
    monkeypatch.chdir(tmp_path)
    folders = [tmp_path / "w1", tmp_path / "w2"]
    each = ([[4, "passed"], [8, "skipped"]], [[4, "skipped"], [8, "failed"]])
    for folder, results in zip(folders, each, strict=True):
        folder.mkdir()
        (folder / "asgibdd-results.results.json").write_text(json.dumps(results))
    plan = OutputPlan(html=tmp_path / "report.html", asgibdd_junit=tmp_path / "junit.xml")
    assert "-f" in plan.options(folders[0])
    written = plan.merge(folders, [{"f.feature:4"}, {"f.feature:8"}])
    assert written == [tmp_path / "report.html", tmp_path / "junit.xml"]
    assert (tmp_path / "report.html").read_text() == "<html>4:passed,8:failed"
    assert (tmp_path / "junit.xml").read_text() == "<testsuites tests='2'/>"
    assert fake_report["results"] == tmp_path / "report.results.json"


def test_without_asgibdd_report_the_error_says_what_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "asgibdd.report", None)  # as if not installed
    plan = OutputPlan(html=tmp_path / "report.html")
    (tmp_path / "w1").mkdir()
    with pytest.raises(UsageError, match="use behave's `-f json -o FILE` or `--junit`"):
        plan.merge([tmp_path / "w1"], [set()])
