"""The durations file: how long each scenario took when it last ran.

`.asgibdd/durations.json` (or `--durations PATH`), written after every run:

    {"format": "asgibdd-durations/1",
     "scenarios": {"features/items.feature::list items": 0.0123, ...}}

Keys are the feature path (relative to the working folder, `/`-separated) and the
scenario's name as behave shows it (outline rows carry ` -- @1.1 ...`). A run updates the
scenarios it ran and keeps the others, so shards that each write their part and a file
copied between CI jobs both keep working. Keys are sorted, so the file diffs well.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from asgibdd.errors import UsageError

__all__ = ["DEFAULT_PATH", "FORMAT", "read_durations", "write_durations"]

FORMAT = "asgibdd-durations/1"
DEFAULT_PATH = Path(".asgibdd") / "durations.json"


def read_durations(path: Path) -> dict[str, float]:
    """The seconds per scenario key in `path`; empty when the file does not exist yet."""
    fix = "Delete it or pass another file with --durations; the next run writes one."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise UsageError(
            f"{path} is a folder, not a durations file. Pass a file with --durations "
            f"(default: {DEFAULT_PATH}); the next run writes it."
        ) from None
    except OSError as error:
        raise UsageError(f"{path} cannot be read: {error.strerror}. {fix}") from None
    except ValueError as error:
        raise UsageError(
            f"{path} is not JSON ({error}). Delete it; the next run writes a new one."
        ) from None
    if not isinstance(data, dict):
        raise UsageError(
            f"{path} holds a JSON {type(data).__name__}, not an asgibdd durations file (a "
            f'JSON object with "format": "{FORMAT}"). {fix}'
        )
    if data.get("format") != FORMAT:
        raise UsageError(
            f"{path} is not an asgibdd durations file (format {data.get('format')!r}, "
            f"expected {FORMAT!r}). {fix}"
        )
    scenarios = data.get("scenarios", {})
    if not isinstance(scenarios, dict):
        raise UsageError(
            f'{path}: "scenarios" holds a JSON {type(scenarios).__name__}, expected an object '
            f"of seconds by scenario. {fix}"
        )
    return {
        str(key): float(value)
        for key, value in scenarios.items()
        if isinstance(value, int | float) and value >= 0
    }


def write_durations(path: Path, measured: Mapping[str, float]) -> None:
    """Merge `measured` into the file at `path` (created with its folder if needed)."""
    if not measured:
        return
    merged = {**read_durations(path), **{key: round(v, 6) for key, v in measured.items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": FORMAT, "scenarios": dict(sorted(merged.items()))}, indent=1)
    # Written aside and renamed, so a run killed half-way never leaves half a file.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    temporary.replace(path)
