"""The error answers of the demo's routes, declared so its OpenAPI document lists them.

asgibdd checks every response against the app's document; a route that can answer 404
must say so, or the check (rightly) reports an undocumented status.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["ErrorDetail", "answers"]


class ErrorDetail(BaseModel):
    """FastAPI's `HTTPException` body."""

    detail: str


_DESCRIPTIONS = {
    301: "Moved to a new address (see Location)",
    307: "Redirected (see Location)",
    400: "The request cannot be served as given",
    401: "Not authenticated, or wrong credentials",
    404: "No such item",
}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for these statuses: an `ErrorDetail` body, or none for a redirect."""
    return {
        status: {"description": _DESCRIPTIONS[status]}
        if status < 400
        else {"description": _DESCRIPTIONS[status], "model": ErrorDetail}
        for status in statuses
    }
