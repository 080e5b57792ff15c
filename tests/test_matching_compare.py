import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgibdd.errors import UsageError
from asgibdd.matching.compare import (
    MISSING,
    Mismatch,
    compare_contains,
    compare_equal,
    compare_same_items,
    contains_value,
    render_mismatches,
    values_equal,
)
from asgibdd.matching.markers import MARKER_KINDS, Marker, check_type, parse_marker, type_name

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text().filter(lambda text: not text.startswith("#")),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


def reasons(mismatches: list[Mismatch]) -> list[str]:
    return [f"{mismatch.path}: {mismatch.reason}" for mismatch in mismatches]


@given(json_values)
def test_every_json_value_equals_itself(value: object) -> None:
    assert compare_equal(value, value) == []
    assert compare_contains(value, value) == []


def test_equal_ignores_key_order() -> None:
    assert compare_equal({"a": 1, "b": 2}, {"b": 2, "a": 1}) == []


def test_equal_treats_one_and_one_point_zero_as_the_same_number() -> None:
    assert compare_equal(1, 1.0) == []


def test_true_is_not_one_and_the_message_names_both_types() -> None:
    assert compare_equal(True, 1) == [
        Mismatch("$", True, 1, "expected true (boolean), got 1 (number)")
    ]


def test_a_scalar_difference_reads_expected_then_got() -> None:
    assert compare_equal({"price": 3}, {"price": 4}) == [
        Mismatch("$.price", 3, 4, "expected 3, got 4")
    ]


def test_a_number_sent_as_a_string_is_named_as_such() -> None:
    assert reasons(compare_equal({"price": 3}, {"price": "3"})) == [
        '$.price: expected 3 (number), got "3" (string)'
    ]


def test_equal_lists_every_mismatch_in_document_order() -> None:
    expected = {"name": "apple", "price": 3, "tags": ["a", "b"], "stock": {"count": 1}}
    actual = {"name": "pear", "price": 3, "tags": ["a"], "extra": True, "stock": {"count": 2}}
    assert reasons(compare_equal(expected, actual)) == [
        '$.name: expected "apple", got "pear"',
        "$.tags: expected 2 items, got 1",
        '$.tags[1]: missing item, expected "b"',
        "$.stock.count: expected 1, got 2",
        '$.extra: unexpected key "extra"',
    ]


def test_a_missing_key_is_reported_with_missing_as_the_actual_value() -> None:
    assert compare_equal({"name": "x"}, {}) == [
        Mismatch("$.name", "x", MISSING, 'expected key "name" is missing')
    ]


def test_an_unexpected_key_is_reported_with_missing_as_the_expected_value() -> None:
    assert compare_equal({}, {"extra": 1}) == [
        Mismatch("$.extra", MISSING, 1, 'unexpected key "extra"')
    ]


def test_keys_that_are_not_identifiers_use_bracket_paths() -> None:
    assert reasons(compare_equal({"a b": {"c-d": 1}}, {"a b": {"c-d": 2}})) == [
        '$["a b"]["c-d"]: expected 1, got 2'
    ]


def test_longer_actual_arrays_report_each_unexpected_item() -> None:
    assert reasons(compare_equal([1], [1, 2, {"x": 3}])) == [
        "$: expected 1 item, got 3",
        "$[1]: unexpected item 2",
        '$[2]: unexpected item {"x": 3}',
    ]


def test_arrays_are_ordered_under_equality() -> None:
    assert reasons(compare_equal([1, 2], [2, 1])) == [
        "$[0]: expected 1, got 2",
        "$[1]: expected 2, got 1",
    ]


def test_a_container_against_a_scalar_names_both_kinds() -> None:
    assert reasons(compare_equal({"items": [1]}, {"items": {"a": 1}})) == [
        '$.items: expected [1] (array), got {"a": 1} (object)'
    ]


def test_comparisons_start_at_the_given_path() -> None:
    assert reasons(compare_equal(1, 2, path="$.items[0]")) == ["$.items[0]: expected 1, got 2"]


def test_a_missing_actual_value_reads_got_nothing() -> None:
    assert reasons(compare_equal(3, MISSING)) == ["$: expected 3, got nothing"]


