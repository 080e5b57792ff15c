"""A worker process started before its work is known: `python -m asgibdd.parallel.bootstrap
BEHAVE_ARGS_JSON`.

The runner starts its workers first thing, and only then lists and splits the scenarios;
meanwhile each worker imports behave, asgibdd and its steps, and the app's module (found
from the run's behave options, as `before_all` will find it), so the start-ups overlap
instead of adding up. The worker then reads one line from stdin, its behave arguments as
a JSON list, and runs behave with them in this process; an empty line or a closed stdin
(the runner had no work for it, or is gone) ends it at once. SIGTERM is Ctrl-C to it.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
from types import FrameType
from typing import NoReturn

__all__ = ["exit_now", "main", "preload"]


def preload(behave_args: list[str] | None) -> None:
    """Import what the run will need, the app's module too when the run's `behave_args`
    are known; quietly: any failure is the run's to report."""
    import behave.__main__  # noqa: F401

    import asgibdd.environment
    import asgibdd.parallel.records  # noqa: F401
    from asgibdd.steps import load_library

    load_library()
    if behave_args is None:
        return
    try:
        from asgibdd.config import features_paths, load_config
        from asgibdd.django import preload_app_module
        from asgibdd.parallel.listing import behave_configuration

        configuration = behave_configuration(behave_args)
        config = load_config(dict(configuration.userdata), paths=features_paths(configuration))
    except Exception:  # a bad option or setting: the run itself says what is wrong
        return
    preload_app_module(config)


def _interrupt(number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {number}")


def main(argv: list[str] | None = None) -> int:
    # The runner passes on the SIGTERM it gets (a CI system cancelling the job): behave
    # then ends as on Ctrl-C, its after hooks run and its outputs are written.
    signal.signal(signal.SIGTERM, _interrupt)
    arguments = sys.argv[1:] if argv is None else argv
    preload(json.loads(arguments[0]) if arguments else None)
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    import behave.__main__

    return int(behave.__main__.main(json.loads(line)) or 0)


def exit_now(code: int) -> NoReturn:
    """End the worker without the interpreter's teardown, which frees the whole run's
    objects one by one (~0.1 s the runner would wait for at the end): behave has closed
    its outputs by now; the exit handlers (logging's flush, the app's own) still run."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
