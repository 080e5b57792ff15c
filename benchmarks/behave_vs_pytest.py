"""A behave + asgibdd suite against the same checks as a pytest suite, whole processes.

The suite (see suite_generator.py): N scenarios on a small FastAPI app, each with its own
client and lifespan (asgibdd's default scope), one GET and three JSON assertions; the same
N checks as pytest tests, once with Starlette's TestClient and once with asgibdd's. Each
run is a fresh process timed from start to exit; the runs interleave over rounds so all
see the same machine load, and the table shows medians.

    .venv/bin/python benchmarks/behave_vs_pytest.py            # 1,000 scenarios, ~2-3 min
    .venv/bin/python benchmarks/behave_vs_pytest.py --quick    # 200 scenarios
    .venv/bin/python benchmarks/behave_vs_pytest.py --check    # exit 1 on any MISS

Also measured: a variant with extra JSON assertion steps per scenario (the cost of one
step), and a cProfile of one behave run (where the time per scenario goes).
"""

from __future__ import annotations

import argparse
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path

# Benchmark the checked-out code, not whatever asgibdd happens to be installed.
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite_generator import write_suite  # noqa: E402

from asgibdd.testing import parse_outcome  # noqa: E402

# Issue 26's goals (issue 13's were 0.5 and 1.0).
TARGET_VS_STARLETTE = 0.45
TARGET_VS_OURS = 1.0
TARGET_VS_PYTEST_BDD = 0.4


@dataclass
class Runner:
    """One way of running the suite: a command in a project folder, and what it must report."""

    key: str
    label: str
    project: Path
    command: list[str]
    #: Assertion steps per scenario beyond the base three (for the per-step figure).
    extra_steps: int = 0
    seconds: list[float] = field(default_factory=list)
    #: CPU seconds (user + system) of each run's process: what a loaded machine inflates least.
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def is_behave(self) -> bool:
        return "behave" in self.command


def behave_command(*formatter: str) -> list[str]:
    return [sys.executable, "-m", "behave", "--no-color", *formatter, "features/"]


def pytest_command(folder: str, *plugins: str) -> list[str]:
    loaded = [option for plugin in plugins for option in ("-p", plugin)]
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *loaded, folder]


def has_pytest_bdd() -> bool:
    import importlib.util

    return importlib.util.find_spec("pytest_bdd") is not None


def runners_for(base: Path, extra: Path, extra_steps: int, extras: bool = True) -> list[Runner]:
    runners = [
        Runner("behave_null", "behave + asgibdd, `-f null`", base, behave_command("-f", "null")),
        Runner("behave_pretty", "behave + asgibdd, default formatter", base, behave_command()),
        Runner(
            "behave_extra",
            f"behave + asgibdd, `-f null`, +{extra_steps} JSON steps per scenario",
            extra,
            behave_command("-f", "null"),
            extra_steps=extra_steps,
        ),
        Runner(
            "pytest_starlette",
            "pytest + Starlette TestClient",
            base,
            pytest_command("tests_starlette"),
        ),
        Runner("pytest_ours", "pytest + asgibdd TestClient", base, pytest_command("tests_asgibdd")),
    ]
    if has_pytest_bdd():  # not a dependency: pip install pytest-bdd
        runners.append(
            Runner(
                "pytest_bdd",
                "pytest-bdd + Starlette TestClient (same feature files)",
                base,
                # Plugins are not autoloaded (see subprocess_env): pytest-bdd by name.
                pytest_command("tests_bdd", "pytest_bdd.plugin"),
            )
        )
    if not extras:
        runners = [r for r in runners if r.key not in ("behave_pretty", "behave_extra")]
    return runners