@pytest.mark.parametrize(
    ("marker", "value"),
    [
        ("#string", "x"),
        ("#number", 3),
        ("#number", 2.5),
        ("#integer", 3),
        ("#integer", 2.0),
        ("#boolean", False),
        ("#array", []),
        ("#object", {}),
        ("#null", None),
        ("#notnull", 0),
        ("#present", None),
        ("#ignore", {"anything": [1]}),
        ("#uuid", "123e4567-e89b-12d3-a456-426614174000"),
        ("#datetime", "2024-02-29T23:59:60Z"),
        ("#datetime", "2024-01-02T03:04:05.123+02:00"),
        ("#datetime", "2024-01-02 03:04"),
        ("#regex [a-z]+-\\d+", "abc-12"),
    ],
)
def test_markers_accept_the_values_they_describe(marker: str, value: object) -> None:
    assert compare_equal({"v": marker}, {"v": value}) == []


@pytest.mark.parametrize(
    ("marker", "value", "reason"),
    [
        ("#string", 3, "expected a string (#string), got 3 (number)"),
        ("#number", True, "expected a number (#number), got true (boolean)"),
        ("#number", "3", 'expected a number (#number), got "3" (string)'),
        ("#integer", 2.5, "expected an integer (#integer), got 2.5 (number)"),
        ("#boolean", 0, "expected a boolean (#boolean), got 0 (number)"),
        ("#array", {}, "expected an array (#array), got {} (object)"),
        ("#object", [], "expected an object (#object), got [] (array)"),
        ("#null", 0, "expected null (#null), got 0 (number)"),
        ("#notnull", None, "expected a value that is not null (#notnull), got null"),
        ("#uuid", "abc", 'expected a UUID (#uuid), got "abc" (string)'),
        (
            "#datetime",
            "2024-02-30T00:00:00Z",
            'expected an ISO 8601 date-time (#datetime), got "2024-02-30T00:00:00Z" (string)',
        ),
        (
            "#datetime",
            "2024-01-02",
            'expected an ISO 8601 date-time (#datetime), got "2024-01-02" (string)',
        ),
        (
            "#regex [a-z]+",
            "abc1",
            'expected a string matching the regex [a-z]+, got "abc1" (string)',
        ),
        ("#regex [a-z]+", 1, "expected a string matching the regex [a-z]+, got 1 (number)"),
    ],
)
def test_markers_refuse_other_values_with_a_clear_reason(
    marker: str, value: object, reason: str
) -> None:
    assert compare_equal({"v": marker}, {"v": value}) == [Mismatch("$.v", marker, value, reason)]


def test_ignore_and_notpresent_accept_a_missing_key() -> None:
    assert compare_equal({"a": "#ignore", "b": "#notpresent"}, {}) == []


def test_notpresent_refuses_a_key_that_is_there() -> None:
    assert reasons(compare_equal({"b": "#notpresent"}, {"b": None})) == [
        "$.b: expected no value here (#notpresent), got null"
    ]


@pytest.mark.parametrize("marker", ["#present", "#null", "#notnull", "#string"])
def test_other_markers_require_the_key(marker: str) -> None:
    assert reasons(compare_equal({"a": marker}, {})) == ['$.a: expected key "a" is missing']


def test_a_marker_against_a_missing_top_level_value_reads_got_nothing() -> None:
    assert reasons(compare_equal("#present", MISSING)) == [
        "$: expected a value (#present), got nothing"
    ]


def test_a_double_hash_expects_the_literal_text() -> None:
    assert compare_equal("##string", "#string") == []
    assert reasons(compare_equal("##string", "x")) == ['$: expected "#string", got "x"']


def test_a_hash_word_that_is_no_marker_is_a_usage_error_listing_the_markers() -> None:
    with pytest.raises(UsageError) as caught:
        compare_equal({"tag": "#hashtag"}, {"tag": "#hashtag"})
    assert str(caught.value) == (
        'Unknown marker "#hashtag". To expect this exact text, write "##hashtag". Markers: '
        "#string, #number, #integer, #boolean, #array, #object, #null, #notnull, #present, "
        "#notpresent, #ignore, #uuid, #datetime, #regex."
    )


