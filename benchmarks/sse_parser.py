"""The SSE decoder's speed: a long event fed byte by byte, and many events in one chunk.

    .venv/bin/python benchmarks/sse_parser.py

Prints the time to feed a 20 kB and a 200 kB event one byte at a time (a linear parser
takes about ten times longer for ten times the input, a quadratic one about a hundred),
and the time to parse 50,000 events handed over in one chunk. Timings are medians of five
rounds; the test suite checks the same inputs for correctness only.
"""

from __future__ import annotations

import statistics
import time

from asgibdd.client import ServerSentEvent, SSEDecoder


def feed_bytewise(size: int) -> float:
    stream = b"data: " + b"x" * size + b"\n\n"
    decoder = SSEDecoder()
    started = time.perf_counter()
    events = [event for i in range(len(stream)) for event in decoder.feed(stream[i : i + 1])]
    elapsed = time.perf_counter() - started
    assert events == [ServerSentEvent(data="x" * size)]
    return elapsed


def parse_many(count: int) -> float:
    stream = "".join(f'id: {n}\nevent: tick\ndata: {{"n": {n}}}\n\n' for n in range(count))
    started = time.perf_counter()
    events = SSEDecoder().feed(stream.encode())
    elapsed = time.perf_counter() - started
    assert len(events) == count
    return elapsed


def main() -> None:
    rounds = 5
    small = statistics.median(feed_bytewise(20_000) for _ in range(rounds))
    large = statistics.median(feed_bytewise(200_000) for _ in range(rounds))
    many = statistics.median(parse_many(50_000) for _ in range(rounds))
    print(f"20 kB event, byte by byte:   {small * 1000:8.1f} ms")
    print(
        f"200 kB event, byte by byte:  {large * 1000:8.1f} ms  ({large / small:.1f}x; linear ~10x)"
    )
    print(f"50,000 events in one chunk:  {many * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