def subprocess_env(runner: Runner | None = None) -> dict[str, str]:
    """The environment of a run: this checkout first on the path, bytecode caching on.

    Bytecode caching is on (whatever PYTHONDONTWRITEBYTECODE says here) because a user's
    second run reuses compiled modules; `warm_up` fills the caches before any timing. pytest
    runs without autoloaded plugins (this venv has hypothesis's, whose assertion-rewritten
    import alone costs more than a second), which makes pytest as fast as it can be.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ASGIBDD_APP", None)  # the project's own pyproject.toml names the app
    if runner is not None and not runner.is_behave:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def warm_up(runners: list[Runner]) -> None:
    """Import and compile everything each run needs once, without running it (not timed)."""
    for runner in runners:
        dry = ["--dry-run"] if runner.is_behave else ["--collect-only"]
        command = [*runner.command[:-1], *dry, runner.command[-1]]
        subprocess.run(
            command,
            cwd=runner.project,
            env=subprocess_env(runner),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(runner: Runner, scenarios: int) -> float:
    """Run `runner` in a fresh process; the wall time in seconds (its CPU time goes to
    `runner.cpu`). Fails loudly on any miss."""
    env = subprocess_env(runner)
    cpu_before = _children_cpu()
    start = time.perf_counter()
    completed = subprocess.run(
        runner.command,
        cwd=runner.project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    runner.cpu.append(_children_cpu() - cpu_before)
    check_outcome(runner, scenarios, completed.returncode, completed.stdout)
    return elapsed


def check_outcome(runner: Runner, scenarios: int, returncode: int, output: str) -> None:
    if runner.is_behave:
        outcome = parse_outcome(returncode, output)
        steps = scenarios * (4 + runner.extra_steps)
        ok = outcome.passed and outcome.scenarios.passed == scenarios
        ok = ok and outcome.steps.passed == steps
        expected = f"{scenarios} scenarios and {steps} steps passed"
    else:
        expected = f"{scenarios} passed"
        ok = returncode == 0 and f"{scenarios} passed" in output and "warning" not in output
    if not ok:
        tail = "\n".join(output.splitlines()[-25:])
        raise SystemExit(
            f"{runner.label} did not do what the benchmark needs (expected {expected}, "
            f"exit status {returncode}); the timing would be meaningless. Its output ends:\n"
            f"{tail}"
        )


def measure(runners: list[Runner], scenarios: int, rounds: int) -> None:
    warm_up(runners)
    for index in range(rounds):
        # Rotate the order each round so no runner always goes first after a pause.
        shift = index % len(runners)
        for runner in runners[shift:] + runners[:shift]:
            runner.seconds.append(run_once(runner, scenarios))
        print(f"  round {index + 1}/{rounds} done", file=sys.stderr)


# -- the profile -------------------------------------------------------------------------------


def profile_behave(project: Path, scenarios: int, output: Path) -> pstats.Stats:
    """cProfile one `behave -f null` run (main thread only: the app runs in a loop thread)."""
    command = [sys.executable, "-m", "cProfile", "-o", str(output), "-m", "behave"]
    command += ["--no-color", "-f", "null", "features/"]
    runner = Runner("profile", "behave under cProfile", project, command)
    completed = subprocess.run(
        command,
        cwd=project,
        env=subprocess_env(runner),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    check_outcome(runner, scenarios, completed.returncode, completed.stdout)
    return pstats.Stats(str(output))


@dataclass(frozen=True)
class Part:
    """A slice of the run, found as the cumulative time of one function."""

    label: str
    file_suffix: str
    function: str
    #: How deep the slice sits under the one above it, for indentation.
    level: int = 0


#: Where a scenario's time goes, from the outside in (function names of behave 1.3.3 and
#: of asgibdd at the time of writing; a part whose function is gone shows as "not found").
PARTS = (
    Part("running the features (all but start-up)", "behave/runner.py", "run_model"),
    Part(
        "asgibdd before_scenario: new TestClient, loop thread, lifespan startup",
        "asgibdd/environment.py",
        "before_scenario",
        1,
    ),
    Part(
        "client exit at scenario end (fixture cleanup: lifespan shutdown, loop thread stop)",
        "behave/fixture.py",
        "cleanup_fixture",
        1,
    ),
    Part(
        "step matching (asgibdd's indexed search in behave's order)",
        "asgibdd/steps/registry.py",
        "find",
        1,
    ),
    Part("step bodies (asgibdd steps)", "asgibdd/steps/registry.py", "run", 1),
    Part("the GET request step", "asgibdd/steps/support/requests.py", "send_request", 2),
    Part("the contract check of its response", "asgibdd/contracts/checker.py", "check", 3),
    Part("the JSON assertions", "asgibdd/steps/json.py", "json_at_is", 2),
    Part(
        "behave's context bookkeeping (`Context.__setattr__`, lazy records)",
        "behave/runner.py",
        "__setattr__",
        1,
    ),
)


def cumulative(stats: pstats.Stats, part: Part) -> tuple[int, float] | None:
    """Calls and cumulative seconds of `part`'s function, or None if no function matches."""
    found = [
        (calls, total)
        for (filename, _, name), (_, calls, _, total, _) in stats.stats.items()  # type: ignore[attr-defined]
        if name == part.function and filename.replace(os.sep, "/").endswith(part.file_suffix)
    ]
    if not found:
        return None
    return sum(calls for calls, _ in found), sum(total for _, total in found)


def profile_report(stats: pstats.Stats, scenarios: int) -> list[str]:
    total = stats.total_tt  # type: ignore[attr-defined]
    lines = [
        f"cProfile of one `behave -f null` run of the base suite ({scenarios} scenarios, "
        f"{total:.2f} s under the profiler, which inflates Python-heavy parts; main thread "
        "only, so the app's own work shows as waiting on the loop thread):",
        "",
        "| part of the run | calls | µs per scenario | share of run |",
        "|---|--:|--:|--:|",
    ]
    for part in PARTS:
        measured = cumulative(stats, part)
        indent = "› " * part.level
        if measured is None:
            lines.append(f"| {indent}{part.label} | not found | | |")
            continue
        calls, seconds = measured
        lines.append(
            f"| {indent}{part.label} | {calls:,} | {seconds / scenarios * 1e6:,.0f} "
            f"| {seconds / total:.1%} |"
        )
    return lines


# -- the report --------------------------------------------------------------------------------


