"""Capture steps: store parts of the last response, or plain values, as `{{variables}}`."""

from __future__ import annotations

from typing import Any

from asgibdd._suggest import did_you_mean
from asgibdd.environment import get_world
from asgibdd.matching.jsonpath import compile_jsonpath
from asgibdd.matching.literal import loads_strict, parse_cell, parse_literal
from asgibdd.steps.registry import current_step_text, library_step
from asgibdd.steps.support.exchange import exchange_failure, last_exchange
from asgibdd.steps.support.inputs import name_value_rows

CAPTURES = "Captures"


def _store(context: Any, name: str, value: Any, *, for_the_run: bool = False) -> None:
    """Set a variable; a secret-named one (`token`, `password`) is masked in every output."""
    world = get_world(context)
    if for_the_run:
        world.variables.set_for_run(name, value)
    else:
        world.variables.set(name, value)
    if world.secrets.policy.is_secret_name(name):
        world.secrets.remember(value)


@library_step(
    "I store the JSON at {path:JSONPath} as {name:Quoted}",
    (
        "I store the JSON at {path:JSONPath} as {name:Quoted} for the run",
        'And I store the JSON at "$.id" as "first_item" for the run',
    ),
    section=CAPTURES,
)
def store_json_value(context: Any, path: str, name: str) -> None:
    """Store the value a JSONPath selects in the last response's JSON as a variable.

    A wildcard or filter path stores the list of everything it selects. `for the run`
    keeps it for every later scenario of the run too (they depend on running after this
    one: see docs/product-owners.md).

    Example: And I store the JSON at "$.id" as "item_id"
    """
    _, response = last_exchange(context)
    query = compile_jsonpath(path)
    try:
        document = loads_strict(response.text)
    except ValueError as error:
        raise exchange_failure(
            context,
            f'Cannot store the JSON at "{path}" as "{name}": the response body is not '
            f"JSON ({error}).",
        ) from None
    selection = query.select(document)
    if query.is_definite and not selection.found:
        raise exchange_failure(
            context,
            f'Cannot store the JSON at "{path}" as "{name}". {selection.explain_missing()}',
        )
    for_the_run = (current_step_text() or "").endswith(" for the run")
    _store(context, name, selection.value, for_the_run=for_the_run)


@library_step("I store the response header {header:Quoted} as {name:Quoted}", section=CAPTURES)
def store_response_header(context: Any, header: str, name: str) -> None:
    """Store a header of the last response as a variable (the header name ignores case).

    Example: And I store the response header "Location" as "url"
    """
    _, response = last_exchange(context)
    if header not in response.headers:
        present = list(dict.fromkeys(response.headers.keys()))
        raise exchange_failure(
            context,
            f'Cannot store the response header "{header}" as "{name}": the response has '
            f"no such header.{did_you_mean(header, present)} It has: "
            f"{', '.join(present) or '(no headers)'}.",
        )
    _store(context, name, response.headers[header])


@library_step(
    "the variable {name:Quoted} is {value:VariableValue}",
    (
        "the variable {name:Quoted} is {value:Literal} for the run",
        'Given the variable "run_id" is "{{$uuid}}" for the run',
    ),
    section=CAPTURES,
)
def set_variable(context: Any, name: str, value: str) -> None:
    """Set a variable to a JSON literal: `"alice"` is text, `3` a number, `[1, 2]` a list.

    `for the run` keeps it for every later scenario of the run too.

    Example: Given the variable "user" is "alice"
    """
    variables = get_world(context).variables
    literal = parse_literal(value, what=f'the value of the variable "{name}"')
    for_the_run = (current_step_text() or "").endswith(" for the run")
    _store(context, name, variables.interpolate_value(literal), for_the_run=for_the_run)


@library_step("the variables:", section=CAPTURES)
def set_variables(context: Any) -> None:
    """Set several variables from a `name | value` table; values are typed like cells.

    Example: Given the variables:
        | name  | value |
        | user  | alice |
        | limit | 2     |
    """
    variables = get_world(context).variables
    for name, value in name_value_rows(context):
        _store(context, name, variables.interpolate_value(parse_cell(value)))
