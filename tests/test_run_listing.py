"""The runner's listing and its workers' command lines, by the work they cause: what the
parent parses, and what each worker is handed."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from asgibdd.parallel.listing import ListedScenario, behave_configuration, list_scenarios
from asgibdd.parallel.worker import Worker


def _write_features(root: Path, files: int, scenarios: int, steps: int) -> None:
    for number in range(files):
        lines = [f"Feature: file {number}", ""]
        for scenario in range(scenarios):
            lines.append(f"  Scenario: scenario {scenario}")
            lines += [f"    When I GET /items/{step}" for step in range(steps)]
            lines.append("")
        path = root / "features" / f"file_{number}.feature"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")


def _relpath_calls(root: Path, monkeypatch: pytest.MonkeyPatch, steps: int) -> int:
    _write_features(root, files=2, scenarios=3, steps=steps)
    monkeypatch.chdir(root)
    calls = 0
    relpath = os.path.relpath

    def counting(path: str, start: str | None = None) -> str:
        nonlocal calls
        calls += 1
        return relpath(path, start)

    with monkeypatch.context() as patched:
        patched.setattr(os.path, "relpath", counting)
        listing = list_scenarios(behave_configuration(["features/"]))
    assert [s.location for s in listing.scenarios][:2] == [
        "features/file_0.feature:3",
        f"features/file_0.feature:{4 + steps + 1}",
    ]
    return calls


def test_the_listing_works_out_each_file_s_relative_name_once_not_per_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """behave's parser names every statement's file relative to the working folder; the
    listing parses the whole suite, so the parent computes that once per file and folder."""
    one_step = _relpath_calls(tmp_path / "one", monkeypatch, steps=1)
    ten_steps = _relpath_calls(tmp_path / "ten", monkeypatch, steps=10)
    assert ten_steps == one_step

    from behave import model_core, model_type

    # behave's own function is back once the listing is done.
    assert model_core.make_relpath_if_possible is model_type.make_relpath_if_possible


def _listed(feature: str, line: int) -> ListedScenario:
    return ListedScenario(
        location=f"{feature}:{line}",
        feature=feature,
        feature_name=feature,
        name=f"line {line}",
        tags=(),
        steps=1,
        selected=True,
    )


def test_a_worker_gets_the_files_it_runs_whole_as_files_and_the_rest_by_line(
    tmp_path: Path,
) -> None:
    """behave then selects scenarios line by line only in a file the worker shares."""
    a = [_listed("features/a.feature", line) for line in (3, 7, 11)]
    b = [_listed("features/b.feature", line) for line in (3, 7, 11)]
    sizes = Counter(scenario.feature for scenario in a + b)
    first = Worker(1, [*a, b[0]], tmp_path / "w1", ["--no-color"], sizes)
    second = Worker(2, b[1:], tmp_path / "w2", ["--no-color"], sizes)
    assert first.places() == ["features/a.feature", "features/b.feature:3"]
    assert second.places() == ["features/b.feature:7", "features/b.feature:11"]

    first.folder.mkdir()
    arguments = first.arguments()
    assert arguments[0] == "--no-color"
    assert arguments[-1] == f"@{first.folder / 'locations.txt'}"
    assert (first.folder / "locations.txt").read_text("utf-8").splitlines() == [
        os.path.abspath("features/a.feature"),
        os.path.abspath("features/b.feature:3"),
    ]
    # A worker told nothing about the files gets every scenario by its line, as before.
    assert Worker(3, a, tmp_path / "w3", []).places() == [s.location for s in a]
