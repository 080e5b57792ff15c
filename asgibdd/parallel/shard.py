"""Which shard this run is: `--shard i/n`, else the CI's own variables, else the whole suite.

CI systems number their parallel jobs differently: GitLab's `parallel:` sets
`CI_NODE_INDEX`/`CI_NODE_TOTAL` counting from 1, CircleCI's `parallelism` sets
`CIRCLE_NODE_INDEX`/`CIRCLE_NODE_TOTAL` counting from 0. A GitHub Actions matrix passes its
values on the command line: `--shard ${{ matrix.shard }}/4`. Shards count from 1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from asgibdd.errors import UsageError

__all__ = ["Shard", "parse_shard", "shard_from_environment"]

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `total`, and where that came from (for messages)."""

    index: int
    total: int
    source: str = "--shard"

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str, source: str = "--shard") -> Shard:
    """`"2/4"` → Shard(2, 4); anything else is a `UsageError` saying what is expected."""
    found = _SHARD.match(text)
    if found is None:
        raise UsageError(
            f"{source} expects INDEX/TOTAL such as 1/4, got {text!r}. Shards count from 1."
        )
    index, total = int(found[1]), int(found[2])
    if total < 1 or not 1 <= index <= total:
        raise UsageError(
            f"{source} {index}/{total} is not a shard: expected 1 <= INDEX <= TOTAL "
            f"(1/{max(total, 1)} to {max(total, 1)}/{max(total, 1)}). Shards count from 1."
        )
    return Shard(index, total, source)


def shard_from_environment(environ: Mapping[str, str]) -> Shard | None:
    """The shard GitLab or CircleCI gives this job, or None outside such a job."""
    for index_name, total_name, base in (
        ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1),
        ("CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0),
    ):
        index, total = environ.get(index_name), environ.get(total_name)
        if index is None and total in (None, "1"):
            continue  # GitLab sets CI_NODE_TOTAL=1 in every job without `parallel:`
        source = f"{index_name}={index}, {total_name}={total}"
        if index is None or total is None or not index.isdigit() or not total.isdigit():
            raise UsageError(
                f"{source} from the environment is not a shard: both must be set to whole "
                "numbers. Unset them or pass --shard INDEX/TOTAL."
            )
        first, last = base, int(total) - 1 + base
        if int(total) < 1 or not first <= int(index) <= last:
            raise UsageError(
                f"{source} from the environment is not a shard: {index_name} counts from "
                f"{base}, so it must be {first} to {last} of {total}. Unset them or pass "
                "--shard INDEX/TOTAL."
            )
        return Shard(int(index) + 1 - base, int(total), source)
    return None
