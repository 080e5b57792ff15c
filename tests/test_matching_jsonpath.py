import warnings
from typing import Any

import jsonpath_ng.ext.parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asgibdd.errors import ExpectationFailed, UsageError
from asgibdd.matching.jsonpath import compile_jsonpath, index_path, key_path
from tests.strategies import json_scalars

DOC = {
    "items": [{"name": "apple", "price": 2}, {"name": "Dune", "price": 5}],
    "count": 2,
    "meta data": {"page": 1},
    "item": None,
}
VALID = '"$.items[0].name", "$.items[*].name" or "$.items[?(@.price > 3)].name"'


def test_a_definite_path_selects_its_single_value() -> None:
    selection = compile_jsonpath("$.items[0].name").select(DOC)
    assert selection.found
    assert selection.value == "apple"
    assert selection.matches == [("$.items[0].name", "apple")]


def test_a_filter_selects_by_predicate_and_yields_a_list() -> None:
    selection = compile_jsonpath("$.items[?(@.price > 3)].name").select(DOC)
    assert selection.value == ["Dune"]
    assert selection.matches == [("$.items[1].name", "Dune")]


def test_an_indefinite_path_that_matches_nothing_yields_an_empty_list() -> None:
    selection = compile_jsonpath("$.items[?(@.price > 10)].name").select(DOC)
    assert not selection.found
    assert selection.value == []


def test_a_wildcard_reports_each_match_with_its_concrete_path() -> None:
    assert compile_jsonpath("$.items[*].price").find(DOC) == [
        ("$.items[0].price", 2),
        ("$.items[1].price", 5),
    ]


def test_recursive_descent_reports_concrete_paths() -> None:
    assert compile_jsonpath("$..page").find(DOC) == [('$["meta data"].page', 1)]


def test_a_negative_index_is_reported_as_the_real_index() -> None:
    assert compile_jsonpath("$.items[-1].name").find(DOC) == [("$.items[1].name", "Dune")]


def test_len_gives_the_length_of_a_definite_array() -> None:
    query = compile_jsonpath("$.items.`len`")
    assert query.is_definite
    assert query.select(DOC).value == 2
    assert query.find(DOC) == [("$.items.`len`", 2)]


def test_arithmetic_is_computed_by_the_extended_parser() -> None:
    assert compile_jsonpath("$.count + 1").select(DOC).value == 3


def test_a_definite_path_to_null_is_found() -> None:
    selection = compile_jsonpath("$.item").select(DOC)
    assert selection.found
    assert selection.value is None


@pytest.mark.parametrize(
    ("expression", "definite"),
    [
        ("$", True),
        ("$.items[0].name", True),
        ("$['meta data'].page", True),
        ("$.items[-1]", True),
        ("$.items.`len`", True),
        ("$.items[*].name", False),
        ("$.items[?(@.price > 3)]", False),
        ("$.items[0:1]", False),
        ("$.items[0,1]", False),
        ("$..name", False),
        ("$.*", False),
        ("$.items[*].price + 1", False),
    ],
)
def test_is_definite_is_false_for_anything_that_can_select_several_nodes(
    expression: str, definite: bool
) -> None:
    assert compile_jsonpath(expression).is_definite is definite


def test_a_missing_key_lists_the_keys_that_exist_and_suggests_one() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$.itme").select({"item": 1}).value
    assert str(caught.value) == 'No value at "$.itme": "$" has keys: item. Did you mean "item"?'


def test_a_missing_nested_key_names_the_deepest_existing_level() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$['meta data'].pgae").select(DOC).value
    assert str(caught.value) == (
        'No value at "$[\'meta data\'].pgae": "$["meta data"]" has keys: page. Did you mean "page"?'
    )


def test_an_index_past_the_end_says_how_many_items_there_are() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$.items[5].name").select(DOC).value
    assert (
        str(caught.value)
        == 'No value at "$.items[5].name": "$.items" has 2 items (indices 0 to 1).'
    )


def test_an_index_into_an_empty_array_says_it_is_empty() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$.items[0]").select({"items": []}).value
    assert str(caught.value) == 'No value at "$.items[0]": "$.items" is an empty array.'


def test_a_key_under_a_scalar_says_what_the_scalar_is() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$.count.value").select(DOC).value
    assert (
        str(caught.value)
        == 'No value at "$.count.value": "$.count" is a number (2), not an object.'
    )


def test_a_key_under_null_says_it_is_null() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$.item.name").select(DOC).value
    assert str(caught.value) == 'No value at "$.item.name": "$.item" is null, not an object.'


def test_an_index_into_an_object_says_it_is_not_an_array() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$['meta data'][0]").select(DOC).value
    assert str(caught.value) == (
        'No value at "$[\'meta data\'][0]": "$["meta data"]" is an object ({"page": 1}), '
        "not an array."
    )


def test_a_key_in_an_empty_object_says_it_is_empty() -> None:
    with pytest.raises(ExpectationFailed) as caught:
        _ = compile_jsonpath("$.a").select({}).value
    assert str(caught.value) == 'No value at "$.a": "$" is an empty object.'


def test_the_missing_value_failure_is_an_assertion_error_for_behave() -> None:
    with pytest.raises(AssertionError):
        _ = compile_jsonpath("$.nothing").select({}).value


