"""The automatic API contract check on real FastAPI and Litestar apps, run by behave.

Each route of the shops breaks its own OpenAPI document in one way; each break is
reported with its exact text, and conforming responses never are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asgibdd.testing import BehaveOutcome
from tests.behave_project import run_feature
from tests.test_steps_response import failure_of

FASTAPI_SHOP = '''"""A FastAPI shop whose routes each break its own OpenAPI document in one way."""

from enum import Enum

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict

app = FastAPI(title="shop")


class Colour(str, Enum):
    red = "red"
    green = "green"


class Line(BaseModel):
    sku: str
    quantity: int


class Order(BaseModel):
    id: int
    lines: list[Line]


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    name: str
    colour: Colour


@app.get("/items/{item_id}")
def good_item(item_id: int) -> Item:
    return Item(id=item_id, name="pen", colour=Colour.red)


@app.get("/teapot")
def teapot() -> Item:
    return JSONResponse({"detail": "I'm a teapot"}, status_code=418)


@app.get("/text")
def text() -> Item:
    return PlainTextResponse("pen")


@app.get("/nameless")
def nameless() -> Item:
    return JSONResponse({"id": 1, "colour": "red"})


@app.get("/orders")
def orders() -> list[Order]:
    return JSONResponse(
        [
            {"id": 1, "lines": [{"sku": "a", "quantity": 1}]},
            {"id": 2, "lines": [{"sku": "b", "quantity": 2}, {"sku": "c", "quantity": "3"}]},
        ]
    )


@app.get("/extra")
def extra() -> Item:
    return JSONResponse({"id": 1, "name": "pen", "colour": "red", "discount": 3})


@app.get("/blue")
def blue() -> Item:
    return JSONResponse({"id": 1, "name": "pen", "colour": "blue"})


@app.get("/hidden", include_in_schema=False)
def hidden() -> dict[str, bool]:
    return {"hidden": True}
'''

LITESTAR_SHOP = '''"""A Litestar shop whose handlers each break its OpenAPI document in one way."""

from dataclasses import dataclass
from typing import Literal

from litestar import Litestar, MediaType, Response, get
from litestar.params import FromPath


@dataclass
class Line:
    sku: str
    quantity: int


@dataclass
class Order:
    id: int
    lines: list[Line]


@dataclass
class Item:
    id: int
    name: str
    colour: Literal["red", "green"]


@get("/items/{item_id:int}")
async def good_item(item_id: FromPath[int]) -> Item:
    return Item(id=item_id, name="pen", colour="red")


@get("/teapot")
async def teapot() -> Item:
    return Response({"detail": "I'm a teapot"}, status_code=418)


@get("/text")
async def text() -> Item:
    return Response("pen", media_type=MediaType.TEXT)


@get("/nameless")
async def nameless() -> Item:
    return Response({"id": 1, "colour": "red"})


@get("/orders")
async def orders() -> list[Order]:
    return Response(
        [
            {"id": 1, "lines": [{"sku": "a", "quantity": 1}]},
            {"id": 2, "lines": [{"sku": "b", "quantity": 2}, {"sku": "c", "quantity": "3"}]},
        ]
    )


@get("/blue")
async def blue() -> Item:
    return Response({"id": 1, "name": "pen", "colour": "blue"})


@get("/hidden", include_in_schema=False)
async def hidden() -> dict[str, bool]:
    return {"hidden": True}


app = Litestar([good_item, teapot, text, nameless, orders, blue, hidden])
'''

FEATURE = """
    Feature: The shop against its own document
      Scenario: a conforming item
        When I GET /items/7
        Then the response status is 200

      @asgibdd.contract=strict
      Scenario: an undocumented status
        When I GET /teapot

      Scenario: a wrong content type
        When I GET /text

      Scenario: a missing required field
        When I GET /nameless

      Scenario: a wrong type deep in a list
        When I GET /orders

      Scenario: an extra field
        When I GET /extra

      Scenario: a value outside an enum
        When I GET /blue

      Scenario: a path the document does not describe
        When I GET /hidden
        Then the response status is 200

      @asgibdd.contract=off
      Scenario: a scenario tagged off
        When I GET /blue
        Then the response status is 200
