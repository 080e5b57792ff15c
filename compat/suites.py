"""The third-party suites the harness runs, and how to fetch and prepare each one."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = COMPAT_DIR.parent
CACHE_DIR = COMPAT_DIR / ".cache"


@dataclass(frozen=True)
class Suite:
    """A released sdist whose own tests use Starlette's TestClient."""

    name: str
    package: str
    version: str
    #: Paths (relative to the extracted sdist) handed to pytest.
    targets: tuple[str, ...] = ("tests",)
    #: Extra pytest arguments for both runs.
    pytest_args: tuple[str, ...] = ()
    #: (file, old line, new line) edits applied to the extracted copy; each says why below.
    patches: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def source_dir(self) -> Path:
        return CACHE_DIR / f"{self.package}-{self.version}"

    @property
    def sdist(self) -> Path:
        return CACHE_DIR / f"{self.package}-{self.version}.tar.gz"


# Starlette's tests import `httpx2 as httpx` only for type hints and two ASGITransport tests.
# Installing httpx2 would turn Starlette's own client into an httpx2.Client for the whole
# venv, so the harness keeps plain httpx and points those imports at it (both runs alike).
_HTTPX2_TO_HTTPX = "import httpx2 as httpx", "import httpx"

SUITES: dict[str, Suite] = {
    "starlette": Suite(
        name="starlette",
        package="starlette",
        version="1.10.0",
        patches=(
            ("tests/types.py", *_HTTPX2_TO_HTTPX),
            ("tests/test_responses.py", *_HTTPX2_TO_HTTPX),
        ),
    ),
    "fastapi": Suite(
        name="fastapi",
        package="fastapi",
        version="0.165.0",
        # Two workers: the full suite (~4,700 tests) takes ~2 min per run this way on 2 cores.
        pytest_args=("-n", "2", "--continue-on-collection-errors"),
    ),
}


def prepare(suite: Suite) -> Path:
    """Download (once) and extract the suite's sdist; apply its patches; return its folder."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    if not suite.sdist.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"{suite.package}=={suite.version}",
                "-d",
                str(CACHE_DIR),
            ],
            check=True,
        )
    if not suite.source_dir.exists():
        with tarfile.open(suite.sdist) as archive:
            archive.extractall(CACHE_DIR, filter="data")
    for relative, old, new in suite.patches:
        path = suite.source_dir / relative
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")
    return suite.source_dir
