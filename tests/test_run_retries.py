"""`asgibdd run --retries N`: real runs of a scenario that fails the first time and passes
the second (a counter in a file, read and bumped by a step), serial and on two workers;
what the console, the JUnit file, the results, the HTML report and the history say."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from cucumber_messages import Envelope, message_converter

from asgibdd.report.messages_merge import messages_counts, read_messages
from asgibdd.report.model import read_run
from asgibdd.testing import write_project
from tests.cucumber_json_schema import schema_errors
from tests.test_report_cucumber_merge import _referenced_ids_exist
from tests.test_run_behave import APP, APP_OPTION, run_asgibdd

REPO = Path(__file__).resolve().parent.parent

STEPS = """
from pathlib import Path

from behave import when

from asgibdd.steps import *  # noqa: F403


@when('attempt {number:d} of "{name}" passes')
def nth_attempt_passes(context, number, name):
    path = Path(f"attempts-{name}.txt")
    count = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(count))
    assert count >= number, f"attempt {count} of {name} failed"
"""

FEATURE = """Feature: retries
  Scenario: steady
    When I GET /items/1
    Then the response status is 200

  Scenario: flaky
    When I GET /items/1
    And attempt 2 of "flaky" passes

  Scenario: broken
    When attempt 9 of "broken" passes

  Scenario: undefined step
    When I frobnicate the server
"""

ONLY_FLAKY = """Feature: retries
  Scenario: steady
    When I GET /items/1

  Scenario: flaky
    When attempt 2 of "flaky" passes
