"""Live redirects to another origin leave every credential behind, as browsers and curl do.

Two real uvicorn servers on loopback, on two ports, run `tests/apps/live_app.py`:
`/redirect?to=URL` answers 302 (setting its own cookie `here_session`), `/echo` shows
the headers and cookies a request brought.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asgibdd.client import LiveClient
from asgibdd.steps.support.requests import BearerAuth
from tests.behave_project import run_feature
from tests.live_server import serve_demo

FACTORY = "tests.apps.live_app:create_app"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    logs = tmp_path_factory.mktemp("uvicorn")
    with (
        serve_demo(logs / "home.log", factory=FACTORY) as home,
        serve_demo(logs / "other.log", factory=FACTORY) as other,
    ):
        yield home, other


def _echo(client: LiveClient, url: str, **options: Any) -> dict[str, Any]:
    response = client.get(url, **options)
    assert response.status_code == 200, response.text
    echoed: dict[str, Any] = response.json()
    return echoed


def _client(home: str) -> LiveClient:
    client = LiveClient(home, headers={"X-API-Key": "key-1234", "X-Trace": "t-1"})
    client.cookies.set("session", "by-hand-5678")
    return client


def test_a_redirect_to_another_port_carries_no_secret_header_auth_or_cookie(
    servers: tuple[str, str],
) -> None:
    home, other = servers
    with _client(home) as client:
        client.get("/redirect?to=/health")  # the home service sets its cookie here_session
        assert client.cookies["here_session"] == f"set-by-{home.rsplit(':', 1)[1]}"
        echoed = _echo(client, f"/redirect?to={other}/echo", auth=BearerAuth("tok-9999"))
    assert echoed["cookies"] == {}
    headers = echoed["headers"]
    assert "x-api-key" not in headers
    assert "authorization" not in headers
    assert "cookie" not in headers
    assert headers["x-trace"] == "t-1"  # not a secret: it goes on
    assert headers["host"] == other.split("://", 1)[1]


def test_a_redirect_within_the_origin_keeps_every_credential(servers: tuple[str, str]) -> None:
    home, _ = servers
    port = home.rsplit(":", 1)[1]
    with _client(home) as client:
        echoed = _echo(client, f"/redirect?to={home}/echo", auth=BearerAuth("tok-9999"))
    assert echoed["cookies"] == {"session": "by-hand-5678", "here_session": f"set-by-{port}"}
    assert echoed["headers"]["x-api-key"] == "key-1234"
    assert echoed["headers"]["authorization"] == "Bearer tok-9999"


def test_the_other_origin_gets_the_cookies_it_set_itself_and_no_others(
    servers: tuple[str, str],
) -> None:
    home, other = servers
    other_port = other.rsplit(":", 1)[1]
    with _client(home) as client:
        client.get("/redirect?to=/health")  # home's own cookie, same name as other's
        chain = f"/redirect?to={other}/redirect%3Fto%3D{other}/echo"
        echoed = _echo(client, chain, auth=BearerAuth("tok-9999"))
    assert echoed["cookies"] == {"here_session": f"set-by-{other_port}"}
    assert "authorization" not in echoed["headers"]


def test_coming_back_to_the_first_origin_brings_no_secret_header_back(
    servers: tuple[str, str],
) -> None:
    home, other = servers
    with _client(home) as client:
        echoed = _echo(client, f"/redirect?to={other}/redirect%3Fto%3D{home}/echo")
    assert "x-api-key" not in echoed["headers"]
    assert echoed["cookies"]["session"] == "by-hand-5678"  # set for the first origin


def test_a_project_secret_name_is_dropped_too(servers: tuple[str, str]) -> None:
    home, other = servers
    with LiveClient(home, headers={"X-Tenant": "acme"}, secret_names=["tenant"]) as client:
        echoed = _echo(client, f"/redirect?to={other}/echo")
    assert "x-tenant" not in echoed["headers"]


FEATURE = """
Feature: redirected
  Scenario: the steps' header, cookie and bearer token stay home
    Given the request header "X-API-Key" is "key-1234"
    And the cookie "session" is "by-hand-5678"
    And I am authenticated with the bearer token "tok-9999"
    When I GET /redirect?to={other}/echo
    Then the response status is 200
    And the JSON at "$.cookies" is {{}}
    And the JSON at "$.headers.x-api-key" does not exist
    And the JSON at "$.headers.authorization" does not exist
"""


def test_behave_steps_send_no_credential_across_a_live_redirect(
    servers: tuple[str, str], tmp_path: Path
) -> None:
    home, other = servers
    outcome = run_feature(
        tmp_path,
        FEATURE.format(other=other),
        "-D",
        "asgibdd.target=live",
        "-D",
        f"asgibdd.base_url={home}",
    )
    assert outcome.passed, outcome.output
