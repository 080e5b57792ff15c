import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgibdd.errors import UsageError
from asgibdd.variables import Variables

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


@pytest.fixture
def variables() -> Variables:
    store = Variables()
    store.set("item_id", 7)
    store.set("token", "abc")
    return store


def test_a_stored_value_can_be_read_back(variables: Variables) -> None:
    assert variables.get("item_id") == 7
    assert "token" in variables
    assert "nothing" not in variables
    assert len(variables) == 2


def test_names_are_sorted_and_as_dict_is_a_copy(variables: Variables) -> None:
    variables.set("a.b-c_1", None)
    assert variables.names() == ["a.b-c_1", "item_id", "token"]
    assert list(variables) == ["a.b-c_1", "item_id", "token"]
    copy = variables.as_dict()
    copy["item_id"] = 0
    assert variables.get("item_id") == 7


def test_clear_forgets_every_variable(variables: Variables) -> None:
    variables.clear()
    assert len(variables) == 0
    assert variables.names() == []


@pytest.mark.parametrize("name", ["my var", "", "a{b}", "über", "x/y"])
def test_a_name_with_other_characters_is_refused(name: str) -> None:
    with pytest.raises(UsageError) as caught:
        Variables().set(name, 1)
    assert str(caught.value) == (
        f'Invalid variable name "{name}": use letters, digits, "_", "-" and "." only, '
        'e.g. "item_id".'
    )


def test_get_of_an_unknown_name_lists_the_known_ones(variables: Variables) -> None:
    with pytest.raises(UsageError) as caught:
        variables.get("itme_id")
    assert str(caught.value) == (
        'Unknown variable "itme_id". Known variables: item_id, token. Did you mean "item_id"?'
    )


def test_interpolate_replaces_placeholders_in_text(variables: Variables) -> None:
    assert variables.interpolate("/items/{{item_id}}?t={{ token }}") == "/items/7?t=abc"


def test_interpolate_writes_non_strings_as_compact_json() -> None:
    variables = Variables()
    variables.set("ids", [1, 2])
    variables.set("flag", True)
    variables.set("none", None)
    variables.set("obj", {"a": "b"})
    assert variables.interpolate("{{ids}} {{flag}} {{none}} {{obj}}") == '[1,2] true null {"a":"b"}'


def test_a_backslash_escapes_literal_braces(variables: Variables) -> None:
    assert variables.interpolate("\\{{item_id}} is {{item_id}}") == "{{item_id}} is 7"


def test_text_without_placeholders_is_returned_unchanged(variables: Variables) -> None:
    assert variables.interpolate("{ not a {placeholder} }") == "{ not a {placeholder} }"


def test_an_unknown_variable_names_the_text_and_suggests(variables: Variables) -> None:
    with pytest.raises(UsageError) as caught:
        variables.interpolate("/items/{{itme_id}}")
    assert str(caught.value) == (
        'Unknown variable "itme_id" in "/items/{{itme_id}}". Known variables: item_id, token. '
        'Did you mean "item_id"?'
    )


def test_an_unknown_variable_with_none_set_shows_how_to_store_one() -> None:
    with pytest.raises(UsageError) as caught:
        Variables().interpolate("/items/{{item_id}}")
    assert str(caught.value) == (
        'Unknown variable "item_id" in "/items/{{item_id}}": no variables are set yet. '
        'Store one first, e.g. And I store the JSON at "$.id" as "item_id".'
    )


def test_a_placeholder_that_is_not_a_name_is_refused(variables: Variables) -> None:
    with pytest.raises(UsageError) as caught:
        variables.interpolate("{{ 1 + 1 }}")
    assert str(caught.value) == (
        '"{{ 1 + 1 }}" in "{{ 1 + 1 }}" is not a variable reference: names use letters, '
        'digits, "_", "-" and ".". To write literal braces, use \\{{.'
    )


