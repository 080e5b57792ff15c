"""How fast a behave process starts: `behave --dry-run` on a one-scenario project.

    .venv/bin/python benchmarks/startup.py              # 15 interleaved rounds
    .venv/bin/python benchmarks/startup.py --rounds 31

Whole processes, interleaved, medians of wall time (bytecode caches warm: one untimed run
of each first). Besides the target row, for comparison: the same run with httpx's command
line loaded as before asgibdd deferred it (httpx imported before asgibdd, so asgibdd
leaves it alone), and a bare interpreter (`python -c pass`), the floor of any process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from behave_vs_pytest import subprocess_env
from suite_generator import write_suite

TARGET_MS = 200.0

BEHAVE = ["--no-color", "--dry-run", "-f", "null", "features/"]
# behave's own entry point, after importing httpx (and with it its command line) first.
EAGER_CLI = (
    "import sys, httpx; from behave.__main__ import main; sys.argv[0] = 'behave'; sys.exit(main())"
)

RUNS = {
    "behave --dry-run, one scenario": [sys.executable, "-m", "behave", *BEHAVE],
    "the same with httpx's CLI loaded (as before)": [sys.executable, "-c", EAGER_CLI, *BEHAVE],
    "python -c pass (the interpreter alone)": [sys.executable, "-c", "pass"],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], project: Path) -> tuple[float, float]:
    """Wall and CPU milliseconds of one process."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=project, env=subprocess_env(), capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed * 1e3, (_children_cpu() - cpu) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="asgibdd-startup-") as folder:
        project = write_suite(Path(folder), 1)
        times: dict[str, list[float]] = {label: [] for label in RUNS}
        cpu: dict[str, list[float]] = {label: [] for label in RUNS}
        for command in RUNS.values():
            run(command, project)  # warm the bytecode caches
        for index in range(options.rounds):
            order = list(RUNS.items())
            shift = index % len(order)
            for label, command in order[shift:] + order[:shift]:
                wall, used = run(command, project)
                times[label].append(wall)
                cpu[label].append(used)
    print(
        f"{options.rounds} interleaved rounds, medians; load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| run | median ms | range ms | CPU median ms |")
    print("|---|--:|---|--:|")
    for label, values in times.items():
        spread = f"{min(values):.0f}–{max(values):.0f}"
        used = statistics.median(cpu[label])
        print(f"| {label} | {statistics.median(values):.0f} | {spread} | {used:.0f} |")
    ours = statistics.median(times["behave --dry-run, one scenario"])
    eager = statistics.median(times["the same with httpx's CLI loaded (as before)"])
    result = "PASS" if ours <= TARGET_MS else "MISS"
    print(f"\nbehave --dry-run: {ours:.0f} ms against ≤ {TARGET_MS:.0f} ms: {result}")
    print(f"httpx's CLI deferred saves {eager - ours:.0f} ms ({ours / eager:.2f} of before)")
    ours_cpu = statistics.median(cpu["behave --dry-run, one scenario"])
    eager_cpu = statistics.median(cpu["the same with httpx's CLI loaded (as before)"])
    print(f"in CPU time: {ours_cpu:.0f} ms against {eager_cpu:.0f} ms ({ours_cpu / eager_cpu:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
