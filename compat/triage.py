"""How each difference between Starlette's client and ours is classified.

Classes:
- "bug": our client is wrong; reported to the client's owner with a reproduction.
- "deliberate": we differ on purpose (a Starlette bug we fix, or a hang we turn into an error).
- "internals": the test inspects Starlette's private implementation, not the client's API.
- "untriaged": not looked at yet.
"""

from __future__ import annotations

import re

#: -W filters for the masked run: leak warnings of one known bug (anyio memory streams left
#: unclosed by asgibdd's client), which under `filterwarnings = error` fail most tests.
KNOWN_BUG_FILTERS: tuple[str, ...] = ("ignore:Unclosed <MemoryObject:ResourceWarning",)

#: (regex searched in "test id + failure line", class, one-line reason); first match wins.
RULES: list[tuple[str, str, str]] = [
    (
        r"test_request_is_disconnected",
        "bug",
        "after the response, receive() checkpoints before returning http.disconnect, so "
        "Request.is_disconnected() (a receive in a cancelled scope) reports False",
    ),
    (
        r"test_closing_client_cancels_unclosed_response",
        "bug",
        "leaving `with client` (or client.close()) with a streamed response still open waits "
        "for (or leaves running) the app's background task instead of cancelling it",
    ),
    (
        r"test_incomplete_trailers",
        "bug",
        'trailers declared but none sent: response.extensions lacks "http.response.trailers" '
        "(Starlette gives [])",
    ),
    (
        r"test_streaming_response_skips_empty_and_head_bodies",
        "bug",
        "streamed empty/HEAD body chunks skip the backpressure rendezvous, so the app runs "
        "ahead of the reader (an endless HEAD stream is never throttled)",
    ),
    (
        r"test_request_send_push_promise",
        "bug",
        'an "http.response.push" message (defined by ASGI) fails the request with '
        "ASGIProtocolError; Starlette ignores it",
    ),
    (
        r"test_send_response_duplicate_start",
        "bug",
        "an app error in the middle of a WebSocket denial response is replaced by the "
        "truncated WebSocketDenialResponse instead of being re-raised",
    ),
    (
        r"test_websockets/test_tutorial00[12]\.py|test_telemetry/test_websockets\.py::"
        r"test_client_disconnect",
        "deliberate",
        "a WebSocketDisconnect escaping the app after the client closed is not re-raised "
        "from the session's __exit__; these tests expect it (FastAPI's documented pattern)",
    ),
    (
        r"test_exception_in_middleware",
        "deliberate",
        "lifespan tolerance: an app that raises before its first lifespan receive() counts as "
        "not supporting lifespan (uvicorn's auto mode); Starlette re-raises",
    ),
]


def classify(test: str, message: str) -> tuple[str, str]:
    """The class and reason of one difference."""
    subject = f"{test} {message}"
    for pattern, kind, reason in RULES:
        if re.search(pattern, subject):
            return kind, reason
    return "untriaged", ""
