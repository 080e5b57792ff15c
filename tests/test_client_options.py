"""Client options are checked where they are given: a wrong one fails at construction with
what was expected and what was got, not later inside a request."""

from __future__ import annotations

from typing import Any

import pytest

from asgibdd import AsyncTestClient, TestClient, UsageError
from asgibdd.demo import app

WRONG_OPTIONS: list[tuple[dict[str, Any], str]] = [
    (
        {"wait_timeout": "2"},
        "{owner}(wait_timeout=...) expects a number of seconds (e.g. 2.5) or None to wait "
        "forever, got '2' (str).",
    ),
    (
        {"wait_timeout": 0},
        "{owner}(wait_timeout=...) expects a number of seconds above 0 (or None), got 0.",
    ),
    (
        {"wait_timeout": True},
        "{owner}(wait_timeout=...) expects a number of seconds (e.g. 2.5) or None to wait "
        "forever, got True (bool).",
    ),
    (
        {"raise_server_exceptions": "no"},
        "{owner}(raise_server_exceptions=...) expects True or False, got 'no' (str).",
    ),
    (
        {"root_path": None},
        '{owner}(root_path=...) expects a path prefix such as "/api", got None (NoneType).',
    ),
    (
        {"client": "testclient:50000"},
        "{owner}(client=...) expects the (host, port) the app sees as its peer, e.g. "
        "(\"testclient\", 50000), got 'testclient:50000' (str).",
    ),
    (
        {"base_url": 8000},
        '{owner}(base_url=...) expects a URL such as "http://testserver", got 8000 (int).',
    ),
    (
        {"follow_redirects": "yes"},
        "{owner}(follow_redirects=...) expects True or False, got 'yes' (str).",
    ),
    (
        {"headers": 5},
        "{owner}(headers=...) expects a dict of names to values or a list of (name, value) "
        "pairs, got 5 (int).",
    ),
    (
        {"cookies": 5},
        "{owner}(cookies=...) expects a dict of names to values (or httpx.Cookies), got 5 (int).",
    ),
]


@pytest.mark.parametrize("client_class", [TestClient, AsyncTestClient])
@pytest.mark.parametrize(("options", "message"), WRONG_OPTIONS)
def test_a_wrong_option_fails_at_construction_saying_what_was_expected(
    client_class: type, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError) as wrong:
        client_class(app, **options)
    assert str(wrong.value) == message.format(owner=client_class.__name__)


def test_settings_changed_on_a_live_client_are_checked_too() -> None:
    client = TestClient(app)
    with pytest.raises(UsageError) as wrong:
        client.wait_timeout = "2"  # type: ignore[assignment]
    assert str(wrong.value) == (
        "TestClient.wait_timeout expects a number of seconds (e.g. 2.5) or None to wait "
        "forever, got '2' (str)."
    )
    with pytest.raises(UsageError) as wrong:
        client.raise_server_exceptions = 0  # type: ignore[assignment]
    assert str(wrong.value) == (
        "TestClient.raise_server_exceptions expects True or False, got 0 (int)."
    )
    client.wait_timeout = None
    client.wait_timeout = 3
    assert client.wait_timeout == 3.0


def test_good_options_are_accepted_in_every_shape_httpx_takes() -> None:
    client = TestClient(
        app,
        base_url="http://example.org/api/",
        # httpx takes these shapes; Starlette's signature, which ours copies, names dicts.
        headers=[("x-team", "a")],  # type: ignore[arg-type]
        cookies={"session": "s"},
        client=["10.0.0.1", 4000],  # type: ignore[arg-type]  # a list is fine
        wait_timeout=1,
        root_path="/api",
    )
    assert client.wait_timeout == 1.0
    assert client.headers["x-team"] == "a"
