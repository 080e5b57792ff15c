"""How long a step may wait, and how failures list what arrived while it waited."""

from __future__ import annotations

from asgibdd.environment import World

__all__ = ["received_so_far", "seconds_text", "wait_limit"]


def wait_limit(world: World, duration: float | None) -> float:
    """How long a step may wait: its own `within <duration>`, else the configured timeout."""
    return world.config.timeout if duration is None else duration


def seconds_text(seconds: float) -> str:
    """`1 second`, `0.2 seconds`."""
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


def received_so_far(shown: list[str], nothing: str) -> str:
    """The history block of a failure message: each item received, numbered, or `nothing`."""
    if not shown:
        return f"Received so far: {nothing}."
    lines = [f"Received so far ({len(shown)}):"]
    lines.extend(f"  {n}. {item}" for n, item in enumerate(shown, 1))
    return "\n".join(lines)