def test_a_whole_json_string_placeholder_keeps_the_type(variables: Variables) -> None:
    variables.set("tags", ["a", "b"])
    doc = '{"id": "{{item_id}}", "tags": "{{ tags }}", "token": "{{token}}"}'
    assert variables.interpolate_json(doc) == {"id": 7, "tags": ["a", "b"], "token": "abc"}


def test_a_bare_json_placeholder_becomes_the_value(variables: Variables) -> None:
    assert variables.interpolate_json('{"id": {{item_id}}, "t": {{token}}}') == {
        "id": 7,
        "t": "abc",
    }


def test_a_placeholder_inside_a_longer_string_is_spliced_and_escaped() -> None:
    variables = Variables()
    variables.set("quote", 'say "hi"\\')
    variables.set("n", 3)
    doc = '{"text": "{{quote}} {{n}} times, \\{{n}}"}'
    assert variables.interpolate_json(doc) == {"text": 'say "hi"\\ 3 times, {{n}}'}


def test_json_without_placeholders_parses_as_is(variables: Variables) -> None:
    assert variables.interpolate_json('[{"a": "{b}"}, "}}"]') == [{"a": "{b}"}, "}}"]


def test_an_unknown_variable_in_a_multi_line_document_names_the_line(
    variables: Variables,
) -> None:
    with pytest.raises(UsageError) as caught:
        variables.interpolate_json('{\n  "id": "{{itme_id}}"\n}')
    assert str(caught.value) == (
        'Unknown variable "itme_id" in the JSON doc string at line 2: "id": "{{itme_id}}". '
        'Known variables: item_id, token. Did you mean "item_id"?'
    )


def test_malformed_json_points_at_the_line_and_column_as_written(variables: Variables) -> None:
    # The substitution on line 2 must not shift the position reported on line 4.
    doc = '{\n  "id": {{item_id}},\n  "b": 2\n  "c": 3\n}'
    with pytest.raises(UsageError) as caught:
        variables.interpolate_json(doc, what="the request body")
    assert str(caught.value) == (
        "The request body is not valid JSON: Expecting ',' delimiter (line 4, column 3). "
        "Is a comma missing before this point?\n"
        '    "c": 3\n'
        "    ^"
    )


def test_a_trailing_comma_gets_a_hint(variables: Variables) -> None:
    with pytest.raises(UsageError) as caught:
        variables.interpolate_json('{"a": 1,}')
    assert str(caught.value) == (
        "The JSON doc string is not valid JSON: a comma before a closing bracket (line 1, "
        "column 8). JSON does not allow a trailing comma: remove it.\n"
        '  {"a": 1,}\n'
        "         ^"
    )


def test_single_quotes_get_a_hint(variables: Variables) -> None:
    with pytest.raises(UsageError) as caught:
        variables.interpolate_json("{'a': 1}")
    assert "(line 1, column 2). JSON strings use double quotes.\n" in str(caught.value)


def test_an_empty_document_is_refused(variables: Variables) -> None:
    with pytest.raises(UsageError) as caught:
        variables.interpolate_json("  \n")
    assert str(caught.value) == "The JSON doc string is empty; expected a JSON document."


def test_nan_is_not_json(variables: Variables) -> None:
    with pytest.raises(UsageError) as caught:
        variables.interpolate_json('{"a": NaN}')
    assert str(caught.value).startswith("The JSON doc string is not valid JSON: NaN is not JSON")


def test_interpolate_value_types_whole_placeholders_and_splices_the_rest(
    variables: Variables,
) -> None:
    variables.set("obj", {"a": 1})
    value = {"k_{{item_id}}": ["{{obj}}", "x{{item_id}}", 3, None, " {{ token }} "]}
    assert variables.interpolate_value(value) == {"k_7": [{"a": 1}, "x7", 3, None, "abc"]}


def test_nothing_is_evaluated_as_code(variables: Variables) -> None:
    with pytest.raises(UsageError):
        variables.interpolate("{{__import__('os')}}")
    assert variables.interpolate_json('"{{token}}"') == "abc"


