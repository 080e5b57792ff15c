"""The scenario journal: every exchange, message and event, with the step that caused it."""

from __future__ import annotations

from pathlib import Path

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
