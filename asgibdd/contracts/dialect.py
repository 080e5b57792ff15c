"""An OpenAPI document's schemas, rewritten once into plain JSON Schema 2020-12.

The rewrite keeps every node where it was, so a JSON pointer a validator reports is also a
pointer into the published document. What changes:

- OpenAPI 3.0 only: `nullable: true` adds "null" to `type` (and to `enum`), and only
  where `type` is given, as OpenAPI 3.0.3 says; boolean `exclusiveMinimum`/`Maximum`
  become the 2020-12 numbers; siblings of `$ref` are ignored, as 3.0 says.
- Both versions: a `discriminator` over a `oneOf`/`anyOf` of `$ref`s picks the one schema
  its property names (explicit `mapping`, else the schema's name) instead of trying every
  alternative, so a violation is reported inside the chosen schema. The formats `int32`
  and `int64` of an integer become its bounds. What is added goes under `allOf`, and is
  reported at the `discriminator` or `format` it came from.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["escape", "to_json_schema"]

_SCHEMAS = "#/components/schemas/"
# OpenAPI's integer formats are ranges; JSON Schema has no such format, so they become bounds.
_INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def escape(part: str) -> str:
    """One JSON pointer segment: `~` → `~0`, `/` → `~1`."""
    return part.replace("~", "~0").replace("/", "~1")


def to_json_schema(
    data: Mapping[str, Any], *, is_30: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The document with its schemas in 2020-12 form, and the pointers of added nodes
    (`/…/allOf/3` → `/…/discriminator` or `/…/format`) to report in their place."""
    document: dict[str, Any] = copy.deepcopy(dict(data))
    added: dict[str, str] = {}
    _walk(document, "", is_30, added)
    return document, added


def _walk(node: Any, pointer: str, is_30: bool, added: dict[str, str]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _walk(item, f"{pointer}/{index}", is_30, added)
        return
    if not isinstance(node, dict):
        return
    if is_30:
        _from_30(node)
    if isinstance(node.get("discriminator"), Mapping):
        _discriminate(node, pointer, added)
    if node.get("format") in _INTEGER_RANGES and _is_integer(node.get("type")):
        low, high = _INTEGER_RANGES[node["format"]]
        all_of = node.setdefault("allOf", [])
        added[f"{pointer}/allOf/{len(all_of)}"] = f"{pointer}/format"
        all_of.append({"minimum": low, "maximum": high})
    for key, value in list(node.items()):
        _walk(value, f"{pointer}/{escape(str(key))}", is_30, added)


def _is_integer(kind: Any) -> bool:
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)


def _from_30(node: dict[str, Any]) -> None:
    if isinstance(node.get("$ref"), str):
        for key in [k for k in node if k != "$ref"]:
            del node[key]
        return
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if node.get(exclusive) is True and bound in node:
            node[exclusive] = node.pop(bound)
        elif node.get(exclusive) is False:
            del node[exclusive]


def _discriminate(node: dict[str, Any], pointer: str, added: dict[str, str]) -> None:
    discriminator = node["discriminator"]
    name = discriminator.get("propertyName")
    keyword = "oneOf" if "oneOf" in node else "anyOf" if "anyOf" in node else None
    if not isinstance(name, str) or keyword is None:
        return  # a discriminator on a base schema (allOf inheritance): a hint only
    alternatives = node[keyword]
    refs = [
        a["$ref"] for a in alternatives if isinstance(a, Mapping) and isinstance(a.get("$ref"), str)
    ]
    if len(refs) != len(alternatives):
        return  # inline alternatives cannot be named by a discriminator value
    targets: dict[str, str] = {}
    mapping = discriminator.get("mapping")
    for value, target in mapping.items() if isinstance(mapping, Mapping) else ():
        if isinstance(target, str):
            targets[str(value)] = target if "#" in target else f"{_SCHEMAS}{target}"
    for ref in refs:
        if ref not in targets.values():
            targets[ref.rsplit("/", 1)[-1]] = ref
    del node[keyword]
    all_of = node.setdefault("allOf", [])
    added[f"{pointer}/allOf/{len(all_of)}"] = f"{pointer}/discriminator"
    all_of.append({"required": [name], "properties": {name: {"enum": sorted(targets)}}})
    for value, target in sorted(targets.items()):
        added[f"{pointer}/allOf/{len(all_of)}"] = f"{pointer}/discriminator"
        all_of.append(
            {
                "if": {"properties": {name: {"const": value}}, "required": [name]},
                "then": {"$ref": target},
            }
        )
