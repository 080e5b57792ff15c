"""Print constraints that pin every runtime dependency to the lowest release it declares.

    python .ci/floors.py 3.10 > floors.txt
    uv pip install -e . --group dev --constraint floors.txt

uv resolves the runtime dependencies with `--resolution lowest-direct` (the lowest release
each `>=` allows, on that Python); only those direct dependencies are pinned, so the dev
tools resolve as usual around them. The floor leg of .ci/run installs through it: a floor
that no longer works (an API the code uses arrived later) fails CI, not a user's first run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OURS = "asgibdd (pyproject.toml)"


def floors(python_version: str) -> list[str]:
    root = Path(__file__).resolve().parent.parent
    compiled = subprocess.run(
        [
            "uv",
            "pip",
            "compile",
            "pyproject.toml",
            "--quiet",
            "--resolution",
            "lowest-direct",
            "--python-version",
            python_version,
            "--no-header",
        ],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins: list[str] = []
    pin = ""
    for line in compiled.splitlines():
        if line and not line.startswith((" ", "#")):
            pin = line.strip()
        elif OURS in line and pin:
            pins.append(pin)
            pin = ""
    return pins


if __name__ == "__main__":
    print("\n".join(floors(sys.argv[1] if len(sys.argv) > 1 else "3.10")))
