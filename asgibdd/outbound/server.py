"""The scenario's stubs served over the network, for a deployed service (the live target).

A uvicorn server in a thread of this process, on the `outbound_server` host and port,
answers every request from the current scenario's stubs (`Decide`): the deployed service's
dependency URLs point at it, and the scenario declares each service at the URL the
service calls (`http://tests.internal:8089/payments`). The URL a call was made to is
rebuilt from its `Host` header, so the same `received` checks work as in process.

A service that is down closes the connection without an answer; a call no step stubs is
answered 502 with the failure text, and fails the scenario's next request step.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from asgibdd.errors import ConfigError
from asgibdd.outbound.intercept import Decide
from asgibdd.outbound.stubs import Call, Refused, Reply, TimedOut

__all__ = ["StubServer"]


class StubServer:
    """uvicorn serving the stubs on `address` ("host:port") from a thread."""

    def __init__(self, address: str, decide: Decide) -> None:
        self.address = address
        self.decide = decide
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float) -> None:
        """Serve; `ConfigError` if the server is not listening within `timeout` seconds."""
        try:
            import uvicorn
        except ImportError:
            raise ConfigError(
                f"outbound_server = {self.address!r} serves the stubs with uvicorn, which is "
                "not installed: pip install uvicorn."
            ) from None
        host, _, port = self.address.rpartition(":")
        config = uvicorn.Config(
            self._app,
            host=host,
            port=int(port),
            log_level="warning",
            lifespan="off",
            interface="asgi3",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="asgibdd-stubs")
        self._thread.daemon = True
        self._thread.start()
        deadline = time.monotonic() + max(timeout, 5.0)
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ConfigError(
                    f"The stub server could not listen on {self.address} (outbound_server): "
                    "is the port taken? Choose another one in [tool.asgibdd]."
                )
            time.sleep(0.02)

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(10.0)

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        host = dict(headers).get("host", self.address)
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"http://{host}{scope['path']}" + (f"?{query}" if query else "")
        call = Call(scope["method"], url, headers, body)
        _, outcome = await asyncio.to_thread(self.decide, call, None)
        if isinstance(outcome, Refused):
            return  # no answer: the connection closes
        if isinstance(outcome, TimedOut):  # pragma: no cover - no client timeout is known here
            return
        if isinstance(outcome, Reply):
            if outcome.delay:
                await asyncio.sleep(outcome.delay)
            answer = outcome.answer
            status, content, kind = answer.status, answer.body, answer.content_type
        else:
            status, content, kind = 502, outcome.message.encode("utf-8"), "text/plain"
        response_headers = [(b"content-length", str(len(content)).encode())]
        if kind:
            response_headers.append((b"content-type", kind.encode("latin-1")))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": content})
