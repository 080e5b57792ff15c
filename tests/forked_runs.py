"""The suite's behave and `asgibdd run` processes, forked from one that has imported behave
and FastAPI once.

The suite starts hundreds of `python -m behave` and `python -m asgibdd run` processes
(`asgibdd.testing.run_behave`, `run_asgibdd`), and most of each one's CPU time went to
importing behave and FastAPI (with pydantic and Starlette) again. Each pytest worker
starts one server process that imports those once and then forks a child per run. A
child is still a process of its own, started from nothing of asgibdd's: it gets the run's
working folder, environment (os.environ replaced whole), `sys.path` (the folder, then
`PYTHONPATH`, then the interpreter's own, as `python -m` builds it), `sys.argv`, stdout
and stderr (one pipe, as `subprocess.run(..., stderr=STDOUT)`), runs the module as
`__main__` the way `python -m` does, and exits like a Python process (atexit handlers,
flushed buffers, an uncaught exception's traceback and status 1).

What the server imported (`PRELOADED`) reads nothing of the run: a run whose environment
differs from the server's in a setting read at start-up or at import (PYTHON*, BEHAVE_*,
PYDANTIC_*, locale) is started the ordinary way, and so is a run started while another
is under way in the same pytest worker. TESTS_FORKED_RUNS=0 starts every run the ordinary
way (docs/development.md).
"""

from __future__ import annotations

import atexit
import io
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from asgibdd import testing

#: What the server imports before it forks: no module of asgibdd's, nor httpx (asgibdd
#: decides what of httpx is imported), nor any module whose presence asgibdd looks at.
PRELOADED = (
    "behave.__main__",
    "fastapi",
    "fastapi.openapi.utils",
    "asyncio",
    "anyio._backends._asyncio",
    "trio",
    "h11",
    "h2.connection",
    "jsonpath_ng",
    "jsonschema_rs",
    "regex",
)
#: Environment variables read at interpreter start-up or when those modules are imported.
_READ_AT_START = ("PYTHON", "BEHAVE_", "PYDANTIC_", "FASTAPI_", "LANG", "LC_")
#: Those of them that a child applies itself, as the interpreter would have at its start.
_SET_BY_THE_CHILD = ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")

# The server: imports PRELOADED, then for each request forks a child that becomes the run.
# A request arrives on the socket whose fd is the server's first argument (JSON, its length
# first) with the run's stdout pipe attached; the server answers the child's pid, then its
# exit status.
_SERVER = r"""
import importlib, json, os, socket, sys, time

def serve(fd, *preloaded):
    for name in preloaded:
        importlib.import_module(name)
    # behave's entry point is imported for what it imports, then run anew as __main__.
    sys.modules.pop("behave.__main__", None)
    vars(sys.modules["behave"]).pop("__main__", None)
    base = sys.path[1:]  # without -c's "" (the run's own folder goes first)
    channel = socket.socket(fileno=int(fd))
    channel.sendall(b"ready\n")
    while True:
        header, fds, _, _ = socket.recv_fds(channel, 16, 1)
        if not header:
            return None  # the pytest worker is gone
        size = int(header)
        body = b""
        while len(body) < size:
            body += channel.recv(size - len(body))
        request = json.loads(body)
        pid = os.fork()
        if pid == 0:
            channel.close()
            output = fds[0]
            os.dup2(output, 1)
            os.dup2(output, 2)
            os.close(output)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            time.tzset()  # TZ as the run's environment has it (Django sets it, for one)
            sys.dont_write_bytecode = bool(request["env"].get("PYTHONDONTWRITEBYTECODE"))
            folders = [os.getcwd()]
            for entry in request["env"].get("PYTHONPATH", "").split(os.pathsep):
                folders.append(os.path.abspath(entry))
            for entry in base:
                folders.append(entry)
            sys.path[:] = list(dict.fromkeys(folders))
            sys.argv[:] = ["-m", *request["arguments"]]
            return request["module"]
        os.close(fds[0])
        channel.sendall(f"{pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        channel.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())

module = serve(*sys.argv[1:])
if module is not None:
    import runpy
    runpy._run_module_as_main(module, alter_argv=True)
"""


class _Server:
    """One pytest worker's forking server, started at its first run."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment
        ours, theirs = socket.socketpair()
        os.set_inheritable(theirs.fileno(), True)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(theirs.fileno()), *PRELOADED],
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # not a terminal, buffered as a pipe is
            stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()
        self.channel = ours
        self.replies = ours.makefile("rb")
        if self.replies.readline() != b"ready\n":
            raise RuntimeError(f"the forking server did not start: {self.process.wait()}")
        atexit.register(self.close)

    def close(self) -> None:
        """End the server: it stops when its socket closes."""
        self.replies.close()
        self.channel.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def run(
        self, arguments: list[str], cwd: Path, environment: dict[str, str], timeout: float
    ) -> tuple[int, str]:
        request = json.dumps(
            {"module": arguments[2], "arguments": arguments[3:], "cwd": str(cwd),
             "env": environment}
        ).encode()  # fmt: skip
        reading, writing = os.pipe()
        try:
            socket.send_fds(self.channel, [b"%-16d" % len(request)], [writing])
        finally:
            os.close(writing)
        self.channel.sendall(request)
        pid = int(self.replies.readline())
        output = bytearray()
        timed_out = False
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector, open(reading, "rb", buffering=0) as pipe:
            selector.register(pipe, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    timed_out = True
                    os.kill(pid, signal.SIGKILL)
                    break
                chunk = pipe.read(65536)
                if not chunk:
                    break
                output += chunk
        returncode = int(self.replies.readline())
        # Decoded as subprocess.run(text=True) decodes: the locale's encoding, universal newlines.
        text = io.TextIOWrapper(io.BytesIO(bytes(output))).read()
        if timed_out:
            raise subprocess.TimeoutExpired(arguments, timeout, output=text)
        return returncode, text


_server: _Server | None = None
#: The environment the pytest process started with (tests may change os.environ later).
_started_with = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
_busy = threading.Lock()


def forks(arguments: list[str], environment: dict[str, str]) -> bool:
    """Whether a run of `arguments` with `environment` can start from the server's imports:
    `python -m <module>`, with what is read at start-up and import as the server has it."""
    return (
        arguments[:2] == [sys.executable, "-m"]
        and len(arguments) > 2
        and all(
            environment.get(name) == _started_with.get(name)
            for name in {*environment, *_started_with}
            if name not in _SET_BY_THE_CHILD and name.startswith(_READ_AT_START)
        )
    )


def launch(
    arguments: list[str], cwd: Path, environment: dict[str, str], timeout: float
) -> tuple[int, str]:
    """`asgibdd.testing`'s launch: in a forked child where that is the same as a new process."""
    global _server
    if not forks(arguments, environment) or not _busy.acquire(blocking=False):
        return testing._launch(arguments, cwd, environment, timeout)
    try:
        if _server is None or _server.process.poll() is not None:
            _server = _Server(_started_with)
        return _server.run(arguments, cwd, environment, timeout)
    finally:
        _busy.release()


def install() -> None:
    """Use forked runs for this pytest process, unless TESTS_FORKED_RUNS=0."""
    if os.environ.get("TESTS_FORKED_RUNS", "1") != "0" and hasattr(os, "fork"):
        testing.launch = launch
