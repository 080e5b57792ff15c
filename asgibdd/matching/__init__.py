"""Matching: JSON literals, JSONPath selection, JSON comparison and its wording.

A pure library over plain JSON values (no behave, no HTTP): the steps parse what a
feature file says with `literal`, select with `jsonpath`, compare with `compare` (fuzzy
markers from `markers`, regular expressions bounded in time by `patterns`) and show
values in messages with `format`. Layers, lowest first, each importing only those below:
`literal` → `format` → `jsonpath`, `patterns` → `markers` → `compare`.
"""

from asgibdd.matching.compare import (
    MISSING,
    Mismatch,
    compare_contains,
    compare_equal,
    contains_value,
    render_mismatches,
    values_equal,
)
from asgibdd.matching.format import format_json, format_value
from asgibdd.matching.jsonpath import JSONPathQuery, Selection, compile_jsonpath
from asgibdd.matching.literal import parse_cell, parse_literal
from asgibdd.matching.markers import check_type, type_name
from asgibdd.matching.patterns import Pattern, compile_pattern

__all__ = [
    "MISSING",
    "JSONPathQuery",
    "Mismatch",
    "Pattern",
    "Selection",
    "check_type",
    "compare_contains",
    "compare_equal",
    "compile_jsonpath",
    "compile_pattern",
    "contains_value",
    "format_json",
    "format_value",
    "parse_cell",
    "parse_literal",
    "render_mismatches",
    "type_name",
    "values_equal",
]
