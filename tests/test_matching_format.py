from asgibdd.matching.compare import MISSING, Mismatch, render_mismatches
from asgibdd.matching.format import format_json, format_value


def test_format_json_pretty_prints_and_keeps_non_ascii_text() -> None:
    assert format_json({"name": "Crème", "tags": [1]}) == (
        '{\n  "name": "Crème",\n  "tags": [\n    1\n  ]\n}'
    )


def test_format_json_says_how_much_it_cut() -> None:
    assert format_json(list(range(10)), limit=10) == ("[\n  0,\n  1\n... (42 more characters)")


def test_format_value_is_compact_json() -> None:
    assert format_value({"a": [1, "x", None, True]}) == '{"a": [1, "x", null, true]}'


def test_format_value_shows_missing_in_words() -> None:
    assert format_value(MISSING) == "(missing)"


def test_format_value_cuts_long_values_on_one_line() -> None:
    assert format_value("x" * 20, limit=5) == '"xxxx ... (17 more characters)'


def test_format_value_never_fails_on_values_json_cannot_hold() -> None:
    assert format_value({"raw": b"\x00", "set": (1, 2)}) == '{"raw": "b\'\\\\x00\'", "set": [1, 2]}'


def test_render_mismatches_lists_one_line_per_mismatch_and_a_count() -> None:
    mismatches = [
        Mismatch("$.items[0].price", 3, 4, "expected 3, got 4"),
        Mismatch("$.name", "x", MISSING, 'expected key "name" is missing'),
    ]
    assert render_mismatches(mismatches, heading="The response JSON is not as expected:") == (
        "The response JSON is not as expected:\n"
        "  $.items[0].price: expected 3, got 4\n"
        '  $.name: expected key "name" is missing\n'
        "2 mismatches."
    )


def test_render_mismatches_has_no_count_for_a_single_mismatch() -> None:
    mismatches = [Mismatch("$", 3, 4, "expected 3, got 4")]
    assert render_mismatches(mismatches, heading="Wrong:") == "Wrong:\n  $: expected 3, got 4"


def test_render_mismatches_summarises_past_the_limit() -> None:
    mismatches = [Mismatch(f"$[{i}]", i, -i, f"expected {i}") for i in range(4)]
    assert render_mismatches(mismatches, heading="Wrong:", limit=2) == (
        "Wrong:\n  $[0]: expected 0\n  $[1]: expected 1\n  ... and 2 more\n4 mismatches."
    )
