"""Request steps: send a request, and set what the following requests of a scenario carry.

A request step never asserts anything about the response; assertion steps do that.
"""

from __future__ import annotations

import mimetypes
import time
from typing import Any

import httpx

from asgibdd.environment import get_world
from asgibdd.errors import ExpectationFailed
from asgibdd.matching.format import format_value
from asgibdd.matching.literal import parse_cell
from asgibdd.steps.registry import (
    check_step,
    current_step_text,
    library_step,
    step_usage_error,
)
from asgibdd.steps.support.exchange import exchange_failure, show
from asgibdd.steps.support.inputs import doc_string, find_feature_file, name_value_rows
from asgibdd.steps.support.requests import BearerAuth, send_request
from asgibdd.steps.support.waits import seconds_text, wait_limit
from asgibdd.transcript import render_exchange

REQUESTS = "Requests"
REQUEST_SETTINGS = "Request settings"
DEBUGGING = "Debugging"


@library_step("I {method:Method} {path:Path}", section=REQUESTS)
def request_without_body(context: Any, method: str, path: str) -> None:
    """Send a request without a body. GET, HEAD, OPTIONS, DELETE, POST, PUT and PATCH all work.

    The path may carry a query string and `{{variables}}`.

    Example: When I GET /items?limit=2
    """
    send_request(context, method, path)


@library_step("I {method:Method} {path:Path} with JSON:", section=REQUESTS)
def request_with_json(context: Any, method: str, path: str) -> None:
    """Send the doc string as a JSON body; `"{{name}}"` becomes the variable's typed value.

    Example: When I POST /items with JSON:
        \"\"\"
        {"name": "apple", "price": 3}
        \"\"\"
    """
    world = get_world(context)
    value = world.variables.interpolate_json(doc_string(context))
    send_request(context, method, path, json=value)


@library_step("I {method:Method} {path:Path} with JSON fields:", section=REQUESTS)
def request_with_json_fields(context: Any, method: str, path: str) -> None:
    """Send a flat JSON object built from a `name | value` table; values are typed like cells.

    A value that parses as JSON (`3`, `true`, `"3"`) is that JSON, anything else is text.

    Example: When I POST /items with JSON fields:
        | name  | value   |
        | name  | apple   |
        | price | 3       |
    """
    world = get_world(context)
    document = {
        name: world.variables.interpolate_value(parse_cell(value))
        for name, value in name_value_rows(context)
    }
    send_request(context, method, path, json=document)


@library_step(
    "the following {things:Words} exist at {path:Path}:",
    (
        "the following {things:Words} exists at {path:Path}:",
        "Given the following item exists at /items:\n    | name  | price |\n    | apple | 3     |",
    ),
    section=REQUESTS,
)
def following_exist(context: Any, things: str, path: str) -> None:
    """POST one JSON object per table row (the header row names the fields); each must succeed.

    Cells are typed like JSON-fields tables: `3` is a number, `true` a boolean, `apple` text.

    Example: Given the following items exist at /items:
        | name  | price | tags      |
        | apple | 3     | ["red"]   |
        | pear  | 2     | []        |
    """
    world = get_world(context)
    table = getattr(context, "table", None)
    if table is None or not table.headings:
        raise step_usage_error(
            "needs a table below it: a header row naming the fields, then one row per "
            f"{things.rstrip('s') or 'item'} to create."
        )
    headings = [heading.strip() for heading in table.headings]
    for number, row in enumerate(table, 1):
        document = {
            name: world.variables.interpolate_value(parse_cell(cell))
            for name, cell in zip(headings, row.cells, strict=True)
        }
        response = send_request(context, "POST", path, json=document)
        if not response.is_success:
            raise exchange_failure(
                context,
                f"Could not create {things} row {number} of {len(table.rows)} "
                f"({format_value(document)}): POST {path} answered "
                f"{response.status_code} {response.reason_phrase}.",
            )


@library_step("I {method:Method} {path:Path} with form:", section=REQUESTS)
def request_with_form(context: Any, method: str, path: str) -> None:
    """Send a `name | value` table as an `application/x-www-form-urlencoded` form.

    Example: When I POST /login with form:
        | name     | value  |
        | username | alice  |
        | password | s3cret |
    """
    world = get_world(context)
    form: list[tuple[str, str | int | float | bool | None]] = [
        (name, world.variables.interpolate(value)) for name, value in name_value_rows(context)
    ]
    send_request(
        context,
        method,
        path,
        content=_urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )


def _urlencode(pairs: list[tuple[str, str | int | float | bool | None]]) -> bytes:
    # httpx's `data=` takes a dict, which would drop repeated names; keep every row.
    return str(httpx.QueryParams(pairs)).encode("ascii")


@library_step(
    "I {method:Method} {path:Path} with file {file:Quoted} as {field:Quoted}",
    (
        "I {method:Method} {path:Path} with file {file:Quoted} as {field:Quoted} "
        "of type {content_type:Quoted}",
        'When I POST /upload with file "fixtures/hello.txt" as "file" of type "text/csv"',
    ),
    (
        "I {method:Method} {path:Path} with file {file:Quoted} as {field:Quoted} and form:",
        'When I POST /upload with file "fixtures/hello.txt" as "file" and form:\n'
        "    | name  | value |\n    | title | hello |",
    ),
    (
        "I {method:Method} {path:Path} with file {file:Quoted} as {field:Quoted} "
        "of type {content_type:Quoted} and form:",
        'When I POST /upload with file "fixtures/hello.txt" as "file" of type "text/plain" '
        "and form:\n    | name  | value |\n    | title | hello |",
    ),
    section=REQUESTS,
)
def request_with_file(
    context: Any, method: str, path: str, file: str, field: str, content_type: str | None = None
) -> None:
    """Upload a file as a multipart form field; the path is relative to the feature file.

    A path that is not next to the feature file is looked up in the features folders
    given to behave. The content type is guessed from the file name unless `of type` gives
    it; `and form:` sends the `name | value` table's fields in the same form.

    Example: When I POST /upload with file "fixtures/hello.txt" as "file"
    """
    world = get_world(context)
    location = find_feature_file(world, context, world.variables.interpolate(file))
    if content_type is None:
        content_type = mimetypes.guess_type(location.name)[0] or "application/octet-stream"
    else:
        content_type = world.variables.interpolate(content_type)
    files = {field: (location.name, location.read_bytes(), content_type)}
    data = None
    if (current_step_text() or "").endswith(" and form:"):
        data = {name: world.variables.interpolate(v) for name, v in name_value_rows(context)}
    send_request(context, method, path, files=files, data=data)


@library_step("I {method:Method} {path:Path} with body:", section=REQUESTS)
def request_with_body(context: Any, method: str, path: str) -> None:
    """Send the doc string as the raw body (UTF-8); set its Content-Type with a header step.

    Example: When I POST /echo with body:
        \"\"\"
        hello
        \"\"\"
    """
    world = get_world(context)
    content = world.variables.interpolate(doc_string(context)).encode("utf-8")
    send_request(context, method, path, content=content)


@library_step("I {method:Method} {path:Path} with query:", section=REQUESTS)
def request_with_query(context: Any, method: str, path: str) -> None:
    """Send a request whose query parameters come from a `name | value` table.

    They are added to any query already in the path; repeated names are all sent.

    Example: When I GET /items with query:
        | name  | value |
        | limit | 2     |
    """
    world = get_world(context)
    params = [
        (name, world.variables.interpolate(value)) for name, value in name_value_rows(context)
    ]
    send_request(context, method, path, params=params)


@library_step(
    "I {method:Method} {path:Path} until {check:Check}",
    (
        "I {method:Method} {path:Path} until {check:Literal} within {duration:Duration}",
        'When I GET /items until the JSON at "$.count" is 0 within 2 seconds',
    ),
    section=REQUESTS,
)
def request_until(
    context: Any, method: str, path: str, check: str, duration: float | None = None
) -> None:
    """Re-send a request until a check step holds (for results that arrive eventually).

    The check is any `Then` step of the library, written after `until`. It is tried after
    every response, with short pauses, for the configured timeout (or `within <duration>`);
    if it never holds, the failure lists the attempts and shows the last one.

    Example: When I GET /items until the JSON at "$.count" is 0
    """
    world = get_world(context)
    definition = check_step(check)
    deadline = time.monotonic() + wait_limit(world, duration)
    pause = 0.05
    attempts: list[str] = []
    while True:
        response = send_request(context, method, path)
        try:
            definition.run(context, check)
            return
        except ExpectationFailed as failure:
            last = str(failure)
            attempts.append(f"{response.status_code} {response.reason_phrase}: {_gist(last)}")
        if time.monotonic() + pause > deadline:
            break
        time.sleep(pause)
        pause = min(pause * 1.5, 0.5)
    raise ExpectationFailed(
        f"The check never held: after re-sending {method} {path} for "
        f"{seconds_text(wait_limit(world, duration))} ({len(attempts)} attempts), "
        f"{check} still fails.\n{_attempts(attempts)}\nThe last attempt:\n{last}"
    )


