"""Matching: JSON literals, JSONPath selection, JSON comparison and failure rendering.

A pure library (no behave, no HTTP client): the steps parse what a feature file says with
`literal`, select from a response with `jsonpath`, compare with `compare` and explain a
failure with `render`.
"""

from asgibdd.matching.compare import (
    MISSING,
    Mismatch,
    check_type,
    compare_contains,
    compare_equal,
    contains_value,
    type_name,
    values_equal,
)
from asgibdd.matching.jsonpath import JSONPathQuery, Selection, compile_jsonpath
from asgibdd.matching.literal import parse_cell, parse_literal
from asgibdd.matching.render import (
    format_json,
    format_value,
    render_exchange,
    render_mismatches,
)

__all__ = [
    "MISSING",
    "JSONPathQuery",
    "Mismatch",
    "Selection",
    "check_type",
    "compare_contains",
    "compare_equal",
    "compile_jsonpath",
    "contains_value",
    "format_json",
    "format_value",
    "parse_cell",
    "parse_literal",
    "render_exchange",
    "render_mismatches",
    "type_name",
    "values_equal",
]
