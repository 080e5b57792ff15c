"""What the HTML report costs: run time with and without it, its size, its render time.

    .venv/bin/python benchmarks/report_html.py                  # 2,000 scenarios, 3 rounds
    .venv/bin/python benchmarks/report_html.py --scenarios 200 --rounds 1   # a quick look
    .venv/bin/python benchmarks/report_html.py --check          # exit 1 if over a limit

The suite is `suite_generator.py`'s (each scenario: a fresh client, one GET, three JSON
checks), so each scenario's transcript holds one exchange with a JSON body. behave runs
as a whole process, once with `-f null` and once with `-f null -f html -o report.html`
added, alternating in every round so that load from elsewhere hits both; the table shows
the medians of wall-clock and of CPU time (user + system of the behave process), and
judges the report's share by CPU time, which other processes on a shared machine disturb
far less than the wall clock. The render time is headless Chromium's (see
tests/browser.py) from the start of navigation to the end of the load event, which
includes running the page's script, median of 3 loads.

Limits (from the issue): the report adds at most 10% to the run, the file is at most
10 MB, and Chromium renders it within 2 s.
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite_generator import write_suite  # noqa: E402

from tests.browser import chromium  # noqa: E402

MAX_OVERHEAD = 0.10
MAX_BYTES = 10 * 1000 * 1000
MAX_RENDER = 2.0

FORMATTERS = """
[tool.behave.formatters]
html = "asgibdd.report.html:HTMLFormatter"
"""


def run_behave(project: Path, *formats: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one whole `python -m behave` process."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(project)])}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "behave", "--no-color", *formats, "features/"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"behave failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def render_seconds(report: Path, loads: int = 3) -> float:
    times = []
    with chromium() as context:
        for _ in range(loads):
            page = context.new_page()
            page.goto(report.as_uri(), wait_until="load")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n.loadEventEnd - n.startTime; }"
            )
            times.append(float(timing) / 1000)
            page.close()
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 if a limit is exceeded")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = write_suite(Path(folder), arguments.scenarios)
        with (project / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
            pyproject.write(FORMATTERS)
        report = project / "report.html"
        off: list[tuple[float, float]] = []
        on: list[tuple[float, float]] = []
        for number in range(1, arguments.rounds + 1):
            off.append(run_behave(project, "-f", "null"))
            on.append(run_behave(project, "-f", "html", "-o", "report.html", "-f", "null"))
            print(
                f"round {number}: without {off[-1][0]:.2f} s ({off[-1][1]:.2f} s CPU), "
                f"with {on[-1][0]:.2f} s ({on[-1][1]:.2f} s CPU)",
                flush=True,
            )
        size = report.stat().st_size
        render = render_seconds(report)
    wall_off, wall_on = (statistics.median(wall for wall, _ in runs) for runs in (off, on))
    cpu_off, cpu_on = (statistics.median(cpu for _, cpu in runs) for runs in (off, on))
    # CPU time is what the report adds; wall time on a shared machine mostly measures
    # what the other processes did meanwhile.
    overhead = cpu_on / cpu_off - 1
    print()
    print(
        f"| {arguments.scenarios:,} scenarios, medians of {arguments.rounds} rounds "
        "| wall clock | CPU | limit |"
    )
    print("|---|---|---|---|")
    print(f"| behave without the report | {wall_off:.2f} s | {cpu_off:.2f} s | |")
    print(f"| behave with `-f html -o report.html` | {wall_on:.2f} s | {cpu_on:.2f} s | |")
    print(
        f"| the report's share of the run | {wall_on / wall_off - 1:+.1%} "
        f"| {overhead:+.1%} | +10% |"
    )
    print(f"| report.html | {size / 1e6:.2f} MB | | 10 MB |")
    print(f"| headless Chromium: navigation to load end | {render:.2f} s | | 2 s |")
    missed = overhead > MAX_OVERHEAD or size > MAX_BYTES or render > MAX_RENDER
    if arguments.check and missed:
        print("MISS: a limit is exceeded", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
