"""Where the document comes from, the settings and tags that turn the check off, the
explicit step, and what a bad document or setting says."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from asgibdd.config import load_config
from asgibdd.contracts import ContractChecker
from asgibdd.contracts.document import load_file, load_served
from asgibdd.errors import ConfigError
from tests.behave_project import run_feature
from tests.test_steps_response import failure_of

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things/{id}": {
            "get": {
                "responses": {
                    "200": {
                        "description": "a thing",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {"id": {"type": "integer"}},
                                }
                            }
                        },
                    }
                }
            }
        }
    },
}

# A Starlette app: asgibdd cannot ask it for its document, so it is configured.
THINGS_APP = f"""
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

DOCUMENT = {json.dumps(DOCUMENT)}


async def openapi(request):
    return JSONResponse(DOCUMENT)


async def thing(request):
    return JSONResponse({{"id": request.path_params["id"]}})


app = Starlette(routes=[Route("/openapi.json", openapi), Route("/things/{{id}}", thing)])
"""

BROKEN = (
    "The response to GET /things/{{id}} does not match the API document ({source}, "
    "OpenAPI 3.0.3): status 200, 1 violation.\n"
    '  $.id: "1" is not of type "integer"\n'
    "    rule: type at #/paths/~1things~1{{id}}/get/responses/200/content/application~1json"
    "/schema/properties/id/type\n"
)

FEATURE = """
    Feature: things
      Scenario: automatic
        When I GET /things/1

      @asgibdd.contract=off
      Scenario: explicit
        When I GET /things/1
        Then the response matches the API schema