@given(st.text())
def test_any_text_round_trips_through_a_json_string(text: str) -> None:
    variables = Variables()
    variables.set("v", text)
    assert variables.interpolate("{{v}}") == text
    assert variables.interpolate_json('{"a": "{{v}}", "b": "<{{v}}>"}') == {
        "a": text,
        "b": f"<{text}>",
    }


@given(json_values)
def test_any_json_value_keeps_its_type_through_interpolation(value: object) -> None:
    variables = Variables()
    variables.set("v", value)
    assert variables.interpolate_json('["{{v}}", {{v}}]') == [value, value]
    assert variables.interpolate_value("{{v}}") == value
    if not isinstance(value, str):
        assert json.loads(variables.interpolate("{{v}}")) == value


def test_a_path_takes_a_stored_number_or_text() -> None:
    variables = Variables()
    variables.set("id", 3)
    variables.set("slug", "red apple")
    assert variables.interpolate_path("/items/{{id}}/{{ slug }}?x=\\{{id}}") == (
        "/items/3/red apple?x={{id}}"
    )


@pytest.mark.parametrize(
    ("value", "shown", "kind"),
    [([1, 2], "[1,2]", "a list"), ({"id": 1}, '{"id":1}', "an object")],
)
def test_a_list_or_object_in_a_path_names_the_variable_its_value_and_the_fix(
    value: object, shown: str, kind: str
) -> None:
    variables = Variables()
    variables.set("ids", value)
    with pytest.raises(UsageError) as raised:
        variables.interpolate_path("/tasks/{{ids}}")
    assert str(raised.value) == (
        f'The variable "ids" is {kind}, {shown}, so it cannot go into the path /tasks/{{{{ids}}}}: '
        'a path takes one value. Store one item instead, e.g. And I store the JSON at "$.ids[0]" '
        'as "ids" (a JSONPath with a wildcard or a filter always stores a list).'
    )


def test_a_long_list_in_a_path_is_shown_shortened() -> None:
    variables = Variables()
    variables.set("ids", list(range(100)))
    with pytest.raises(UsageError, match=r"is a list, \[0,1,2,.{40,}\.\.\., so it cannot"):
        variables.interpolate_path("/tasks/{{ids}}")


def test_a_known_variable_in_single_braces_in_a_path_asks_for_two() -> None:
    variables = Variables()
    variables.set("id", 3)
    assert variables.interpolate_path("/items/{other}") == "/items/{other}"  # not a variable
    with pytest.raises(UsageError) as raised:
        variables.interpolate_path("/items/{id}")
    assert str(raised.value) == (
        "The path /items/{id} has {id}, which is sent as it is written. Variables are "
        "written with two braces: {{id}}."
    )


# -- the values a step used, for the reports (`Variables.noting_uses`)


def test_a_step_that_used_values_is_noted_with_them_in_order() -> None:
    from asgibdd.secrets import Secrets

    store = Variables(Secrets())
    store.set("item_id", 7)
    store.set("api_token", "ab")  # too short to be masked by value: masked by its name
    text = "I GET /items/{{item_id}}/{{$uuid}}/{{$uuid}}?t={{api_token}}&raw=\\{{x}}"
    with store.noting_uses(text):
        sent = store.interpolate_path(text)
    [(written, shown)] = store.resolved_steps
    assert written == text
    first, second = sent.removeprefix("I GET /items/7/").split("?")[0].split("/")
    assert first != second  # fresh on every use, and shown as used
    assert shown == f"I GET /items/7/{first}/{second}?t=***&raw=\\{{{{x}}}}"


def test_a_step_without_placeholders_or_without_uses_is_not_noted() -> None:
    store = Variables()
    store.set("id", 1)
    with store.noting_uses("I GET /items"):
        store.interpolate("I GET /items")
    with store.noting_uses("I GET /items/{{id}}"):
        pass  # a step that failed before it used its values
    assert store.resolved_steps == []
    with store.noting_uses("I GET /items/{{id}}"):
        store.interpolate("{{id}}")
    assert store.resolved_steps == [("I GET /items/{{id}}", "I GET /items/1")]
