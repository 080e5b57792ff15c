"""An incremental `text/event-stream` parser that does no I/O.

It follows the WHATWG HTML rules for server-sent events ("Parsing an event stream" and
"Interpreting an event stream"): feed it the body chunks as they arrive, in any sizes, and it
returns the events each chunk completed.

```python
decoder = SSEDecoder()
for chunk in response_chunks:
    for event in decoder.feed(chunk):
        print(event.event, event.data)
decoder.close()
```
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Any

from asgibdd.errors import UsageError

__all__ = ["SSEDecoder", "ServerSentEvent"]

# CRLF must come first so that it is one line end and not a CR followed by an empty line.
_LINE_END = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"
# How much of an event's data an error message shows before it shortens it.
_SHOWN_DATA_CHARS = 200


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event.

    `id` is the stream's last event ID at the time of dispatch, so it carries over from
    earlier events until the server sends a new `id` field. `retry` is the reconnection time
    (milliseconds) sent within this event's block, if any; `SSEDecoder.retry` keeps the
    stream-wide value.
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        """The data parsed as JSON; a `UsageError` showing the data when it is not JSON."""
        try:
            return json.loads(self.data)
        except json.JSONDecodeError as error:
            shown = self.data
            if len(shown) > _SHOWN_DATA_CHARS:
                shown = shown[:_SHOWN_DATA_CHARS] + f"... ({len(self.data)} characters in all)"
            raise UsageError(
                f"The data of the {self.event!r} event is not JSON ({error.msg} at line "
                f"{error.lineno} column {error.colno}).\n"
                f"  data: {shown!r}\n"
                "Compare it as text instead, or make the app send JSON in its data lines."
            ) from None


class SSEDecoder:
    """Turns `text/event-stream` chunks (bytes or text) into `ServerSentEvent`s.

    Chunks may split the stream anywhere, also inside a CRLF pair or a multi-byte UTF-8
    character. The work per chunk is proportional to its size: a pending partial line is
    kept as a list of pieces and joined once, when its line end arrives.
    """

    def __init__(self) -> None:
        # Invalid UTF-8 becomes U+FFFD, as the spec's "UTF-8 decode" does.
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._at_stream_start = True
        self._closed = False
        # A chunk ended in CR: an LF at the start of the next chunk belongs to that line end.
        self._skip_leading_lf = False
        self._partial_line: list[str] = []
        # The event being collected (the spec's buffers).
        self._data_lines: list[str] = []
        self._event_type = ""
        self._event_retry: int | None = None
        self._id_buffer = ""
        # Stream-wide state.
        self._last_event_id = ""
        self._retry: int | None = None

    @property
    def last_event_id(self) -> str:
        """The last event ID as of the latest blank line; send it back as `Last-Event-ID`."""
        return self._last_event_id

    @property
    def retry(self) -> int | None:
        """The latest valid reconnection time in milliseconds, or None if none was sent."""
        return self._retry

    def feed(self, chunk: bytes | str) -> list[ServerSentEvent]:
        """Parse the next piece of the stream and return the events it completed."""
        if self._closed:
            raise UsageError(
                "SSEDecoder.feed() was called after close(): the stream has already ended. "
                "Use a new SSEDecoder for a new stream."
            )
        if isinstance(chunk, str):
            pending = self._utf8.getstate()[0]
            if pending:
                raise UsageError(
                    f"SSEDecoder.feed() got text while {len(pending)} byte(s) of a UTF-8 "
                    "character from the previous bytes chunk were still pending. "
                    "Feed one stream as bytes throughout, or as text throughout."
                )
            text = chunk
        else:
            text = self._utf8.decode(chunk)
        return self._feed_text(text)

    def close(self) -> list[ServerSentEvent]:
        """Mark the end of the stream.

        The spec discards an event that was not ended by a blank line, so this returns no
        events; it exists so that callers can treat every chunk and the end alike.
        """
        self._closed = True
        # Flushing ends an unfinished UTF-8 sequence; that text belongs to a discarded line.
        self._utf8.decode(b"", final=True)
        self._partial_line.clear()
        self._data_lines.clear()
        self._event_type = ""
        self._event_retry = None
        return []

    def _feed_text(self, text: str) -> list[ServerSentEvent]:
        if not text:
            return []
        if self._at_stream_start:
            self._at_stream_start = False
            if text.startswith(_BOM):
                text = text[1:]
        start = 0
        if self._skip_leading_lf:
            self._skip_leading_lf = False
            if text.startswith("\n"):
                start = 1
        events: list[ServerSentEvent] = []
        for line_end in _LINE_END.finditer(text, start):
            piece = text[start : line_end.start()]
            if self._partial_line:
                self._partial_line.append(piece)
                line = "".join(self._partial_line)
                self._partial_line.clear()
            else:
                line = piece
            event = self._process_line(line)
            if event is not None:
                events.append(event)
            start = line_end.end()
        if start < len(text):
            self._partial_line.append(text[start:])
        elif text.endswith("\r"):
            self._skip_leading_lf = True
        return events

    def _process_line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment, often sent as a keep-alive
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data_lines.append(value)
        elif field == "event":
            self._event_type = value
        elif field == "id":
            if "\0" not in value:
                self._id_buffer = value
        elif field == "retry" and value.isascii() and value.isdigit():
            self._event_retry = self._retry = int(value)
        # Any other field name is ignored, as the spec requires.
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        self._last_event_id = self._id_buffer
        data_lines, self._data_lines = self._data_lines, []
        event_type, self._event_type = self._event_type, ""
        retry, self._event_retry = self._event_retry, None
        if not data_lines:
            return None
        return ServerSentEvent(
            event=event_type or "message",
            data="\n".join(data_lines),
            id=self._last_event_id,
            retry=retry,
        )
