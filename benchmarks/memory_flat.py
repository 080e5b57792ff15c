"""Does a behave run's memory stay flat as the suite grows? Peak RSS at two suite sizes.

    .venv/bin/python benchmarks/memory_flat.py                      # 1,000 and 10,000 scenarios
    .venv/bin/python benchmarks/memory_flat.py --small 200 --large 2000   # a quick look
    .venv/bin/python benchmarks/memory_flat.py --check              # exit 1 if over a limit

The suite is `suite_generator.py`'s (each scenario: a fresh client, one GET, three JSON
checks, 50 scenarios to a feature file), every scenario passes. behave runs as a whole
process, once with `-f null`, once with `-f null -f html -o report.html` added, once with
`-f null -f junit -o junit.xml` (asgibdd's JUnit file) added, and for
reference once with `--dry-run` (behave parses the features and runs nothing, so its
growth is behave's own model of the suite), for each of the two sizes; the figure is
the peak resident set size of that process (`ru_maxrss` from `os.wait4`, which the kernel
keeps for exactly that child). Peaks do not depend on the load of a shared machine the
way times do, so one run of each is enough.

Limits (issue 22): the peak at the large size is at most 1.3 times the peak at the small
size without a report, and at most 1.5 times with the HTML report (or the JUnit file)
written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite_generator import write_suite  # noqa: E402

LIMITS = {"without a report": 1.3, "with the HTML report": 1.5, "with the JUnit file": 1.5}

FORMATTERS = """
[tool.behave.formatters]
html = "asgibdd.report.html:HTMLFormatter"
junit = "asgibdd.report.junit:JUnitFormatter"
"""

FORMATS = {
    "without a report": ["-f", "null"],
    "with the HTML report": ["-f", "null", "-f", "html", "-o", "report.html"],
    "with the JUnit file": ["-f", "null", "-f", "junit", "-o", "junit.xml"],
    # For reference: behave parsing the features and running nothing (no hook, no app).
    # What it adds from one size to the other is behave's own model of the suite.
    "--dry-run (reference)": ["--dry-run", "-f", "null"],
}


def peak_rss_mb(project: Path, formats: list[str]) -> float:
    """The peak RSS in MB of one whole `python -m behave` process over `project`."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(project)])}
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "behave", "--no-color", *formats, "features/"],
            cwd=project,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            raise SystemExit(f"behave failed:\n{output.read()[-3000:].decode(errors='replace')}")
    return usage.ru_maxrss / 1024  # kilobytes on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000, help="scenarios in the small suite")
    parser.add_argument("--large", type=int, default=10000, help="scenarios in the large suite")
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio is over")
    parser.add_argument(
        "--only", choices=sorted(FORMATS), action="append", help="measure this run only"
    )
    arguments = parser.parse_args()
    sizes = (arguments.small, arguments.large)
    peaks: dict[str, list[float]] = {name: [] for name in arguments.only or FORMATS}
    with tempfile.TemporaryDirectory(prefix="asgibdd-memory-") as folder:
        for size in sizes:
            project = write_suite(Path(folder) / str(size), size)
            with (project / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
                pyproject.write(FORMATTERS)
            for name in peaks:
                peak = peak_rss_mb(project, FORMATS[name])
                peaks[name].append(peak)
                print(f"{size:>7,} scenarios, {name}: peak RSS {peak:.0f} MB", flush=True)
    print(f"\n| run | {sizes[0]:,} scenarios | {sizes[1]:,} scenarios | ratio | limit | result |")
    print("|---|--:|--:|--:|--:|---|")
    over = False
    for name, (small, large) in peaks.items():
        ratio = large / small
        if name not in LIMITS:
            print(f"| behave {name} | {small:.0f} MB | {large:.0f} MB | {ratio:.2f} | - | - |")
            continue
        verdict = "PASS" if ratio <= LIMITS[name] else "MISS"
        over = over or verdict == "MISS"
        print(
            f"| behave {name} | {small:.0f} MB | {large:.0f} MB | {ratio:.2f} | "
            f"≤ {LIMITS[name]} | {verdict} |"
        )
    return 1 if arguments.check and over else 0


if __name__ == "__main__":
    raise SystemExit(main())
