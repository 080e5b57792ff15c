"""`LiveClient` against a real server: every wait bounded, streams resumable after a
timeout, websockets and event streams through the in-process API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from asgibdd.client import LiveClient, WebSocketDenialResponse, read_chunk
from asgibdd.errors import AppTimeout
from tests.live_server import serve_demo


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_demo(tmp_path_factory.mktemp("uvicorn") / "uvicorn.log") as base_url:
        yield base_url


@pytest.fixture
def client(live_url: str) -> Iterator[LiveClient]:
    with LiveClient(live_url, wait_timeout=2.0) as live:
        yield live


def test_a_stream_read_that_times_out_leaves_the_stream_usable(client: LiveClient) -> None:
    with client.stream("GET", "/events/items") as response:
        assert read_chunk(response, 2.0) == b": listening for new items\n\n"
        with pytest.raises(AppTimeout, match=r"within 0\.2 s \(27 bytes received so far\)"):
            read_chunk(response, 0.2)
        item = client.post("/items", json={"name": "fig", "price": 1})
        chunk = read_chunk(response, 2.0)
        expected = f"event: item\nid: {item.json()['id']}\ndata: {item.text}\n\n"
        assert chunk == expected.encode()


def test_a_plain_request_on_an_endless_body_stops_at_the_bound(live_url: str) -> None:
    with LiveClient(live_url, wait_timeout=0.5) as client, pytest.raises(AppTimeout) as raised:
        client.get("/events", params={"interval": "0.01"})
    assert raised.value.content_type == "text/event-stream; charset=utf-8"
    assert raised.value.received > 0


def test_server_sent_events_parse_as_in_process(client: LiveClient) -> None:
    with client.sse("/events", params={"count": "2", "interval": "0.01"}) as events:
        ticks = [events.next_event(timeout=2.0) for _ in range(2)]
        assert [(e.event, e.data, e.id) for e in ticks if e is not None] == [
            ("tick", '{"n": 1}', "1"),
            ("tick", '{"n": 2}', "2"),
        ]
        assert events.next_event(timeout=2.0) is None


def test_a_websocket_receive_is_bounded_and_the_session_goes_on(client: LiveClient) -> None:
    with client.websocket_connect("/ws/echo") as websocket:
        with pytest.raises(AppTimeout, match=r"^No message from the WebSocket /ws/echo within"):
            websocket.receive(timeout=0.2)
        websocket.send_json({"greeting": "hi"})
        assert websocket.receive_json(timeout=2.0) == {"greeting": "hi"}
        websocket.send_bytes(b"\x00\xff")
        assert websocket.receive_bytes(timeout=2.0) == b"\x00\xff"
        websocket.send_text('{"close": 4000}')
        assert websocket.receive(timeout=2.0) == {
            "type": "websocket.close",
            "code": 4000,
            "reason": "",
        }


def test_a_refused_handshake_is_a_denial_response_with_the_body(client: LiveClient) -> None:
    with pytest.raises(WebSocketDenialResponse) as raised:
        client.websocket_connect("/ws/private").__enter__()
    assert raised.value.status_code == 403
    assert raised.value.json() == {
        "detail": "A valid '?token=' from POST /login is required to open /ws/private"
    }


def test_a_close_before_accept_arrives_as_http_403_over_the_network(client: LiveClient) -> None:
    # The close code (1008) stays in the server: why that scenario is tagged @in-process.
    with pytest.raises(WebSocketDenialResponse) as raised:
        client.websocket_connect("/ws/chat/lobby").__enter__()
    assert (raised.value.status_code, raised.value.code) == (403, 1006)


def test_the_handshake_carries_subprotocols_and_query(client: LiveClient) -> None:
    with client.websocket_connect("/ws/chat/room?name=ann", subprotocols=["chat"]) as websocket:
        assert websocket.accepted_subprotocol == "chat"
        assert websocket.receive_json(timeout=2.0) == {
            "type": "joined",
            "name": "ann",
            "room": "room",
        }


def test_closing_waits_for_the_services_answer_so_the_others_hear_it(client: LiveClient) -> None:
    with (
        client.websocket_connect("/ws/chat/close?name=ann") as ann,
        client.websocket_connect("/ws/chat/close?name=bob") as bob,
    ):
        assert ann.receive_json(timeout=2.0)["name"] == "ann"
        assert ann.receive_json(timeout=2.0)["name"] == "bob"
        bob.receive_json(timeout=2.0)
        bob.close(1000)
        assert ann.receive_json(timeout=2.0) == {"type": "left", "name": "bob"}
