"""The event-stream parser against the WHATWG rules, whole and in arbitrary chunks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgibdd.client import ServerSentEvent, SSEDecoder
from asgibdd.errors import UsageError


def parse(*chunks: bytes | str) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    return events


# --- the examples of the spec ---------------------------------------------------------


def test_spec_example_three_messages_with_a_two_line_data_field() -> None:
    stream = (
        "data: This is the first message.\n\n"
        "data: This is the second message, it\n"
        "data: has two lines.\n\n"
        "data: This is the third message.\n\n"
    )
    assert parse(stream) == [
        ServerSentEvent(data="This is the first message."),
        ServerSentEvent(data="This is the second message, it\nhas two lines."),
        ServerSentEvent(data="This is the third message."),
    ]


def test_spec_example_event_field_sets_the_type() -> None:
    stream = (
        "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n"
    )
    assert parse(stream) == [
        ServerSentEvent(event="add", data="73857293"),
        ServerSentEvent(event="remove", data="2153"),
        ServerSentEvent(event="add", data="113411"),
    ]


def test_spec_example_comment_and_ids_including_an_id_field_without_value() -> None:
    stream = (
        ": test stream\n\n"
        "data: first event\nid: 1\n\n"
        "data:second event\nid\n\n"
        "data:  third event\n\n"
    )
    assert parse(stream) == [
        ServerSentEvent(data="first event", id="1"),
        ServerSentEvent(data="second event", id=""),
        ServerSentEvent(data=" third event", id=""),
    ]


def test_spec_example_data_fields_without_colon_and_an_unfinished_event() -> None:
    assert parse("data\n\ndata\ndata\n\ndata:") == [
        ServerSentEvent(data=""),
        ServerSentEvent(data="\n"),
    ]


def test_spec_example_one_space_after_the_colon_is_optional() -> None:
    assert parse("data:test\n\ndata: test\n\n") == [
        ServerSentEvent(data="test"),
        ServerSentEvent(data="test"),
    ]


# --- line ends, BOM, comments, fields -------------------------------------------------


@pytest.mark.parametrize("line_end", ["\n", "\r", "\r\n"], ids=["LF", "CR", "CRLF"])
def test_every_line_end_style_ends_lines(line_end: str) -> None:
    stream = f"event: ping{line_end}data: a{line_end}data: b{line_end}{line_end}"
    assert parse(stream) == [ServerSentEvent(event="ping", data="a\nb")]


def test_mixed_line_end_styles_in_one_stream_are_all_understood() -> None:
    assert parse("data: a\r\ndata: b\rdata: c\n\r\n") == [ServerSentEvent(data="a\nb\nc")]


def test_crlf_split_across_two_chunks_is_one_line_end() -> None:
    # Were the CR and LF two line ends, the LF would be a blank line that dispatches early.
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r") == []
    assert decoder.feed(b"\n\r") == [ServerSentEvent(data="a\nb")]
    assert decoder.feed(b"\n") == []


def test_two_crs_are_two_line_ends_even_across_chunks() -> None:
    decoder = SSEDecoder()
    assert decoder.feed("data: a\r") == []
    assert decoder.feed("\r") == [ServerSentEvent(data="a")]


def test_a_leading_byte_order_mark_is_dropped() -> None:
    assert parse(b"\xef\xbb\xbfdata: x\n\n") == [ServerSentEvent(data="x")]


def test_a_byte_order_mark_split_across_chunks_is_dropped() -> None:
    assert parse(b"\xef", b"\xbb", b"\xbfevent: e\ndata: x\n\n") == [
        ServerSentEvent(event="e", data="x")
    ]


def test_only_one_leading_byte_order_mark_is_dropped() -> None:
    # A second BOM makes the first line's field name "\ufeffdata", an unknown field.
    assert parse("\ufeff\ufeffdata: x\n\ndata: y\n\n") == [ServerSentEvent(data="y")]


def test_a_byte_order_mark_later_in_the_stream_is_kept() -> None:
    assert parse("data: a\n\n", "data: \ufeffb\n\n") == [
        ServerSentEvent(data="a"),
        ServerSentEvent(data="\ufeffb"),
    ]


def test_comment_lines_are_ignored_and_do_not_end_an_event() -> None:
    assert parse(": hello\ndata: a\n: keep-alive\ndata: b\n\n") == [ServerSentEvent(data="a\nb")]


def test_a_blank_line_without_data_dispatches_nothing_and_resets_the_type() -> None:
    assert parse("event: lost\n\ndata: kept\n\n") == [ServerSentEvent(data="kept")]


def test_only_one_leading_space_of_a_value_is_stripped() -> None:
    assert parse("data:   three spaces\n\n") == [ServerSentEvent(data="  three spaces")]


def test_a_value_may_contain_colons() -> None:
    assert parse("data: a: b:c\n\n") == [ServerSentEvent(data="a: b:c")]


def test_unknown_fields_are_ignored() -> None:
    assert parse("foo: bar\ndata: x\nDATA: y\n\n") == [ServerSentEvent(data="x")]


def test_an_empty_event_field_means_message() -> None:
    assert parse("event:\ndata: x\n\n") == [ServerSentEvent(event="message", data="x")]


def test_an_unfinished_event_at_end_of_stream_is_discarded() -> None:
    decoder = SSEDecoder()
    assert decoder.feed("data: complete\n\ndata: unfinished\n") == [
        ServerSentEvent(data="complete")
    ]
    assert decoder.close() == []


# --- id and retry ---------------------------------------------------------------------


def test_the_last_event_id_persists_across_later_events() -> None:
    decoder = SSEDecoder()
    events = decoder.feed("id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n")
    assert [event.id for event in events] == ["7", "7", "8"]
    assert decoder.last_event_id == "8"


def test_an_id_containing_nul_is_ignored() -> None:
    decoder = SSEDecoder()
    events = decoder.feed("id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")
    assert [event.id for event in events] == ["1", "1"]
    assert decoder.last_event_id == "1"


def test_an_id_without_data_still_updates_the_last_event_id() -> None:
    decoder = SSEDecoder()
    assert decoder.feed("id: 41\n\n") == []
    assert decoder.last_event_id == "41"
    assert decoder.feed("data: x\n\n") == [ServerSentEvent(data="x", id="41")]


def test_the_last_event_id_changes_only_when_a_blank_line_arrives() -> None:
    decoder = SSEDecoder()
    decoder.feed("id: 1\ndata: a\n\nid: 2\n")
    assert decoder.last_event_id == "1"


def test_retry_with_digits_sets_the_reconnection_time() -> None:
    decoder = SSEDecoder()
    events = decoder.feed("retry: 1000\ndata: a\n\ndata: b\n\n")
    assert events == [ServerSentEvent(data="a", retry=1000), ServerSentEvent(data="b")]
    assert decoder.retry == 1000


@pytest.mark.parametrize("value", ["", "1.5", "-1", " 10", "10ms", "١٢"])
def test_retry_that_is_not_all_ascii_digits_is_ignored(value: str) -> None:
    decoder = SSEDecoder()
    decoder.feed("retry: 500\n\n")
    assert decoder.feed(f"retry: {value}\ndata: x\n\n") == [ServerSentEvent(data="x")]
    assert decoder.retry == 500


def test_retry_without_an_event_is_remembered_by_the_decoder() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(": hello\nretry: 1000\n\n") == []
    assert decoder.retry == 1000


def test_a_fresh_decoder_has_no_last_event_id_and_no_retry() -> None:
    decoder = SSEDecoder()
    assert (decoder.last_event_id, decoder.retry) == ("", None)


# --- decoding -------------------------------------------------------------------------


def test_a_multibyte_character_split_across_chunks_is_decoded() -> None:
    encoded = "data: héllo €\n\n".encode()
    euro = encoded.index("€".encode())
    chunks = [encoded[: euro + 1], encoded[euro + 1 : euro + 2], encoded[euro + 2 :]]
    assert parse(*chunks) == [ServerSentEvent(data="héllo €")]


def test_invalid_utf8_becomes_the_replacement_character() -> None:
    assert parse(b"data: a\xffb\n\n") == [ServerSentEvent(data="a\ufffdb")]


def test_text_chunks_are_accepted_as_well_as_bytes() -> None:
    assert parse("data: a", b"b\n", "\n") == [ServerSentEvent(data="ab")]


def test_text_after_half_a_character_is_a_usage_error() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: " + "€".encode()[:2])
    with pytest.raises(UsageError) as raised:
        decoder.feed("\n\n")
    assert str(raised.value) == (
        "SSEDecoder.feed() got text while 2 byte(s) of a UTF-8 character from the previous "
        "bytes chunk were still pending. Feed one stream as bytes throughout, or as text "
        "throughout."
    )


def test_feeding_after_close_is_a_usage_error() -> None:
    decoder = SSEDecoder()
    decoder.close()
    with pytest.raises(UsageError) as raised:
        decoder.feed(b"data: x\n\n")
    assert str(raised.value) == (
        "SSEDecoder.feed() was called after close(): the stream has already ended. "
        "Use a new SSEDecoder for a new stream."
    )


# --- json() ---------------------------------------------------------------------------


def test_json_parses_the_data() -> None:
    assert ServerSentEvent(event="tick", data='{"n": 1}').json() == {"n": 1}


def test_json_of_data_that_is_not_json_is_a_usage_error_showing_the_data() -> None:
    with pytest.raises(UsageError) as raised:
        ServerSentEvent(event="tick", data="hello").json()
    assert str(raised.value) == (
        "The data of the 'tick' event is not JSON (Expecting value at line 1 column 1).\n"
        "  data: 'hello'\n"
        "Compare it as text instead, or make the app send JSON in its data lines."
    )


def test_json_error_shortens_long_data() -> None:
    with pytest.raises(UsageError) as raised:
        ServerSentEvent(data="x" * 500).json()
    assert f"  data: '{'x' * 200}... (500 characters in all)'\n" in str(raised.value)


# --- chunking does not matter ---------------------------------------------------------

_LINES = st.sampled_from(
    [
        "data: alpha",
        "data:beta",
        "data",
        "data: €uro ünïcode 😀",
        "event: update",
        "event:",
        "id: 12",
        "id",
        "id: a\x00b",
        "retry: 250",
        "retry: x1",
        ": comment",
        "unknown: field",
        "",
    ]
)


@st.composite
def streams_and_splits(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    lines = draw(st.lists(_LINES, max_size=25))
    ends = draw(st.lists(st.sampled_from(["\n", "\r", "\r\n"]), min_size=len(lines)))
    bom = "\ufeff" if draw(st.booleans()) else ""
    stream = (
        bom + "".join(line + end for line, end in zip(lines, ends[: len(lines)], strict=True))
    ).encode()
    cuts = draw(st.lists(st.integers(min_value=0, max_value=len(stream)), max_size=12))
    return stream, sorted(cuts)


@given(streams_and_splits())
def test_any_split_of_a_stream_yields_the_same_events_as_feeding_it_whole(
    stream_and_cuts: tuple[bytes, list[int]],
) -> None:
    stream, cuts = stream_and_cuts
    bounds = [0, *cuts, len(stream)]
    chunks = [stream[start:end] for start, end in itertools.pairwise(bounds)]
    whole = SSEDecoder()
    split = SSEDecoder()
    expected = whole.feed(stream)
    assert parse(*chunks) == expected
    for chunk in chunks:
        split.feed(chunk)
    assert (split.last_event_id, split.retry) == (whole.last_event_id, whole.retry)


@given(st.binary(max_size=200), st.integers(min_value=1, max_value=7))
def test_arbitrary_bytes_in_small_chunks_match_feeding_them_whole(data: bytes, size: int) -> None:
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert parse(*chunks) == parse(data)


# --- work per chunk (speed itself is measured in benchmarks/sse_parser.py) ----------------


def test_a_long_event_fed_byte_by_byte_is_kept_as_pieces_until_its_line_ends() -> None:
    # Joining the pending line on every chunk would copy it each time (quadratic work):
    # the decoder keeps one piece per chunk and joins them once, at the line end.
    size = 20_000
    stream = b"data: " + b"x" * size
    decoder = SSEDecoder()
    assert [event for i in range(len(stream)) for event in decoder.feed(stream[i : i + 1])] == []
    pieces = decoder._partial_line
    assert (len(pieces), max(len(piece) for piece in pieces)) == (len(stream), 1)
    assert decoder.feed(b"\n\n") == [ServerSentEvent(data="x" * size)]
    assert decoder._partial_line == []


def test_many_events_in_one_large_chunk_all_parse() -> None:
    stream = "".join(f'id: {n}\nevent: tick\ndata: {{"n": {n}}}\n\n' for n in range(50_000))
    events = parse(stream.encode())
    assert len(events) == 50_000
    assert events[-1] == ServerSentEvent(event="tick", data='{"n": 49999}', id="49999")
