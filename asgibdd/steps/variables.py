"""Capture steps: store parts of the last response, or plain values, as `{{variables}}`.

Also home of the last exchange (request and response) that every response check reads.
"""

from __future__ import annotations

from typing import Any

import httpx

from asgibdd._suggest import did_you_mean
from asgibdd.environment import get_world
from asgibdd.errors import ExpectationFailed
from asgibdd.matching.jsonpath import compile_jsonpath
from asgibdd.matching.literal import loads_strict, parse_cell, parse_literal
from asgibdd.matching.render import render_exchange
from asgibdd.steps.http import name_value_rows
from asgibdd.steps.registry import library_step, step_usage_error

__all__ = ["exchange_failure", "last_exchange", "transcript"]

CAPTURES = "Captures"


def last_exchange(context: Any) -> tuple[httpx.Request, httpx.Response]:
    """The last request and its response; `UsageError` naming the step if none was sent."""
    world = get_world(context)
    if world.last_request is None or world.last_response is None:
        raise step_usage_error(
            "needs a response, but no request was sent in this scenario yet. "
            "Send one first, e.g. `When I GET /items`."
        )
    return world.last_request, world.last_response


def transcript(context: Any) -> str:
    """The last request and response, secrets masked, long bodies cut."""
    request, response = last_exchange(context)
    return render_exchange(request, response)


def exchange_failure(context: Any, message: str) -> ExpectationFailed:
    """An `ExpectationFailed` carrying `message` and the transcript of the last exchange."""
    return ExpectationFailed(f"{message}\n{transcript(context)}")


@library_step("I store the JSON at {path:Quoted} as {name:Quoted}", section=CAPTURES)
def store_json_value(context: Any, path: str, name: str) -> None:
    """Store the value a JSONPath selects in the last response's JSON as a variable.

    A wildcard or filter path stores the list of everything it selects.

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
    get_world(context).variables.set(name, selection.value)


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
    get_world(context).variables.set(name, response.headers[header])


@library_step("the variable {name:Quoted} is {value:Literal}", section=CAPTURES)
def set_variable(context: Any, name: str, value: str) -> None:
    """Set a variable to a JSON literal: `"alice"` is text, `3` a number, `[1, 2]` a list.

    Example: Given the variable "user" is "alice"
    """
    variables = get_world(context).variables
    literal = parse_literal(value, what=f'the value of the variable "{name}"')
    variables.set(name, variables.interpolate_value(literal))


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
        variables.set(name, variables.interpolate_value(parse_cell(value)))
