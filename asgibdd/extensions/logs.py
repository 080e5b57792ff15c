"""httpx's INFO line per request, turned off for the run."""

from __future__ import annotations

import logging

from asgibdd.world import Extension, World

__all__ = ["QuietHttpxLog"]


class QuietHttpxLog(Extension):
    """Turns off httpx's INFO line per request for the run, unless the project set the
    `httpx` logger's level itself; the level is put back when the run ends.

    behave captures INFO logs around every step, so each request would leave a record with
    its full URL, secrets in the query string included, wherever captured logs are shown;
    a failure already shows the exchange with its secrets masked. Making the record is
    also among the dearest parts of a request.
    """

    def __init__(self) -> None:
        self._quieted = False

    def run_started(self, world: World) -> None:
        logger = logging.getLogger("httpx")
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
            self._quieted = True

    def run_ended(self, world: World) -> None:
        if self._quieted:
            logging.getLogger("httpx").setLevel(logging.NOTSET)
            self._quieted = False