"""


def _expected(source: str) -> str:
    return "ExpectationFailed: " + BROKEN.format(source=source)


def test_a_document_the_app_serves(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path, FEATURE, "-D", "asgibdd.openapi=/openapi.json", app="things:app",
        **{"things.py": THINGS_APP},
    )  # fmt: skip
    for scenario in ("automatic", "explicit"):
        assert failure_of(outcome, scenario).startswith(
            _expected("/openapi.json served by the app")
        ), outcome.output
    # The document's own request is not part of any scenario, nor of the coverage.
    assert "/openapi.json ->" not in outcome.output


PYPROJECT = '[tool.asgibdd]\nopenapi = "api/openapi.json"\n'


def test_a_document_file_and_contract_false(tmp_path: Path) -> None:
    outcome = run_feature(
        tmp_path, FEATURE, "-D", "asgibdd.contract=false", app="things:app",
        **{"things.py": THINGS_APP, "pyproject.toml": PYPROJECT,
           "api/openapi.json": json.dumps(DOCUMENT)},
    )  # fmt: skip
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (1, 1), outcome.output
    source = f"file {tmp_path / 'api' / 'openapi.json'}"
    assert failure_of(outcome, "explicit").startswith(_expected(source))
    # Only the explicit step's response was checked, so only it is in the coverage.
    data = json.loads((tmp_path / "reports" / "api-coverage.json").read_text(encoding="utf-8"))
    assert data["totals"]["responses_checked"] == 1


def test_a_scenario_tag_wins_over_its_feature_tag(tmp_path: Path) -> None:
    feature = """
        @asgibdd.contract=off
        Feature: things
          Scenario: feature off
            When I GET /things/1

          @asgibdd.contract=on
          Scenario: scenario on
            When I GET /things/1
    """
    outcome = run_feature(
        tmp_path, feature, "-D", "asgibdd.openapi=/openapi.json", "-D", "asgibdd.api_coverage=",
        app="things:app", **{"things.py": THINGS_APP},
    )  # fmt: skip
    assert (outcome.scenarios.passed, outcome.scenarios.failed) == (1, 1), outcome.output
    assert failure_of(outcome, "scenario on").startswith("ExpectationFailed: The response to")
    assert not (tmp_path / "reports").exists()
    assert "Written to" not in outcome.output


def test_the_explicit_step_without_a_document(tmp_path: Path) -> None:
    feature = """
        Feature: things
          Scenario: explicit
            When I GET /things/1
            Then the response matches the API schema
    """
    outcome = run_feature(tmp_path, feature, app="things:app", **{"things.py": THINGS_APP})
    assert failure_of(outcome, "explicit") == (
        'UsageError: The step "the response matches the API schema" needs the app\'s '
        "OpenAPI document, and this app publishes none asgibdd can find (it reads FastAPI's "
        "and Litestar's by itself). Name it with the `openapi` setting in [tool.asgibdd]: a "
        'file (openapi = "openapi.json") or a path the app serves (openapi = "/openapi.json").'
    )
    assert "API coverage" not in outcome.output


def test_the_settings_and_their_defaults(tmp_path: Path) -> None:
    config = load_config({"asgibdd.app": "a:b"}, {}, tmp_path)
    assert (config.contract, config.contract_failure, config.openapi, config.api_coverage) == (
        "on",
        "end",
        "auto",
        "reports/api-coverage.json",
    )
    config = load_config(
        {"asgibdd.app": "a:b", "asgibdd.contract": "off", "asgibdd.openapi": "/spec"},
        {"ASGIBDD_API_COVERAGE": "out/cov.json"},
        tmp_path,
    )
    assert (config.contract, config.openapi, config.api_coverage) == (
        "off",
        "/spec",
        "out/cov.json",
    )
    with pytest.raises(ConfigError) as raised:
        load_config({"asgibdd.app": "a:b", "asgibdd.contract": "sometimes"}, {}, tmp_path)
    assert str(raised.value) == (
        "The contract setting from behave -D asgibdd.contract must be true (check what the "
        'document says), "strict" (undocumented statuses fail too) or false (no check), got '
        "'sometimes'."
    )
    strict = load_config(
        {"asgibdd.app": "a:b", "asgibdd.contract": "strict"},
        {"ASGIBDD_CONTRACT_FAILURE": "request"},
        tmp_path,
    )
    assert (strict.contract, strict.contract_failure) == ("strict", "request")
    with pytest.raises(ConfigError) as raised:
        load_config({"asgibdd.app": "a:b", "asgibdd.contract_failure": "later"}, {}, tmp_path)
    assert str(raised.value) == (
        'The contract_failure setting from behave -D asgibdd.contract_failure must be "end" '
        '(the scenario goes on and fails at its end) or "request" (the request step fails at '
        "once), got 'later'."
    )


def test_a_yaml_document_file(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "openapi.yaml"
    path.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n", encoding="utf-8")
    assert load_file(path, "test").version == "3.1.0"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '{"swagger": "2.0", "paths": {}}',
            'must be OpenAPI 3.0 or 3.1 (an "openapi": "3.x.y" field), got "swagger": \'2.0\'. '
            "Convert a Swagger 2.0 document to OpenAPI 3 first. ",
        ),
        ("[1]", "must be a JSON object, got list. "),
        ("{oops", "is not valid JSON: Expecting property name enclosed in double quotes: "
         "line 1 column 2 (char 1). "),
    ],
)  # fmt: skip
def test_a_bad_document_file(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_file(path, "test")
    assert str(raised.value) == (
        f"The API document from file {path} {problem}Point the `openapi` setting at a JSON "
        'file or a served path (e.g. `openapi = "/openapi.json"` in [tool.asgibdd]), or turn '
        "the check off with `contract = false`."
    )


def test_a_missing_document_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        ContractChecker.from_setting(
            "missing.json", object(), source="behave -D asgibdd.openapi", project_dir=tmp_path
        )
    assert str(raised.value) == (
        f"Cannot read the API document {tmp_path / 'missing.json'} (from behave -D "
        "asgibdd.openapi): No such file or directory. Check the path; a relative path is read "
        "from the folder of pyproject.toml."
    )


def test_a_served_document_that_is_not_there() -> None:
    def fetch(path: str) -> httpx.Response:
        return httpx.Response(404, text="Not Found")

    with pytest.raises(ConfigError) as raised:
        load_served(fetch, "/openapi.json")
    assert str(raised.value).startswith(
        "The app answered 404 to GET /openapi.json, where its API document should be served; "
        "expected 200. "
    )


def test_an_app_without_a_document_has_no_checker() -> None:
    assert (
        ContractChecker.from_setting("auto", object(), source="the default", project_dir=None)
        is None
    )


def test_the_explicit_step_on_a_request_the_document_does_not_describe(tmp_path: Path) -> None:
    feature = """
        Feature: things
          Scenario: explicit
            When I GET /openapi.json
            Then the response matches the API schema
    """
    outcome = run_feature(
        tmp_path, feature, "-D", "asgibdd.openapi=/openapi.json", app="things:app",
        **{"things.py": THINGS_APP},
    )  # fmt: skip
    assert failure_of(outcome, "explicit") == (
        "ExpectationFailed: The API document (/openapi.json served by the app, OpenAPI 3.0.3) "
        "describes no operation GET /openapi.json, so the response cannot be checked against "
        "it. Document the operation, or drop this step for this request."
    )


def test_contract_tags_are_read_like_the_other_switches(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from asgibdd.environment import scenario_contract
    from asgibdd.errors import UsageError

    config = load_config({"asgibdd.app": "a:b"}, {}, tmp_path)

    def scenario(tags: list[str], feature_tags: list[str]) -> SimpleNamespace:
        return SimpleNamespace(tags=tags, feature=SimpleNamespace(tags=feature_tags))

    assert scenario_contract(config, scenario([], [])) == "on"
    assert scenario_contract(config, scenario([], ["asgibdd.contract=off"])) == "off"
    assert scenario_contract(config, scenario([], ["asgibdd.contract=strict"])) == "strict"
    on_over_off = scenario(["asgibdd.contract=true"], ["asgibdd.contract=no"])
    assert scenario_contract(config, on_over_off) == "on"
    with pytest.raises(UsageError) as raised:
        scenario_contract(config, scenario(["asgibdd.contract=on", "asgibdd.contract=off"], []))
    assert str(raised.value) == (
        "One scenario or feature has the tags @asgibdd.contract=off and @asgibdd.contract=on; "
        "keep one."
    )


def test_an_absolute_path_to_a_file_is_a_file_not_a_served_path(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    checker = ContractChecker.from_setting(str(path), object(), source="test", project_dir=None)
    assert checker is not None and checker.describe() == f"file {path}, OpenAPI 3.0.3"
    served = ContractChecker.from_setting(
        "/openapi.json", object(), source="test", project_dir=None
    )
    assert served is not None and served.describe() == "/openapi.json served by the app"
