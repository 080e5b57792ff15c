"""The contract check on hand-written documents: OpenAPI 3.0 and 3.1 rules, operation
matching, statuses, media types, and the failure text."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from asgibdd.contracts import ContractChecker, Verdict, document_from_mapping, render_table
from asgibdd.contracts.coverage import CoverageTally
from asgibdd.errors import ConfigError
from asgibdd.secrets import Secrets


def _fetch(path: str) -> httpx.Response:
    raise AssertionError(f"nothing should be fetched, asked for {path}")


def _document(schema: dict[str, Any], *, version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "responses": {
                        "200": {"content": {"application/json": {"schema": schema}}},
                        "4XX": {"description": "client error"},
                        "default": {
                            "content": {"application/problem+json": {"schema": {"type": "object"}}}
                        },
                    }
                }
            },
            "/things/new": {"get": {"responses": {"204": {"description": "nothing"}}}},
        },
        **extra,
    }


def _check(
    document: dict[str, Any],
    *,
    status: int = 200,
    body: Any = None,
    path: str = "/things/1",
    content_type: str | None = "application/json",
    content: bytes | None = None,
    root_path: str = "",
) -> Verdict:
    checker = ContractChecker(document_from_mapping(document, "test document"))
    request = httpx.Request("GET", f"http://testserver{path}")
    headers = {"content-type": content_type} if content_type else {}
    raw = (
        content
        if content is not None
        else (b"" if body is None else httpx.Response(200, json=body).content)
    )
    response = httpx.Response(status, headers=headers, content=raw, request=request)
    return checker.check(request, response, fetch=_fetch, root_path=root_path)


def _lines(verdict: Verdict) -> list[str]:
    return [f"{v.where}: {v.problem} [{v.rule} at #{v.pointer}]" for v in verdict.violations]


NULLABLE_30 = {"type": "object", "properties": {"note": {"type": "string", "nullable": True}}}


def test_openapi_30_nullable_with_a_type_allows_null() -> None:
    document = _document(NULLABLE_30, version="3.0.3")
    assert _lines(_check(document, body={"note": None})) == []
    assert _lines(_check(document, body={"note": 3})) == [
        '$.note: 3 is not of types "null", "string" '
        "[type at #/paths/~1things~1{id}/get/responses/200/content/application~1json/schema"
        "/properties/note/type]"
    ]


def test_openapi_31_has_no_nullable_keyword_so_null_breaks_the_type() -> None:
    # In 3.1, `nullable` is not a keyword: the document must say type ["string", "null"].
    assert len(_check(_document(NULLABLE_30), body={"note": None}).violations) == 1


def test_openapi_30_nullable_without_a_type_has_no_effect() -> None:
    schema = {"properties": {"n": {"nullable": True, "enum": ["a"]}}}
    verdict = _check(_document(schema, version="3.0.3"), body={"n": None})
    assert [v.rule for v in verdict.violations] == ["enum"]


def test_openapi_30_nullable_enum_allows_null() -> None:
    schema = {"properties": {"n": {"type": "string", "nullable": True, "enum": ["a"]}}}
    assert _lines(_check(_document(schema, version="3.0.3"), body={"n": None})) == []


def test_openapi_30_boolean_exclusive_bounds() -> None:
    schema = {"properties": {"n": {"type": "number", "minimum": 0, "exclusiveMinimum": True}}}
    document = _document(schema, version="3.0.3")
    assert _lines(_check(document, body={"n": 0.5})) == []
    assert [v.rule for v in _check(document, body={"n": 0}).violations] == ["exclusiveMinimum"]


def test_openapi_30_ignores_the_siblings_of_a_ref() -> None:
    components: dict[str, Any] = {"schemas": {"Any": {}}}
    schema = {"$ref": "#/components/schemas/Any", "type": "string"}
    verdict = _check(_document(schema, version="3.0.3", components=components), body=[1])
    assert verdict.violations == ()


PETS = {
    "schemas": {
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind", "mapping": {"dog": "Dog"}},
        },
        "Cat": {
            "type": "object",
            "required": ["kind", "lives"],
            "properties": {"kind": {"type": "string"}, "lives": {"type": "integer"}},
        },
        "Dog": {
            "type": "object",
            "required": ["kind", "bark"],
            "properties": {"kind": {"type": "string"}, "bark": {"type": "string"}},
        },
    }
}


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_discriminator_picks_the_schema_to_report_in(version: str) -> None:
    document = _document({"$ref": "#/components/schemas/Pet"}, version=version, components=PETS)
    assert _lines(_check(document, body={"kind": "Cat", "lives": 9})) == []
    assert _lines(_check(document, body={"kind": "dog", "bark": "woof"})) == []
    assert _lines(_check(document, body={"kind": "dog", "lives": 9})) == [
        '$: "bark" is a required property [required at #/components/schemas/Dog/required]'
    ]
    assert _lines(_check(document, body={"kind": "cow"})) == [
        '$.kind: "cow" is not one of "Cat" or "dog" '
        "[discriminator at #/components/schemas/Pet/discriminator]"
    ]


def test_formats_are_checked() -> None:
    schema = {"properties": {"at": {"type": "string", "format": "date-time"}}}
    document = _document(schema)
    assert _lines(_check(document, body={"at": "2026-11-29T13:00:00Z"})) == []
    assert [v.rule for v in _check(document, body={"at": "yesterday"}).violations] == ["format"]


def test_refs_resolve_against_the_whole_document() -> None:
    components = {"schemas": {"Id": {"type": "integer"}}}
    schema = {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/Id"}}}
    verdict = _check(_document(schema, components=components), body={"id": "x"})
    assert _lines(verdict) == [
        '$.id: "x" is not of type "integer" [type at #/components/schemas/Id/type]'
    ]


def test_a_literal_path_wins_over_a_template() -> None:
    verdict = _check(_document({}), path="/things/new", status=204, content_type=None)
    assert verdict.operation is not None and verdict.operation.label == "GET /things/new"
    assert verdict.violations == ()


def test_status_ranges_and_default() -> None:
    assert _check(_document({}), status=404, content_type=None).status_key == "4XX"
    verdict = _check(_document({}), status=500, content_type="application/problem+json", body={})
    assert (verdict.status_key, verdict.violations) == ("default", ())


def test_a_body_where_the_document_describes_none() -> None:
    verdict = _check(_document({}), status=404, body={"detail": "gone"})
    assert _lines(verdict) == [
        "body: a body (application/json), but the document describes no body for status 4XX "
        "[content at #/paths/~1things~1{id}/get/responses/4XX]"
    ]


def test_a_body_that_is_not_json() -> None:
    verdict = _check(_document({}), content=b"{oops")
    assert [(v.where, v.rule) for v in verdict.violations] == [("body", "schema")]
    assert verdict.violations[0].problem.startswith("not valid JSON (")


def test_media_type_ranges_match() -> None:
    document = _document({})
    responses = document["paths"]["/things/{id}"]["get"]["responses"]
    responses["200"]["content"] = {"text/*": {}}
    assert _check(document, content_type="text/csv; charset=utf-8", content=b"a,b").violations == ()


def test_a_missing_content_type_on_a_body() -> None:
    verdict = _check(_document({}), content_type=None, content=b"{}")
    assert _lines(verdict) == [
        "content type: missing; the document lists: application/json "
        "[content at #/paths/~1things~1{id}/get/responses/200/content]"
    ]


def test_a_path_or_method_the_document_lacks_is_undocumented_not_a_failure() -> None:
    verdict = _check(_document({}), path="/other", status=404, body={})
    assert (verdict.operation, verdict.violations) == (None, ())


@pytest.mark.parametrize(
    ("root_path", "servers", "path"),
    [
        ("/api", None, "/api/things/1"),
        ("", [{"url": "https://shop.example/v2"}], "/v2/things/1"),
        ("", [{"url": "/v2/"}], "/things/1"),
    ],
)
def test_root_path_and_server_paths_are_taken_off(root_path: str, servers: Any, path: str) -> None:
    extra = {"servers": servers} if servers else {}
    verdict = _check(_document({}, **extra), path=path, body={}, root_path=root_path)
    assert verdict.operation is not None and verdict.operation.label == "GET /things/{id}"


def test_response_objects_behind_a_ref_are_followed() -> None:
    components = {
        "responses": {"Gone": {"content": {"application/json": {"schema": {"required": ["why"]}}}}}
    }
    document = _document({}, components=components)
    document["paths"]["/things/{id}"]["get"]["responses"]["410"] = {
        "$ref": "#/components/responses/Gone"
    }
    assert _lines(_check(document, status=410, body={})) == [
        '$: "why" is a required property '
        "[required at #/components/responses/Gone/content/application~1json/schema/required]"
    ]


def test_the_failure_text_masks_secrets_and_shows_at_most_ten_violations() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    checker = ContractChecker(document_from_mapping(_document(schema), "test document"))
    request = httpx.Request("GET", "http://testserver/things/1")
    body = {f"k{n:02}": "s3cr3t" for n in range(12)}
    response = httpx.Response(200, json=body, request=request)
    verdict = checker.check(request, response, fetch=_fetch)
    secrets = Secrets()
    secrets.remember("s3cr3t")
    text = checker.failure(verdict, request, response, secrets)
    assert "s3cr3t" not in text
    lines = text.splitlines()
    assert lines[0] == (
        "The response to GET /things/{id} does not match the API document (test document, "
        "OpenAPI 3.1.0): status 200, 12 violations."
    )
    assert lines[1:3] == [
        '  $.k00: "***" is not of type "integer"',
        "    rule: type at #/paths/~1things~1{id}/get/responses/200/content/application~1json"
        "/schema/additionalProperties/type",
    ]
    assert lines[21] == "  ... and 2 more"


def test_a_response_is_counted_once_in_the_coverage() -> None:
    checker = ContractChecker(document_from_mapping(_document({}), "test document"))
    request = httpx.Request("GET", "http://testserver/things/1")
    response = httpx.Response(200, json={}, request=request)
    for _ in range(2):
        checker.check(request, response, fetch=_fetch)
    data = checker.coverage()
    assert data is not None
    assert data["totals"]["responses_checked"] == 1
    assert data["operations"][0]["statuses"] == [
        {"status": "200", "requests": 1},
        {"status": "4XX", "requests": 0},
        {"status": "default", "requests": 0},
    ]


def test_openapi_integer_formats_are_ranges_and_byte_is_base64() -> None:
    schema = {
        "properties": {
            "small": {"type": "integer", "format": "int32"},
            "data": {"type": "string", "format": "byte"},
        }
    }
    document = _document(schema)
    assert _lines(_check(document, body={"small": 2**31 - 1, "data": "aGk="})) == []
    assert _lines(_check(document, body={"small": 2**31, "data": "hi!"})) == [
        "$.small: 2147483648 is greater than the maximum of 2147483647 [format at "
        "#/paths/~1things~1{id}/get/responses/200/content/application~1json/schema"
        "/properties/small/format]",
        '$.data: "hi!" is not a "byte" [format at '
        "#/paths/~1things~1{id}/get/responses/200/content/application~1json/schema"
        "/properties/data/format]",
    ]


def test_the_coverage_table_stays_short() -> None:
    paths = {f"/p{n}": {"get": {"responses": {"200": {"description": "ok"}}}} for n in range(5)}
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    checker = ContractChecker(document_from_mapping(document, "test document"))
    for path in ("/p0", "/q1", "/q2", "/q3"):
        request = httpx.Request("GET", f"http://testserver{path}")
        checker.check(request, httpx.Response(200, request=request), fetch=_fetch)
    data = checker.coverage()
    assert data is not None
    assert render_table(data, limit=2) == (
        "API coverage: 1 of 5 operations, 1 of 5 documented statuses "
        "(test document, OpenAPI 3.1.0)\n"
        "  operation  requests  exercised  never exercised\n"
        "  GET /p0           1  200        -\n"
        "  GET /p1           0  -          200\n"
        "  ... and 3 more operations (all are in the coverage file)\n"
        "Requests the document does not describe (not checked):\n"
        "  GET /q1 -> 200 (1x)\n"
        "  GET /q2 -> 200 (1x)\n"
        "  ... and 1 more requests (all are in the coverage file)"
    )


def test_an_external_ref_is_a_config_error_not_a_download() -> None:
    document = _document({"$ref": "https://schemas.example/item.json"})
    with pytest.raises(ConfigError) as raised:
        _check(document, body={})
    assert str(raised.value) == (
        "The API document's schema at #/paths/~1things~1{id}/get/responses/200/content/"
        "application~1json/schema cannot be compiled: Resource "
        "'https://schemas.example/item.json' is not present in a registry and retrieving it "
        "failed: Retrieving external resources is not supported once the registry is "
        "populated. asgibdd resolves references inside the document only: bundle external "
        "`$ref`s into it (e.g. under #/components/schemas), or turn the check off with "
        "`contract = false`."
    )


def test_an_undocumented_requests_path_is_kept_with_the_scenarios_secrets_masked() -> None:
    secrets = Secrets()
    secrets.remember("reset-4f9a21")
    tally = CoverageTally()
    tally.record(Verdict("GET", "/password/reset-4f9a21", 200, None, None, ()), secrets)
    assert dict(tally.undocumented_requests) == {("GET", "/password/***", 200): 1}


def test_an_undocumented_status_is_reported_and_fails_only_when_strict() -> None:
    checker = ContractChecker(document_from_mapping(_document({}), "test document"))
    request = httpx.Request("GET", "http://testserver/things/new")
    response = httpx.Response(404, json={"detail": "gone"}, request=request)
    lenient = checker.check(request, response, fetch=_fetch)
    assert (lenient.undocumented_status, lenient.violations) == (True, ())
    strict = checker.check(request, response, fetch=_fetch, strict=True)
    assert _lines(strict) == [
        "status 404: not documented for this operation; the document lists: 204 "
        "[responses at #/paths/~1things~1new/get/responses]"
    ]
    assert checker.tally.undocumented_statuses == {("GET /things/new", 404): 1}


@pytest.mark.parametrize(
    ("method", "status", "headers", "path"),
    [
        ("GET", 204, {"content-type": "application/json"}, "/things/new"),
        ("GET", 304, {"content-type": "application/json"}, "/things/1"),
        ("HEAD", 200, {"content-type": "text/html", "content-length": "120"}, "/things/1"),
        ("GET", 200, {"content-type": "text/plain", "content-length": "0"}, "/things/1"),
    ],
)
def test_empty_is_not_a_body_whatever_content_type_it_names(
    method: str, status: int, headers: dict[str, str], path: str
) -> None:
    document = _document({"type": "object", "required": ["id"]})
    document["paths"]["/things/{id}"]["get"]["responses"]["304"] = {"description": "same"}
    document["paths"]["/things/{id}"]["head"] = document["paths"]["/things/{id}"]["get"]
    checker = ContractChecker(document_from_mapping(document, "test document"))
    request = httpx.Request(method, f"http://testserver{path}")
    response = httpx.Response(status, headers=headers, content=b"", request=request)
    verdict = checker.check(request, response, fetch=_fetch, strict=True)
    assert (verdict.status_key, verdict.violations) == (str(status), ())


def test_an_empty_body_that_should_be_json_still_fails_without_a_content_length() -> None:
    verdict = _check(_document({"type": "object"}), content=b"")
    assert [(v.where, v.rule) for v in verdict.violations] == [("body", "schema")]


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_ref_cycle_that_describes_nothing_is_a_config_error(version: str) -> None:
    schemas = {
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"$ref": "#/components/schemas/A", "description": "the other half"},
    }
    document = _document(
        {"$ref": "#/components/schemas/A"}, version=version, components={"schemas": schemas}
    )
    with pytest.raises(ConfigError) as raised:
        document_from_mapping(document, "file shop.json")
    assert str(raised.value) == (
        "The API document from file shop.json has a `$ref` cycle that describes nothing: "
        "#/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A. Each of "
        "these only refers to the next, so any body would pass it. Give one of them a schema "
        "of its own (a type, properties, ...) or point its `$ref` at one, or turn the check "
        "off with `contract = false`."
    )


def test_a_recursive_schema_is_no_cycle() -> None:
    node = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/N"}}},
    }
    document = _document({"$ref": "#/components/schemas/N"}, components={"schemas": {"N": node}})
    verdict = _check(document, body={"children": [{"children": "no"}]})
    assert [(v.where, v.rule) for v in verdict.violations] == [("$.children[0].children", "type")]


def test_a_document_route_that_raises_is_a_config_error() -> None:
    from asgibdd.contracts.document import load_served

    def fetch(path: str) -> httpx.Response:
        raise RuntimeError("database is down")

    with pytest.raises(ConfigError) as raised:
        load_served(fetch, "/openapi.json")
    assert str(raised.value) == (
        "GET /openapi.json, where the API document should be served, failed with "
        "RuntimeError: database is down. Fix that route, or name the document another way. "
        "Point the `openapi` setting at a JSON file or a served path (e.g. `openapi = "
        '"/openapi.json"` in [tool.asgibdd]), or turn the check off with `contract = false`.'
    )


def test_a_failure_nested_deeper_than_the_validator_describes_is_still_a_failure() -> None:
    # jsonschema-rs cannot say where a failure under 300 levels of anyOf is: it says so.
    node: dict[str, Any] = {
        "anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": {}}]
    }
    node["anyOf"][1]["additionalProperties"] = {"$ref": "#/components/schemas/N"}
    body: Any = 3
    for _ in range(300):
        body = {"a": body}
    document = _document({"$ref": "#/components/schemas/N"}, components={"schemas": {"N": node}})
    assert _lines(_check(document, body=body)) == [
        "$: breaks the schema somewhere deeper than the validator can describe (Recursion "
        "limit reached) [schema at #/paths/~1things~1{id}/get/responses/200/content/"
        "application~1json/schema]"
    ]
