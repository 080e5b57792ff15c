"""The project's own features/, run in-process and against the demo served by uvicorn.

The same scenarios pass both ways, websockets and event streams included; only those
tagged @in-process are skipped live, each with its reason in the output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome, run_behave
from tests.live_server import serve_demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_demo(tmp_path_factory.mktemp("uvicorn") / "uvicorn.log") as base_url:
        yield base_url


def _statuses(outcome: BehaveOutcome, report: Path) -> dict[str, str]:
    """Each scenario's status by `file: name`, from behave's JSON report."""
    assert report.is_file(), outcome.output
    found: dict[str, str] = {}
    for feature in json.loads(report.read_text()):
        for element in feature.get("elements", []):
            if element["type"] == "scenario":
                found[f"{feature['location'].split(':')[0]}: {element['name']}"] = element["status"]
    return found


def _run(tmp_path: Path, name: str, *options: str) -> tuple[BehaveOutcome, dict[str, str]]:
    report = tmp_path / f"{name}.json"
    outcome = run_behave(
        ROOT, "features/", "-f", "json", "-o", str(report), "-f", "plain", *options
    )
    return outcome, _statuses(outcome, report)


@pytest.fixture(scope="module")
def both_runs(
    live_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], BehaveOutcome, dict[str, str]]:
    folder = tmp_path_factory.mktemp("runs")
    _, in_process = _run(folder, "in-process")
    live, statuses = _run(
        folder, "live", "-D", "asgibdd.target=live", "-D", f"asgibdd.base_url={live_url}"
    )
    return in_process, live, statuses


def _in_process_tagged() -> set[str]:
    tagged = set()
    for path in sorted((ROOT / "features").glob("*.feature")):
        lines = path.read_text().splitlines()
        for index, line in enumerate(lines):
            if line.strip().startswith("Scenario") and "@in-process" in lines[index - 1]:
                tagged.add(f"features/{path.name}: {line.split(':', 1)[1].strip()}")
    return tagged


def test_every_scenario_passes_in_process(
    both_runs: tuple[dict[str, str], BehaveOutcome, dict[str, str]],
) -> None:
    in_process, _, _ = both_runs
    assert in_process
    assert set(in_process.values()) == {"passed"}, in_process


def test_the_same_scenarios_pass_live_apart_from_those_tagged_in_process(
    both_runs: tuple[dict[str, str], BehaveOutcome, dict[str, str]],
) -> None:
    in_process, outcome, live = both_runs
    tagged = _in_process_tagged()
    assert tagged, "the suite has a scenario that needs the app in the process"
    assert live.keys() == in_process.keys()
    assert {name for name, status in live.items() if status == "skipped"} == tagged
    passed = {name for name, status in live.items() if status == "passed"}
    assert passed == in_process.keys() - tagged, outcome.output
    # Websockets and event streams ran over the network too.
    assert any("websocket" in name and name in passed for name in live)
    assert any("streaming" in name and name in passed for name in live)


def test_a_skipped_scenario_says_why_in_the_output(
    both_runs: tuple[dict[str, str], BehaveOutcome, dict[str, str]], live_url: str
) -> None:
    _, outcome, _ = both_runs
    assert (
        "  Scenario: A chat without a name is closed before it is accepted\n"
        "    Skipped, tagged @in-process: it needs the app in this process, and this run tests "
        f"the live service at {live_url}.\n"
    ) in outcome.output
