"""The demo's test mode: `POST /testing/reset` empties the store between scenarios.

In-process every scenario gets a new lifespan, and so an empty store. A server started
once (`uvicorn --factory asgibdd.demo:create_testing_app`) keeps one store for the whole
live run, so the suite's environment.py resets it before each scenario. Only the
testing app has this endpoint: a deployed demo never lets a client wipe its data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from asgibdd.demo.store import Store, get_store

router = APIRouter(tags=["testing"])
StoreDep = Annotated[Store, Depends(get_store)]

RESET_PATH = "/testing/reset"


@router.post(RESET_PATH, status_code=status.HTTP_204_NO_CONTENT)
async def reset(store: StoreDep) -> Response:
    store.reset()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
