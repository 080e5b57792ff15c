"""An app's own error responses can be checked: `raise_server_exceptions` and its tag."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from asgibdd.config import AsgiBddConfig
from asgibdd.environment import scenario_raises_server_exceptions
from asgibdd.errors import ConfigError, UsageError
from tests.behave_project import run_feature

ERRORS_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def boom(request):
    raise RuntimeError("the database is gone")


async def internal(request, exc):
    return JSONResponse({"error": "internal"}, status_code=500)


app = Starlette(routes=[Route("/boom", boom)], exception_handlers={Exception: internal})
"""

FEATURE = """
@asgibdd.raise_server_exceptions=false
Feature: The app's own error answer
  Scenario: A product owner checks the 500 answer
    When I GET /boom
    Then the response status is 500
    And the JSON at "$.error" is "internal"

  @asgibdd.raise_server_exceptions=true
  Scenario: A developer wants the traceback
    When I GET /boom
"""


def test_the_tag_lets_a_scenario_check_the_apps_own_500_and_a_scenario_tag_wins(
    tmp_path: Path,
) -> None:
    outcome = run_feature(tmp_path, FEATURE, app="errors_app:app", **{"errors_app.py": ERRORS_APP})
    assert (outcome.scenarios.passed, outcome.scenarios.error) == (1, 1), outcome.output
    assert "RuntimeError: the database is gone" in outcome.output


def test_the_setting_turns_it_off_for_the_whole_run(tmp_path: Path) -> None:
    feature = FEATURE.replace("@asgibdd.raise_server_exceptions=false\n", "").replace(
        "  @asgibdd.raise_server_exceptions=true\n", ""
    )
    outcome = run_feature(
        tmp_path,
        feature,
        "-D",
        "asgibdd.raise_server_exceptions=false",
        app="errors_app:app",
        **{"errors_app.py": ERRORS_APP},
    )
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (2, 0), outcome.output


def _scenario(tags: list[str], feature_tags: list[str]) -> SimpleNamespace:
    return SimpleNamespace(tags=tags, feature=SimpleNamespace(tags=feature_tags))


@pytest.mark.parametrize(
    ("configured", "tags", "feature_tags", "expected"),
    [
        (True, [], [], True),
        (False, [], [], False),
        (True, [], ["asgibdd.raise_server_exceptions=false"], False),
        (True, ["asgibdd.raise_server_exceptions=no"], [], False),
        (
            False,
            ["asgibdd.raise_server_exceptions=true"],
            ["asgibdd.raise_server_exceptions=false"],
            True,
        ),
    ],
)
def test_scenario_tag_then_feature_tag_then_configuration_decide(
    configured: bool, tags: list[str], feature_tags: list[str], expected: bool
) -> None:
    config = AsgiBddConfig(app="a:b", app_source="test", raise_server_exceptions=configured)
    assert scenario_raises_server_exceptions(config, _scenario(tags, feature_tags)) is expected


def test_a_wrong_or_doubled_tag_says_what_is_wrong() -> None:
    config = AsgiBddConfig(app="a:b", app_source="test")
    with pytest.raises(ConfigError) as raised:
        scenario_raises_server_exceptions(
            config, _scenario(["asgibdd.raise_server_exceptions=nah"], [])
        )
    assert str(raised.value) == (
        "The setting from the tag @asgibdd.raise_server_exceptions=nah must be true or false, "
        "got 'nah'."
    )
    doubled = ["asgibdd.raise_server_exceptions=true", "asgibdd.raise_server_exceptions=false"]
    with pytest.raises(UsageError) as raised_usage:
        scenario_raises_server_exceptions(config, _scenario([], doubled))
    assert str(raised_usage.value) == (
        "One scenario or feature has the tags @asgibdd.raise_server_exceptions=false and "
        "@asgibdd.raise_server_exceptions=true; keep one."
    )