"""

REPORTS = ("-f", "junit", "-o", "junit.xml", "-f", "html", "-o", "report.html")
ALIASES = '[tool.behave.formatters]\nhtml = "asgibdd.report.html:HTMLFormatter"\n' + (
    'junit = "asgibdd.report.junit:JUnitFormatter"\n'
)


def project(root: Path, feature: str) -> Path:
    return write_project(
        root,
        {
            "app.py": APP,
            "steps/library.py": STEPS,
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "pyproject.toml": ALIASES,
            "features/retries.feature": feature,
        },
    )


def junit_case(root: Path, name: str) -> ElementTree.Element:
    suite = ElementTree.parse(root / "junit.xml").getroot()
    found = suite.find(f".//testcase[@name='{name}']")
    assert found is not None
    return found


@pytest.mark.parametrize(
    "split",
    [("-j", "1"), ("-j", "2"), ("--shard", "1/1", "-j", "2")],
    ids=["serial", "j2", "shard"],
)
def test_a_scenario_that_passes_on_a_retry_is_flaky_in_every_output(
    tmp_path: Path, split: tuple[str, ...]
) -> None:
    root = project(tmp_path, FEATURE)
    # history_in_behave is for plain behave runs: the workers do not add to the history.
    history_everywhere = ("-D", "asgibdd.history_in_behave=true")
    outcome = run_asgibdd(
        root, "--retries", "2", *split, *APP_OPTION, *history_everywhere, *REPORTS, "features/"
    )
    output = outcome.output
    assert outcome.returncode == 1, output  # "broken" failed all three times
    assert "asgibdd run: running 2 failed scenarios again (retry 1 of 2)\n" in output
    assert "asgibdd run: running 1 failed scenario again (retry 2 of 2)\n" in output
    assert (
        "Flaky scenarios (failed, then passed on a retry):\n"
        "  features/retries.feature:6  flaky\n\n"
        "0 features passed, 1 failed, 0 skipped\n"
        "1 scenario passed, 1 flaky, 1 failed, 1 error, 0 skipped\n"
    ) in output
    # Each retried scenario ran in a new behave run; the undefined step never ran again.
    assert (root / "attempts-flaky.txt").read_text() == "2"
    assert (root / "attempts-broken.txt").read_text() == "3"
    assert output.count("When I frobnicate the server ... undefined") == 1
    assert output.count("API contract check:") == 1

    flaky = junit_case(root, "flaky")
    assert [(child.tag, child.get("message")) for child in flaky] == [
        ("flakyFailure", "attempt 1 of flaky failed")
    ]
    assert flaky[0].findtext("stackTrace") == (
        'And attempt 2 of "flaky" passes (features/retries.feature:8)\n\nattempt 1 of flaky failed'
    )
    broken = junit_case(root, "broken")
    assert [(child.tag, child.get("message")) for child in broken] == [
        ("failure", "attempt 3 of broken failed"),
        ("rerunFailure", "attempt 1 of broken failed"),
        ("rerunFailure", "attempt 2 of broken failed"),
    ]
    assert [child.tag for child in junit_case(root, "undefined step")] == ["error"]
    suite = ElementTree.parse(root / "junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")

    run = read_run(root / "report.html")
    results = {s.name: (s.status, [a.status for a in s.attempts]) for s in run.scenarios()}
    assert results == {
        "steady": ("passed", []),
        "flaky": ("flaky", ["failed"]),
        "broken": ("failed", ["failed", "failed"]),
        "undefined step": ("error", []),
    }
    first = next(s for s in run.scenarios() if s.name == "flaky").attempts[0]
    assert [step.status for step in first.steps] == ["passed", "failed"]
    assert first.steps[1].error_message == "attempt 1 of flaky failed"
    assert [item.title for item in first.transcript] == ["GET /items/1 → 200 OK, 9 bytes"]

    page = (root / "report.html").read_text("utf-8")
    assert 'data-status="flaky"' in page
    assert "Attempt 1 of 2: " in page
    assert "Attempt 2 of 3: " in page  # broken's second of three

    history = json.loads((root / ".asgibdd" / "history.json").read_text("utf-8"))
    assert history["format"] == "asgibdd-history/1"
    assert [
        {key: status for key, (status, _) in item["scenarios"].items()} for item in history["runs"]
    ] == [
        {
            "features/retries.feature::broken": "failed",
            "features/retries.feature::flaky": "flaky",
            "features/retries.feature::steady": "passed",
            "features/retries.feature::undefined step": "error",
        }
    ]


def test_a_run_whose_failures_all_pass_on_a_retry_passes_unless_flaky_fails_it(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, ONLY_FLAKY)
    first = run_asgibdd(root, "--retries", "1", *APP_OPTION, *REPORTS, "features/")
    assert first.returncode == 0, first.output
    assert "2 scenarios passed" not in first.output
    assert "1 scenario passed, 1 flaky, 0 failed, 0 skipped\n" in first.output
    (root / "attempts-flaky.txt").unlink()
    second = run_asgibdd(
        root, "--retries", "1", "--fail-on-flaky", *APP_OPTION, *REPORTS, "features/"
    )
    assert second.returncode == 1, second.output
    assert "1 scenario passed, 1 flaky, 0 failed, 0 skipped\n" in second.output
    # Without retries, the same scenario fails (its counter starts again).
    (root / "attempts-flaky.txt").unlink()
    third = run_asgibdd(root, *APP_OPTION, *REPORTS, "features/")
    assert third.returncode == 1, third.output
    assert "1 scenario passed, 1 failed, 0 skipped\n" in third.output

    history = json.loads((root / ".asgibdd" / "history.json").read_text("utf-8"))
    key = "features/retries.feature::flaky"
    assert [item["scenarios"][key][0] for item in history["runs"]] == ["flaky", "flaky", "failed"]
    run = read_run(root / "report.html")
    section = next(section for section in run.sections if section.title == "History")
    assert section.trend == [[1, 1, 0], [1, 1, 0], [1, 0, 1]]
    assert [row[1:4] for row in section.rows] == [["1", "0", "1"], ["1", "1", "0"], ["1", "1", "0"]]
    assert section.summary.startswith(
        "the last 3 runs, newest first; 1 flaky: features/retries.feature::flaky"
    )
    flaky = next(s for s in run.scenarios() if s.name == "flaky")
    assert (flaky.status, flaky.flaky) == ("failed", "passed on a retry")
    page = (root / "report.html").read_text("utf-8")
    assert '<span class="badge flaky" title="passed on a retry">flaky</span>' in page
    assert page.count('<rect class="failed"') == 1


def test_cucumber_json_has_the_last_attempt_and_the_messages_every_attempt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, ONLY_FLAKY)
    outputs = (
        "-f", "asgibdd.report.cucumber:CucumberJSONFormatter", "-o", "run.json",
        "-f", "asgibdd.report.messages:MessagesFormatter", "-o", "run.ndjson",
    )  # fmt: skip
    outcome = run_asgibdd(root, "--retries", "1", "-j", "2", *APP_OPTION, *outputs, "features/")
    assert outcome.returncode == 0, outcome.output
    features = json.loads((root / "run.json").read_text("utf-8"))
    assert schema_errors(features) == []
    assert [
        (element["name"], [step["result"]["status"] for step in element["steps"]])
        for element in features[0]["elements"]
    ] == [("steady", ["passed"]), ("flaky", ["passed"])]

    envelopes = read_messages(root / "run.ndjson")
    for envelope in envelopes:
        message_converter.from_dict(envelope, Envelope)
    assert _referenced_ids_exist(envelopes) == []
    flaky_case = next(
        envelope["testCase"]["id"]
        for envelope in envelopes
        if "testCase" in envelope
        and any(
            "pickle" in other
            and other["pickle"]["id"] == envelope["testCase"]["pickleId"]
            and other["pickle"]["name"] == "flaky"
            for other in envelopes
        )
    )
    starts = [
        envelope["testCaseStarted"]
        for envelope in envelopes
        if envelope.get("testCaseStarted", {}).get("testCaseId") == flaky_case
    ]
    assert [start["attempt"] for start in starts] == [0, 1]
    finished = {
        envelope["testCaseFinished"]["testCaseStartedId"]: envelope["testCaseFinished"]
        for envelope in envelopes
        if "testCaseFinished" in envelope
    }
    assert [finished[start["id"]]["willBeRetried"] for start in starts] == [True, False]
    statuses = [
        envelope["testStepFinished"]["testStepResult"]["status"]
        for envelope in envelopes
        if envelope.get("testStepFinished", {}).get("testCaseStartedId")
        in {start["id"] for start in starts}
    ]
    assert statuses == ["FAILED", "PASSED"]
    assert envelopes[-1]["testRunFinished"]["success"] is True
    assert messages_counts(envelopes) == {"passed": 1, "flaky": 1}

    # Merged again (shards that each retried), the attempts stay, and flaky fails the merge.
    from asgibdd.cli import main

    merged = root / "merged.ndjson"
    status = main(["report", "merge", str(root / "run.ndjson"), "--messages", str(merged)])
    assert status == 1
    assert capsys.readouterr().out == "2 scenarios from 1 files: 1 flaky, 1 passed\n"
    again = read_messages(merged)
    assert _referenced_ids_exist(again) == []
    assert sum("testCaseStarted" in envelope for envelope in again) == 3


def test_retries_is_a_count(tmp_path: Path) -> None:
    root = project(tmp_path, ONLY_FLAKY)
    outcome = run_asgibdd(root, "--retries", "twice", *APP_OPTION, "features/")
    assert outcome.returncode == 2
    assert (
        "asgibdd run: error: argument --retries: --retries expects how many times to run a "
        "failed scenario again (0 or more), got 'twice'"
    ) in outcome.output


SIGNAL_STEP = """