def test_a_hash_that_starts_no_word_is_plain_text() -> None:
    assert compare_equal({"n": "#1", "h": "#"}, {"n": "#1", "h": "#"}) == []


def test_a_misspelt_marker_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError) as caught:
        compare_equal({"a": "#strng"}, {"a": "x"})
    assert str(caught.value) == (
        'Unknown marker "#strng". Did you mean "#string"? To expect this exact text, write '
        '"##strng". Markers: #string, #number, #integer, #boolean, #array, #object, #null, '
        "#notnull, #present, #notpresent, #ignore, #uuid, #datetime, #regex."
    )


def test_a_marker_with_a_stray_argument_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_marker("#string please")
    assert str(caught.value) == (
        'The marker "#string" takes nothing after it, got "#string please". '
        'To expect this exact text, write "##string please".'
    )


def test_regex_without_a_pattern_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_marker("#regex")
    assert str(caught.value) == (
        'The marker "#regex" needs a pattern after a space, e.g. "#regex [a-z]+". '
        'To expect this exact text, write "##regex".'
    )


def test_regex_with_an_invalid_pattern_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_marker("#regex [a-")
    assert str(caught.value) == (
        'Invalid regular expression in "#regex [a-": unterminated character set at position 3. '
        'Write a Python regular expression, e.g. "#regex [a-z]+".'
    )


def test_parse_marker_returns_markers_and_literals() -> None:
    assert parse_marker("#uuid") == Marker("#uuid", MARKER_KINDS["uuid"])
    assert parse_marker("plain") == "plain"
    assert parse_marker("##x") == "#x"


def test_contains_allows_extra_keys_and_checks_nested_subsets() -> None:
    expected = {"item": {"name": "apple"}}
    actual = {"item": {"name": "apple", "price": 3}, "total": 1}
    assert compare_contains(expected, actual) == []


def test_contains_reports_every_missing_or_different_key() -> None:
    expected = {"name": "apple", "price": 3, "stock": "#integer"}
    actual = {"name": "pear", "stock": 1}
    assert reasons(compare_contains(expected, actual)) == [
        '$.name: expected "apple", got "pear"',
        '$.price: expected key "price" is missing',
    ]


def test_contains_matches_array_items_in_any_order() -> None:
    assert compare_contains([3, {"id": 1}], [{"id": 1, "x": 0}, 2, 3]) == []


def test_contains_names_the_expected_item_no_actual_item_matches_and_the_nearest() -> None:
    actual = [{"name": "apple"}, {"name": "pear"}]
    assert compare_contains({"items": [{"name": "kiwi"}]}, {"items": actual}) == [
        Mismatch(
            "$.items",
            {"name": "kiwi"},
            actual,
            'expected an item matching {"name": "kiwi"}, none of the 2 items matches; '
            "the nearest, $.items[0], differs:",
            (Mismatch("$.items[0].name", "kiwi", "apple", 'expected "kiwi", got "apple"'),),
        )
    ]


def test_the_nearest_item_is_the_one_with_fewest_differences_listed_path_by_path() -> None:
    actual = [
        "not an object",
        {"name": "pen", "price": 2, "tags": ["red"]},
        {"name": "pen", "price": 3, "tags": ["blue"]},
        {"name": "ink", "price": 3, "tags": ["blue"]},
    ]
    expected = [{"name": "pen", "price": 3, "tags": ["red"]}]
    rendered = render_mismatches(
        compare_contains(expected, actual), heading="The response JSON does not contain it:"
    )
    assert rendered == (
        "The response JSON does not contain it:\n"
        '  $: expected an item matching {"name": "pen", "price": 3, "tags": ["red"]}, none of '
        "the 4 items matches; the nearest, $[1], differs:\n"
        "    $[1].price: expected 3, got 2"
    )


