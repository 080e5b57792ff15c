"""One event loop for a run: clients entered one after another share their loop thread's
event loop, and whatever one client's app left scheduled is cancelled when it leaves."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from asgibdd import TestClient
from asgibdd._types import Receive, Scope, Send
from asgibdd.errors import UsageError
from tests.behave_project import run_feature


class LeavesWorkBehind:
    """An app whose `/schedule` leaves a task, a timer, a soon-callback and an open async
    generator behind, each of which would write into `written` later; `/where` says on
    which loop and thread it runs."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.cancelled: list[str] = []
        self.loops: list[asyncio.AbstractEventLoop] = []
        self.threads: set[int] = set()
        self.generators: list[AsyncIterator[int]] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            assert message["type"] == "lifespan.shutdown"
            await send({"type": "lifespan.shutdown.complete"})
            return
        loop = asyncio.get_running_loop()
        if loop not in self.loops:
            self.loops.append(loop)
        self.threads.add(threading.get_ident())
        if scope["path"] == "/schedule":
            self.tasks.append(asyncio.create_task(self._write_later("task")))
            loop.call_later(0.2, self.written.append, "timer")
            generator = self._generator()
            await generator.__anext__()
            self.generators.append(generator)  # kept alive: only closing it ends it
        elif scope["path"] == "/wait":
            await asyncio.sleep(0.5)  # long enough for anything left scheduled to fire
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"ok"})

    async def _write_later(self, what: str) -> None:
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            self.cancelled.append(what)
            raise
        self.written.append(what)

    async def _generator(self) -> AsyncIterator[int]:
        try:
            yield 1
            await asyncio.sleep(0.2)
            self.written.append("generator")
            yield 2
        finally:
            self.cancelled.append("generator")


def test_clients_entered_one_after_another_share_one_loop_and_one_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = LeavesWorkBehind()
    client = TestClient(app, reuse_loop=True)
    with client:  # a parked worker thread with its loop, as after a run's first scenario
        client.get("/where")
    started: list[threading.Thread] = []
    start = threading.Thread.start

    def counting_start(thread: threading.Thread) -> None:
        started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    for _ in range(50):
        with client:
            client.get("/where")
    for _ in range(20):  # a new client per scenario (another lifespan scope) too
        with TestClient(app, reuse_loop=True) as other:
            other.get("/where")
    assert started == []
    assert len(app.loops) == 1
    assert len(app.threads) == 1


def test_what_an_app_leaves_scheduled_is_cancelled_when_its_client_leaves() -> None:
    app = LeavesWorkBehind()
    client = TestClient(app, reuse_loop=True)
    with client:
        client.get("/schedule")
    # Cancelled, its cleanup run, before leaving the client returned.
    assert sorted(app.cancelled) == ["generator", "task"]
    with client:  # the next scenario, on the same loop
        client.get("/wait")
    assert len(app.loops) == 1
    assert app.written == []


def test_a_task_that_ignores_cancellation_takes_its_loop_with_it() -> None:
    stubborn_runs: list[str] = []
    tasks: list[asyncio.Task[None]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return  # no lifespan
        if scope["path"] == "/stubborn":

            async def ignore_cancellation() -> None:
                for _ in range(30):  # ~3 s at most, then it ends anyway
                    try:
                        await asyncio.sleep(0.1)
                    except asyncio.CancelledError:
                        stubborn_runs.append("cancel ignored")
                stubborn_runs.append("done")

            tasks.append(asyncio.create_task(ignore_cancellation()))
        stubborn_runs.append(f"loop {id(asyncio.get_running_loop())}")
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"ok"})

    client = TestClient(app, reuse_loop=True)
    with client:
        client.get("/stubborn")
    assert "cancel ignored" in stubborn_runs
    with client:
        client.get("/")
    loops = [entry for entry in stubborn_runs if entry.startswith("loop ")]
    assert len(set(loops)) == 2  # the next client got a new loop
    assert "done" not in stubborn_runs  # the old loop was closed, its task never resumed


def test_a_project_s_own_event_loop_policy_still_gives_the_loop() -> None:
    made: list[asyncio.AbstractEventLoop] = []

    class Policy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            loop = super().new_event_loop()
            made.append(loop)
            return loop

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        assert asyncio.get_running_loop() is made[-1]
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"ok"})

    asyncio.set_event_loop_policy(Policy())
    try:
        for _ in range(3):
            with TestClient(app, reuse_loop=True) as client:
                assert client.get("/").status_code == 200
    finally:
        asyncio.set_event_loop_policy(None)
    assert len(made) == 3 and all(loop.is_closed() for loop in made)


SCHEDULES = """
import asyncio
import threading

LOOPS = []
THREADS = set()
WRITTEN = []


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    loop = asyncio.get_running_loop()
    if loop not in LOOPS:
        LOOPS.append(loop)
    THREADS.add(threading.get_ident())
    if scope["path"] == "/schedule":
        loop.call_later(0.2, WRITTEN.append, "timer")
        asyncio.ensure_future(write_later())
    if scope["path"] == "/wait":
        await asyncio.sleep(0.5)
    body = '{"loops": %d, "threads": %d, "written": %s}' % (
        len(LOOPS), len(THREADS), str(WRITTEN).replace("'", '"')
    )
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body.encode()})


async def write_later():
    await asyncio.sleep(0.2)
    WRITTEN.append("task")
"""

ISOLATION_FEATURE = """
Feature: one loop for the run, nothing carried between scenarios

  Scenario: the app leaves work behind
    When I GET /schedule
    Then the response status is 200

  Scenario: the next scenario sees none of it
    When I GET /wait
    Then the JSON at "$.written" is []

  Scenario Outline: more scenarios on the same loop
    When I GET /where?n=<n>
    Then the response status is 200

    Examples:
      | n |
      | 1 |
      | 2 |
      | 3 |

  Scenario: one loop and one thread served every scenario
    When I GET /where
    Then the JSON at "$.loops" is 1
    And the JSON at "$.threads" is 1
    And the JSON at "$.written" is []
"""


def test_a_behave_run_uses_one_loop_and_no_scenario_sees_the_last_one_s_leftovers(
    tmp_path: Path,
) -> None:
    outcome = run_feature(tmp_path, ISOLATION_FEATURE, app="schedules:app", **_app_file())
    assert outcome.passed, outcome.output
    assert outcome.scenarios.passed == 6, outcome.output


def _app_file() -> dict[str, Any]:
    return {"schedules.py": SCHEDULES}


def test_reuse_loop_takes_true_or_false() -> None:
    with pytest.raises(UsageError) as caught:
        TestClient(LeavesWorkBehind(), reuse_loop="yes")  # type: ignore[arg-type]
    assert str(caught.value) == "TestClient(reuse_loop=...) expects True or False, got 'yes' (str)."


def test_without_reuse_loop_every_entry_gets_a_new_loop_as_with_starlette() -> None:
    app = LeavesWorkBehind()
    client = TestClient(app)
    for _ in range(3):
        with client:
            client.get("/schedule")
    assert len(app.loops) == 3 and all(loop.is_closed() for loop in app.loops)
