"""The same behave suite on two commits of asgibdd: did a change make a scenario dearer?

```sh
.venv/bin/python benchmarks/checkouts.py BASE [HEAD]      # 1,000 scenarios, 7 rounds
.venv/bin/python benchmarks/checkouts.py BASE --quick      # 200 scenarios, 3 rounds
```

Each commit (HEAD by default for the second) is exported with `git archive` into a
temporary folder, so what is uncommitted in this checkout changes nothing. The suite is
`suite_generator.py`'s (a FastAPI app, a client and lifespan per scenario, one GET, three
JSON steps; the API document check on, as by default). Each round runs `behave -f null`
once per commit, in a whole process, alternating and rotating which goes first. Each run
is measured twice: wall time, and the CPU time the process used (user + system, its
threads included), which a busy shared machine disturbs far less. The table shows
medians, the difference per scenario, and every round's pair.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite_generator import write_suite  # noqa: E402

from asgibdd.testing import parse_outcome  # noqa: E402


def export(commit: str, into: Path) -> Path:
    """The package as committed in `commit`, under `into`."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "asgibdd"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(project: Path, checkout: Path, scenarios: int) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ASGIBDD_APP", None)
    command = [sys.executable, "-m", "behave", "--no-color", "-f", "null", "features/"]
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    outcome = parse_outcome(done.returncode, done.stdout + done.stderr)
    if not outcome.passed or outcome.scenarios.passed != scenarios:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise SystemExit(f"The run on {checkout} did not pass all {scenarios} scenarios:\n{tail}")
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the commit to compare against")
    parser.add_argument("head", nargs="?", default="HEAD", help="the commit measured (HEAD)")
    parser.add_argument("--quick", action="store_true", help="200 scenarios, 3 rounds")
    parser.add_argument("--scenarios", type=int, help="scenarios in the suite (1,000)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (7)")
    args = parser.parse_args(argv)
    scenarios = args.scenarios or (200 if args.quick else 1000)
    rounds = args.rounds or (3 if args.quick else 7)
    folder = Path(tempfile.mkdtemp(prefix="asgibdd-checkouts-"))
    try:
        project = write_suite(folder / "project", scenarios)
        checkouts = {
            args.base: export(args.base, folder / "base"),
            args.head: export(args.head, folder / "head"),
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
        for checkout in checkouts.values():  # compile and cache once, untimed
            run_once(project, checkout, scenarios)
        names = list(checkouts)
        for index in range(rounds):
            for name in names[index % 2 :] + names[: index % 2]:
                runs[name].append(run_once(project, checkouts[name], scenarios))
            print(f"  round {index + 1}/{rounds} done", file=sys.stderr)
        print(f"{scenarios} scenarios, {rounds} alternating rounds, medians:")
        for kind, column in (("wall", 0), ("CPU", 1)):
            base, head = (statistics.median(run[column] for run in runs[name]) for name in names)
            per_scenario = (head - base) / scenarios * 1e6
            pairs = ", ".join(
                f"{a[column]:.2f}/{b[column]:.2f}" for a, b in zip(*runs.values(), strict=True)
            )
            print(
                f"  {kind}: {names[0]} {base:.2f} s, {names[1]} {head:.2f} s, "
                f"{per_scenario:+.0f} µs per scenario; rounds: {pairs}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
