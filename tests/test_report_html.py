"""The HTML report formatter (`behave -f html -o report.html`) on a real run."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest

from asgibdd.journal import Journal
from asgibdd.report.html_render import duration
from asgibdd.report.model import read_run
from asgibdd.secrets import SecretPolicy, Secrets
from tests.report_runs import SECRETS, run_small_project
from tests.test_report_merge import assert_policy_allows_only_own_code


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("html")
    outcome = run_small_project(project, "-f", "html", "-o", "report.html", "-f", "plain")
    assert outcome.scenarios.failed == 1, outcome.output
    return project


def _text(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_the_alias_from_pyproject_writes_one_page_and_its_results_beside_it(project: Path) -> None:
    page = (project / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>app:app: 3 scenarios, 2 not passed (asgibdd report)</title>" in page
    assert read_run(project / "report.results.json").counts() == {
        "passed": 1,
        "failed": 1,
        "error": 1,
    }


def test_the_summary_counts_scenarios_by_status_then_by_feature_and_tag(project: Path) -> None:
    page = (project / "report.html").read_text()
    assert (
        '<ul class="totals"><li class="count total"><b>3</b> scenarios</li>'
        '<li class="count failed"><b>1</b> failed</li><li class="count error"><b>1</b> error</li>'
        '<li class="count passed"><b>1</b> passed</li>'
        '<li class="count rate"><b>33.3%</b> pass rate</li><li class="count"><b>5</b> steps</li>'
    ) in page
    assert (
        '<tr><th scope="row">Reports &lt;i&gt;escape&lt;/i&gt; what they show '
        "(features/report.feature)</th><td>1</td><td>1</td><td>1</td><td>33%</td>"
    ) in page
    tag_rows = re.findall(r'<tr><th scope="row">(@\w+)</th>', page)
    assert tag_rows == ["@reports", "@auth", "@smoke"]  # the ones with problems first


def test_failures_are_open_with_their_whole_message_file_and_line(project: Path) -> None:
    page = (project / "report.html").read_text()
    names = re.findall(
        r'<details class="scenario (\w+)" id="s\d+" data-status="\w+" '
        r'data-tags="[^"]*"( open)?>',
        page,
    )
    # In the feature's own order: the story as the file tells it.
    assert names == [("passed", ""), ("failed", " open"), ("error", " open")]
    text = _text(page)
    assert (
        "asgibdd.ExpectationFailed\n"
        'The JSON at "$.access_token" is not as expected:\n'
        '  $.access_token: expected "something else", got "***"\n'
        "Request:\n"
        "  POST http://testserver/login\n"
    ) in text
    assert "features/report.feature:10" in text
    assert 'failed Then the JSON at "$.access_token" is "something else" line 15' in text
    assert "undefined When I frobnicate the widget line 18" in text


def test_every_exchange_is_in_a_collapsed_transcript_with_its_cause(project: Path) -> None:
    page = (project / "report.html").read_text()
    assert page.count('<details class="transcript">') == 2
    assert ('<summary><span class="kind">http</span> POST /login → 200 OK, 54 bytes ') in page
    assert '<span class="cause">— I POST /login with JSON:</span>' in page


def test_what_the_app_and_the_feature_wrote_is_escaped(project: Path) -> None:
    page = (project / "report.html").read_text()
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;h1&gt;hi&lt;/h1&gt;" in page
    assert "<script>window.pwned" not in page
    assert "<img" not in page and "<i>" not in page and "<b>bob" not in page
    # The page's own script is the only one.
    assert page.count("<script>") == 1


def test_no_secret_reaches_the_report_or_its_results(project: Path) -> None:
    for name in ("report.html", "report.results.json"):
        written = (project / name).read_text()
        assert [secret for secret in SECRETS if secret in written] == [], name
    page = (project / "report.html").read_text()
    assert '"access_token": "***"' in _text(page)
    assert '{"username": "bob", "password": "***"}' in _text(page)


def test_the_page_needs_nothing_from_the_network(project: Path) -> None:
    page = (project / "report.html").read_text()
    # A run in CI links to its build: a link the reader may follow, nothing the page loads.
    page = re.sub(r'<dd><a href="https?://[^"<>]*" rel="noopener noreferrer">', "<dd>", page)
    assert re.findall(r"(?:src|href)=\"(?!#)[^\"]*\"", page) == []
    assert "default-src 'none'" in page


def test_the_single_run_reports_policy_allows_its_own_script_and_style_only(
    project: Path,
) -> None:
    assert_policy_allows_only_own_code((project / "report.html").read_text())


def test_a_long_body_is_cut_with_its_size_and_the_characters_left_out() -> None:
    journal = Journal()
    request = httpx.Request("GET", "http://testserver/big")
    response = httpx.Response(200, text="z" * 10_000, request=request)
    journal.http("I GET /big", request, response, 0.25)
    [item] = journal.seal()
    assert item.title == "GET /big → 200 OK, 10000 bytes"
    assert item.text.endswith("z" * 100 + "\n  ... (6000 more characters)")
    assert (item.kind, item.step, item.duration) == ("http", "I GET /big", 0.25)


def test_websocket_messages_and_events_are_transcript_entries_too() -> None:
    journal = Journal()
    journal.message("I send it", "websocket", "sent", "the websocket /ws", 'text "hi"')
    journal.message(None, "event stream", "received", "/events", 'event "tick"')
    assert [(item.kind, item.title, item.text) for item in journal.seal()] == [
        (
            "websocket",
            'sent text "hi" (the websocket /ws)',
            'sent on the websocket /ws:\ntext "hi"',
        ),
        ("event stream", 'received event "tick" (/events)', 'received on /events:\nevent "tick"'),
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0123, "12 ms"), (3.4, "3.40 s"), (125.0, "2 min 5 s")],
)
def test_durations_read_as_people_say_them(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_a_projects_own_secret_names_are_masked_before_any_value_is_remembered() -> None:
    journal = Journal(Secrets(SecretPolicy(["shop-key"])))
    request = httpx.Request("GET", "http://testserver/", headers={"X-Shop-Key": "k-123"})
    journal.http("I GET /", request, httpx.Response(204, request=request), 0.001)
    [item] = journal.seal()
    assert "  X-Shop-Key: ***\n" in item.text
