"""Outside-service steps: what the app's dependencies answer, and what the app sent them.

A scenario declares each service the app calls by a name and the base URL the app uses;
its stubs live for that scenario. The `received` checks read every call the app made
(see `asgibdd.extensions.outbound` and docs/outbound.md).
"""

from __future__ import annotations

import json
from typing import Any

from asgibdd._suggest import did_you_mean
from asgibdd.environment import get_world
from asgibdd.errors import ExpectationFailed
from asgibdd.extensions.outbound import OutboundServices
from asgibdd.outbound.stubs import Answer, Call, Outbound, Service, Stub
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.support.inputs import doc_string, expected_json
from asgibdd.steps.support.subject import JSONSubject

SERVICES = "Outside services"


def _outbound(context: Any) -> Outbound:
    """The scenario's outside services; `UsageError` when this run cannot stub them."""
    world = get_world(context)
    extension = world.extension(OutboundServices)
    if extension is None:
        raise step_usage_error(
            "needs asgibdd's outbound services, which this run does not have: call "
            "asgibdd.environment.before_all(context) from your environment.py."
        )
    if world.config.live and extension.served_at is None:
        raise step_usage_error(
            "stubs a service, but this run tests the live service at "
            f"{world.config.base_url}, which cannot see stubs in this process. Set "
            'outbound_server = "0.0.0.0:8089" in [tool.asgibdd] to serve them there, and '
            "point the service's dependency URLs at it."
        )
    return extension.outbound


def _service(context: Any, name: str, url: str) -> Service:
    variables = get_world(context).variables
    return _outbound(context).service(name, variables.interpolate(url))


def _stub(context: Any, name: str, url: str, method: str, path: str, answer: Answer) -> None:
    route = get_world(context).variables.interpolate_path(path)
    _service(context, name, url).stubs.append(Stub(method.upper(), route, answer))


@library_step(
    "the service {name:Quoted} at {url:URL} answers {method:Method} {path:Path} "
    "with status {status:Count}",
    section=SERVICES,
)
def service_answers_status(
    context: Any, name: str, url: str, method: str, path: str, status: int
) -> None:
    """Answer the app's `METHOD path` to the service with a status and no body.

    Every call the app makes to that route in this scenario gets this answer; a later
    step for the same route wins. The URL and path may hold `{{variables}}`.

    Example: Given the service "mailer" at https://mail.example answers POST /send with status 202
    """
    _stub(context, name, url, method, path, Answer(status))


@library_step(
    "the service {name:Quoted} at {url:URL} answers {method:Method} {path:Path} "
    "with status {status:Count} and JSON:",
    section=SERVICES,
)
def service_answers_json(
    context: Any, name: str, url: str, method: str, path: str, status: int
) -> None:
    """Answer the app's `METHOD path` with a status and the doc string's JSON.

    `{{variables}}` are typed inside the JSON, as in request bodies.

    Example: Given the service "pay" at https://pay.example answers POST /charges with status 201 and JSON:
        \"\"\"
        {"id": "ch_1", "status": "paid"}
        \"\"\"
    """  # noqa: E501
    document = get_world(context).variables.interpolate_json(
        doc_string(context), what="the stubbed JSON doc string"
    )
    body = json.dumps(document).encode("utf-8")
    _stub(context, name, url, method, path, Answer(status, body, "application/json"))


@library_step(
    "the service {name:Quoted} at {url:URL} answers {method:Method} {path:Path} "
    "with status {status:Count} and body {body:Quoted}",
    section=SERVICES,
)
def service_answers_body(
    context: Any, name: str, url: str, method: str, path: str, status: int, body: str
) -> None:
    """Answer the app's `METHOD path` with a status and a text body.

    Example: Given the service "fx" at https://fx.example answers GET /eur with status 200 and body "1.08"
    """  # noqa: E501
    text = get_world(context).variables.interpolate(body)
    answer = Answer(status, text.encode("utf-8"), "text/plain; charset=utf-8")
    _stub(context, name, url, method, path, answer)


@library_step("the service {name:Quoted} at {url:URL} is down", section=SERVICES)
def service_is_down(context: Any, name: str, url: str) -> None:
    """Refuse every connection the app opens to the service, as a stopped server does.

    The app's client raises its own connection error (httpx's `ConnectError`, requests'
    `ConnectionError`, aiohttp's `ClientConnectionError`).

    Example: Given the service "pay" at https://pay.example is down
    """
    _service(context, name, url).down = True


