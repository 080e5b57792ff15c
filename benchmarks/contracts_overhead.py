"""What the API contract check costs a whole behave run: the same suite, check on and off.

The suite is `suite_generator.py`'s (N scenarios, a client and lifespan each, one GET and
three JSON checks), with one change: the app declares its response model (an item with a
nested owner, an enum list, a date-time), so the check validates a real schema on every
response, not FastAPI's empty one. Each run is a fresh `behave -f null` process; the two
settings interleave over rounds and the table shows medians of wall time and of the CPU
time the behave process used (steadier than wall time on a shared, busy machine).
Target: at most 15% slower.

    .venv/bin/python benchmarks/contracts_overhead.py            # 1,000 scenarios, ~2 min
    .venv/bin/python benchmarks/contracts_overhead.py --quick    # 200 scenarios
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from behave_vs_pytest import Runner, environment_line, run_once, warm_up
from suite_generator import write_suite

TARGET = 1.15

_APP = '''
"""The app under test: FastAPI, an empty lifespan, one JSON endpoint with a response model."""

import contextlib
from datetime import datetime, timezone
from enum import Enum

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict


@contextlib.asynccontextmanager
async def lifespan(app):
    yield


class Tag(str, Enum):
    red = "red"
    round = "round"


class Owner(BaseModel):
    name: str
    email: str


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    name: str
    price: float
    tags: list[Tag]
    owner: Owner
    stock: int
    active: bool
    created: datetime


app = FastAPI(lifespan=lifespan)


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> Item:
    return Item(
        id=item_id,
        name=f"item {item_id}",
        price=item_id * 1.5,
        tags=[Tag.red, Tag.round],
        owner=Owner(name="alice", email="alice@example.com"),
        stock=item_id % 7,
        active=item_id % 2 == 0,
        created=datetime(2026, 11, 29, tzinfo=timezone.utc),
    )
'''


def _command(contract: str) -> list[str]:
    settings = ["-D", f"asgibdd.contract={contract}", "-D", "asgibdd.api_coverage="]
    return [sys.executable, "-m", "behave", "--no-color", "-f", "null", *settings, "features/"]


def check_cost(repeat: int = 2000) -> float:
    """Seconds one automatic check of the suite's response takes, measured in-process
    (steady even on a busy machine, unlike whole-run times)."""
    import time
    import types

    from asgibdd import TestClient
    from asgibdd.contracts import ContractChecker, discover

    module = types.ModuleType("bench_app")
    sys.modules["bench_app"] = module  # pydantic resolves annotations through the module
    exec(compile(_APP, "bench_app.py", "exec"), module.__dict__)
    document = discover(module.app)
    assert document is not None
    checker = ContractChecker(document)
    with TestClient(module.app) as client:
        response = client.get("/items/3")
        assert not checker.check(response.request, response, fetch=client.get).violations
        started = time.perf_counter()
        for _ in range(repeat):
            checker.check(response.request, response, fetch=client.get)
    return (time.perf_counter() - started) / repeat


def _children_cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 scenarios instead of 1,000")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    options = parser.parse_args(argv)
    scenarios = 200 if options.quick else 1000
    print(environment_line())
    with tempfile.TemporaryDirectory(prefix="asgibdd-contracts-bench-") as folder:
        project = write_suite(Path(folder), scenarios)
        (project / "bench_app.py").write_text(_APP, encoding="utf-8")
        runners = [
            Runner("off", "contract = false", project, _command("false")),
            Runner("on", "contract = true (the default)", project, _command("true")),
        ]
        warm_up(runners)
        cpu: dict[str, list[float]] = {runner.key: [] for runner in runners}
        for index in range(options.rounds):
            for runner in runners[index % 2 :] + runners[: index % 2]:
                before = _children_cpu()
                runner.seconds.append(run_once(runner, scenarios))
                cpu[runner.key].append(_children_cpu() - before)
            print(f"  round {index + 1}/{options.rounds} done", file=sys.stderr)
    off, on = (statistics.median(r.seconds) for r in runners)
    cpu_off, cpu_on = (statistics.median(cpu[r.key]) for r in runners)
    print(
        f"\n| {scenarios:,} scenarios, behave -f null, medians of {options.rounds} "
        "| wall | CPU | CPU per scenario |"
    )
    print("|---|---:|---:|---:|")
    for runner, wall, used in zip(runners, (off, on), (cpu_off, cpu_on), strict=True):
        print(
            f"| {runner.label} | {wall:.2f} s | {used:.2f} s | {used / scenarios * 1000:.2f} ms |"
        )
    for name, ratio in (("wall", on / off), ("CPU", cpu_on / cpu_off)):
        verdict = "PASS" if ratio <= TARGET else "MISS"
        print(f"on / off, {name} time = {ratio:.3f} (target <= {TARGET}): {verdict}")
    cost = check_cost()
    print(
        f"One check in-process: {cost * 1e6:.0f} µs per response, "
        f"{cost / (off / scenarios):.2%} of a scenario's {off / scenarios * 1000:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
