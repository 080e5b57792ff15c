"""API coverage across processes: `asgibdd run`'s workers add theirs up, and
`asgibdd report coverage` adds up the files of CI shards."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asgibdd.contracts.coverage import COVERAGE_FORMAT, merge_coverage, read_coverage
from asgibdd.errors import UsageError
from asgibdd.report.coverage import COVERAGE_TITLE, coverage_section, with_coverage
from asgibdd.report.model import Section
from asgibdd.testing import run_asgibdd, run_behave, write_project

APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def item(item_id: int):
    return {"id": item_id}


@app.get("/health")
async def health():
    return {"ok": True}
"""

FEATURE = """
Feature: Items {number}

  Scenario: an item
    When I GET /items/{number}
    Then the JSON at "$.id" is {number}

  Scenario: not an item
    When I GET /items/x{number}
    Then the response status is 422

  Scenario: an undocumented path
    When I GET /nowhere/{number}
    Then the response status is 404
"""


REPO = Path(__file__).resolve().parent.parent


def _project(root: Path) -> Path:
    files = {
        "pyproject.toml": '[tool.asgibdd]\napp = "items_app:app"\n',
        "items_app.py": APP,
        "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
        "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
    }
    for number in range(1, 5):
        files[f"features/items_{number}.feature"] = FEATURE.format(number=number)
    return write_project(root, files)


def _environment(root: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(root)}


def test_two_workers_write_the_coverage_a_serial_run_writes(tmp_path: Path) -> None:
    serial_root = _project(tmp_path / "serial")
    serial = run_behave(serial_root, "-f", "null", "features/", env=_environment(serial_root))
    assert serial.passed, serial.output
    parallel_root = _project(tmp_path / "parallel")
    parallel = run_asgibdd(parallel_root, "-j", "2", "features/", env=_environment(parallel_root))
    assert parallel.passed, parallel.output
    expected = read_coverage(serial_root / "reports" / "api-coverage.json")
    got = read_coverage(parallel_root / "reports" / "api-coverage.json")
    assert got == expected
    assert got["totals"]["responses_checked"] == 12
    rows = {row["operation"]: row for row in got["operations"]}
    assert rows["GET /items/{item_id}"]["requests"] == 8  # 4 from each worker
    assert [u["path"] for u in got["undocumented_requests"]] == [
        f"/nowhere/{n}" for n in range(1, 5)
    ]
    # The table is the last thing the run prints, as in a serial run.
    assert "wrote reports/api-coverage.json" in parallel.output
    table = parallel.output[parallel.output.index("API coverage: ") :]
    assert table.splitlines()[0] == (
        "API coverage: 1 of 2 operations, 2 of 3 documented statuses "
        "(app.openapi() of FastAPI, OpenAPI 3.1.0)"
    )


