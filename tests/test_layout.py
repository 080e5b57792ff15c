"""`behave features/` from the repository root finds the root environment.py and steps/."""

from __future__ import annotations

from pathlib import Path

from asgibdd.testing import run_behave

ROOT = Path(__file__).resolve().parent.parent


def test_hooks_and_steps_live_at_the_root_not_in_features() -> None:
    # A features/environment.py or features/steps/ would move behave's base folder.
    assert (ROOT / "environment.py").is_file()
    assert (ROOT / "steps").is_dir()
    assert not (ROOT / "features" / "environment.py").exists()
    assert not (ROOT / "features" / "steps").exists()


def test_behave_features_runs_from_the_repository_root() -> None:
    outcome = run_behave(ROOT, "features/", "-f", "progress")
    assert outcome.passed, outcome.output
    assert outcome.steps.undefined == 0
    assert outcome.scenarios.passed >= 8
