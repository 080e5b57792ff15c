"""HTTP exchanges as failure messages and reports show them, with every secret hidden.

`render_exchange` writes the transcript of one request and its response, `render_replay`
the curl command that sends the request again; `learn_secrets`
finds the secret values an exchange carries (credentials, secret-named fields), so that
they stay hidden wherever they appear later (see `asgibdd.secrets`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import shlex
from urllib.parse import parse_qsl, urlencode

import httpx

from asgibdd.matching.format import format_json, truncate
from asgibdd.matching.literal import json_bytes_text
from asgibdd.secrets import MASK, Secrets

__all__ = ["curl_command", "learn_secrets", "mask_header", "render_exchange", "render_replay"]

# Declared-binary media types are never shown as text, even if the bytes happen to decode.
_BINARY_TYPES = re.compile(
    r"^(image|audio|video|font)/|^application/(octet-stream|pdf|zip|gzip|x-tar|wasm|msgpack)"
)
_FORM = "application/x-www-form-urlencoded"
# Headers curl sends by itself (or must compute): repeating them adds noise, not fidelity.
_CURL_OWN_HEADERS = frozenset(
    {"host", "content-length", "connection", "accept-encoding", "user-agent", "transfer-encoding"}
)
# A body is shown on the command line only as printable text (newlines and tabs allowed).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def render_exchange(
    request: httpx.Request,
    response: httpx.Response | None,
    *,
    secrets: Secrets | None = None,
    body_limit: int = 1000,
) -> str:
    """Render the transcript of one request and its response for a failure message.

    Layout (every line indented by two spaces under its heading)::

        Request:
          POST http://testserver/items
          Content-Type: application/json

          {"name": "apple"}
        Response:
          201 Created
          content-type: application/json

          {
            "id": 1
          }

    Headers keep the order and spelling they were sent with. Secrets are masked:
    `Authorization` and `Proxy-Authorization` keep their scheme (`Bearer ***`), `Cookie`
    and `Set-Cookie` keep cookie names (`session=***`), any header, query parameter, form
    field or JSON key with a secret name is `***`, and every value `secrets` remembers is
    `***` wherever it appears. JSON bodies are pretty-printed, long bodies truncated after
    `body_limit` characters, binary bodies summarised as `<1234 bytes, image/png>`. A body
    that was streamed and not read is shown as `<streamed body, not read>` and left unread.
    """
    if secrets is None:  # not `or`: an empty Secrets is falsy, and keeps its own policy
        secrets = Secrets()
    lines = ["Request:", f"  {request.method} {masked_url(request.url, secrets)}"]
    lines.extend(_message_lines(request, secrets, body_limit))
    lines.append("Response:")
    if response is None:
        lines.append("  (no response: the app did not answer this request)")
        return "\n".join(lines)
    lines.append(f"  {response.status_code} {response.reason_phrase}".rstrip())
    lines.extend(_message_lines(response, secrets, body_limit))
    return "\n".join(lines)


def learn_secrets(
    secrets: Secrets, request: httpx.Request, response: httpx.Response | None
) -> None:
    """Remember the secret values `request` and `response` carry, for masking them later."""
    policy = secrets.policy
    secrets.remember_pairs(request.url.params.multi_items())
    for message in (request, response):
        if message is None:
            continue
        for name, value in message.headers.multi_items():
            if name in ("authorization", "proxy-authorization"):
                scheme, _, credentials = value.strip().partition(" ")
                secrets.remember(credentials or value)
                if scheme.lower() == "basic":
                    # The password also shows in clear elsewhere (the step that set it).
                    secrets.remember(_basic_password(credentials))
            elif name in ("cookie", "set-cookie"):
                # Every cookie value is a credential of some sort; Set-Cookie's first pair
                # is the cookie, the rest are attributes.
                pairs = value.split(";") if name == "cookie" else value.split(";")[:1]
                for pair in pairs:
                    secrets.remember(pair.partition("=")[2].strip())
            elif policy.is_secret_name(name):
                secrets.remember(value)
        body = _read_body(message)
        if body is None:
            continue
        content_type = message.headers.get("content-type", "")
        if content_type.startswith(_FORM):
            secrets.remember_pairs(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
        elif "json" in content_type:
            # Not JSON after all: then there is nothing secret-named to find.
            with contextlib.suppress(ValueError):
                text = json_bytes_text(body)
                if policy.may_name_a_secret(text):
                    secrets.remember_json(json.loads(text))


def _basic_password(credentials: str) -> str | None:
    try:
        return base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")[2]
    except ValueError:  # not base64, or not UTF-8: nothing to learn
        return None


def _read_body(message: httpx.Request | httpx.Response) -> bytes | None:
    try:
        return message.content
    except httpx.StreamError:  # RequestNotRead / ResponseNotRead: reading would consume it
        return None


def _message_lines(
    message: httpx.Request | httpx.Response, secrets: Secrets, body_limit: int
) -> list[str]:
    """Header lines, then a blank line and the body lines (none for an empty body)."""
    lines = _header_lines(message.headers, secrets)
    body = _read_body(message)
    if body is None:
        return [*lines, "", "  <streamed body, not read>"]
    content_type = message.headers.get("content-type", "")
    if isinstance(message, httpx.Request) and content_type.startswith(_FORM):
        body = _masked_form(body, secrets)
    return lines + _body_lines(body, content_type, secrets, body_limit)


def mask_header(name: str, value: str, secrets: Secrets | None = None) -> str:
    """Return `value` with its secret parts replaced by `***`, judged by the header `name`."""
    if secrets is None:  # not `or`: an empty Secrets is falsy, and keeps its own policy
        secrets = Secrets()
    lowered = name.lower()
    if lowered in ("authorization", "proxy-authorization"):
        scheme, _, credentials = value.strip().partition(" ")
        return f"{scheme} {MASK}" if credentials else MASK
    if lowered == "cookie":
        return "; ".join(_mask_cookie_pair(pair) for pair in value.split(";"))
    if lowered == "set-cookie":
        # Only the first pair is the cookie; the attributes (Path, HttpOnly...) are not secret.
        first, separator, attributes = value.partition(";")
        return _mask_cookie_pair(first) + separator + attributes
    if secrets.policy.is_secret_name(lowered):
        return MASK
    return secrets.mask_text(value)


def _mask_cookie_pair(pair: str) -> str:
    name, equals, _ = pair.strip().partition("=")
    return f"{name}={MASK}" if equals else pair.strip()


def masked_url(url: httpx.URL, secrets: Secrets) -> str:
    """The URL with its password, secret-named query values and remembered values hidden."""
    if url.password:
        url = url.copy_with(username=url.username, password=MASK)
    params = url.params
    is_secret = secrets.policy.is_secret_name
    if any(is_secret(key) for key in params):
        masked = [(key, MASK if is_secret(key) else value) for key, value in params.multi_items()]
        # Built by hand so the mask stays readable instead of percent-encoded.
        query = "&".join(f"{key}={value}" for key, value in masked)
        return secrets.mask_text(str(url.copy_with(query=None)) + "?" + query)
    return secrets.mask_text(str(url))


def _masked_form(body: bytes, secrets: Secrets) -> bytes:
    try:
        fields = parse_qsl(body.decode("ascii"), keep_blank_values=True)
    except UnicodeDecodeError:
        return body
    is_secret = secrets.policy.is_secret_name
    if not any(is_secret(key) for key, _ in fields):
        return body
    masked = [(key, MASK if is_secret(key) else value) for key, value in fields]
    return urlencode(masked, safe="*").encode("ascii")


def _header_lines(headers: httpx.Headers, secrets: Secrets) -> list[str]:
    lines = []
    for raw_name, raw_value in headers.raw:
        name = raw_name.decode("latin-1")
        value = mask_header(name, raw_value.decode("latin-1"), secrets)
        lines.append(f"  {name}: {value}")
    return lines


def _body_lines(body: bytes, content_type: str, secrets: Secrets, limit: int) -> list[str]:
    if not body:
        return []
    text = _body_text(body, content_type, secrets, limit)
    return ["", *(f"  {line}" if line else "" for line in text.splitlines())]


def _body_text(body: bytes, content_type: str, secrets: Secrets, limit: int) -> str:
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if _BINARY_TYPES.search(media_type):
        return _binary_summary(body, media_type)
    charset_match = re.search(r"charset=\"?([\w.:-]+)", parameters, re.IGNORECASE)
    try:
        text = body.decode(charset_match.group(1) if charset_match else "utf-8")
    except (UnicodeDecodeError, LookupError):
        return _binary_summary(body, media_type)
    if "json" in media_type:
        try:
            return format_json(secrets.mask_json(json.loads(text)), limit=limit)
        except ValueError:
            pass  # Not valid JSON after all: show the text as sent, which is what went wrong.
    return truncate(secrets.mask_text(text), limit)


def _binary_summary(body: bytes, media_type: str) -> str:
    return f"<{len(body)} bytes, {media_type}>" if media_type else f"<{len(body)} bytes>"


def curl_command(
    request: httpx.Request, *, secrets: Secrets | None = None, body_limit: int = 1000
) -> str:
    """The curl command that sends `request` again, one option per line, secrets `***`.

    Example::

        curl -X POST http://testserver/items \\
          -H 'Content-Type: application/json' \\
          -H 'Authorization: Bearer ***' \\
          --data-raw '{"name": "apple"}'

    Secrets are masked as in `render_exchange` (so a masked value must be filled in by
    hand). Headers curl sends by itself (Host, Content-Length, User-Agent, ...) are left
    out; a body that is binary, has control characters or is longer than `body_limit`
    characters is left out too, with a `--data-binary @request-body` placeholder and a
    line saying why.
    """
    secrets = secrets or Secrets()
    method = ["--head"] if request.method == "HEAD" else ["-X", request.method]
    parts = [shlex.join(["curl", *method, masked_url(request.url, secrets)])]
    for raw_name, raw_value in request.headers.raw:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        lowered = name.lower()
        if lowered in _CURL_OWN_HEADERS or (lowered == "accept" and value == "*/*"):
            continue
        parts.append(shlex.join(["-H", f"{name}: {mask_header(name, value, secrets)}"]))
    note = None
    body = _read_body(request)
    if body:
        text = _replay_body(body, request.headers.get("content-type", ""), secrets)
        if text is None or len(text) > body_limit:
            parts.append("--data-binary @request-body")
            why = "binary" if text is None else f"{len(text)} characters long"
            note = f"(the {len(body)}-byte body is {why}: save it as request-body to send it)"
        else:
            parts.append(shlex.join(["--data-raw", text]))
    command = " \\\n  ".join(parts)
    return command if note is None else f"{command}\n{note}"


def _replay_body(body: bytes, content_type: str, secrets: Secrets) -> str | None:
    """The body as command-line text with secrets masked; None if it is not printable text."""
    if content_type.startswith(_FORM):
        body = _masked_form(body, secrets)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _UNPRINTABLE.search(text):
        return None
    if "json" in content_type:
        with contextlib.suppress(ValueError):
            document = json.loads(text)
            masked = secrets.mask_json(document)
            if masked != document:
                return json.dumps(masked, ensure_ascii=False)
    return secrets.mask_text(text)


def render_replay(
    request: httpx.Request, *, secrets: Secrets | None = None, in_process: bool = False
) -> str:
    """The "Replay:" block of a failure message: `curl_command`, indented under a heading.

    In-process the request never crossed a network: the heading says so, and that the
    command targets the base URL the app saw (to be run against a server of the app).
    """
    heading = "Replay:"
    if in_process:
        base = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        heading = (
            f"Replay (the app ran in-process; this targets its base URL {base}, "
            "point it at a running server of the app):"
        )
    command = curl_command(request, secrets=secrets)
    return "\n".join([heading, *(f"  {line}" for line in command.splitlines())])
