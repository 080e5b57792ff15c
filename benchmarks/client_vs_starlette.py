"""asgibdd's TestClient against Starlette's, side by side in one process.

Each measurement runs in rounds that alternate the two clients (ours, Starlette's, ours,
...), so both see the same machine load; the table shows the median time per operation
over the rounds, the ratio ours/theirs, and whether the ratio meets its target.

    .venv/bin/python benchmarks/client_vs_starlette.py            # full run (< 60 s)
    .venv/bin/python benchmarks/client_vs_starlette.py --quick    # a few seconds
    .venv/bin/python benchmarks/client_vs_starlette.py --check    # exit 1 on any MISS

See benchmarks/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import platform
import statistics
import sys
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

# Benchmark the checked-out code, not whatever asgibdd happens to be installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from starlette.exceptions import StarletteDeprecationWarning

from asgibdd import TestClient as OurClient

with warnings.catch_warnings():
    # Starlette 1.2+ warns on import that plain httpx (not httpx2) is deprecated for its client.
    warnings.filterwarnings("ignore", "Using `httpx`", StarletteDeprecationWarning)
    from starlette.testclient import TestClient as StarletteClient

# -- the apps under test ---------------------------------------------------------------------


def fastapi_app() -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            pass  # the client left: end quietly, as a real endpoint would

    return app


async def raw_app(scope: Any, receive: Any, send: Any) -> None:
    """The same three endpoints in bare ASGI: the floor the clients add their cost to."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "http":
        await receive()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"11")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok":true}'})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "text": message.get("text")})


# -- one measurement ---------------------------------------------------------------------------

Operation = Callable[[], None]
#: Builds the operation to time from a client class and an app; returns (operation, cleanup).
Setup = Callable[[Any, Any], tuple[Operation, Callable[[], None]]]


def get_inside_with(client_class: Any, app: Any) -> tuple[Operation, Callable[[], None]]:
    client = client_class(app)
    client.__enter__()
    return (lambda: _expect_ok(client.get("/ping"))), (lambda: client.__exit__(None, None, None))


def get_outside_with(client_class: Any, app: Any) -> tuple[Operation, Callable[[], None]]:
    client = client_class(app)
    return (lambda: _expect_ok(client.get("/ping"))), client.close


def enter_exit(client_class: Any, app: Any) -> tuple[Operation, Callable[[], None]]:
    def cycle() -> None:
        with client_class(app):
            pass

    return cycle, lambda: None


def websocket_round_trip(client_class: Any, app: Any) -> tuple[Operation, Callable[[], None]]:
    stack = contextlib.ExitStack()
    client = stack.enter_context(client_class(app))
    websocket = stack.enter_context(client.websocket_connect("/ws"))

    def round_trip() -> None:
        websocket.send_text("hello")
        if websocket.receive_text() != "hello":
            raise RuntimeError("the echo app did not echo")

    return round_trip, stack.close


def websocket_connect_close(client_class: Any, app: Any) -> tuple[Operation, Callable[[], None]]:
    stack = contextlib.ExitStack()
    client = stack.enter_context(client_class(app))

    def connect_close() -> None:
        with client.websocket_connect("/ws"):
            pass

    return connect_close, stack.close


def floor_get_batch(app: Any, operations: int) -> float:
    """Microseconds per GET with httpx's own `AsyncClient` + `ASGITransport`, every request
    awaited in one event loop: no thread, no lifespan, no second loop (the floor)."""

    async def batch() -> float:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            _expect_ok(await client.get("/ping"))  # warm up
            gc.collect()
            start = time.perf_counter()
            for _ in range(operations):
                _expect_ok(await client.get("/ping"))
            return time.perf_counter() - start

    return asyncio.run(batch()) / operations * 1e6


def _expect_ok(response: Any) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"GET /ping answered {response.status_code}")


@dataclass
class Row:
    app_name: str
    label: str
    setup: Setup
    #: Operations per batch in a full run (about 20-60 ms of Starlette's time per batch).
    batch: int
    #: The highest acceptable ratio ours/theirs, or None for a row shown for information.
    target: float | None
    app: Any
    ours: list[float] = field(default_factory=list)
    theirs: list[float] = field(default_factory=list)
    #: Times the other side's batch instead of Starlette's client (app, operations -> µs).
    other: Callable[[Any, int], float] | None = None

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours)

    @property
    def theirs_median(self) -> float:
        return statistics.median(self.theirs)

    @property
    def ratio(self) -> float:
        return self.ours_median / self.theirs_median

    @property
    def round_ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.ours, self.theirs, strict=True)]

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "-"
        return "PASS" if self.ratio <= self.target else "MISS"


