"""The HTML report tells which run it is and each feature's story, on a project `asgibdd
init` set up: the app and the target, descriptions, Backgrounds and Rules, outline rows by
their values, step texts with the values used, copy-as-curl; and Chromium shows it."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from asgibdd.cli import main
from asgibdd.report.model import (
    FeatureResult,
    Run,
    RunInfo,
    ScenarioResult,
    read_run,
    write_run,
)
from asgibdd.report.run_info import ci_build, git_state
from asgibdd.testing import BehaveOutcome, run_behave, write_project
from tests.browser import chromium, require_chromium
from tests.init_projects import run_asgibdd

TOKEN = "shop-token-4711"
HTML = "asgibdd.report.html:HTMLFormatter"

STORY = '''
@shop
Feature: Items in the shop
  As a shop owner
  I want to list what I sell
  so that customers find it.

  Background:
    Given I am authenticated with the bearer token "{{env.SHOP_TOKEN}}"

  Scenario Outline: Create several items
    When I POST /items with JSON:
      """
      {"name": "<name>", "price": <price>}
      """
    Then the response status is 201
    And I store the JSON at "$.id" as "id"
    When I GET /items/{{id}}
    Then the JSON at "$.name" is "<name>"

    Examples:
      | name | price |
      | pen  | 3     |
      | ink  | 5     |

  Rule: Unknown items are not found
    An id nobody created answers 404,
    and an id that is no number 422.

    Scenario: An id that is no number
      When I GET /items/{{$uuid}}
      Then the response status is 422
'''


def _text(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BehaveOutcome]:
    """A project `asgibdd init` set up for the demo app, with a story of its own, run by
    `behave -f html -o report.html -f plain features/`."""
    project = tmp_path_factory.mktemp("story")
    initialised = run_asgibdd(project, "init", ".", "--app", "asgibdd.demo:app")
    assert initialised.returncode == 0, initialised.stderr
    write_project(project, {"features/items.feature": STORY})
    outcome = run_behave(
        project,
        "-f",
        "html",
        "-o",
        "report.html",
        "-f",
        "plain",
        "features/",
        env={"SHOP_TOKEN": TOKEN},
    )
    assert outcome.passed, outcome.output
    return project, outcome


def test_the_report_names_the_app_and_the_target_in_its_title_and_header(
    shop: tuple[Path, BehaveOutcome],
) -> None:
    page = (shop[0] / "report.html").read_text()
    assert "<title>asgibdd.demo:app: 4 scenarios, all passed (asgibdd report)</title>" in page
    assert '<h1>Test report: <span class="app">asgibdd.demo:app</span></h1>' in page
    assert "<div><dt>App</dt><dd>asgibdd.demo:app</dd></div>" in page
    assert "<div><dt>Target</dt><dd>in-process</dd></div>" in page
    assert re.search(r"<dt>Versions</dt><dd>Python 3\.\d+\.\d+, behave 1\.\d+\.\d+, asgibdd ", page)


def test_every_feature_is_told_with_its_description_background_and_rules(
    shop: tuple[Path, BehaveOutcome],
) -> None:
    page = (shop[0] / "report.html").read_text()
    # The feature `init` wrote and the story: every description, its lines kept.
    assert (
        '<p class="description">A first check that asgibdd reaches the app asgibdd.demo:app.<br>'
        "Add your own scenarios below; `asgibdd steps` lists every step you can use.</p>"
    ) in page
    assert (
        '<p class="description">As a shop owner<br>I want to list what I sell<br>'
        "so that customers find it.</p>"
    ) in page
    # The Background as written (its placeholder, never the token), then the Rule with its
    # description and the scenario it holds.
    assert (
        '<div class="background"><span class="keyword">Background:</span><ul>'
        "<li>Given I am authenticated with the bearer token &quot;{{env.SHOP_TOKEN}}&quot;</li>"
        "</ul></div>"
    ) in page
    rule = page.split('<section class="rule" aria-label="Rule: Unknown items are not found">')[1]
    assert rule.startswith(
        '<h3><span class="keyword">Rule:</span> Unknown items are not found '
        '<span class="where">line 25</span></h3>'
        '<p class="description">An id nobody created answers 404,<br>'
        "and an id that is no number 422.</p>"
    )
    assert rule.split("</section>")[0].count('<details class="scenario') == 1
    # Scenarios under their feature: two features, four scenarios.
    sections = page.split('<section class="feature"')[1:]
    assert [part.count('<details class="scenario') for part in sections] == [1, 3]


def test_no_outline_row_is_named_by_its_index_in_the_report_or_the_console(
    shop: tuple[Path, BehaveOutcome],
) -> None:
    page = (shop[0] / "report.html").read_text()
    names = re.findall(r'<span class="name">([^<]*)</span>', page)
    assert sorted(names) == [
        "An id that is no number",
        "Create several items -- name=ink, price=5",
        "Create several items -- name=pen, price=3",
        "The service answers GET /health",
    ]
    assert "-- @" not in page and "-- @" not in shop[1].output
    assert "  Scenario Outline: Create several items -- name=pen, price=3\n" in shop[1].output


def test_steps_show_the_values_they_used_and_keep_the_text_as_written(
    shop: tuple[Path, BehaveOutcome],
) -> None:
    page = (shop[0] / "report.html").read_text()
    assert (
        '<b>When</b> <span class="resolved" title="I GET /items/{{id}}">I GET /items/1</span>'
    ) in page
    assert '<span class="written">written as: I GET /items/{{id}}</span>' in page
    # A fresh value is shown as it was used: the same one the request carried.
    run = read_run(shop[0] / "report.results.json")
    [fresh] = [s for s in run.scenarios() if s.name == "An id that is no number"]
    step = fresh.steps[1]
    assert step.written == "I GET /items/{{$uuid}}"
    used = step.name.removeprefix("I GET /items/")
    assert re.fullmatch(r"[0-9a-f-]{36}", used), step.name
    assert fresh.transcript[0].title.startswith(f"GET /items/{used} → 422")
    # A secret's value is masked in the step, as everywhere else.
    background = fresh.steps[0]
    assert background.name == 'I am authenticated with the bearer token "***"'
    assert TOKEN not in page and TOKEN not in (shop[0] / "report.results.json").read_text()


def test_every_exchange_can_be_copied_as_curl_with_its_secrets_masked(
    shop: tuple[Path, BehaveOutcome],
) -> None:
    page = (shop[0] / "report.html").read_text()
    assert page.count('<button type="button" data-action="copy">Copy as curl</button>') == 6
    assert (
        '<pre class="curl">curl -X POST http://testserver/items \\\n'
        "  -H &#x27;Content-Type: application/json&#x27; \\\n"
        "  -H &#x27;Authorization: Bearer ***&#x27; \\\n"
        "  --data-raw &#x27;{&quot;name&quot;:&quot;pen&quot;,&quot;price&quot;:3}&#x27;</pre>"
    ) in page


def test_chromium_shows_the_header_the_story_and_copies_a_curl_command(
    shop: tuple[Path, BehaveOutcome],
) -> None:
    require_chromium()
    report = shop[0] / "report.html"
    with chromium() as browser:
        browser.grant_permissions(["clipboard-read", "clipboard-write"])
        page = browser.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda message: errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report.as_uri())
        assert page.locator("h1").inner_text() == "Test report: asgibdd.demo:app"
        assert page.locator(".run").inner_text().startswith("App\nasgibdd.demo:app\nTarget\n")
        features = page.locator("section.feature")
        assert features.count() == 2
        assert features.nth(1).locator(".description").first.is_visible()
        # Filtering out every passed scenario hides the features and rules they are in.
        page.locator("input[name=status][value=passed]").uncheck()
        assert page.locator("section.feature:visible, section.rule:visible").count() == 0
        page.locator("input[name=status][value=passed]").check()
        assert page.locator("section.rule:visible").count() == 1
        page.locator("button[data-action=expand]").click()
        button = page.locator("button[data-action=copy]").first
        # The clipboard answers asynchronously and the label reverts after 2.5 s: record
        # every label the button shows rather than reading it at one moment.
        button.evaluate(
            "(node) => { window.labels = []; new MutationObserver(() =>"
            " window.labels.push(node.textContent)).observe(node, {childList: true}); }"
        )
        button.click()
        page.wait_for_function("() => window.labels.length > 0", timeout=10_000)
        assert page.evaluate("() => window.labels[0]") in ("Copied", "Selected: press Ctrl+C")
        command = page.locator("pre.curl").first.inner_text()
        copied = page.evaluate(
            "() => navigator.clipboard.readText().catch(() => window.getSelection().toString())"
        )
        assert copied == command
        assert errors == []
        assert requests == [report.as_uri()]


# -- which run: git and CI


def _git(folder: Path, *arguments: str) -> str:
    if shutil.which("git") is None:
        pytest.skip("no git on this machine")
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_the_commit_is_read_from_git_with_the_branch_and_uncommitted_changes(
    tmp_path: Path,
) -> None:
    assert git_state(tmp_path) == ("", False, "")  # not a repository: nothing, no failure
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text("app = None\n")
    assert git_state(tmp_path) == ("", False, "")  # no commit yet
    _git(tmp_path, "add", "app.py")
    _git(tmp_path, "commit", "-q", "-m", "first")
    sha = _git(tmp_path, "rev-parse", "HEAD")
    assert git_state(tmp_path) == (sha[:10], False, "main")
    (tmp_path / "app.py").write_text("app = 1\n")
    assert git_state(tmp_path) == (sha[:10], True, "main")


def test_the_report_names_the_commit_and_without_git_goes_without_one(tmp_path: Path) -> None:
    project = _small_project(tmp_path)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "first")
    sha = _git(project, "rev-parse", "HEAD")[:10]
    arguments = ("-f", HTML, "-o", "report.html", "features/")
    assert run_behave(project, *arguments).passed
    page = (project / "report.html").read_text()
    # What the run writes (report.html) is not tracked: the checkout stays clean.
    assert f"<div><dt>Commit</dt><dd>{sha} on main</dd></div>" in page
    # No git on the PATH (behave is started by its full path): no commit, and no failure.
    outcome = run_behave(project, *arguments, env={"PATH": str(tmp_path / "no-programs")})
    assert outcome.passed, outcome.output
    assert read_run(project / "report.results.json").info.commit == ""
    assert "<dt>Commit</dt>" not in (project / "report.html").read_text()


def _small_project(project: Path) -> Path:
    return write_project(
        project,
        {
            "pyproject.toml": """
                [project]
                name = "shop"

                [tool.asgibdd]
                app = "asgibdd.demo:app"
            """,
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            "features/health.feature": """
                Feature: Health
                  Scenario: Up
                    When I GET /health
                    Then the response status is 200
            """,
        },
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "shop/api",
                "GITHUB_RUN_ID": "42",
                "GITHUB_RUN_ATTEMPT": "2",
            },
            ("GitHub Actions", "https://github.com/shop/api/actions/runs/42/attempts/2"),
        ),
        (
            {"CI_JOB_URL": "https://gitlab.com/shop/api/-/jobs/7"},
            ("GitLab CI", "https://gitlab.com/shop/api/-/jobs/7"),
        ),
        (
            {"BUILD_URL": "https://ci.shop/job/api/9/", "JENKINS_URL": "https://ci.shop/"},
            ("Jenkins", "https://ci.shop/job/api/9/"),
        ),
        (
            {"CIRCLE_BUILD_URL": "https://app.circleci.com/pipelines/gh/shop/api/3"},
            ("CircleCI", "https://app.circleci.com/pipelines/gh/shop/api/3"),
        ),
        (
            {"BUILDKITE_BUILD_URL": "https://buildkite.com/shop/api/builds/5"},
            ("Buildkite", "https://buildkite.com/shop/api/builds/5"),
        ),
        (
            {
                "SYSTEM_COLLECTIONURI": "https://dev.azure.com/shop/",
                "SYSTEM_TEAMPROJECT": "api",
                "BUILD_BUILDID": "11",
            },
            ("Azure Pipelines", "https://dev.azure.com/shop/api/_build/results?buildId=11"),
        ),
        # A password in the address is masked; an address that is not http(s) is no link.
        (
            {"BUILD_URL": "https://bot:hunter22@ci.shop/job/1/"},
            ("CI", "https://bot:***@ci.shop/job/1/"),
        ),
        ({"BUILD_URL": "javascript:alert(1)"}, ("", "")),
        ({}, ("", "")),
    ],
)
def test_the_ci_build_is_found_from_the_variables_each_ci_sets(
    environ: dict[str, str], expected: tuple[str, str]
) -> None:
    assert ci_build(environ) == expected


def test_the_ci_build_links_from_the_header_and_a_live_target_is_masked(tmp_path: Path) -> None:
    project = _small_project(tmp_path)
    # A live run whose service is not there: the header still says where it pointed.
    outcome = run_behave(
        project,
        "-f",
        HTML,
        "-o",
        "report.html",
        "-D",
        "asgibdd.target=live",
        "-D",
        "asgibdd.base_url=http://bot:hunter22@127.0.0.1:9/?api_key=k-99887766",
        "features/",
        env={
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "shop/api",
            "GITHUB_RUN_ID": "42",
            "GITHUB_RUN_ATTEMPT": "1",
        },
    )
    assert not outcome.passed
    page = (project / "report.html").read_text()
    assert "<title>shop: 1 scenario, 1 not passed (asgibdd report)</title>" in page
    assert ("<div><dt>Target</dt><dd>http://bot:***@127.0.0.1:9/?api_key=***</dd></div>") in page
    assert (
        '<div><dt>CI</dt><dd><a href="https://github.com/shop/api/actions/runs/42" '
        'rel="noopener noreferrer">GitHub Actions build</a></dd></div>'
    ) in page
    assert "hunter22" not in page and "k-99887766" not in page


# -- merged runs


def _run(started: float, duration: float, commit: str, scenario: str) -> Run:
    feature = FeatureResult(
        "A",
        "features/a.feature",
        1,
        [],
        [ScenarioResult(scenario, "passed", 1.0, "features/a.feature", 3, [], [])],
    )
    info = RunInfo(app="shop.main:app", target="in-process", commit=commit, python="3.12.1")
    return Run(features=[feature], started=started, duration=duration, info=info)


def test_a_merged_report_keeps_the_first_runs_header_and_the_whole_runs_duration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(_run(1000.0, 30.0, "aaaaaaaaaa", "one"), tmp_path / "one.results.json")
    write_run(_run(990.0, 15.0, "bbbbbbbbbb", "two"), tmp_path / "two.results.json")
    arguments = [str(tmp_path / "one.results.json"), str(tmp_path / "two.results.json")]
    merged = tmp_path / "merged.html"
    results = tmp_path / "merged.results.json"
    assert (
        main(["report", "merge", *arguments, "--html", str(merged), "--results", str(results)]) == 0
    )
    capsys.readouterr()
    page = merged.read_text()
    assert "<title>shop.main:app: 2 scenarios, all passed (asgibdd report)</title>" in page
    assert "<div><dt>Commit</dt><dd>bbbbbbbbbb</dd></div>" in page  # the first to start
    assert "<div><dt>Duration</dt><dd>40.00 s (2 runs)</dd></div>" in page
    assert read_run(results).info.commit == "bbbbbbbbbb"


def test_a_results_file_written_before_the_header_and_the_story_still_merges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = {
        "format": "asgibdd-results/1",
        "started": 1.0,
        "duration": 2.0,
        "features": [
            {
                "name": "A",
                "filename": "features/a.feature",
                "line": 1,
                "tags": [],
                "description": [],
                "scenarios": [
                    {
                        "name": "s",
                        "status": "passed",
                        "duration": 1.0,
                        "filename": "features/a.feature",
                        "line": 3,
                        "tags": [],
                        "steps": [
                            {
                                "keyword": "When",
                                "name": "I GET /",
                                "status": "passed",
                                "duration": 0.1,
                                "line": 4,
                                "error_type": None,
                                "error_message": None,
                                "text": None,
                                "table": None,
                            }
                        ],
                        "transcript": [
                            {
                                "kind": "http",
                                "step": "I GET /",
                                "at": 0.0,
                                "title": "GET / → 200 OK",
                                "text": "Request: ...",
                                "duration": 0.1,
                            }
                        ],
                        "error_type": None,
                        "error_message": None,
                    }
                ],
            }
        ],
    }
    path = tmp_path / "old.results.json"
    path.write_text(json.dumps(older))
    assert main(["report", "merge", str(path), "--html", str(tmp_path / "out.html")]) == 0
    capsys.readouterr()
    page = (tmp_path / "out.html").read_text()
    assert "<title>asgibdd report: 1 scenario, all passed</title>" in page
    assert 'data-action="copy"' not in page
