"""Which library validates responses against an OpenAPI document: speed and verdicts.

Compares, on the same documents and the same response bodies:

- `jsonschema-rs` (Rust), through asgibdd's own `SchemaValidators` (the chosen one);
- `jsonschema` + `referencing` (pure Python), on the same rewritten document;
- `openapi-core` (full OpenAPI request/response validation, reads 3.0 and 3.1 itself).

```sh
.venv/bin/python benchmarks/contracts_validators.py           # about 30 s
.venv/bin/python benchmarks/contracts_validators.py --quick   # a few seconds
```

Needs `jsonschema`, `referencing` (the dev dependency group) and `openapi-core` (`pip install
openapi-core`; not a dependency of asgibdd). Prints a speed table (median microseconds per
validated response, over rounds) and a verdict table of OpenAPI 3.0/3.1 cases, each with
the expected verdict; a library that disagrees is marked WRONG.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from asgibdd.contracts.dialect import to_json_schema
from asgibdd.contracts.schemas import SchemaValidators

Validate = Callable[[bytes], bool]

ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "price", "tags", "owner", "created"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "maxLength": 100},
        "price": {"type": "number", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["red", "round", "big"]}},
        "owner": {"$ref": "#/components/schemas/Owner"},
        "created": {"type": "string", "format": "date-time"},
        "note": {"type": "string", "nullable": True},
    },
}
OWNER = {
    "type": "object",
    "required": ["name", "email"],
    "properties": {"name": {"type": "string"}, "email": {"type": "string", "format": "email"}},
}


def document(version: str, schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    media = {"application/json": {"schema": schema}}
    return {
        "openapi": version,
        "info": {"title": "bench", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": media}}}}},
        "components": {"schemas": components},
    }


POINTER = "/paths/~1x/get/responses/200/content/application~1json/schema"


def item(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "name": f"item {n}",
        "price": n * 1.5,
        "tags": ["red", "round"],
        "owner": {"name": "alice", "email": "alice@example.com"},
        "created": "2026-11-29T13:00:00Z",
        "note": None,
    }


# --- the three libraries, each as "document → validate(body bytes) → valid?" -------------


def with_jsonschema_rs(doc: dict[str, Any]) -> Validate:
    validators = SchemaValidators(doc, is_30=doc["openapi"].startswith("3.0"))

    def validate(body: bytes) -> bool:
        return not validators.errors(POINTER, json.loads(body))

    return validate


def with_jsonschema(doc: dict[str, Any]) -> Validate:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    rewritten, _ = to_json_schema(doc, is_30=doc["openapi"].startswith("3.0"))
    uri = "urn:bench"
    registry: Registry[Any] = Registry().with_resource(uri, Resource(rewritten, DRAFT202012))
    pointer = POINTER.replace("{", "%7B").replace("}", "%7D")
    validator = Draft202012Validator(
        {"$ref": f"{uri}#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )

    def validate(body: bytes) -> bool:
        return not any(True for _ in validator.iter_errors(json.loads(body)))

    return validate


def with_openapi_core(doc: dict[str, Any]) -> Validate:
    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    api = OpenAPI.from_dict(doc)
    request = MockRequest("http://testserver", "get", "/x")

    def validate(body: bytes) -> bool:
        response = MockResponse(body, status_code=200, content_type="application/json")
        try:
            api.validate_response(request, response)
        except Exception:
            return False
        return True

    return validate


LIBRARIES: dict[str, Callable[[dict[str, Any]], Validate]] = {
    "jsonschema-rs": with_jsonschema_rs,
    "jsonschema + referencing": with_jsonschema,
    "openapi-core": with_openapi_core,
}


# --- speed -------------------------------------------------------------------------------


def speed(rounds: int, quick: bool) -> list[str]:
    doc = document("3.0.3", {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                   {"Item": ITEM, "Owner": OWNER})  # fmt: skip
    sizes = (1, 100) if quick else (1, 100, 5000)
    lines = ["| response | " + " | ".join(LIBRARIES) + " |", "|---|" + "---:|" * len(LIBRARIES)]
    for size in sizes:
        body = json.dumps([item(n) for n in range(size)]).encode()
        repeat = max(1, 2000 // size)
        medians = []
        for make in LIBRARIES.values():
            validate = make(doc)
            assert validate(body), "the benchmark body must be valid"
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                for _ in range(repeat):
                    validate(body)
                times.append((time.perf_counter() - started) / repeat)
            medians.append(statistics.median(times))
        fastest = min(medians)
        cells = [f"{m * 1e6:,.0f} µs ({m / fastest:.0f}x)" for m in medians]
        lines.append(
            f"| {size:,} item{'s' if size > 1 else ''} ({len(body):,} B) | "
            + " | ".join(cells)
            + " |"
        )
    return lines


# --- verdicts ----------------------------------------------------------------------------

PET = {
    "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
    "discriminator": {"propertyName": "kind"},
}
CAT = {"type": "object", "required": ["kind", "lives"],
       "properties": {"kind": {"type": "string"}, "lives": {"type": "integer"}}}  # fmt: skip
DOG = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}

# (case, version, schema, body, valid per the specification)
CASES: list[tuple[str, str, dict[str, Any], Any, bool]] = [
    ("3.0 nullable: null", "3.0.3", {"type": "string", "nullable": True}, None, True),
    ("3.0 not nullable: null", "3.0.3", {"type": "string"}, None, False),
    ("3.1 type [string, null]: null", "3.1.0", {"type": ["string", "null"]}, None, True),
    ("3.1 nullable is no keyword: null", "3.1.0", {"type": "string", "nullable": True}, None,
     False),
    ("3.0 exclusiveMinimum true: 0", "3.0.3",
     {"type": "number", "minimum": 0, "exclusiveMinimum": True}, 0, False),
    ("3.1 exclusiveMinimum 0: 0", "3.1.0", {"type": "number", "exclusiveMinimum": 0}, 0, False),
    ("3.1 const", "3.1.0", {"const": "a"}, "b", False),
    ("3.1 prefixItems", "3.1.0", {"prefixItems": [{"type": "integer"}]}, ["x"], False),
    ("format date-time: 'yesterday'", "3.1.0", {"type": "string", "format": "date-time"},
     "yesterday", False),
    ("format email: 'alice'", "3.0.3", {"type": "string", "format": "email"}, "alice", False),
    ("additionalProperties false", "3.0.3",
     {"type": "object", "additionalProperties": False}, {"x": 1}, False),
    ("discriminator: Cat without lives", "3.0.3", {"$ref": "#/components/schemas/Pet"},
     {"kind": "Cat"}, False),
    ("discriminator: Dog", "3.1.0", {"$ref": "#/components/schemas/Pet"}, {"kind": "Dog"}, True),
    ("deep $ref: wrong type", "3.1.0",
     {"type": "array", "items": {"$ref": "#/components/schemas/Owner"}},
     [{"name": "a", "email": 3}], False),
]  # fmt: skip


def verdicts() -> tuple[list[str], dict[str, int]]:
    components = {"Pet": PET, "Cat": CAT, "Dog": DOG, "Owner": OWNER}
    lines = [
        "| case | spec | " + " | ".join(LIBRARIES) + " |",
        "|---|---|" + "---|" * len(LIBRARIES),
    ]
    wrong = dict.fromkeys(LIBRARIES, 0)
    for case, version, schema, body, valid in CASES:
        doc = document(version, schema, components)
        cells = []
        for name, make in LIBRARIES.items():
            try:
                got = make(doc)(json.dumps(body).encode())
                cell = "valid" if got else "invalid"
                if got != valid:
                    wrong[name] += 1
                    cell += " WRONG"
            except Exception as error:  # a library that cannot read the document at all
                wrong[name] += 1
                cell = f"error {type(error).__name__} WRONG"
            cells.append(cell)
        expected = "valid" if valid else "invalid"
        lines.append(f"| {case} | {expected} | " + " | ".join(cells) + " |")
    return lines, wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no 5,000-item body")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per cell (default 5)")
    options = parser.parse_args(argv)
    rounds = 2 if options.quick else options.rounds
    print("Speed: median time to validate one response (and times the fastest)\n")
    print("\n".join(speed(rounds, options.quick)))
    table, wrong = verdicts()
    print("\nVerdicts on OpenAPI 3.0 / 3.1 cases\n")
    print("\n".join(table))
    print("\nWrong verdicts: " + ", ".join(f"{name} {count}" for name, count in wrong.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