def rows_for(app_name: str, app: Any) -> list[Row]:
    return [
        Row(app_name, "GET inside `with` (per request)", get_inside_with, 60, 0.5, app=app),
        Row(app_name, "GET outside `with` (per request)", get_outside_with, 30, 0.5, app=app),
        Row(app_name, "client + lifespan enter/exit", enter_exit, 30, 0.5, app=app),
        Row(app_name, "websocket echo round trip", websocket_round_trip, 200, 1.0, app=app),
        Row(app_name, "websocket connect + close", websocket_connect_close, 40, None, app=app),
        Row(
            app_name,
            "GET inside `with` / httpx AsyncClient + ASGITransport, one loop (the floor)",
            get_inside_with,
            60,
            1.6,
            app=app,
            other=floor_get_batch,
        ),
    ]


def time_batch(client_class: Any, row: Row, operations: int) -> float:
    """Microseconds per operation over one batch (set-up and clean-up not timed)."""
    operation, cleanup = row.setup(client_class, row.app)
    try:
        operation()  # warm this client's path up
        gc.collect()
        start = time.perf_counter()
        for _ in range(operations):
            operation()
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    return elapsed / operations * 1e6


def measure(rows: list[Row], rounds: int, scale: float) -> None:
    for index in range(rounds):
        for row in rows:
            operations = max(3, int(row.batch * scale))
            row.ours.append(time_batch(OurClient, row, operations))
            if row.other is not None:
                row.theirs.append(row.other(row.app, operations))
            else:
                row.theirs.append(time_batch(StarletteClient, row, operations))
        print(f"  round {index + 1}/{rounds} done", file=sys.stderr)


# -- the report --------------------------------------------------------------------------------


def environment_lines() -> Iterator[str]:
    yield (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{_cpu_count()} CPU(s); asgibdd {_version('asgibdd')}, starlette {version('starlette')}, "
        f"fastapi {version('fastapi')}, httpx {version('httpx')}, anyio {version('anyio')}"
    )


def _cpu_count() -> str:
    import os

    return str(os.cpu_count() or "?")


def _version(name: str) -> str:
    import asgibdd

    return str(getattr(asgibdd, "__version__", "?")) if name == "asgibdd" else version(name)


def table(rows: list[Row]) -> list[str]:
    header = (
        "| app | measure | asgibdd µs | Starlette (or floor) µs | ours/theirs | per-round ratios "
        "| target | result |"
    )
    lines = [header, "|---|---|--:|--:|--:|---|--:|---|"]
    for row in rows:
        spread = row.round_ratios
        target = "-" if row.target is None else f"≤ {row.target:.1f}"
        lines.append(
            f"| {row.app_name} | {row.label} | {row.ours_median:,.0f} | "
            f"{row.theirs_median:,.0f} | {row.ratio:.2f} | "
            f"{min(spread):.2f}–{max(spread):.2f} | {target} | {row.verdict} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 short rounds (a few seconds)")
    parser.add_argument("--rounds", type=int, help="number of alternating rounds (default 7)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 on any MISS")
    parser.add_argument(
        "--only", metavar="TEXT", help="run only the rows whose measure contains TEXT"
    )
    options = parser.parse_args(argv)
    rounds = options.rounds or (3 if options.quick else 7)
    scale = 0.3 if options.quick else 1.0

    rows = rows_for("FastAPI", fastapi_app()) + rows_for("raw ASGI", raw_app)
    if options.only:
        rows = [row for row in rows if options.only.lower() in row.label.lower()]
        if not rows:
            parser.error(f"no measure contains {options.only!r}")
    started = time.perf_counter()
    measure(rows, rounds, scale)
    took = time.perf_counter() - started

    for line in environment_lines():
        print(line)
    print(f"{rounds} alternating rounds, medians, {took:.1f} s in all\n")
    for line in table(rows):
        print(line)
    misses = [row for row in rows if row.verdict == "MISS"]
    print(f"\n{len(misses)} MISS, {sum(row.verdict == 'PASS' for row in rows)} PASS")
    return 1 if options.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