"""

ADVICE = (
    "Fix the app or its document. To skip this check, tag the scenario or feature "
    "@asgibdd.contract=off, or set `contract = false` in [tool.asgibdd] for the run.\n"
    "The scenario goes on: its later steps still run, and it fails at its end. To stop at "
    'the request instead, set contract_failure = "request".'
)


def _header(source: str, operation: str, status: int) -> str:
    return (
        f"ExpectationFailed: The response to {operation} does not match the API document "
        f"({source}, OpenAPI 3.1.0): status {status}, 1 violation."
    )


def _violation(outcome: BehaveOutcome, scenario: str) -> str:
    """The failure text of `scenario` up to its transcript."""
    return failure_of(outcome, scenario).split("\nRequest:\n")[0]


@pytest.fixture(scope="module")
def fastapi_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[BehaveOutcome, Path]:
    root = tmp_path_factory.mktemp("fastapi_shop")
    outcome = run_feature(root, FEATURE, app="shop:app", **{"shop.py": FASTAPI_SHOP})
    return outcome, root


@pytest.fixture(scope="module")
def litestar_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[BehaveOutcome, Path]:
    root = tmp_path_factory.mktemp("litestar_shop")
    outcome = run_feature(root, FEATURE, app="shop:app", **{"shop.py": LITESTAR_SHOP})
    return outcome, root


FASTAPI = "app.openapi() of FastAPI"
LITESTAR = "app.openapi_schema of Litestar"

# (scenario, operation, status, violation lines, pointer of the rule for each framework)
BREAKS = [
    (
        "an undocumented status",
        "GET /teapot",
        418,
        "  status 418: not documented for this operation; the document lists: 200\n"
        "    rule: responses at #/paths/~1teapot/get/responses\n"
        "Document status 418 for GET /teapot (FastAPI: responses={418: {...}} on the route), "
        'or report such statuses without failing: contract = true instead of "strict".',
    ),
    (
        "a wrong content type",
        "GET /text",
        200,
        "  content type text/plain: not documented for status 200; the document lists: "
        "application/json\n"
        "    rule: content at #/paths/~1text/get/responses/200/content",
    ),
    (
        "a missing required field",
        "GET /nameless",
        200,
        '  $: "name" is a required property\n'
        "    rule: required at #/components/schemas/Item/required",
    ),
    (
        "a wrong type deep in a list",
        "GET /orders",
        200,
        '  $[1].lines[1].quantity: "3" is not of type "integer"\n'
        "    rule: type at #/components/schemas/Line/properties/quantity/type",
    ),
]


@pytest.mark.parametrize(("run", "source"), [("fastapi_run", FASTAPI), ("litestar_run", LITESTAR)])
@pytest.mark.parametrize(("scenario", "operation", "status", "lines"), BREAKS)
def test_each_break_is_reported_exactly(
    request: pytest.FixtureRequest,
    run: str,
    source: str,
    scenario: str,
    operation: str,
    status: int,
    lines: str,
) -> None:
    outcome, _ = request.getfixturevalue(run)
    expected = f"{_header(source, operation, status)}\n{lines}\n{ADVICE}"
    assert _violation(outcome, scenario) == expected


def test_an_extra_field_where_additional_properties_is_false(
    fastapi_run: tuple[BehaveOutcome, Path],
) -> None:
    outcome, _ = fastapi_run
    assert _violation(outcome, "an extra field") == (
        f"{_header(FASTAPI, 'GET /extra', 200)}\n"
        "  $: Additional properties are not allowed ('discount' was unexpected)\n"
        "    rule: additionalProperties at #/components/schemas/Item/additionalProperties\n"
        f"{ADVICE}"
    )


def test_a_value_outside_an_enum(
    fastapi_run: tuple[BehaveOutcome, Path], litestar_run: tuple[BehaveOutcome, Path]
) -> None:
    # FastAPI names the enum as a component; Litestar writes it inline.
    assert _violation(fastapi_run[0], "a value outside an enum") == (
        f"{_header(FASTAPI, 'GET /blue', 200)}\n"
        '  $.colour: "blue" is not one of "red" or "green"\n'
        "    rule: enum at #/components/schemas/Colour/enum\n"
        f"{ADVICE}"
    )
    assert _violation(litestar_run[0], "a value outside an enum") == (
        f"{_header(LITESTAR, 'GET /blue', 200)}\n"
        '  $.colour: "blue" is not one of "red" or "green"\n'
        "    rule: enum at #/components/schemas/Item/properties/colour/enum\n"
        f"{ADVICE}"
    )


def test_the_failure_carries_the_transcript_of_the_exchange(
    fastapi_run: tuple[BehaveOutcome, Path],
) -> None:
    transcript = failure_of(fastapi_run[0], "a missing required field").split(ADVICE + "\n")[1]
    assert transcript == (
        "Request:\n"
        "  GET http://testserver/nameless\n"
        "  Host: testserver\n"
        "  Accept: */*\n"
        "  Accept-Encoding: gzip, deflate\n"
        "  Connection: keep-alive\n"
        "  user-agent: testclient\n"
        "Response:\n"
        "  200 OK\n"
        "  content-length: 23\n"
        "  content-type: application/json\n"
        "\n"
        "  {\n"
        '    "id": 1,\n'
        '    "colour": "red"\n'
        "  }"
    )


def test_conforming_undocumented_and_opted_out_responses_pass(
    fastapi_run: tuple[BehaveOutcome, Path], litestar_run: tuple[BehaveOutcome, Path]
) -> None:
    fastapi, litestar = fastapi_run[0], litestar_run[0]
    # Litestar cannot say "no other fields" (it never writes additionalProperties: false),
    # and its shop has no /extra route: that request is undocumented, so not a failure.
    assert (fastapi.scenarios.passed, fastapi.scenarios.failed) == (3, 6), fastapi.output
    assert (litestar.scenarios.passed, litestar.scenarios.failed) == (4, 5), litestar.output
    for outcome in (fastapi, litestar):
        for scenario in ("a conforming item", "a path the document does not describe"):
            assert f"Scenario: {scenario}\n" in outcome.output
        assert "a scenario tagged off" not in outcome.output.split("Failing scenarios:")[1]


def test_the_coverage_table_follows_behave_summary(fastapi_run: tuple[BehaveOutcome, Path]) -> None:
    outcome, _ = fastapi_run
    after_summary = outcome.output.split("6 steps passed, 6 failed, 0 skipped\n")[1]
    assert after_summary.split("\n", 1)[1] == (  # after behave's "Took ..." line
        "\n"
        "API coverage: 7 of 7 operations, 6 of 8 documented statuses "
        "(app.openapi() of FastAPI, OpenAPI 3.1.0)\n"
        "  operation             requests  exercised           never exercised\n"
        "  GET /items/{item_id}         1  200                 422\n"
        "  GET /teapot                  1  418 (undocumented)  200\n"
        "  GET /text                    1  200                 -\n"
        "  GET /nameless                1  200                 -\n"
        "  GET /orders                  1  200                 -\n"
        "  GET /extra                   1  200                 -\n"
        "  GET /blue                    1  200                 -\n"
        "Requests the document does not describe (not checked):\n"
        "  GET /hidden -> 200 (1x)\n"
        "Written to reports/api-coverage.json\n"
        "1 response had a status the document does not list (reported, not failed): "
        "418 GET /teapot.\n"
        "Document them, so their bodies are checked too:\n"
        '  FastAPI: responses={418: {"description": "..."}} on the route (or {"model": ...}; '
        "on the router or app for all its routes)\n"
        "  Litestar: responses={418: ResponseSpec(...)} on the handler\n"
        "  Django Ninja: response={200: ..., 418: ...} on the operation\n"
        '  a document file: "418" under the operation\'s "responses"\n'
        'Or fail them: contract = "strict".\n'
    )


def test_the_coverage_file_holds_the_same_data(fastapi_run: tuple[BehaveOutcome, Path]) -> None:
    _, root = fastapi_run
    data = json.loads((root / "reports" / "api-coverage.json").read_text(encoding="utf-8"))
    assert data["format"] == "asgibdd-api-coverage/1"
    assert data["document"] == {
        "source": "app.openapi() of FastAPI",
        "openapi": "3.1.0",
        "title": "shop",
    }
    assert data["totals"] == {
        "operations": 7,
        "operations_exercised": 7,
        "statuses": 8,
        "statuses_exercised": 6,
        "responses_checked": 8,
        "responses_with_violations": 6,
        "undocumented_requests": 1,
    }
    teapot = next(row for row in data["operations"] if row["operation"] == "GET /teapot")
    assert teapot == {
        "operation": "GET /teapot",
        "method": "GET",
        "path": "/teapot",
        "operation_id": "teapot_teapot_get",
        "requests": 1,
        "statuses": [{"status": "200", "requests": 0}],
        "undocumented_statuses": [{"status": 418, "requests": 1}],
    }
    assert data["undocumented_requests"] == [
        {"method": "GET", "path": "/hidden", "status": 200, "requests": 1}
    ]