def test_the_runner_s_parent_merges_and_prints_coverage_without_the_checker(
    tmp_path: Path,
) -> None:
    """The parent only lists, watches and merges: reading, adding up and printing the
    workers' coverage imports neither the contract checker nor httpx (~0.1 s of CPU a
    run); the workers check the responses."""
    root = _project(tmp_path)
    code = (
        "import sys\n"
        "from asgibdd.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "heavy = ('httpx', 'asgibdd.client', 'asgibdd.contracts.checker', 'jsonschema_rs')\n"
        "print('parent imported:', sorted(name for name in heavy if name in sys.modules))\n"
        "raise SystemExit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "run", "-j", "1", "--no-timings", "features/"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(REPO)])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "API coverage" in done.stdout  # the table was printed, so the merge ran
    assert (root / "reports" / "api-coverage.json").exists()
    assert done.stdout.splitlines()[-1] == "parent imported: []"


def _part(requests: int, status_counts: dict[str, int], checked: int) -> dict[str, Any]:
    return {
        "format": COVERAGE_FORMAT,
        "document": {"source": "openapi.json", "openapi": "3.1.0", "title": "Shop"},
        "totals": {"responses_checked": checked, "responses_with_violations": 1},
        "operations": [
            {
                "operation": "GET /items",
                "method": "GET",
                "path": "/items",
                "operation_id": "items",
                "requests": requests,
                "statuses": [{"status": "200", "requests": status_counts.get("200", 0)},
                             {"status": "404", "requests": status_counts.get("404", 0)}],
                "undocumented_statuses": [{"status": 500, "requests": status_counts.get("500", 0)}]
                if "500" in status_counts else [],
            }
        ],
        "undocumented_requests": [{"method": "GET", "path": "/x", "status": 404, "requests": 2}],
    }  # fmt: skip


def test_shards_coverage_is_added_up_and_the_totals_recounted() -> None:
    first = _part(3, {"200": 3}, 5)
    second = _part(2, {"404": 1, "500": 1}, 4)
    merged = merge_coverage([first, second], ["shard-1.json", "shard-2.json"])
    row = merged["operations"][0]
    assert row["requests"] == 5
    assert row["statuses"] == [{"status": "200", "requests": 3}, {"status": "404", "requests": 1}]
    assert row["undocumented_statuses"] == [{"status": 500, "requests": 1}]
    assert merged["totals"] == {
        "operations": 1,
        "operations_exercised": 1,
        "statuses": 2,
        "statuses_exercised": 2,
        "responses_checked": 9,
        "responses_with_violations": 2,
        "undocumented_requests": 4,
    }
    assert merged["undocumented_requests"] == [
        {"method": "GET", "path": "/x", "status": 404, "requests": 4}
    ]
    assert first == _part(3, {"200": 3}, 5)  # the inputs are left as they were


def test_coverage_of_different_documents_is_refused() -> None:
    other = copy.deepcopy(_part(1, {}, 1))
    other["document"]["title"] = "Another API"
    with pytest.raises(UsageError) as caught:
        merge_coverage([_part(1, {}, 1), other], ["a.json", "b.json"])
    assert str(caught.value) == (
        "b.json covers another API document ({'source': 'openapi.json', 'openapi': '3.1.0', "
        "'title': 'Another API'}) than a.json ({'source': 'openapi.json', 'openapi': '3.1.0', "
        "'title': 'Shop'}): merge coverage of the same document only."
    )


def test_a_file_that_is_no_coverage_is_named_with_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"format": "asgibdd-results/1"}))
    with pytest.raises(UsageError) as caught:
        read_coverage(path)
    assert str(caught.value) == (
        f"{path} is not an API coverage file: expected format 'asgibdd-api-coverage/1', "
        "found 'asgibdd-results/1'."
    )
    with pytest.raises(UsageError, match="does not exist: give the API coverage file"):
        read_coverage(tmp_path / "missing.json")


def test_the_report_shows_one_coverage_section_in_place_of_each_runs() -> None:
    data = merge_coverage([_part(3, {"200": 3}, 5)], ["one.json"])
    other = Section(title="Slowest steps", summary="3 steps")
    partial = coverage_section(merge_coverage([_part(1, {"200": 1}, 1)], ["w1.json"]))
    another = coverage_section(merge_coverage([_part(2, {}, 2)], ["w2.json"]))
    sections = with_coverage([other, partial, another], data)
    assert [section.title for section in sections] == ["Slowest steps", COVERAGE_TITLE]
    assert sections[1] == coverage_section(data)
    assert sections[1].rows == [["GET /items", "3", "200", "404"]]
    assert with_coverage([other], data) == [other, coverage_section(data)]


def _report_coverage(tmp_path: Path, *parts: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """`asgibdd report coverage` on one file per part, written to all.json."""
    inputs = []
    for number, part in enumerate(parts, 1):
        inputs.append(tmp_path / f"shard-{number}.json")
        inputs[-1].write_text(json.dumps(part))
    return subprocess.run(
        [sys.executable, "-m", "asgibdd", "report", "coverage", *map(str, inputs), "-o",
         str(tmp_path / "all.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_report_coverage_adds_up_shard_files(tmp_path: Path) -> None:
    done = _report_coverage(tmp_path, _part(3, {"200": 3}, 5), _part(2, {"404": 2}, 4))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "API coverage: 1 of 1 operations, 2 of 2 documented statuses (openapi.json, OpenAPI 3.1.0)"
    )
    assert done.stdout.splitlines()[-1] == f"Written to {tmp_path / 'all.json'}"
    assert read_coverage(tmp_path / "all.json")["operations"][0]["requests"] == 5


def test_report_coverage_lists_the_shards_undocumented_statuses(tmp_path: Path) -> None:
    done = _report_coverage(tmp_path, _part(3, {"500": 1}, 3), _part(2, {"500": 2}, 2))
    assert done.returncode == 0, done.stderr
    after = done.stdout.split(f"Written to {tmp_path / 'all.json'}\n")[1]
    assert after.splitlines()[0] == (
        "3 responses had statuses the document does not list (reported, not failed): "
        "500 GET /items (3x)."
    )
