"""`asgibdd run`: -j 2 against serial behave, shard balance, and memory per worker.

    .venv/bin/python benchmarks/parallel_speed.py                 # all three (~2-4 min)
    .venv/bin/python benchmarks/parallel_speed.py --only speed --scenarios 2000
    .venv/bin/python benchmarks/parallel_speed.py --only shards
    .venv/bin/python benchmarks/parallel_speed.py --only memory --scenarios 10000

- speed: the benchmark suite (suite_generator.py: a client and lifespan per scenario, one
  GET, three JSON checks) run by `behave -f null` (serial) and by `asgibdd run -j 1` and
  `-j 2`, whole processes, interleaved over rounds; medians and the ratio serial / -j 2
  (target >= 1.85 on 2 cores), and the CPU of `-j 1` against serial's (the runner's own
  cost: target <= 1.15).
- shards: a suite whose scenarios take uneven times (every tenth waits 50 ms, the rest
  2 ms); one run writes the durations file, then `--shard i/4` for i = 1..4, each timed;
  target: the slowest shard within 15% of the mean.
- memory: `asgibdd run -j 2` over a large suite, sampling each worker's RSS from /proc;
  the RSS after the first tenth of the run against the end (flat: within ~10%).

The machine's load average is printed with every result: on shared cores, compare only
figures from the same run.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite_generator import write_suite  # noqa: E402

SPEED_TARGET = 1.85  # issue 26 (1.7 before)
SHARD_TARGET = 1.15
OVERHEAD_TARGET = 1.15  # CPU of `asgibdd run -j 1` against serial behave's


def environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's second run has its bytecode
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def timed(command: list[str], cwd: Path, cpu: list[float] | None = None) -> float:
    """Wall seconds of `command`; its CPU seconds (workers included) appended to `cpu`."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, env=environment(), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if cpu is not None:
        cpu.append(_children_cpu() - cpu_before)
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{completed.stdout[-2000:]}{completed.stderr}")
    return seconds


def asgibdd_run(*options: str) -> list[str]:
    return [sys.executable, "-m", "asgibdd", "run", *options, "features/"]


