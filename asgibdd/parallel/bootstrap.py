"""A worker process started before its work is known: `python -m asgibdd.parallel.bootstrap`.

The runner starts its workers first thing, and only then lists and splits the scenarios;
meanwhile each worker imports behave and asgibdd (the client and httpx: most of a worker's
start-up), so the two overlap instead of adding up. The worker then reads one line from
stdin, its behave arguments as a JSON list, and runs behave with them in this process; an
empty line or a closed stdin (the runner had no work for it, or is gone) ends it at once.
"""

from __future__ import annotations

import json
import sys

__all__ = ["main"]


def main() -> int:
    import behave.__main__

    import asgibdd.environment  # noqa: F401  (the heavy imports, done while the runner lists)

    line = sys.stdin.readline()
    if not line.strip():
        return 0
    arguments = json.loads(line)
    return int(behave.__main__.main(arguments) or 0)


if __name__ == "__main__":
    sys.exit(main())
