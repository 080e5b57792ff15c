"""The clients a run's scenarios use: built from the settings, and the scenario scope's
TestClient kept between scenarios with its settings as built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from asgibdd._types import ASGIApp
from asgibdd.client import LiveClient, TestClient
from asgibdd.config import AsgiBddConfig

__all__ = ["ReusedClient", "new_client", "new_live_client"]


def new_live_client(config: AsgiBddConfig) -> LiveClient:
    """A new LiveClient for the service at the configured `base_url`, with the same
    headers, redirect policy and `timeout` bound as in-process, plus `verify` and `proxy`."""
    return LiveClient(
        config.base_url,
        headers=dict(config.headers),
        follow_redirects=config.follow_redirects,
        wait_timeout=config.timeout,
        verify=config.verify,
        proxy=config.proxy,
        secret_names=config.secret_names,
        max_body_size=config.max_body_size,
    )


def new_client(app: ASGIApp, config: AsgiBddConfig) -> TestClient:
    """A new, not yet entered, TestClient for `app` with the settings of `config`
    (also what `asgibdd init` confirms its example with)."""
    return TestClient(
        app,
        base_url=config.base_url,
        headers=dict(config.headers),
        follow_redirects=config.follow_redirects,
        raise_server_exceptions=config.raise_server_exceptions,
        wait_timeout=config.timeout,
        # One event loop for the run: each scenario's leftovers are cancelled at its end.
        reuse_loop=True,
    )


@dataclass
class ReusedClient:
    """A scenario-scope TestClient kept between scenarios, and its settings as built.

    Building a TestClient costs more than a scenario's own bookkeeping (~50-100 µs), so
    the scenario scope enters the same client again: a new lifespan on the run's event
    loop (what the last scenario's app left scheduled was cancelled when it ended), and
    every setting put back as it was built, so what one scenario (or a
    project's hook) changed on the client never reaches the next.
    """

    client: TestClient
    headers: list[tuple[bytes, bytes]]
    event_hooks: dict[str, list[Any]]
    base_url: httpx.URL
    auth: Any
    params: httpx.QueryParams
    timeout: httpx.Timeout
    follow_redirects: bool
    max_redirects: int
    wait_timeout: float | None
    raise_server_exceptions: bool

    @classmethod
    def of(cls, client: TestClient) -> ReusedClient:
        return cls(
            client=client,
            headers=list(client.headers.raw),
            event_hooks={name: list(hooks) for name, hooks in client.event_hooks.items()},
            base_url=client.base_url,
            auth=client.auth,
            params=client.params,
            timeout=client.timeout,
            follow_redirects=client.follow_redirects,
            max_redirects=client.max_redirects,
            wait_timeout=client.wait_timeout,
            raise_server_exceptions=client.raise_server_exceptions,
        )

    def as_built(self) -> TestClient:
        """The client with its settings as built (each put back only if it changed)."""
        client = self.client
        if client.headers.raw != self.headers:
            client.headers = httpx.Headers(self.headers)
        if client.event_hooks != self.event_hooks:
            client.event_hooks = {name: list(hooks) for name, hooks in self.event_hooks.items()}
        if client.base_url is not self.base_url:
            client.base_url = self.base_url
        if client.auth is not self.auth:
            client.auth = self.auth
        if client.params is not self.params:
            client.params = self.params
        if client.timeout is not self.timeout:
            client.timeout = self.timeout
        client.follow_redirects = self.follow_redirects
        client.max_redirects = self.max_redirects
        if client.wait_timeout != self.wait_timeout:
            client.wait_timeout = self.wait_timeout
        if client.raise_server_exceptions != self.raise_server_exceptions:
            client.raise_server_exceptions = self.raise_server_exceptions
        client.cookies.clear()
        client.app_state.clear()  # the lifespan starts from nothing, as with a new client
        return client
