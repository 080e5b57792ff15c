"""Run third-party suites with Starlette's TestClient and with asgibdd's, and compare.

    .venv/bin/python compat/run.py                 # every suite, writes compat/results.md
    .venv/bin/python compat/run.py --suite starlette

Each suite runs three times: with Starlette's client ("theirs"), with ours swapped in by
`compat/swap_plugin.py` ("ours"), and with ours while the known leak warnings listed in
`triage.KNOWN_BUG_FILTERS` are ignored ("ours, known bugs masked"), so that one bug that
fails hundreds of tests does not hide the others. A test counts as a difference when it
passes with theirs and does not pass with ours.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suites import CACHE_DIR, COMPAT_DIR, PROJECT_ROOT, SUITES, Suite, prepare
from triage import KNOWN_BUG_FILTERS, classify

#: Starlette warns on import when it runs on plain httpx; that is not a test outcome.
STARLETTE_HTTPX_WARNING = "ignore:Using `httpx` with `starlette.testclient` is deprecated"
#: Bounds: one pytest process, and one test (pytest-timeout).
RUN_TIMEOUT_SECONDS = 900
TEST_TIMEOUT_SECONDS = 20  # FastAPI's own setting
RESULTS_FILE = COMPAT_DIR / "results.md"


@dataclass(frozen=True)
class Outcome:
    status: str  # "passed", "failed", "error", "skipped"
    message: str  # first line of the failure, "" when passed


@dataclass(frozen=True)
class Run:
    suite: str
    label: str
    outcomes: dict[str, Outcome]
    seconds: float
    exit_code: int

    def passed(self) -> set[str]:
        return {test for test, outcome in self.outcomes.items() if outcome.status == "passed"}


#: label -> (swap in our client?, extra -W filters)
CONFIGURATIONS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "theirs": (False, ()),
    "ours": (True, ()),
    "ours-masked": (True, KNOWN_BUG_FILTERS),
}


def run_suite(suite: Suite, label: str) -> Run:
    swap, filters = CONFIGURATIONS[label]
    source = prepare(suite)
    report = CACHE_DIR / "reports" / f"{suite.name}-{label}.xml"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        f"--timeout={TEST_TIMEOUT_SECONDS}",
        f"--junitxml={report}",
        "-o",
        "junit_family=xunit1",
        "-W",
        STARLETTE_HTTPX_WARNING,
        *(arg for warning in filters for arg in ("-W", warning)),
        *(("-p", "swap_plugin") if swap else ()),
        *suite.pytest_args,
        *suite.targets,
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), str(COMPAT_DIR)])
    started = time.monotonic()
    print(f"[{suite.name}/{label}] {' '.join(command[3:])}", flush=True)
    try:
        completed = subprocess.run(
            command,
            cwd=source,
            env=env,
            timeout=RUN_TIMEOUT_SECONDS,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        exit_code = completed.returncode
        tail = completed.stdout.strip().splitlines()[-1:] or [""]
    except subprocess.TimeoutExpired:
        exit_code, tail = -1, [f"killed after {RUN_TIMEOUT_SECONDS} s"]
    seconds = time.monotonic() - started
    print(f"[{suite.name}/{label}] {tail[0]} ({seconds:.0f} s)", flush=True)
    outcomes = read_junit(report) if report.exists() else {}
    run = Run(suite.name, label, outcomes, seconds, exit_code)
    save(run)
    return run


def run_file(suite: str, label: str) -> Path:
    return CACHE_DIR / "reports" / f"{suite}-{label}.json"


def save(run: Run) -> None:
    data = {
        "seconds": run.seconds,
        "exit_code": run.exit_code,
        "outcomes": {test: [o.status, o.message] for test, o in run.outcomes.items()},
    }
    run_file(run.suite, run.label).write_text(json.dumps(data), encoding="utf-8")


def load_saved_runs() -> dict[tuple[str, str], Run]:
    """Every run saved so far, so one suite can be re-run without losing the others."""
    runs = {}
    for suite in SUITES:
        for label in CONFIGURATIONS:
            path = run_file(suite, label)
            if path.exists():
                data = json.loads(path.read_text(encoding="utf-8"))
                outcomes = {test: Outcome(*pair) for test, pair in data["outcomes"].items()}
                runs[suite, label] = Run(suite, label, outcomes, data["seconds"], data["exit_code"])
    return runs


def read_junit(path: Path) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    for case in ET.parse(path).iter("testcase"):
        test = f"{case.get('file') or case.get('classname')}::{case.get('name')}"
        status, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                status = {"failure": "failed"}.get(child.tag, child.tag)
                message = first_line(child.get("message") or child.text or "")
                if status != "skipped":
                    break
        outcomes[test] = Outcome(status, message)
    return outcomes


def first_line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def differences(theirs: Run, ours: Run) -> list[tuple[str, Outcome]]:
    missing = Outcome("missing", "not reported (collection failed or the run was killed)")
    return [
        (test, ours.outcomes.get(test, missing)) for test in sorted(theirs.passed() - ours.passed())
    ]


def render(runs: dict[tuple[str, str], Run]) -> str:
    lines = [
        "# Compatibility results",
        "",
        "Generated by `.venv/bin/python compat/run.py`; method in `docs/compatibility.md`.",
        "",
        "| Suite | Run | Tests | Passed | Failed/error | Skipped | Time |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (suite, label), run in runs.items():
        counts = Counter(outcome.status for outcome in run.outcomes.values())
        bad = counts["failed"] + counts["error"]
        lines.append(
            f"| {suite} | {label} | {len(run.outcomes)} | {counts['passed']} | {bad} "
            f"| {counts['skipped']} | {run.seconds:.0f} s |"
        )
    for suite in dict.fromkeys(suite for suite, _ in runs):
        theirs = runs.get((suite, "theirs"))
        if theirs is None:
            continue
        for label in ("ours", "ours-masked"):
            ours = runs.get((suite, label))
            if ours is None:
                continue
            diff = differences(theirs, ours)
            fixed = sorted(ours.passed() - theirs.passed())
            lines += ["", f"## {suite}: passes with theirs, not with {label} ({len(diff)})", ""]
            by_class = Counter(classify(test, outcome.message)[0] for test, outcome in diff)
            lines += [f"- {name}: {count}" for name, count in by_class.most_common()]
            if label == "ours" and len(diff) > 60:
                lines += ["", "(list omitted: see the masked run below for the triage)"]
                continue
            lines += ["", "| Test | Ours | Class | Why |", "| --- | --- | --- | --- |"]
            for test, outcome in diff:
                kind, note = classify(test, outcome.message)
                message = outcome.message.replace("|", "\\|")
                lines.append(f"| `{test}` | {outcome.status}: {message} | {kind} | {note} |")
            if fixed:
                lines += ["", f"Passes with {label}, not with theirs ({len(fixed)}):", ""]
                lines += [f"- `{test}`" for test in fixed]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=[*SUITES, "all"], default="all")
    parser.add_argument(
        "--runs", default=",".join(CONFIGURATIONS), help="comma-separated subset of runs"
    )
    args = parser.parse_args(argv)
    names = list(SUITES) if args.suite == "all" else [args.suite]
    labels = [label for label in args.runs.split(",") if label]
    unknown = [label for label in labels if label not in CONFIGURATIONS]
    if unknown:
        parser.error(f"unknown run {unknown}; choose from {', '.join(CONFIGURATIONS)}")
    for name in names:
        for label in labels:
            run_suite(SUITES[name], label)
    RESULTS_FILE.write_text(render(load_saved_runs()), encoding="utf-8")
    print(f"wrote {RESULTS_FILE.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
