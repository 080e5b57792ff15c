"""The results history (`asgibdd.history`): bounded, written whole or not at all, a broken
file is one warning and a fresh start; flaky marks from runs of the same code; a plain
behave run that keeps it (`history_in_behave`), its report rendered in Chromium."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd.history import (
    FORMAT,
    KEPT_RUNS,
    HistoryRun,
    add_run,
    code_revision,
    flaky_scenarios,
    read_history,
)
from asgibdd.report.model import read_run
from asgibdd.testing import run_behave
from tests.test_run_retries import ONLY_FLAKY, project

KEY = "features/a.feature::checkout"


def run(started: float, status: str, revision: str = "abc") -> HistoryRun:
    return HistoryRun(started, revision, {KEY: (status, 0.5)})


def test_the_history_keeps_the_newest_runs_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / ".asgibdd" / "history.json"
    for number in range(KEPT_RUNS + 5):
        kept = add_run(path, run(float(number), "passed"))
    assert [item.started for item in kept] == [float(n) for n in range(5, KEPT_RUNS + 5)]
    assert read_history(path) == kept
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == FORMAT
    assert data["runs"][-1] == {
        "started": float(KEPT_RUNS + 4),
        "revision": "abc",
        "scenarios": {KEY: ["passed", 0.5]},
    }
    assert sorted(p.name for p in path.parent.iterdir()) == ["history.json"]


def test_a_run_already_written_is_kept_as_its_text_not_encoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run adds one line: the file holds a run per line, and the runs it keeps are
    written back as they were read (30 runs of a large suite are megabytes of JSON)."""
    import asgibdd.history

    path = tmp_path / "history.json"
    for number in range(3):
        add_run(path, run(float(number), "passed"))
    encoded: list[float] = []
    encode = asgibdd.history._run_json

    def counting(item: HistoryRun) -> str:
        encoded.append(item.started)
        return encode(item)

    monkeypatch.setattr(asgibdd.history, "_run_json", counting)
    kept = add_run(path, run(3.0, "failed"), kept=3)
    assert encoded == [3.0]
    assert [item.started for item in kept] == [1.0, 2.0, 3.0]
    assert read_history(path) == kept
    lines = path.read_text("utf-8").splitlines()
    assert (lines[0], len(lines), lines[-1]) == (
        '{"format": "asgibdd-history/1", "runs": [',
        5,
        "]}",
    )
    # A file laid out otherwise (written by hand, or by an earlier asgibdd) is read the
    # same, and written again a run per line.
    path.write_text(json.dumps(json.loads(path.read_text("utf-8"))), encoding="utf-8")
    encoded.clear()
    assert add_run(path, run(4.0, "passed"), kept=3)[-1] == run(4.0, "passed")
    assert encoded == [2.0, 3.0, 4.0]
    assert [item.started for item in read_history(path)] == [2.0, 3.0, 4.0]
    assert len(path.read_text("utf-8").splitlines()) == 5


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "{not json",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        ("[]", 'not a JSON object with "format": "asgibdd-history/1"'),
        (
            '{"format": "asgibdd-history/1", "runs": [{"started": 1}]}',
            "a run has no 'scenarios' field",
        ),
    ],
)
def test_a_history_that_cannot_be_read_is_one_warning_and_a_fresh_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, why: str
) -> None:
    path = tmp_path / "history.json"
    path.write_text(text, encoding="utf-8")
    kept = add_run(path, run(1.0, "failed"))
    assert kept == [run(1.0, "failed")]
    assert capsys.readouterr().err == (
        f"asgibdd: the results history {path} cannot be read ({why}); starting a new one.\n"
    )
    assert read_history(path) == kept


def test_a_scenario_that_failed_and_passed_on_the_same_code_is_flaky() -> None:
    assert flaky_scenarios([run(1, "failed"), run(2, "passed")]) == {
        KEY: "failed 1 and passed 1 of 2 runs of the same code"
    }
    # A fix between the runs (another revision), or no git to tell: not flaky.
    assert flaky_scenarios([run(1, "failed", "abc"), run(2, "passed", "def")]) == {}
    assert flaky_scenarios([run(1, "failed", ""), run(2, "passed", "")]) == {}
    assert flaky_scenarios([run(1, "flaky", "")]) == {KEY: "passed on a retry"}


