"""Parallel and sharded runs: `asgibdd run -j N` and `asgibdd run --shard i/n`.

One module per concept:

- `listing`: which scenarios a behave command line would run, each with the location
  behave accepts (`path.feature:LINE`, outline rows included).
- `durations`: the durations file earlier runs wrote (`.asgibdd/durations.json`).
- `split`: deterministic, duration-balanced splitting into shards and workers; `@serial`
  scenarios stay together.
- `shard`: `--shard i/n`, or the CI's own variables when no flag is given.
- `records`: the behave formatter a worker runs, one JSON line per finished scenario.
- `worker`: one behave subprocess per worker (per `--batch`), watched and bounded in time.
- `bootstrap`: a worker process started before its work is known, so its imports overlap
  the listing.
- `summary`: behave's summary lines with every worker's totals.
- `outputs`: per-worker output files and their merge into the files the user asked for.

Nothing in the library imports this package; only `asgibdd.cli.run` does.
"""
