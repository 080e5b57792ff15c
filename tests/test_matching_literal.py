import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgibdd.errors import UsageError
from asgibdd.matching.literal import MISSING, parse_cell, parse_literal

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("-1.5", -1.5),
        ("true", True),
        ("false", False),
        ("null", None),
        ('"apple"', "apple"),
        ("[1, 2]", [1, 2]),
        ('{"a": 1}', {"a": 1}),
        ('  "padded"  ', "padded"),
    ],
)
def test_parse_literal_reads_every_kind_of_json_literal(text: str, value: object) -> None:
    assert parse_literal(text) == value


def test_parse_literal_keeps_integers_and_booleans_apart() -> None:
    assert parse_literal("1") is not True
    assert type(parse_literal("1")) is int


def test_a_bare_word_must_be_quoted() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal("apple")
    assert str(caught.value) == (
        'Expected a JSON literal for the expected value, got: apple. Text must be quoted: "apple"'
    )


def test_the_quote_hint_escapes_the_text_for_json() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal('say "hi"', what="the header value")
    assert str(caught.value) == (
        'Expected a JSON literal for the header value, got: say "hi". '
        'Text must be quoted: "say \\"hi\\""'
    )


def test_a_number_followed_by_words_must_be_quoted_too() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal("3 apples")
    assert str(caught.value).endswith('Text must be quoted: "3 apples"')


def test_malformed_json_says_where_it_broke() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal("[1, 2")
    assert str(caught.value) == (
        "Malformed JSON literal for the expected value: Expecting ',' delimiter (column 6).\n"
        "  [1, 2\n"
        "       ^"
    )


def test_an_unterminated_string_is_malformed_json() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal('"apple')
    assert str(caught.value).startswith(
        "Malformed JSON literal for the expected value: Unterminated string starting at (column 1)."
    )


def test_python_constants_are_answered_with_their_json_spelling() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal("True")
    assert str(caught.value) == (
        "Expected a JSON literal for the expected value, got: True. JSON spells it true."
    )


def test_single_quoted_text_is_answered_with_double_quotes() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal("'apple'")
    assert str(caught.value) == (
        "Expected a JSON literal for the expected value, got: 'apple'. "
        'JSON strings use double quotes: "apple"'
    )


def test_empty_text_is_not_a_literal() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal("  ")
    assert str(caught.value) == (
        "Expected a JSON literal for the expected value, got nothing. "
        'Write a JSON value such as 3, true, null, "text" or [1, 2].'
    )


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal(text)
    assert str(caught.value).endswith(f'Text must be quoted: "{text}"')


def test_nan_inside_an_array_is_malformed_json() -> None:
    with pytest.raises(UsageError) as caught:
        parse_literal("[NaN]")
    assert str(caught.value).startswith(
        "Malformed JSON literal for the expected value: NaN is not JSON (column 1)."
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("true", True),
        ("null", None),
        ("apple", "apple"),
        ('"42"', "42"),
        ("", ""),
        ("[1, 2", "[1, 2"),
        ("NaN", "NaN"),
        ('{"a": [1]}', {"a": [1]}),
    ],
)
def test_parse_cell_types_json_and_keeps_other_text(text: str, value: object) -> None:
    assert parse_cell(text) == value
    assert type(parse_cell(text)) is type(value)


def test_missing_is_a_singleton_with_a_readable_repr() -> None:
    assert repr(MISSING) == "MISSING"
    assert MISSING is not None


@given(json_values)
def test_parse_literal_reads_back_any_json_value(value: object) -> None:
    assert parse_literal(json.dumps(value)) == value


@given(st.text())
def test_parse_cell_never_fails(text: str) -> None:
    parse_cell(text)