def test_a_results_file_written_before_retries_and_history_is_still_read(tmp_path: Path) -> None:
    from asgibdd.report.model import FeatureResult, Run, ScenarioResult, Section

    scenario = ScenarioResult("checkout", "passed", 0.5, "features/a.feature", 2, [], [])
    written = Run([FeatureResult("a", "features/a.feature", 1, [], [scenario])], 1.0, 2.0,
                  [Section("API coverage", "all called")])  # fmt: skip
    data = json.loads(written.to_json())
    for item in data["features"][0]["scenarios"]:
        del item["attempts"], item["flaky"]
    del data["sections"][0]["trend"]
    (tmp_path / "old.results.json").write_text(json.dumps(data), encoding="utf-8")
    assert read_run(tmp_path / "old.results.json") == written


def git(root: Path, *arguments: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


def test_the_code_revision_is_the_commit_and_a_hash_of_what_changed(tmp_path: Path) -> None:
    assert code_revision(tmp_path) == ""  # not in git
    git(tmp_path, "init", "-q")
    (tmp_path / "app.py").write_text("A = 1\n")
    git(tmp_path, "add", "app.py")
    git(tmp_path, "commit", "-qm", "first")
    commit = git(tmp_path, "rev-parse", "HEAD")
    assert code_revision(tmp_path) == commit
    (tmp_path / "untracked.txt").write_text("not part of the code\n")
    assert code_revision(tmp_path) == commit
    (tmp_path / "app.py").write_text("A = 2\n")
    changed = code_revision(tmp_path)
    assert changed.startswith(f"{commit}+") and len(changed) == len(commit) + 13


@pytest.fixture(scope="module")
def behave_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project in git whose "flaky" scenario fails in the first behave run and passes in
    the second, with nothing changed between them; each run adds to the history."""
    root = project(tmp_path_factory.mktemp("history"), ONLY_FLAKY)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "project")
    options = ("-D", "asgibdd.app=app:app", "-D", "asgibdd.history_in_behave=true")
    environment = {"PYTHONPATH": str(root)}
    for expected in (1, 0):
        outcome = run_behave(root, *options, "-f", "html", "-o", "report.html", "features/",
                             env=environment)  # fmt: skip
        assert outcome.returncode == expected, outcome.output
    yield root


def test_a_plain_behave_run_keeps_the_history_when_asked_and_marks_the_flip_flop(
    behave_project: Path,
) -> None:
    history = read_history(behave_project / ".asgibdd" / "history.json")
    statuses = [item.scenarios["features/retries.feature::flaky"][0] for item in history]
    assert statuses == ["failed", "passed"]
    assert len({item.revision for item in history}) == 1
    scenarios = {
        s.name: (s.status, s.flaky) for s in read_run(behave_project / "report.html").scenarios()
    }
    assert scenarios == {
        "steady": ("passed", None),
        "flaky": ("passed", "failed 1 and passed 1 of 2 runs of the same code"),
    }


def test_the_report_shows_the_trend_and_the_flaky_badge_in_chromium(behave_project: Path) -> None:
    from playwright.sync_api import expect

    from tests.browser import chromium, require_chromium

    require_chromium()
    with chromium() as browser:
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto((behave_project / "report.html").as_uri())
        history = page.locator("section.extra", has_text="History")
        expect(history.locator("svg.trend rect")).to_have_count(3)  # 1 failed + 1 passed, 1 passed
        box = history.locator("svg.trend").bounding_box()
        assert box is not None and box["width"] == 24 and box["height"] == 40
        fills = history.locator("svg.trend rect").evaluate_all(
            "rects => rects.map(r => getComputedStyle(r).fill)"
        )
        assert set(fills) == {"rgb(26, 127, 55)", "rgb(207, 34, 46)"}  # from the stylesheet
        badge = page.locator("details.scenario", has_text="flaky").locator("span.badge.flaky")
        expect(badge).to_be_visible()
        expect(badge).to_have_attribute("title", "failed 1 and passed 1 of 2 runs of the same code")
        page.screenshot(path=str(behave_project / "report.png"), full_page=True)
        assert problems == []  # the policy refused nothing: no inline style or script added
        page.close()
