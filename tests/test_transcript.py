import httpx
import pytest

from asgibdd.transcript import mask_header, render_exchange


def test_render_exchange_shows_a_json_exchange_with_secrets_masked() -> None:
    request = httpx.Request(
        "POST",
        "http://testserver/items?q=1&api_key=abc",
        headers={"Authorization": "Bearer xyz", "Cookie": "session=abc; theme=dark"},
        json={"name": "Crème"},
    )
    response = httpx.Response(
        201,
        headers=[
            ("content-type", "application/json"),
            ("set-cookie", "session=new; Path=/; HttpOnly"),
            ("x-auth-token", "t0k3n"),
        ],
        content=b'{"id":1,"tags":["a"]}',
        request=request,
    )
    assert render_exchange(request, response) == (
        "Request:\n"
        "  POST http://testserver/items?q=1&api_key=***\n"
        "  Host: testserver\n"
        "  Authorization: Bearer ***\n"
        "  Cookie: session=***; theme=***\n"
        "  Content-Length: 17\n"
        "  Content-Type: application/json\n"
        "\n"
        "  {\n"
        '    "name": "Crème"\n'
        "  }\n"
        "Response:\n"
        "  201 Created\n"
        "  content-type: application/json\n"
        "  set-cookie: session=***; Path=/; HttpOnly\n"
        "  x-auth-token: ***\n"
        "  Content-Length: 21\n"
        "\n"
        "  {\n"
        '    "id": 1,\n'
        '    "tags": [\n'
        '      "a"\n'
        "    ]\n"
        "  }"
    )


def test_render_exchange_masks_form_passwords_and_url_credentials() -> None:
    request = httpx.Request(
        "POST", "http://alice:pw@testserver/login", data={"user": "alice", "password": "s3cret"}
    )
    response = httpx.Response(204)
    assert render_exchange(request, response) == (
        "Request:\n"
        "  POST http://alice:***@testserver/login\n"
        "  Host: testserver\n"
        "  Content-Length: 26\n"
        "  Content-Type: application/x-www-form-urlencoded\n"
        "\n"
        "  user=alice&password=***\n"
        "Response:\n"
        "  204 No Content"
    )


def test_render_exchange_never_reads_a_streamed_body() -> None:
    def chunks() -> "list[bytes]":
        return [b"abc"]

    request = httpx.Request("PUT", "http://testserver/up", content=iter(chunks()))
    response = httpx.Response(200, stream=httpx.ByteStream(b"not read"))
    assert render_exchange(request, response) == (
        "Request:\n"
        "  PUT http://testserver/up\n"
        "  Host: testserver\n"
        "  Transfer-Encoding: chunked\n"
        "\n"
        "  <streamed body, not read>\n"
        "Response:\n"
        "  200 OK\n"
        "\n"
        "  <streamed body, not read>"
    )
    assert not response.is_stream_consumed


def test_render_exchange_summarises_binary_bodies() -> None:
    request = httpx.Request("GET", "http://testserver/logo")
    response = httpx.Response(200, headers={"content-type": "image/png"}, content=b"\x89PNG")
    assert render_exchange(request, response).endswith(
        "  content-type: image/png\n  Content-Length: 4\n\n  <4 bytes, image/png>"
    )


def test_render_exchange_summarises_undecodable_bodies_without_a_type() -> None:
    request = httpx.Request("GET", "http://testserver/blob")
    response = httpx.Response(200, content=b"\xff\xfe\x00")
    assert render_exchange(request, response).endswith("\n\n  <3 bytes>")


def test_render_exchange_truncates_long_text_bodies() -> None:
    request = httpx.Request("GET", "http://testserver/text")
    response = httpx.Response(200, text="line\n" * 10)
    assert render_exchange(request, response, body_limit=12).endswith(
        "\n\n  line\n  line\n  li\n  ... (38 more characters)"
    )


def test_render_exchange_shows_invalid_json_as_the_text_sent() -> None:
    request = httpx.Request("GET", "http://testserver/broken")
    response = httpx.Response(500, headers={"content-type": "application/json"}, content=b'{"a": ')
    assert render_exchange(request, response).endswith(
        "  500 Internal Server Error\n"
        "  content-type: application/json\n"
        "  Content-Length: 6\n"
        "\n"
        '  {"a": '
    )


def test_render_exchange_says_when_there_was_no_response() -> None:
    request = httpx.Request("GET", "http://testserver/")
    assert render_exchange(request, None) == (
        "Request:\n"
        "  GET http://testserver/\n"
        "  Host: testserver\n"
        "Response:\n"
        "  (no response: the app did not answer this request)"
    )


@pytest.mark.parametrize(
    ("name", "value", "masked"),
    [
        ("Authorization", "Bearer abc.def", "Bearer ***"),
        ("authorization", "rawtoken", "***"),
        ("Proxy-Authorization", "Basic dXNlcg==", "Basic ***"),
        ("Cookie", "a=1; b=2", "a=***; b=***"),
        ("Set-Cookie", "sid=1; Secure", "sid=***; Secure"),
        ("X-CSRF-Token", "abc", "***"),
        ("X-Client-Secret", "abc", "***"),
        ("X-Api-Key", "abc", "***"),
        ("X_API_KEY", "abc", "***"),
        ("apikey", "abc", "***"),
        ("X-Password", "abc", "***"),
        ("Content-Type", "text/plain", "text/plain"),
    ],
)
def test_mask_header_hides_secrets_but_keeps_what_helps_debugging(
    name: str, value: str, masked: str
) -> None:
    assert mask_header(name, value) == masked