def test_an_equal_in_any_order_check_shows_every_difference_of_the_nearest_item() -> None:
    actual = [{"id": 1, "name": "pen"}, {"id": 2, "name": "ink", "extra": True}]
    mismatches = compare_same_items([{"id": 1, "name": "pen"}, {"id": 2, "name": "jar"}], actual)
    assert render_mismatches(mismatches, heading="Not as expected:") == (
        "Not as expected:\n"
        '  $: expected an item matching {"id": 2, "name": "jar"}, none of the 2 items matches; '
        "the nearest, $[1], differs:\n"
        '    $[1].name: expected "jar", got "ink"\n'
        '    $[1].extra: unexpected key "extra"'
    )


def test_no_item_of_the_expected_kind_means_no_nearest_item() -> None:
    [mismatch] = compare_contains([{"id": 1}], [1, "a"])
    assert mismatch.reason == 'expected an item matching {"id": 1}, none of the 2 items matches'
    assert mismatch.details == ()


def test_contains_never_lets_one_actual_item_satisfy_two_expected_items() -> None:
    assert reasons(compare_contains([1, 1], [1, 2])) == [
        "$: expected another item matching 1; each actual item can match only one expected item"
    ]


def test_contains_finds_the_assignment_that_satisfies_every_item() -> None:
    # A greedy first fit would give {"a": 1, "b": 2} to the first expectation and fail.
    expected = [{"a": 1}, {"a": 1, "b": 2}]
    assert compare_contains(expected, [{"a": 1, "b": 2}, {"a": 1}]) == []


def test_contains_against_an_empty_array_says_it_is_empty() -> None:
    assert reasons(compare_contains([1], [])) == [
        "$: expected an item matching 1, but the array is empty"
    ]


def test_contains_honours_markers_and_missing_keys() -> None:
    assert compare_contains({"id": "#uuid", "gone": "#notpresent"}, {"id": "x"}) == [
        Mismatch("$.id", "#uuid", "x", 'expected a UUID (#uuid), got "x" (string)')
    ]


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("x", "string"),
        (2.5, "number"),
        (3, "integer"),
        (True, "boolean"),
        ([], "array"),
        ({}, "object"),
        (None, "null"),
        (MISSING, "missing"),
    ],
)
def test_type_name_names_the_json_type(value: object, name: str) -> None:
    assert type_name(value) == name


def test_type_name_refuses_values_json_cannot_hold() -> None:
    with pytest.raises(UsageError) as caught:
        type_name(b"x")
    assert str(caught.value) == "b'x' is not a JSON value (it is a bytes)."


@pytest.mark.parametrize(
    ("value", "name", "result"),
    [
        (3, "number", True),
        (2.5, "number", True),
        (True, "number", False),
        (True, "integer", False),
        (2.0, "integer", True),
        (2.5, "integer", False),
        ("3", "number", False),
        (None, "null", True),
        ([1], "array", True),
        ({}, "object", True),
        (False, "boolean", True),
        ("", "string", True),
    ],
)
def test_check_type_follows_json_types(value: object, name: str, result: bool) -> None:
    assert check_type(value, name) is result


def test_check_type_refuses_an_unknown_type_name() -> None:
    with pytest.raises(UsageError) as caught:
        check_type(1, "numbr")
    assert str(caught.value) == (
        'Unknown JSON type "numbr". Use one of: string, number, integer, boolean, array, '
        'object, null. Did you mean "number"?'
    )


def test_values_equal_honours_markers() -> None:
    assert values_equal({"id": "#integer"}, {"id": 7})
    assert not values_equal({"id": "#integer"}, {"id": "7"})


@pytest.mark.parametrize(
    ("container", "expected", "result"),
    [
        ("hello world", "lo w", True),
        ("hello", "bye", False),
        ("hello 3", 3, False),
        (["apple", "pear"], "apple", True),
        (["apple", "pear"], "kiwi", False),
        ([{"name": "apple", "price": 3}], {"name": "apple"}, True),
        ([1, 2, 3], [3, 1], True),
        ([[1, 2], 3], [1, 2], True),
        ([1, 2], [1, 4], False),
        ({"a": 1, "b": 2}, {"a": 1}, True),
        ({"a": 1}, "a", False),
        (3, 3, False),
    ],
)
def test_contains_value_reads_as_the_contains_phrase(
    container: object, expected: object, result: bool
) -> None:
    assert contains_value(container, expected) is result
