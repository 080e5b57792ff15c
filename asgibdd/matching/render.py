"""Human-readable text for failure messages: JSON values, mismatch lists, HTTP transcripts.

Everything here is deterministic (same input, same text) so tests can pin exact
messages, and nothing here reads a stream or leaks a secret into a log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import httpx

from asgibdd.matching.literal import MISSING

if TYPE_CHECKING:
    from asgibdd.matching.compare import Mismatch

__all__ = [
    "format_json",
    "format_value",
    "mask_header",
    "render_exchange",
    "render_mismatches",
]

MASK = "***"

# Header names whose whole value is a secret, besides the ones with dedicated rules.
_SECRET_NAME_PARTS = ("token", "secret", "password", "passwd", "api-key", "apikey")

# Declared-binary media types are never shown as text, even if the bytes happen to decode.
_BINARY_TYPES = re.compile(
    r"^(image|audio|video|font)/|^application/(octet-stream|pdf|zip|gzip|x-tar|wasm|msgpack)"
)


def format_json(value: Any, *, limit: int = 2000) -> str:
    """Pretty-print `value` as indented JSON (non-ASCII kept), cut after `limit` characters.

    A cut text ends with a line saying how many characters were left out.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False, default=_not_json)
    return _truncate(text, limit)


def format_value(value: Any, *, limit: int = 300) -> str:
    """Render `value` as compact one-line JSON for messages; `MISSING` is `(missing)`.

    Long values are cut after `limit` characters with a note of how much was left out.
    """
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False, default=_not_json)
    return _truncate(text, limit, separator=" ")


def render_mismatches(mismatches: Sequence[Mismatch], *, heading: str, limit: int = 50) -> str:
    """Render a heading, one `  <path>: <reason>` line per mismatch, then a count.

    The count line appears when there is more than one mismatch; past `limit` lines the
    rest are summarised as `  ... and N more`.
    """
    lines = [heading]
    lines.extend(f"  {mismatch.path}: {mismatch.reason}" for mismatch in mismatches[:limit])
    if len(mismatches) > limit:
        lines.append(f"  ... and {len(mismatches) - limit} more")
    if len(mismatches) > 1:
        lines.append(f"{len(mismatches)} mismatches.")
    return "\n".join(lines)


def render_exchange(
    request: httpx.Request, response: httpx.Response | None, *, body_limit: int = 1000
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
    and `Set-Cookie` keep cookie names (`session=***`), and any header, query parameter or
    form field whose name contains token, secret, password or api-key is `***`. JSON
    bodies are pretty-printed, long bodies truncated after `body_limit` characters, binary
    bodies summarised as `<1234 bytes, image/png>`. A body that was streamed and not read
    is shown as `<streamed body, not read>` and left unread.
    """
    lines = ["Request:", f"  {request.method} {_masked_url(request.url)}"]
    lines.extend(_message_lines(request, body_limit))
    lines.append("Response:")
    if response is None:
        lines.append("  (no response: the app did not answer this request)")
        return "\n".join(lines)
    lines.append(f"  {response.status_code} {response.reason_phrase}".rstrip())
    lines.extend(_message_lines(response, body_limit))
    return "\n".join(lines)


def _message_lines(message: httpx.Request | httpx.Response, body_limit: int) -> list[str]:
    """Header lines, then a blank line and the body lines (none for an empty body)."""
    lines = _header_lines(message.headers)
    try:
        body = message.content
    except httpx.StreamError:  # RequestNotRead / ResponseNotRead: reading would consume it
        return [*lines, "", "  <streamed body, not read>"]
    content_type = message.headers.get("content-type", "")
    if isinstance(message, httpx.Request) and content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        body = _masked_form(body)
    return lines + _body_lines(body, content_type, body_limit)


def mask_header(name: str, value: str) -> str:
    """Return `value` with its secret parts replaced by `***`, judged by the header `name`."""
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
    if _is_secret_name(lowered):
        return MASK
    return value


def _is_secret_name(name: str) -> bool:
    normalized = name.lower().replace("_", "-")
    return any(part in normalized for part in _SECRET_NAME_PARTS)


def _mask_cookie_pair(pair: str) -> str:
    name, equals, _ = pair.strip().partition("=")
    return f"{name}={MASK}" if equals else pair.strip()


def _masked_url(url: httpx.URL) -> str:
    if url.password:
        url = url.copy_with(username=url.username, password=MASK)
    params = url.params
    if any(_is_secret_name(key) for key in params):
        masked = [
            (key, MASK if _is_secret_name(key) else value) for key, value in params.multi_items()
        ]
        # Built by hand so the mask stays readable instead of percent-encoded.
        query = "&".join(f"{key}={value}" for key, value in masked)
        return str(url.copy_with(query=None)) + "?" + query
    return str(url)


def _masked_form(body: bytes) -> bytes:
    try:
        fields = parse_qsl(body.decode("ascii"), keep_blank_values=True)
    except UnicodeDecodeError:
        return body
    if not any(_is_secret_name(key) for key, _ in fields):
        return body
    masked = [(key, MASK if _is_secret_name(key) else value) for key, value in fields]
    return urlencode(masked, safe="*").encode("ascii")


def _header_lines(headers: httpx.Headers) -> list[str]:
    lines = []
    for raw_name, raw_value in headers.raw:
        name = raw_name.decode("latin-1")
        value = mask_header(name, raw_value.decode("latin-1"))
        lines.append(f"  {name}: {value}")
    return lines


def _body_lines(body: bytes, content_type: str, limit: int) -> list[str]:
    if not body:
        return []
    text = _body_text(body, content_type, limit)
    return ["", *(f"  {line}" if line else "" for line in text.splitlines())]


def _body_text(body: bytes, content_type: str, limit: int) -> str:
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
            return format_json(json.loads(text), limit=limit)
        except ValueError:
            pass  # Not valid JSON after all: show the text as sent, which is what went wrong.
    return _truncate(text, limit)


def _binary_summary(body: bytes, media_type: str) -> str:
    return f"<{len(body)} bytes, {media_type}>" if media_type else f"<{len(body)} bytes>"


def _truncate(text: str, limit: int, *, separator: str = "\n") -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{separator}... ({len(text) - limit} more characters)"


def _not_json(value: Any) -> Any:
    # Failure messages must never crash on a value JSON cannot hold; show its repr instead.
    if value is MISSING:
        return "(missing)"
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)
