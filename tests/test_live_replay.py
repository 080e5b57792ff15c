"""The curl command of a failure's "Replay:" block: what was sent, secrets masked."""

from __future__ import annotations

import httpx

from asgibdd.secrets import Secrets
from asgibdd.transcript import curl_command, render_replay


def test_a_json_request_replays_with_its_headers_and_body_secrets_masked() -> None:
    request = httpx.Request(
        "POST",
        "https://staging.example.com/items?api_key=abc&q=x",
        json={"name": "apple", "password": "s3cret"},
        headers={"Authorization": "Bearer tok", "X-Note": "it's"},
    )
    assert curl_command(request) == (
        "curl -X POST 'https://staging.example.com/items?api_key=***&q=x' \\\n"
        "  -H 'Authorization: Bearer ***' \\\n"
        "  -H 'X-Note: it'\"'\"'s' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        '  --data-raw \'{"name": "apple", "password": "***"}\''
    )


def test_headers_curl_sends_itself_are_left_out() -> None:
    request = httpx.Request("GET", "http://testserver/items/42", headers={"Accept": "*/*"})
    request.headers["User-Agent"] = "testclient"
    request.headers["Accept-Encoding"] = "gzip"
    assert curl_command(request) == "curl -X GET http://testserver/items/42"


def test_remembered_secrets_are_masked_in_the_url_headers_and_body() -> None:
    secrets = Secrets()
    secrets.remember("tok-123")
    request = httpx.Request(
        "PUT",
        "http://testserver/tokens/tok-123",
        content=b"token tok-123",
        headers={"Content-Type": "text/plain", "Cookie": "session=abc; theme=dark"},
    )
    assert curl_command(request, secrets=secrets) == (
        "curl -X PUT 'http://testserver/tokens/***' \\\n"
        "  -H 'Content-Type: text/plain' \\\n"
        "  -H 'Cookie: session=***; theme=***' \\\n"
        "  --data-raw 'token ***'"
    )


def test_a_form_replays_with_secret_fields_masked() -> None:
    request = httpx.Request(
        "POST", "http://testserver/login", data={"username": "alice", "password": "s3cret"}
    )
    assert curl_command(request) == (
        "curl -X POST http://testserver/login \\\n"
        "  -H 'Content-Type: application/x-www-form-urlencoded' \\\n"
        "  --data-raw 'username=alice&password=***'"
    )


def test_a_binary_or_long_body_is_a_placeholder_with_the_reason() -> None:
    binary = httpx.Request("POST", "http://testserver/upload", content=b"\x89PNG\x00\x01")
    assert curl_command(binary) == (
        "curl -X POST http://testserver/upload \\\n"
        "  --data-binary @request-body\n"
        "(the 6-byte body is binary: save it as request-body to send it)"
    )
    long = httpx.Request("POST", "http://testserver/echo", content=b"x" * 30)
    assert curl_command(long, body_limit=10).endswith(
        "  --data-binary @request-body\n"
        "(the 30-byte body is 30 characters long: save it as request-body to send it)"
    )


def test_head_uses_curls_own_option() -> None:
    assert curl_command(httpx.Request("HEAD", "http://testserver/")) == (
        "curl --head http://testserver/"
    )


def test_the_replay_block_says_when_the_app_ran_in_process() -> None:
    request = httpx.Request("GET", "http://testserver:8000/items")
    assert render_replay(request, in_process=True) == (
        "Replay (the app ran in-process; this targets its base URL http://testserver:8000, "
        "point it at a running server of the app):\n"
        "  curl -X GET http://testserver:8000/items"
    )
    assert render_replay(request) == "Replay:\n  curl -X GET http://testserver:8000/items"
