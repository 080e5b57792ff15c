"""The work of one scenario's client, counted: Python function calls (every thread) per
enter + GET + exit, with and without issue 26's changes. Counts do not depend on the
machine's load, so this is the steady figure on a shared machine.

    .venv/bin/python benchmarks/client_work.py
    .venv/bin/python benchmarks/client_work.py --cycles 500

Variants: the kept event loop (`reuse_loop=True`, what behave runs use) against a new loop
per entry, and the lean send path against httpx's own (its authentication flow for every
request, its cookie jar reading every response), put back for the measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from asgibdd import TestClient


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b'{"ok": true}'})


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.on = False

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if self.on and event in ("call", "c_call"):
            self.calls += 1


@contextlib.contextmanager
def httpx_send_path() -> Iterator[None]:
    """httpx's own send path: the authentication flow and the cookie jar every time."""
    cookies_class = type(TestClient(app).cookies)  # the client's lean cookies
    lean_auth = TestClient.__dict__["_send_handling_auth"]
    lean_cookies = cookies_class.__dict__["extract_cookies"]
    del TestClient._send_handling_auth
    cookies_class.extract_cookies = httpx.Cookies.extract_cookies  # type: ignore[method-assign]
    try:
        yield
    finally:
        TestClient._send_handling_auth = lean_auth  # type: ignore[method-assign]
        cookies_class.extract_cookies = lean_cookies  # type: ignore[method-assign]


def calls_per_cycle(counter: Counter, client: TestClient, cycles: int) -> float:
    for _ in range(20):  # warm up (parked thread, kept loop, caches)
        with client:
            client.get("/")
    counter.calls = 0
    counter.on = True
    for _ in range(cycles):
        with client:
            client.get("/")
    counter.on = False
    return counter.calls / cycles


def cpu_per_cycle(client: TestClient, cycles: int) -> float:
    """CPU microseconds (the process: every thread) per enter + GET + exit."""
    start = time.process_time()
    for _ in range(cycles):
        with client:
            client.get("/")
    return (time.process_time() - start) / cycles * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=9, help="interleaved CPU-time rounds")
    options = parser.parse_args(argv)
    counter = Counter()
    threading.setprofile(counter)  # the loop's worker thread starts after this
    sys.setprofile(counter)
    rows = []
    for reuse in (False, True):
        for lean in (False, True):
            client = TestClient(app, reuse_loop=reuse)
            with contextlib.nullcontext() if lean else httpx_send_path():
                calls = calls_per_cycle(counter, client, options.cycles)
            rows.append((reuse, lean, calls))
    sys.setprofile(None)
    threading.setprofile(None)  # type: ignore[arg-type]
    print(f"Python calls per enter + GET + exit (all threads), {options.cycles} cycles:\n")
    print("| event loop | send path | calls | of the first row |")
    print("|---|---|--:|--:|")
    first = rows[0][2]
    for reuse, lean, calls in rows:
        loop = "kept (`reuse_loop=True`)" if reuse else "new per entry"
        path = "lean" if lean else "httpx's own"
        print(f"| {loop} | {path} | {calls:,.0f} | {calls / first:.2f} |")
    cpu: dict[tuple[bool, bool], list[float]] = {(reuse, lean): [] for reuse, lean, _ in rows}
    for index in range(options.rounds):
        variants = list(cpu)
        shift = index % len(variants)
        for reuse, lean in variants[shift:] + variants[:shift]:
            client = TestClient(app, reuse_loop=reuse)
            with contextlib.nullcontext() if lean else httpx_send_path():
                cpu_per_cycle(client, 20)  # warm up
                cpu[reuse, lean].append(cpu_per_cycle(client, options.cycles))
    print(f"\nCPU µs per enter + GET + exit, medians of {options.rounds} interleaved rounds:\n")
    print("| event loop | send path | CPU µs | of the first row |")
    print("|---|---|--:|--:|")
    base = statistics.median(cpu[False, False])
    for (reuse, lean), values in cpu.items():
        loop = "kept (`reuse_loop=True`)" if reuse else "new per entry"
        path = "lean" if lean else "httpx's own"
        median = statistics.median(values)
        print(f"| {loop} | {path} | {median:,.0f} | {median / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