def test_invalid_syntax_names_the_expression_the_problem_and_valid_examples() -> None:
    with pytest.raises(UsageError) as caught:
        compile_jsonpath("$.items[?(@.price >)]")
    assert str(caught.value) == (
        'Invalid JSONPath "$.items[?(@.price >)]": unexpected ")".\n'
        "  $.items[?(@.price >)]\n"
        "                     ^\n"
        f"Valid JSONPath looks like {VALID}."
    )


def test_an_unclosed_bracket_says_the_expression_ends_too_early() -> None:
    with pytest.raises(UsageError) as caught:
        compile_jsonpath("$.items[")
    assert str(caught.value) == (
        'Invalid JSONPath "$.items[": it ends too early '
        "(is a bracket, parenthesis or quote left open?).\n"
        "  $.items[\n"
        "          ^\n"
        f"Valid JSONPath looks like {VALID}."
    )


def test_an_unexpected_character_is_pointed_at() -> None:
    with pytest.raises(UsageError) as caught:
        compile_jsonpath("$.a#b")
    assert str(caught.value).startswith(
        'Invalid JSONPath "$.a#b": unexpected character "#".\n  $.a#b\n     ^\n'
    )


def test_an_unclosed_string_is_explained() -> None:
    with pytest.raises(UsageError) as caught:
        compile_jsonpath('$.items[?(@.name == "a)]')
    assert str(caught.value).startswith(
        'Invalid JSONPath "$.items[?(@.name == "a)]": a quoted name or string is never closed.'
    )


def test_an_unknown_function_is_named_with_a_suggestion() -> None:
    with pytest.raises(UsageError) as caught:
        compile_jsonpath("$.items.`lenn`")
    assert str(caught.value).startswith(
        'Invalid JSONPath "$.items.`lenn`": unknown function `lenn`. Did you mean "len"?\n'
    )


def test_an_expression_without_the_root_gets_a_hint() -> None:
    with pytest.raises(UsageError) as caught:
        compile_jsonpath("items[0].name")
    assert str(caught.value) == (
        'JSONPath "items[0].name" must start at the document root "$". '
        f'Did you mean "$.items[0].name"? Valid JSONPath looks like {VALID}.'
    )


def test_deprecated_syntax_becomes_a_note_instead_of_a_warning() -> None:
    expression = "$.items[?price > 3 & name = 'Dune']"
    # Newer jsonpath-ng deprecates `&`; 1.8 (the newest on Python 3.10) accepts it silently.
    with warnings.catch_warnings(record=True) as raw:
        warnings.simplefilter("always")
        jsonpath_ng.ext.parser.parse(expression)
    query = compile_jsonpath(expression)  # warnings are errors in this suite: none escapes
    assert query.select(DOC).value == [{"name": "Dune", "price": 5}]
    assert query.notes == tuple(str(warning.message) for warning in raw)
    if raw:
        assert query.notes == (
            "The `&` operator in filters is deprecated. It will be removed in version 2.0.0. "
            "Use `&&` instead.",
        )


def test_compiled_queries_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    first = compile_jsonpath("$.items[?(@.price > 1234)].name")
    parses: list[str] = []

    def counting_parse(expression: str) -> Any:
        parses.append(expression)
        return jsonpath_ng.ext.parser.parse(expression)

    monkeypatch.setattr("asgibdd.matching.jsonpath._ext_parse", counting_parse)
    for _ in range(1000):
        assert compile_jsonpath("$.items[?(@.price > 1234)].name") is first
    assert parses == []
    compile_jsonpath("$.items[?(@.price > 4321)].name")
    assert parses == ["$.items[?(@.price > 4321)].name"]


def test_path_helpers_bracket_keys_that_are_not_identifiers() -> None:
    assert key_path("$", "name") == "$.name"
    assert key_path("$", "a b") == '$["a b"]'
    assert key_path("$", 'say "hi"') == '$["say \\"hi\\""]'
    assert index_path("$.items", 3) == "$.items[3]"
    assert repr(compile_jsonpath("$.count")) == "JSONPathQuery('$.count')"


_KEYS = st.sampled_from(["a", "b", "c d", "0", "é"])
_STEPS = st.lists(st.one_of(_KEYS, st.integers(min_value=0, max_value=3)), min_size=1, max_size=4)
_SMALL_DOCUMENTS = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(document=_SMALL_DOCUMENTS, steps=_STEPS)
def test_member_and_index_paths_select_what_jsonpath_ng_selects(
    document: object, steps: list[str | int]
) -> None:
    """`$.a["c d"][0]` is looked up without jsonpath-ng when every step exists; whatever
    the document, the selection is the one jsonpath-ng makes."""
    expression = _written(steps)
    query = compile_jsonpath(expression)
    assert query._steps == tuple(steps)
    try:
        found = jsonpath_ng.ext.parser.parse(expression).find(document)
    except (KeyError, TypeError):
        found = []  # jsonpath-ng 1.8 (Python 3.10) raises where later versions select nothing
    assert query.find(document) == [(expression, datum.value) for datum in found]


def _written(steps: list[str | int]) -> str:
    path = "$"
    for step in steps:
        path = key_path(path, step) if isinstance(step, str) else index_path(path, step)
    return path