def environment_line() -> str:
    import asgibdd

    return (
        f"{date.today().isoformat()}: Python {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count() or '?'} CPU(s), load "
        f"average {os.getloadavg()[0]:.1f} at the start; asgibdd {asgibdd.__version__}, "
        f"behave {version('behave')}, pytest {version('pytest')}, "
        f"starlette {version('starlette')}, fastapi {version('fastapi')}, "
        f"httpx {version('httpx')}, anyio {version('anyio')}"
    )


def verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "MISS"


def report(runners: dict[str, Runner], scenarios: int, extra_steps: int) -> tuple[list[str], int]:
    lines = [
        "| run | median s | per scenario ms | all rounds s | CPU median s | CPU all rounds s |",
        "|---|--:|--:|---|--:|---|",
    ]
    for runner in runners.values():
        rounds = ", ".join(f"{seconds:.2f}" for seconds in runner.seconds)
        cpu_rounds = ", ".join(f"{seconds:.2f}" for seconds in runner.cpu)
        lines.append(
            f"| {runner.label} | {runner.median:.2f} | {runner.median / scenarios * 1e3:.2f} "
            f"| {rounds} | {runner.cpu_median:.2f} | {cpu_rounds} |"
        )
    ours = runners["behave_null"].median
    ratios = [
        (
            "behave + asgibdd (`-f null`) / pytest-bdd + Starlette",
            "pytest_bdd",
            TARGET_VS_PYTEST_BDD,
        ),
        (
            "behave + asgibdd (`-f null`) / pytest + Starlette",
            "pytest_starlette",
            TARGET_VS_STARLETTE,
        ),
        ("behave + asgibdd (`-f null`) / pytest + asgibdd", "pytest_ours", TARGET_VS_OURS),
    ]
    ratios = [ratio for ratio in ratios if ratio[1] in runners]
    lines += [
        "",
        "| ratio (wall time) | value | per-round range | target | result | in CPU time |",
        "|---|--:|---|--:|---|--:|",
    ]
    misses = 0
    behave = runners["behave_null"]
    for label, key, target in ratios:
        other = runners[key]
        ratio = ours / other.median
        spread = [a / b for a, b in zip(behave.seconds, other.seconds, strict=True)]
        result = verdict(ratio, target)
        misses += result == "MISS"
        lines.append(
            f"| {label} | {ratio:.2f} | {min(spread):.2f}–{max(spread):.2f} | ≤ {target} "
            f"| {result} | {behave.cpu_median / other.cpu_median:.2f} |"
        )
    if "behave_pretty" in runners:
        pretty = runners["behave_pretty"].median
        lines.append(f"| behave default formatter / `-f null` | {pretty / ours:.2f} | | - | - |")
    if "behave_extra" in runners:
        extra = runners["behave_extra"].median
        per_step = (extra - ours) / (scenarios * extra_steps) * 1e6
        lines += [
            "",
            f"Per JSON assertion step: ({extra:.2f} s − {ours:.2f} s) / "
            f"({scenarios} × {extra_steps} steps) = **{per_step:.0f} µs per step**.",
        ]
    return lines, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 scenarios instead of 1,000")
    parser.add_argument("--scenarios", type=int, help="scenarios (and tests) per suite")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--extra-steps", type=int, default=10, help="JSON steps added per scenario (default 10)"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    parser.add_argument(
        "--ratios-only",
        action="store_true",
        help="skip the default-formatter and extra-steps runs (the ratios only)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--check", action="store_true", help="exit with status 1 on any MISS")
    options = parser.parse_args(argv)
    scenarios = options.scenarios or (200 if options.quick else 1000)
    if scenarios < 1 or options.rounds < 1 or options.extra_steps < 1:
        parser.error("--scenarios, --rounds and --extra-steps must be at least 1")

    folder = Path(tempfile.mkdtemp(prefix="asgibdd-bench-"))
    base = write_suite(folder / "base", scenarios)
    extra = write_suite(folder / "extra", scenarios, extra_steps=options.extra_steps)
    chosen = runners_for(base, extra, options.extra_steps, extras=not options.ratios_only)
    runners = {runner.key: runner for runner in chosen}

    header = environment_line()
    started = time.perf_counter()
    measure(list(runners.values()), scenarios, options.rounds)
    profile_lines = []
    if not options.no_profile:
        stats = profile_behave(base, scenarios, folder / "behave.prof")
        profile_lines = profile_report(stats, scenarios)
    took = time.perf_counter() - started

    print(header)
    print(
        f"{scenarios} scenarios/tests per suite, {options.rounds} interleaved rounds of whole "
        f"processes, medians; {took:.0f} s in all\n"
    )
    lines, misses = report(runners, scenarios, options.extra_steps)
    for line in [*lines, "", *profile_lines]:
        print(line)
    ratio_count = sum(key in runners for key in ("pytest_bdd", "pytest_starlette", "pytest_ours"))
    print(f"\n{misses} MISS, {ratio_count - misses} PASS")
    if options.keep:
        print(f"\nThe generated projects are in {folder}")
    else:
        _remove_tree(folder)
    return 1 if options.check and misses else 0


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
