"""Debian's Chromium, headless, driven by Playwright: for the report tests and scripts.

Never `playwright install`: it downloads a browser, which this project's machines cannot.
The flags keep Chromium from calling home (the machines' closed network refuses it, and
a refused background connection can stall a page load), and every launch gets a new,
empty profile.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip on a developer's machine without Chromium; in CI (.ci/run installs it) fail."""
    if os.path.exists(CHROMIUM):
        return
    message = f"no Chromium at {CHROMIUM}: apt-get install chromium"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def chromium(width: int = 1200, height: int = 900) -> Iterator[BrowserContext]:
    """A headless Chromium with a fresh profile, closed afterwards."""
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": width, "height": height},
        )
        try:
            yield context
        finally:
            context.close()