def _gist(failure: str) -> str:
    """The first line of a failure, with the first mismatch when that line is a heading."""
    lines = failure.splitlines()
    if lines[0].endswith(":") and len(lines) > 1:
        return f"{lines[0]} {lines[1].strip()}"
    return lines[0]


def _attempts(attempts: list[str], shown: int = 5) -> str:
    lines = [f"  {n}. {text}" for n, text in enumerate(attempts, 1)]
    if len(lines) > shown:
        lines = [*lines[:2], f"  ... {len(lines) - shown + 2} more like these", *lines[-3:]]
    return "Attempts:\n" + "\n".join(lines)


@library_step("I wait {duration:Duration}", section=REQUESTS)
def wait(context: Any, duration: float) -> None:
    """Pause the scenario, for the rare app that needs time and offers nothing to poll.

    Prefer `When I GET /path until <check>`, which stops waiting as soon as the check holds.

    Example: When I wait 0.1 seconds
    """
    time.sleep(duration)


@library_step("the request header {name:Quoted} is {value:Quoted}", section=REQUEST_SETTINGS)
def set_request_header(context: Any, name: str, value: str) -> None:
    """Send this header with every following request of the scenario.

    Example: Given the request header "X-Token" is "abc"
    """
    world = get_world(context)
    world.defaults.set_header(name, world.variables.interpolate(value))


@library_step("the request header {name:Quoted} is removed", section=REQUEST_SETTINGS)
def remove_request_header(context: Any, name: str) -> None:
    """Send no such header from now on, not even one set earlier or configured for all.

    Example: Given the request header "Authorization" is removed
    """
    get_world(context).defaults.remove_header(name)


@library_step("the request headers:", section=REQUEST_SETTINGS)
def set_request_headers(context: Any) -> None:
    """Send the headers of a `name | value` table with every following request.

    Example: Given the request headers:
        | name   | value            |
        | Accept | application/json |
    """
    world = get_world(context)
    for name, value in name_value_rows(context):
        world.defaults.set_header(name, world.variables.interpolate(value))


@library_step("the cookie {name:Quoted} is {value:Quoted}", section=REQUEST_SETTINGS)
def set_cookie(context: Any, name: str, value: str) -> None:
    """Put a cookie in the scenario's cookie jar, next to the cookies the app sets.

    Example: Given the cookie "session" is "abc"
    """
    world = get_world(context)
    world.require_client().cookies.set(name, world.variables.interpolate(value))


@library_step("I am authenticated with the bearer token {token:Quoted}", section=REQUEST_SETTINGS)
def use_bearer_token(context: Any, token: str) -> None:
    """Send `Authorization: Bearer <token>` with every following request.

    Example: Given I am authenticated with the bearer token "{{token}}"
    """
    world = get_world(context)
    world.defaults.set_auth(BearerAuth(world.variables.interpolate(token)))


@library_step(
    "I use basic authentication as {user:Quoted} with password {password:Quoted}",
    section=REQUEST_SETTINGS,
)
def use_basic_auth(context: Any, user: str, password: str) -> None:
    """Send HTTP basic authentication with every following request.

    Example: Given I use basic authentication as "alice" with password "s3cret"
    """
    world = get_world(context)
    interpolate = world.variables.interpolate
    secret = interpolate(password)
    world.secrets.remember(secret)  # masked wherever it shows, this step's own text included
    world.defaults.set_auth(httpx.BasicAuth(interpolate(user), secret))


@library_step("I am not authenticated", section=REQUEST_SETTINGS)
def not_authenticated(context: Any) -> None:
    """Send no credentials from now on: no login, no `Authorization` header.

    Example: Given I am not authenticated
    """
    get_world(context).defaults.remove_header("Authorization")


@library_step("redirects are not followed", section=REQUEST_SETTINGS)
def do_not_follow_redirects(context: Any) -> None:
    """Stop following redirects, so the 3xx response itself can be checked.

    Example: Given redirects are not followed
    """
    get_world(context).defaults.follow_redirects = False


@library_step("show the response", section=DEBUGGING)
def show_response(context: Any) -> None:
    """Print the last request and response, secrets masked (behave shows it on failure).

    Example: Then show the response
    """
    world = get_world(context)
    if world.last_request is None:
        raise step_usage_error("needs a request first: no request was sent in this scenario.")
    show(context, render_exchange(world.last_request, world.last_response, secrets=world.secrets))
