"""The HTML report in a real browser: headless Chromium (see tests/browser.py).

The report is of a real run: this repository's features/ against the demo app, plus a
feature that fails on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser import chromium, require_chromium
from tests.report_runs import SECRETS, run_repository_features, run_small_project

#: How many scenarios the report holds: the repository's features and one failing more.
TOTAL: list[int] = []


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    require_chromium()
    project = tmp_path_factory.mktemp("browser")
    outcome, secrets = run_repository_features(project, "-f", "html", "-o", "report.html")
    # Every scenario of the repository's features passes; the one added to them fails.
    assert outcome.scenarios.failed == 1, outcome.output
    assert outcome.scenarios.passed >= 40, outcome.output
    TOTAL[:] = [outcome.scenarios.passed + 1]
    return project / "report.html", secrets


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    require_chromium()
    with chromium() as context:
        yield context


@pytest.fixture(scope="module")
def page(browser: BrowserContext, report: tuple[Path, list[str]]) -> Iterator[Page]:
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report[0].as_uri())
    yield page
    # Nothing but the file itself was loaded, and the script ran without a complaint.
    assert requests == [report[0].as_uri()]
    assert errors == []
    page.close()


def _shown(page: Page) -> str:
    return page.locator("output[name=shown]").inner_text()


def test_the_page_loads_with_the_failure_first_and_open(page: Page) -> None:
    expect(page).to_have_title(
        f"asgibdd.demo:app: {TOTAL[0]} scenarios, 1 not passed (asgibdd report)"
    )
    assert _shown(page) == f"showing {TOTAL[0]} of {TOTAL[0]} scenarios"
    first = page.locator("details.scenario").first
    expect(first).to_have_attribute("data-status", "failed")
    expect(first).to_have_attribute("open", "")
    expect(first.locator("pre.error")).to_contain_text(
        'The JSON at "$.access_token" is not as expected:'
    )


def test_filters_by_status_tag_and_text(page: Page) -> None:
    page.get_by_label(f"passed ({TOTAL[0] - 1})").uncheck()
    assert _shown(page) == f"showing 1 of {TOTAL[0]} scenarios"
    page.get_by_label(f"passed ({TOTAL[0] - 1})").check()
    page.get_by_label("Search").fill("websocket")
    count = page.locator("details.scenario:not([hidden])").count()
    assert 0 < count < TOTAL[0]
    assert _shown(page) == f"showing {count} of {TOTAL[0]} scenarios"
    page.get_by_label("Search").fill("no scenario says this")
    expect(page.locator("#nothing")).to_be_visible()
    page.get_by_label("Search").fill("")
    assert _shown(page) == f"showing {TOTAL[0]} of {TOTAL[0]} scenarios"


def test_the_keyboard_reaches_search_and_opens_a_transcript(page: Page) -> None:
    page.get_by_role("button", name="Collapse all").click()
    page.locator("body").press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.type("Log in with a form")
    page.keyboard.press("Escape")
    assert _shown(page) == f"showing {TOTAL[0]} of {TOTAL[0]} scenarios"
    scenario = page.locator("details.scenario", has_text="Log in with a form")
    scenario.locator("summary").first.focus()
    page.keyboard.press("Enter")
    transcript = scenario.locator("details.transcript")
    expect(transcript).not_to_have_attribute("open", "")
    transcript.locator("summary").first.focus()
    page.keyboard.press("Enter")
    exchange = transcript.locator("li.http details").first
    exchange.locator("summary").focus()
    page.keyboard.press("Enter")
    text = exchange.locator("pre:not(.curl)").inner_text()
    assert text.startswith("Request:\n  POST http://testserver/login\n")
    assert "password=***" in text
    assert '"access_token": "***"' in text


def test_expand_all_and_collapse_all(page: Page) -> None:
    page.get_by_role("button", name="Expand all").click()
    assert page.locator("#scenarios details:not([open])").count() == 0
    page.get_by_role("button", name="Collapse all").click()
    assert page.locator("#scenarios details[open]").count() == 0


def test_no_secret_appears_in_the_file_or_the_page(
    page: Page, report: tuple[Path, list[str]]
) -> None:
    path, secrets = report
    assert len(secrets) > 5  # every login of the run issued a token
    page.get_by_role("button", name="Expand all").click()
    for text in (path.read_text(), page.content(), page.locator("body").inner_text()):
        assert [secret for secret in secrets if secret in text] == []
    results = path.with_name("report.results.json").read_text()
    assert [secret for secret in secrets if secret in results] == []


def test_what_the_app_answered_is_shown_as_text_never_run(
    browser: BrowserContext, tmp_path: Path
) -> None:
    outcome = run_small_project(tmp_path, "-f", "html", "-o", "report.html")
    assert outcome.scenarios.failed == 1, outcome.output
    page = browser.new_page()
    page.goto((tmp_path / "report.html").as_uri())
    page.get_by_role("button", name="Expand all").click()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("#scenarios img, #scenarios script, #scenarios i").count() == 0
    expect(page.locator("body")).to_contain_text("<script>window.pwned = 1</script>")
    body = page.locator("body").inner_text()
    assert [secret for secret in SECRETS if secret in body] == []
    page.close()


def test_a_script_that_got_into_the_page_does_not_run_but_the_reports_own_does(
    browser: BrowserContext, tmp_path: Path
) -> None:
    """Were a field ever written unescaped, the policy still blocks it: the page's own
    script alone is allowed (by its hash), and it still works."""
    from asgibdd.report.html_render import render_html
    from tests.test_report_merge import hostile_run

    page_text = render_html(hostile_run(100.0)).replace(
        "<body>", "<body><script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>"
    )
    (tmp_path / "injected.html").write_text(page_text)
    page = browser.new_page()
    page.goto((tmp_path / "injected.html").as_uri())
    assert page.evaluate("typeof window.pwned") == "undefined"
    expect(page.locator("output[name=shown]")).to_have_text("showing 1 of 1 scenarios")
    page.close()


def test_printing_shows_every_detail_and_hides_the_controls(page: Page) -> None:
    page.emulate_media(media="print")
    expect(page.locator("form.controls")).to_be_hidden()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details:not([open])").count() == 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
