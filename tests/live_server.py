"""A real server for the live tests: uvicorn serving the demo in its test mode.

Started in a subprocess on 127.0.0.1 with a free port, ready when `/health` answers (a
bounded wait), stopped when the tests are done. wsproto serves the websockets (installed
with httpx-ws), so no websockets library deprecation warning can reach the tests.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

#: Seconds the server may take to answer its first health check, and to stop.
START_SECONDS = 30.0
STOP_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class TLSFiles:
    """A server certificate for 127.0.0.1 and the CA bundle that signed it."""

    certificate: Path
    key: Path
    ca_bundle: Path


#: The demo in its test mode, as uvicorn's --factory builds it.
DEMO = "asgibdd.demo:create_testing_app"


@contextmanager
def serve_demo(log: Path, tls: TLSFiles | None = None, factory: str = DEMO) -> Iterator[str]:
    """Run the demo (or the app `factory` builds) under uvicorn while the block runs;
    yields its base URL (https:// when `tls` gives it a certificate)."""
    with serve("--factory", factory, log=log, tls=tls) as base_url:
        yield base_url


@contextmanager
def serve(
    *app: str, log: Path, tls: TLSFiles | None = None, ready: str = "/health"
) -> Iterator[str]:
    """Run `app` (uvicorn's arguments naming it) under uvicorn while the block runs, ready
    once `ready` answers 200; yields its base URL."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", *app),
        *("--host", "127.0.0.1", "--port", str(port), "--ws", "wsproto", "--lifespan", "on"),
        # Fixed headers, so that failure transcripts can be compared as exact text.
        *("--no-server-header", "--no-date-header", "--log-level", "warning"),
    ]
    base_url = f"http://127.0.0.1:{port}"
    verify: bool | ssl.SSLContext = True
    if tls is not None:
        command += ["--ssl-certfile", str(tls.certificate), "--ssl-keyfile", str(tls.key)]
        base_url = f"https://127.0.0.1:{port}"
        verify = ssl.create_default_context(cafile=str(tls.ca_bundle))
    with _running(command, base_url, log, verify, None, ready) as url:
        yield url


@contextmanager
def serve_app(app: str, log: Path, env: dict[str, str]) -> Iterator[str]:
    """Run `app` ("module:attribute", with a GET /health) under uvicorn while the block
    runs, with `env` added to its environment; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    base_url = f"http://127.0.0.1:{port}"
    root = str(Path(__file__).resolve().parent.parent)
    environment = {**os.environ, **env, "PYTHONPATH": root}
    with _running(
        [*command, "--log-level", "warning"], base_url, log, True, environment, "/health"
    ) as url:
        yield url


@contextmanager
def _running(
    command: list[str],
    base_url: str,
    log: Path,
    verify: bool | ssl.SSLContext,
    env: dict[str, str] | None,
    ready: str,
) -> Iterator[str]:
    """Run `command` (a uvicorn server at `base_url`, ready once `ready` answers 200)
    until the block ends."""
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_until_ready(process, base_url + ready, log, verify)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_SECONDS)


def _wait_until_ready(
    process: subprocess.Popen[bytes], url: str, log: Path, verify: bool | ssl.SSLContext
) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1.0, verify=verify).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"uvicorn did not answer within {START_SECONDS} s:\n{log.read_text()}")
