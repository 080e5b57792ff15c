"""The scenario's last HTTP exchange, which every response check and capture reads."""

from __future__ import annotations

import sys
from typing import Any

import httpx

from asgibdd.environment import get_world
from asgibdd.errors import ExpectationFailed
from asgibdd.steps.registry import step_usage_error
from asgibdd.transcript import render_exchange, render_replay
from asgibdd.world import console_for
from asgibdd.world import show as show_line

__all__ = ["exchange_failure", "last_exchange", "show", "transcript"]


def last_exchange(context: Any) -> tuple[httpx.Request, httpx.Response]:
    """The last request and its response; `UsageError` naming the step if none was sent."""
    world = get_world(context)
    if world.last_request is None or world.last_response is None:
        raise step_usage_error(
            "needs a response, but no request was sent in this scenario yet. "
            "Send one first, e.g. `When I GET /items`."
        )
    return world.last_request, world.last_response


def transcript(context: Any) -> str:
    """The last request and response, secrets masked, long bodies cut."""
    request, response = last_exchange(context)
    return render_exchange(request, response, secrets=get_world(context).secrets)


def exchange_failure(context: Any, message: str) -> ExpectationFailed:
    """An `ExpectationFailed` carrying `message`, the transcript of the last exchange and
    the curl command that replays its request."""
    world = get_world(context)
    request, _ = last_exchange(context)
    replay = render_replay(request, secrets=world.secrets, in_process=not world.config.live)
    return ExpectationFailed(f"{message}\n{transcript(context)}\n{replay}")


def show(context: Any, text: str) -> None:
    """Print `text` for the reader now, even while behave captures the step's output.

    The captured copy still goes where behave puts captured output (the JUnit report, the
    report of a failing scenario); with capture on (behave's default), a copy also goes to
    the console, since a step that shows something is asked to show it.
    """
    console = console_for(context)
    if console is not sys.__stdout__:
        # stdout carries a machine-readable report: the text goes to stderr only.
        show_line(text, context)
        return
    print(text)
    if getattr(context.config, "stdout_capture", False) and console is not None:
        console.write(text + "\n")
        console.flush()