@library_step(
    "the service {name:Quoted} at {url:URL} answers after {delay:Duration}", section=SERVICES
)
def service_answers_after(context: Any, name: str, url: str, delay: float) -> None:
    """Make the service take a while to answer, to test the app's own timeouts.

    A call whose client gives up sooner gets that client's timeout error once its timeout
    has passed (httpx, requests, and aiohttp with a per-request timeout); others get the
    stub's answer after the delay.

    Example: Given the service "pay" at https://pay.example answers after 2 seconds
    """
    _service(context, name, url).delay = delay


def _known(context: Any, name: str) -> Outbound:
    outbound = _outbound(context)
    if name not in outbound.services:
        declared = list(outbound.services)
        shown = ", ".join(f'"{n}"' for n in declared) or "none"
        raise step_usage_error(
            f'checks the service "{name}", which no step of this scenario declared.'
            f"{did_you_mean(name, declared)} Declared: {shown}. Declare it with "
            f'`Given the service "{name}" at https://... answers ...`.'
        )
    return outbound


def _route_matches(call: Call, method: str, path: str) -> bool:
    if call.method.upper() != method.upper() or call.path is None:
        return False
    if "?" in path:
        query = call.url.partition("?")[2]
        return f"{call.path}?{query}" == path
    return call.path.rstrip("/") == path.rstrip("/") or call.path == path


def _received_text(name: str, calls: list[Call]) -> str:
    if not calls:
        return f'The service "{name}" received nothing in this scenario.'
    lines = [f'The service "{name}" received ({len(calls)}):']
    for number, call in enumerate(calls, 1):
        during = f" (during: {call.step})" if call.step else ""
        lines.append(f"  {number}. {call.describe(relative=True)}{during}")
    return "\n".join(lines)


def _fail(context: Any, message: str) -> ExpectationFailed:
    """A failure whose text has the scenario's secrets masked (a body may hold one)."""
    return ExpectationFailed(get_world(context).secrets.mask_text(message))


@library_step(
    "the service {name:Quoted} received {count:Requests} to {method:Method} {path:Path}",
    section=SERVICES,
)
def service_received_count(context: Any, name: str, count: int, method: str, path: str) -> None:
    """Check how many calls the app made to one route of the service in this scenario.

    Example: Then the service "pay" received 1 request to POST /charges
    """
    calls = _known(context, name).received(name)
    route = get_world(context).variables.interpolate_path(path)
    got = sum(1 for call in calls if _route_matches(call, method, route))
    if got != count:
        noun = "request" if count == 1 else "requests"
        raise _fail(
            context,
            f'Expected the service "{name}" to receive {count} {noun} to {method} {route}, '
            f"it received {got}.\n{_received_text(name, calls)}",
        )


@library_step(
    "the service {name:Quoted} received a {method:Method} {path:Path} with JSON:",
    section=SERVICES,
)
def service_received_json(context: Any, name: str, method: str, path: str) -> None:
    """Check that the app sent the route a JSON body containing the doc string's JSON.

    Matched like `Then the response JSON contains:`: fields not named are ignored,
    markers (`"#integer"`, ...) and `{{variables}}` work. Any one call to the route may
    match.

    Example: Then the service "pay" received a POST /charges with JSON:
        \"\"\"
        {"amount": 1250, "currency": "EUR"}
        \"\"\"
    """
    calls = _known(context, name).received(name)
    route = get_world(context).variables.interpolate_path(path)
    expected = expected_json(context)
    candidates = [call for call in calls if _route_matches(call, method, route)]
    if not candidates:
        raise _fail(
            context,
            f'Expected the service "{name}" to receive a {method} {route} with JSON, it '
            f"received none.\n{_received_text(name, calls)}",
        )
    failure: ExpectationFailed | None = None
    for call in reversed(candidates):
        try:
            document = call.json()
        except ValueError:
            failure = _fail(
                context,
                f'The {method} {route} the service "{name}" received has a body that is '
                f"not JSON.\n{_received_text(name, calls)}",
            )
            continue
        subject = JSONSubject(
            document,
            f'the JSON of the {method} {route} the service "{name}" received',
            lambda: _received_text(name, calls),
        )
        try:
            subject.assert_contains(expected)
        except AssertionError as error:
            failure = failure or _fail(context, str(error))
            continue
        return
    assert failure is not None
    raise failure


@library_step(
    "the service {name:Quoted} received no request",
    (
        "the service {name:Quoted} received no requests",
        'Then the service "mail" received no requests',
    ),
    section=SERVICES,
)
def service_received_nothing(context: Any, name: str) -> None:
    """Check that the app made no call to the service in this scenario.

    Example: Then the service "mail" received no request
    """
    calls = _known(context, name).received(name)
    if calls:
        raise _fail(
            context,
            f'Expected the service "{name}" to receive no request, it received '
            f"{len(calls)}.\n{_received_text(name, calls)}",
        )
