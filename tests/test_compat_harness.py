"""The compatibility harness (compat/): the swap plugin really replaces Starlette's client,
and the comparison reports exactly the tests that pass with theirs and not with ours."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPAT = ROOT / "compat"
sys.path.insert(0, str(COMPAT))

from run import Outcome, Run, differences, read_junit  # type: ignore[import-not-found]  # noqa: E402

FAKE_SUITE = """
import asgibdd
import starlette.testclient
from starlette.testclient import TestClient, WebSocketDenialResponse, WebSocketTestSession
from fastapi import FastAPI
from fastapi.testclient import TestClient as FastAPITestClient

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}


def test_starlette_names_are_ours():
    assert TestClient is asgibdd.TestClient
    assert WebSocketTestSession is asgibdd.WebSocketTestSession
    assert WebSocketDenialResponse is asgibdd.WebSocketDenialResponse


def test_fastapi_reexport_is_ours():
    assert FastAPITestClient is asgibdd.TestClient


def test_requests_go_through_our_client():
    with FastAPITestClient(app) as client:
        assert type(client).__module__ == "asgibdd.client._testclient"
        assert client.get("/hello").json() == {"hello": "world"}


def test_fails_on_purpose():
    assert starlette.testclient.TestClient is not asgibdd.TestClient
"""


def run_fake_suite(
    tmp_path: Path, *plugin_args: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    (tmp_path / "test_fake_suite.py").write_text(textwrap.dedent(FAKE_SUITE), encoding="utf-8")
    report = tmp_path / "report.xml"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(COMPAT)]))
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore:Using `httpx` with `starlette.testclient` is deprecated",
            f"--junitxml={report}",
            *plugin_args,
            "test_fake_suite.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return completed, report


def test_swap_plugin_replaces_starlette_and_fastapi_clients_before_the_suite_imports_them(
    tmp_path: Path,
) -> None:
    completed, report = run_fake_suite(tmp_path, "-p", "swap_plugin")

    outcomes = read_junit(report)
    assert {test.split("::")[1]: outcome.status for test, outcome in outcomes.items()} == {
        "test_starlette_names_are_ours": "passed",
        "test_fastapi_reexport_is_ours": "passed",
        "test_requests_go_through_our_client": "passed",
        "test_fails_on_purpose": "failed",
    }, completed.stdout
    assert "asgibdd compat: starlette.testclient.TestClient" in completed.stdout


def test_without_the_plugin_the_fake_suite_sees_starlettes_own_client(tmp_path: Path) -> None:
    _, report = run_fake_suite(tmp_path)

    statuses = {test.split("::")[1]: o.status for test, o in read_junit(report).items()}
    assert statuses["test_starlette_names_are_ours"] == "failed"
    assert statuses["test_fails_on_purpose"] == "passed"


def test_differences_list_tests_passing_with_theirs_only_and_name_missing_ones() -> None:
    theirs = Run(
        "suite",
        "theirs",
        {
            "t::same": Outcome("passed", ""),
            "t::broken": Outcome("passed", ""),
            "t::vanished": Outcome("passed", ""),
            "t::fixed": Outcome("failed", "AssertionError: x"),
        },
        1.0,
        0,
    )
    ours = Run(
        "suite",
        "ours",
        {
            "t::same": Outcome("passed", ""),
            "t::broken": Outcome("failed", "KeyError: 'http.response.trailers'"),
            "t::fixed": Outcome("passed", ""),
        },
        1.0,
        1,
    )

    assert differences(theirs, ours) == [
        ("t::broken", Outcome("failed", "KeyError: 'http.response.trailers'")),
        (
            "t::vanished",
            Outcome("missing", "not reported (collection failed or the run was killed)"),
        ),
    ]
