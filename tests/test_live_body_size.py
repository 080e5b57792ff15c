"""A live response read whole is bounded by `max_body_size`; a streamed one is read a few
chunks ahead at most, whatever its size. Memory is proved by counting bytes (what the
reader was handed, what was read off the network), never by timing.

A real uvicorn server on loopback runs `tests/apps/live_app.py`, whose `/big?size=N`
streams N bytes in 64 KiB chunks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd import ExpectationFailed
from asgibdd.client import LiveClient, read_chunk
from asgibdd.config import load_config
from asgibdd.errors import ConfigError, UsageError
from tests.behave_project import run_feature
from tests.live_server import serve_demo

MIB = 1024 * 1024
#: The most one network read hands over (h11 reads at most 64 KiB at a time).
READ_SIZE = 64 * 1024
#: A bounded wait for the pump to fill its queue: a generous ceiling, not a speed claim.
WAIT_SECONDS = 10.0


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    with serve_demo(log, factory="tests.apps.live_app:create_app") as base_url:
        yield base_url


def _advice(path: str) -> str:
    return (
        f"Read a large body as it arrives (`When I open the stream {path}` in a feature, "
        "client.stream(...) in Python), or raise the limit: max_body_size in asgibdd's config "
        "(-D asgibdd.max_body_size=...), or LiveClient(base_url, max_body_size=...)."
    )


def test_a_body_over_max_body_size_fails_naming_the_setting_and_is_not_kept(
    service: str,
) -> None:
    with LiveClient(service, max_body_size=MIB) as client:
        with pytest.raises(ExpectationFailed) as failed:
            client.get(f"/big?size={32 * MIB}")
        assert client.get("/health").text == "ok"  # the client goes on working
    message = str(failed.value)
    assert message.startswith(
        f"The response to GET {service}/big is larger than max_body_size (1048576 bytes), the "
        "most a response read whole may hold: it sent "
    )
    assert message.endswith(f" bytes so far. {_advice('/big')}")


def test_a_declared_content_length_over_the_limit_fails_before_reading(service: str) -> None:
    with (
        LiveClient(service, max_body_size=MIB) as client,
        pytest.raises(ExpectationFailed) as failed,
    ):
        client.get(f"/big?size={32 * MIB}&declared=1")
    assert str(failed.value) == (
        f"The response to GET {service}/big is larger than max_body_size (1048576 bytes), the "
        f"most a response read whole may hold: it declares {32 * MIB} bytes (Content-Length). "
        + _advice("/big")
    )


def test_reading_whole_keeps_at_most_the_limit_and_a_few_chunks_more(service: str) -> None:
    with LiveClient(service) as client, client.stream("GET", f"/big?size={32 * MIB}") as response:
        body = response.reader  # type: ignore[attr-defined]  # the LiveBody it is read through
        with pytest.raises(ExpectationFailed):
            body.read_all(10.0, max_size=MIB)
        # Counted, not timed: what the reader kept, and what the pump read beyond it.
        assert MIB < body.received <= MIB + READ_SIZE
        assert body.pumped - body.received <= (body.read_ahead + 1) * READ_SIZE


def test_a_large_streamed_body_is_read_a_few_chunks_ahead_at_most(service: str) -> None:
    size = 32 * MIB
    with LiveClient(service) as client, client.stream("GET", f"/big?size={size}") as response:
        body = response.reader  # type: ignore[attr-defined]  # the LiveBody it is read through
        first = read_chunk(response, timeout=10)
        assert first is not None
        # The pump runs ahead until its queue is full, then waits for the reader.
        deadline = time.monotonic() + WAIT_SECONDS
        while body.queued() < body.read_ahead and time.monotonic() < deadline:
            time.sleep(0.01)
        assert body.queued() == body.read_ahead, f"the pump read {body.pumped} of {size} bytes"
        ahead = body.pumped - body.received
        assert ahead <= (body.read_ahead + 1) * READ_SIZE
        # Everything still arrives, in order, for a reader that goes on.
        total = len(first)
        while (chunk := read_chunk(response, timeout=10)) is not None:
            total += len(chunk)
    assert total == size


def test_max_body_size_is_checked_where_it_is_given(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as wrong:
        LiveClient("http://127.0.0.1:1", max_body_size=0)
    assert str(wrong.value) == (
        "LiveClient(max_body_size=...) expects a number of bytes above 0, e.g. "
        "64 * 1024 * 1024, got 0."
    )
    live = {"asgibdd.target": "live", "asgibdd.base_url": "http://127.0.0.1:1"}
    sizes = {"1048576": MIB, "10 MB": 10_000_000, "64 MiB": 64 * MIB, "2kib": 2048}
    for text, size in sizes.items():
        config = load_config({**live, "asgibdd.max_body_size": text}, {}, tmp_path)
        assert config.max_body_size == size
    with pytest.raises(ConfigError) as bad:
        load_config({**live, "asgibdd.max_body_size": "lots"}, {}, tmp_path)
    assert str(bad.value) == (
        "The max_body_size from behave -D asgibdd.max_body_size must be a number of bytes "
        "above 0, like 1048576, 10 MB or 64 MiB; got 'lots'."
    )
    with pytest.raises(ConfigError) as in_process:
        load_config({"asgibdd.app": "a:b", "asgibdd.max_body_size": "1 MiB"}, {}, tmp_path)
    assert str(in_process.value) == (
        "The setting max_body_size only applies to the live target (a deployed service), but "
        'the target is in-process. Set target = "live" with the service\'s base_url, or '
        "remove them."
    )


def test_a_get_step_over_max_body_size_fails_with_the_advice(service: str, tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        f"""
        Feature: big
          Scenario: a body too large to read whole
            When I GET /big?size={8 * MIB}
            Then the response status is 200
        """,
        *("-D", "asgibdd.target=live", "-D", f"asgibdd.base_url={service}"),
        *("-D", "asgibdd.max_body_size=1 MiB"),
    )
    assert not outcome.passed
    assert (
        f"The response to GET {service}/big is larger than max_body_size (1048576 bytes)"
        in outcome.output
    )
    assert _advice("/big") in outcome.output