def speed(scenarios: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_suite(Path(folder), scenarios)
        commands = {
            "behave -f null (serial)": [
                sys.executable,
                "-m",
                "behave",
                "--no-color",
                "-f",
                "null",
                "features/",
            ],
            "asgibdd run -j 1": asgibdd_run("-j", "1"),
            "asgibdd run -j 2": asgibdd_run("-j", "2"),
        }
        timed(asgibdd_run("-j", "2"), root)  # warm caches; writes the durations file
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        print(f"speed: {scenarios} scenarios, {rounds} rounds, {load()} at start")
        for round_number in range(rounds):
            names = list(commands)
            names = names[round_number % len(names) :] + names[: round_number % len(names)]
            for name in names:
                seconds[name].append(timed(commands[name], root, cpu[name]))
        for name, values in seconds.items():
            print(
                f"  {name:28} {statistics.median(values):6.2f} s  (rounds: "
                + ", ".join(f"{value:.2f}" for value in values)
                + f"); CPU {statistics.median(cpu[name]):.2f} s"
            )
        serial = statistics.median(seconds["behave -f null (serial)"])
        ratio = serial / statistics.median(seconds["asgibdd run -j 2"])
        verdict = "PASS" if ratio >= SPEED_TARGET else "MISS"
        print(
            f"  serial / -j 2 = {ratio:.2f} (target >= {SPEED_TARGET}) {verdict}; {load()} at end"
        )
        # The runner's own cost: one worker does a serial run's work, plus the parent's.
        overhead = statistics.median(cpu["asgibdd run -j 1"]) / statistics.median(
            cpu["behave -f null (serial)"]
        )
        verdict = "PASS" if overhead <= OVERHEAD_TARGET else "MISS"
        rounds = ", ".join(
            f"{one / alone:.2f}"
            for one, alone in zip(
                cpu["asgibdd run -j 1"], cpu["behave -f null (serial)"], strict=True
            )
        )
        print(
            f"  CPU of -j 1 / serial = {overhead:.2f} (target <= {OVERHEAD_TARGET}; rounds: "
            f"{rounds}) {verdict}"
        )


UNEVEN_SCENARIO = """
  Scenario: item {number}
    When I GET /items/{number}
    And I wait {wait} seconds
    Then the JSON at "$.id" is {number}
"""


def write_uneven(root: Path, scenarios: int) -> None:
    write_suite(root, 1)
    for old in (root / "features").glob("*.feature"):
        old.unlink()
    for start in range(0, scenarios, 50):
        body = "".join(
            UNEVEN_SCENARIO.format(number=n, wait="0.05" if n % 10 == 0 else "0.002")
            for n in range(start, min(start + 50, scenarios))
        )
        (root / "features" / f"uneven_{start // 50:02d}.feature").write_text(
            f"Feature: uneven {start // 50}\n{body}", encoding="utf-8"
        )


def shards(scenarios: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_uneven(root, scenarios)
        print(f"shards: {scenarios} scenarios, every tenth 50 ms, the rest 2 ms; {load()}")
        timed(asgibdd_run("-j", "2"), root)  # the earlier run: writes the durations file
        for label, durations in (("by counts", "none.json"), ("by durations", None)):
            walls = []
            for index in range(1, 5):
                options = ["--shard", f"{index}/4"]
                if durations is not None:
                    options += ["--durations", str(root / durations)]
                walls.append(timed(asgibdd_run(*options), root))
                if durations is not None:
                    (root / durations).unlink(missing_ok=True)  # stays "no earlier run"
            mean = statistics.mean(walls)
            spread = max(walls) / mean
            verdict = "PASS" if spread <= SHARD_TARGET else "MISS"
            print(
                f"  {label:13} shards "
                + ", ".join(f"{w:.2f}" for w in walls)
                + f" s; slowest / mean = {spread:.2f} (target <= {SHARD_TARGET}) {verdict}"
            )
        print(f"  {load()} at end")


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def memory(scenarios: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_suite(Path(folder), scenarios)
        print(f"memory: {scenarios} scenarios, asgibdd run -j 2; {load()}")
        started = time.perf_counter()
        process = subprocess.Popen(
            asgibdd_run("-j", "2"),
            cwd=root,
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        samples: dict[int, list[tuple[float, int]]] = {}
        while process.poll() is None:
            for child in _children(process.pid):
                rss = _rss_kib(child)
                if rss is not None:
                    samples.setdefault(child, []).append((time.perf_counter() - started, rss))
            time.sleep(0.25)
        total = time.perf_counter() - started
        # Each worker runs its share as processes of --batch scenarios (2,000 by default):
        # each process is shown, its RSS a tenth into its own life against its end.
        for number, (pid, points) in enumerate(sorted(samples.items()), start=1):
            begin, end = points[0][0], points[-1][0]
            early = [rss for at, rss in points if at >= begin + 0.1 * (end - begin)][:3]
            late = [rss for _, rss in points[-3:]]
            print(
                f"  process {number} (pid {pid}, {end - begin:.1f} s): RSS after 10% "
                f"{max(early or late) / 1024:.1f} MiB, at the end {max(late) / 1024:.1f} MiB, "
                f"peak {max(rss for _, rss in points) / 1024:.1f} MiB ({len(points)} samples)"
            )
        print(f"  run took {total:.1f} s; {load()} at end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["speed", "shards", "memory"])
    parser.add_argument("--scenarios", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    if arguments.only in (None, "speed"):
        speed(arguments.scenarios or 2000, arguments.rounds)
    if arguments.only in (None, "shards"):
        shards(arguments.scenarios or 400)
    if arguments.only in (None, "memory"):
        memory(arguments.scenarios or 10000)


if __name__ == "__main__":
    main()