@when('the retry of "{name}" waits for a signal')
def retry_waits(context, name):
    import time

    path = Path(f"attempts-{name}.txt")
    count = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(count))
    assert count > 1, f"attempt {count} of {name} failed"
    Path("waiting").write_text("")
    time.sleep(120)
"""


def test_ctrl_c_during_a_retry_ends_the_retrying_and_still_writes_the_summary(
    tmp_path: Path,
) -> None:
    root = project(
        tmp_path,
        "Feature: retries\n  Scenario: steady\n    When I GET /items/1\n\n"
        '  Scenario: slow\n    When the retry of "slow" waits for a signal\n',
    )
    (root / "steps" / "library.py").write_text(STEPS + SIGNAL_STEP)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(root)])}
    process = subprocess.Popen(
        [sys.executable, "-m", "asgibdd", "run", "--retries", "3", *APP_OPTION, *REPORTS,
         "features/"],
        cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not (root / "waiting").exists():
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the retry did not start within 90 s"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130, output
    assert "Traceback" not in output
    assert "asgibdd run: running 1 failed scenario again (retry 1 of 3)\n" in output
    assert "retry 2 of 3" not in output  # no retry starts after the signal
    assert (root / "attempts-slow.txt").read_text() == "2"
    # The failure before the signal stands: the retry the signal cut short is no result.
    assert "Failing scenarios:\n  features/retries.feature:5  slow\n" in output
    assert "1 scenario passed, 0 flaky, 1 failed, 0 skipped\n" in output
    assert output.rstrip().endswith(
        "asgibdd run: asgibdd run was stopped by Ctrl-C (SIGINT); what did not finish counts "
        "as untested."
    )
    assert {s.name: s.status for s in read_run(root / "report.html").scenarios()} == {
        "steady": "passed",
        "slow": "failed",
    }
