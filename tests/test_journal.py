"""The scenario journal: every exchange, message and event, with the step that caused it."""

from __future__ import annotations

from pathlib import Path

import httpx

from asgibdd.journal import Journal
from tests.behave_project import run_feature

# A formatter-free way to look at the journal: the project's own after_scenario hook
# writes what the scenario object carries, as a formatter would read it.
ENVIRONMENT = """
from asgibdd.environment import *  # noqa: F403
from asgibdd import environment as asgibdd
from asgibdd.journal import HTTPEntry


def after_scenario(context, scenario):
    asgibdd.after_scenario(context, scenario)
    with open("journal.txt", "a") as out:
        for entry in scenario.asgibdd_journal.entries:
            if isinstance(entry, HTTPEntry):
                status = entry.response.status_code if entry.response is not None else None
                request = entry.request
                out.write(f"{entry.step} | http {request.method} {request.url.path} {status}\\n")
            else:
                text = scenario.asgibdd_journal.secrets.mask_text(entry.text)
                what = f"{entry.channel} {entry.direction} {entry.where}"
                out.write(f"{entry.step} | {what} {text}\\n")
"""


def test_the_journal_holds_every_exchange_message_and_event_in_order(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path,
        """
        Feature: journal
          Scenario: all kinds
            When I GET /items
            And I connect to the websocket /ws/echo
            And I send text "hello" over the websocket
            Then I receive text "hello" from the websocket
            When I open the event stream /events?count=1
            Then I receive an event "tick"
        """,
        **{"environment.py": ENVIRONMENT},
    )
    assert outcome.passed, outcome.output
    assert (tmp_path / "journal.txt").read_text().splitlines() == [
        "I GET /items | http GET /items 200",
        'I send text "hello" over the websocket | websocket sent the websocket /ws/echo '
        'text "hello"',
        'I receive text "hello" from the websocket | websocket received the websocket /ws/echo '
        'text "hello"',
        "I open the event stream /events?count=1 | http GET /events 200",
        'I receive an event "tick" | event stream received /events?count=1 event "tick" with '
        'data "{\\"n\\": 1}" and id "1"',
    ]


# Every response a scenario's journal recorded, watched through a weak reference; after
# the run, how many of them something still holds.
COUNTING_HOOKS = """
import gc
import weakref
from asgibdd.environment import *  # noqa: F403
from asgibdd import environment as asgibdd
from asgibdd.journal import HTTPEntry

watched = []


def after_scenario(context, scenario):
    asgibdd.after_scenario(context, scenario)
    for entry in scenario.asgibdd_journal.entries:
        if isinstance(entry, HTTPEntry):
            watched.append(weakref.ref(entry.response))


def after_all(context):
    gc.collect()
    alive = sum(1 for ref in watched if ref() is not None)
    with open("alive.txt", "w") as out:
        out.write(f"{alive} of {len(watched)}")
"""


def test_a_run_keeps_the_raw_responses_of_its_last_feature_only(tmp_path: Path) -> None:
    scenarios = "".join(
        f"""
          Scenario: item {number}
            When I GET /items
            Then the response status is 200
        """
        for number in range(3)
    )
    second = tmp_path / "features" / "second.feature"
    second.parent.mkdir(parents=True)
    second.write_text(f"Feature: second\n{scenarios}")
    outcome = run_feature(
        tmp_path, f"Feature: first\n{scenarios}", **{"environment.py": COUNTING_HOOKS}
    )
    assert outcome.passed, outcome.output
    # The first feature's journals were taken off its scenarios when the second started.
    assert (tmp_path / "alive.txt").read_text() == "3 of 6"


def test_a_sealed_journal_keeps_the_transcript_as_text_and_seals_later_entries_after_it() -> None:
    journal = Journal()
    request = httpx.Request("POST", "http://testserver/login", json={"password": "hunter22"})
    response = httpx.Response(200, json={"access_token": "abcdef123456"}, request=request)
    journal.http("I POST /login", request, response, 0.002)
    [item] = journal.seal()
    assert journal.entries == []
    assert (item.kind, item.title) == ("http", "POST /login → 200 OK, 31 bytes")
    assert "hunter22" not in item.text and "abcdef123456" not in item.text
    journal.message("I send text", "websocket", "sent", "/ws", 'text "abcdef123456"')
    assert [item.title for item in journal.seal()] == [
        "POST /login → 200 OK, 31 bytes",
        'sent text "***" (/ws)',
    ]
