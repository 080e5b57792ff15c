"""The app's outside world under the scenario's control: outbound HTTP calls caught,
answered by the scenario's stubs, and recorded for the `received` checks and the reports.

In process, every call the app makes through httpx, requests or aiohttp is caught
(`asgibdd.outbound.intercept`, for the whole run) and answered from the current
scenario's stubs; a call no step stubs fails the scenario (the step whose request raised
it, or else the request step that made it). Between scenarios no stub answers. Loopback and the
URL prefixes of the `outbound_allow` setting go to the real network.

Against a live service (`target = "live"`), the stubs are served by a real HTTP server on
`outbound_server` (`asgibdd.outbound.server`) for the deployed service to call.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from asgibdd.errors import ExpectationFailed
from asgibdd.outbound.intercept import Interceptors
from asgibdd.outbound.stubs import Call, Outbound, Outcome, Refused, Reply, TimedOut, Unstubbed
from asgibdd.steps.registry import current_step_text
from asgibdd.world import Extension, World

__all__ = ["OutboundServices"]


class OutboundServices(Extension):
    """Each scenario's `Outbound` (its services, stubs and the calls the app made), and
    what catches or serves those calls."""

    def __init__(self) -> None:
        self.outbound = Outbound()
        self.world: World | None = None
        self._interceptors: Interceptors | None = None
        self._server: Any = None
        self._reported = 0
        self._in_scenario = False

    def run_started(self, world: World) -> None:
        self.world = world
        self.outbound = Outbound(allowed=world.config.outbound_allow)
        if not world.config.live:
            # The current scenario's table answers: between scenarios, a fresh one.
            self._interceptors = Interceptors(self._decide, self._lets_through)
            self._interceptors.start()
        if world.config.live and world.config.outbound_server:
            from asgibdd.outbound.server import StubServer

            self._server = StubServer(world.config.outbound_server, self._decide)
            self._server.start(world.config.timeout)

    def run_ended(self, world: World) -> None:
        interceptors, self._interceptors = self._interceptors, None
        if interceptors is not None:
            interceptors.stop()
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    @property
    def served_at(self) -> str | None:
        """The stub server's address in a live run (None: no server)."""
        return None if self._server is None else str(self._server.address)

    def scenario_started(self, world: World, scenario: Any) -> None:
        self.world = world
        self.outbound = Outbound(allowed=world.config.outbound_allow)
        self._reported = 0
        self._in_scenario = True
        if self._interceptors is not None:
            self._interceptors.start()  # a client the app imported since the last start

    def scenario_ended(self, world: World, scenario: Any, status: str) -> None:
        self.outbound = Outbound(allowed=world.config.outbound_allow)
        self._in_scenario = False

    def _lets_through(self, url: str) -> bool:
        return self.outbound.lets_through(url)

    def exchange_recorded(
        self,
        world: World,
        step: str | None,
        request: httpx.Request,
        response: httpx.Response | None,
        duration: float | None,
    ) -> None:
        """Fail the step whose request made the app call what no step stubbed."""
        unstubbed = self.outbound.unstubbed()
        new, self._reported = unstubbed[self._reported :], len(unstubbed)
        if not new:
            return
        answered = (
            "The app never answered."
            if response is None
            else f"The app answered {response.status_code} {response.reason_phrase}."
        )
        raise ExpectationFailed("\n\n".join([*new, answered]))

    def _decide(self, call: Call, timeout: float | None) -> tuple[Call, Outcome]:
        """What `call` gets; the call is recorded for the reports on the way."""
        call, outcome = self.outbound.answer(replace(call, step=current_step_text()), timeout)
        if self.world is not None and self._in_scenario:  # a report of the scenario's own
            request = httpx.Request(call.method, call.url, headers=call.headers, content=call.body)
            response, missing = None, _missing(outcome)
            if isinstance(outcome, Reply):
                answer = outcome.answer
                headers = {"Content-Type": answer.content_type} if answer.content_type else {}
                response = httpx.Response(
                    answer.status, headers=headers, content=answer.body, request=request
                )
            self.world.record_outbound(call.step, call.service, request, response, missing)
        return call, outcome


def _missing(outcome: Outcome) -> str:
    """Why a call got no response, as a report's title says it."""
    if isinstance(outcome, Refused):
        return "connection refused (the service is down)"
    if isinstance(outcome, TimedOut):
        return f"timed out after {outcome.after:g} s (the app's own timeout)"
    if isinstance(outcome, Unstubbed):
        return "not stubbed: no step answers this call"
    return ""
