"""Response assertion steps: status, headers and body text of the last response.

Every failed expectation raises `ExpectationFailed` with a message that stands alone:
what was expected, what came back, and the transcript of the last request and response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from asgibdd._suggest import did_you_mean
from asgibdd.environment import get_world
from asgibdd.matching.format import format_value
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.support.exchange import exchange_failure, last_exchange
from asgibdd.steps.support.inputs import doc_string, step_pattern

RESPONSE = "Response"

_STATUS_CLASS = re.compile(r"([1-5])xx", re.IGNORECASE)


def parse_status(text: str) -> tuple[int, int] | None:
    """Read an expected status: `201` gives (201, 201), `2xx` gives (200, 299).

    Returns None for anything else, so the caller can say what the step expected.
    """
    stripped = text.strip()
    if re.fullmatch(r"[1-5]\d\d", stripped):
        return int(stripped), int(stripped)
    found = _STATUS_CLASS.fullmatch(stripped)
    if found:
        first = int(found[1]) * 100
        return first, first + 99
    return None


def _status_line(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".rstrip()


def _status_bounds(text: str) -> tuple[int, int]:
    bounds = parse_status(text)
    if bounds is None:
        raise step_usage_error(
            f"expects a status code such as 201 or a status class such as 2xx, got: {text.strip()}."
        )
    return bounds


def _status_text(bounds: tuple[int, int]) -> str:
    low, high = bounds
    return str(low) if low == high else f"a {low // 100}xx status"


def _check_status(context: Any, expected: str) -> None:
    _check_statuses(context, [get_world(context).variables.interpolate(expected)])


def _check_statuses(context: Any, expected: list[str]) -> None:
    _, response = last_exchange(context)
    allowed = [_status_bounds(text) for text in expected]
    if any(low <= response.status_code <= high for low, high in allowed):
        return
    wanted = " or ".join(_status_text(bounds) for bounds in allowed)
    raise exchange_failure(
        context,
        f"Expected the response status to be {wanted}, got {_status_line(response)}.",
    )


@library_step("the response status is {status:Status}", section=RESPONSE)
def response_status_is(context: Any, status: str) -> None:
    """Check the response status: an exact code, or a class such as `2xx` or `4xx`.

    Example: Then the response status is 201
    """
    _check_status(context, status)


@library_step("the response status code is {status:Status}", section=RESPONSE)
def response_status_code_is(context: Any, status: str) -> None:
    """Check the response status, said the other way: an exact code or a class like `2xx`.

    Example: Then the response status code is 2xx
    """
    _check_status(context, status)


@library_step("the response status is not {status:Status}", section=RESPONSE)
def response_status_is_not(context: Any, status: str) -> None:
    """Check that the response status is anything but this code or class.

    Example: Then the response status is not 500
    """
    bounds = _status_bounds(get_world(context).variables.interpolate(status))
    _, response = last_exchange(context)
    low, high = bounds
    if low <= response.status_code <= high:
        raise exchange_failure(
            context,
            f"Expected the response status not to be {_status_text(bounds)}, got "
            f"{_status_line(response)}.",
        )


@library_step("the response status is one of {statuses:Literal}", section=RESPONSE)
def response_status_is_one_of(context: Any, statuses: str) -> None:
    """Check that the response status is any of several codes or classes, comma-separated.

    Example: Then the response status is one of 200, 204
    """
    texts = get_world(context).variables.interpolate(statuses).replace(" or ", ",").split(",")
    _check_statuses(context, [text for text in texts if text.strip()])


@library_step("the response time is less than {duration:Duration}", section=RESPONSE)
def response_time_is_less_than(context: Any, duration: float) -> None:
    """Check how long the app took to answer the last request (in-process, so app time only).

    Example: Then the response time is less than 500 ms
    """
    last_exchange(context)
    took = get_world(context).last_duration
    if took is None:
        raise step_usage_error("needs a request sent by a request step, e.g. `When I GET /`.")
    if took >= duration:
        raise exchange_failure(
            context,
            f"Expected the response within {_milliseconds(duration)}, it took "
            f"{_milliseconds(took)}.",
        )


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:g} s"


def header_summary(response: httpx.Response, header: str) -> str:
    """Say that `header` is missing, suggest a close name, and list the headers there are."""
    present = list(dict.fromkeys(response.headers.keys()))
    return (
        f"the response has no such header.{did_you_mean(header, present)} "
        f"It has: {', '.join(present) or '(no headers)'}."
    )


def _header_value(context: Any, header: str, expectation: str) -> str:
    """The value of `header` in the last response (repeated headers joined by ", ")."""
    _, response = last_exchange(context)
    if header not in response.headers:
        raise exchange_failure(
            context,
            f'Expected the response header "{header}" {expectation}, but '
            f"{header_summary(response, header)}",
        )
    return response.headers[header]


@library_step("the response header {name:Quoted} is {value:Quoted}", section=RESPONSE)
def response_header_is(context: Any, name: str, value: str) -> None:
    """Check a response header's exact value; the header name ignores case.

    Example: Then the response header "Content-Type" is "application/json"
    """
    expected = get_world(context).variables.interpolate(value)
    actual = _header_value(context, name, f"to be {format_value(expected)}")
    if actual != expected:
        raise exchange_failure(
            context,
            f'Expected the response header "{name}" to be {format_value(expected)}, '
            f"got {format_value(actual)}.",
        )


@library_step("the response header {name:Quoted} contains {text:Quoted}", section=RESPONSE)
def response_header_contains(context: Any, name: str, text: str) -> None:
    """Check that a response header's value contains some text.

    Example: Then the response header "Content-Type" contains "json"
    """
    expected = get_world(context).variables.interpolate(text)
    actual = _header_value(context, name, f"to contain {format_value(expected)}")
    if expected not in actual:
        raise exchange_failure(
            context,
            f'Expected the response header "{name}" to contain {format_value(expected)}, '
            f"got {format_value(actual)}.",
        )


@library_step("the response header {name:Quoted} matches {pattern:Quoted}", section=RESPONSE)
def response_header_matches(context: Any, name: str, pattern: str) -> None:
    """Check a response header against a regular expression (found anywhere; anchor with ^ $).

    Example: Then the response header "Location" matches "^/items/\\d+$"
    """
    regex = step_pattern(context, pattern)
    actual = _header_value(context, name, f"to match the regex {regex.text}")
    if not regex.search(actual, timeout=get_world(context).config.timeout):
        raise exchange_failure(
            context,
            f'Expected the response header "{name}" to match the regex {regex.text}, '
            f"got {format_value(actual)}.",
        )


@library_step("the response header {name:Quoted} exists", section=RESPONSE)
def response_header_exists(context: Any, name: str) -> None:
    """Check that the response has a header, whatever its value.

    Example: Then the response header "Location" exists
    """
    _header_value(context, name, "to exist")


@library_step("the response header {name:Quoted} does not exist", section=RESPONSE)
def response_header_does_not_exist(context: Any, name: str) -> None:
    """Check that the response has no such header.

    Example: Then the response header "Set-Cookie" does not exist
    """
    _, response = last_exchange(context)
    if name in response.headers:
        raise exchange_failure(
            context,
            f'Expected no response header "{name}", got {format_value(response.headers[name])}.',
        )


def _first_difference(expected: str, actual: str) -> str:
    """Where two texts part: `line 2, column 5`."""
    index = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    line = actual.count("\n", 0, index) + 1
    column = index - (actual.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


@library_step("the response body is:", section=RESPONSE)
def response_body_is(context: Any) -> None:
    """Check the whole response body as text against the doc string.

    Line breaks at the very end are ignored, since a doc string cannot end with one.

    Example: Then the response body is:
        \"\"\"
        hello
        \"\"\"
    """
    expected = get_world(context).variables.interpolate(doc_string(context))
    _, response = last_exchange(context)
    actual = response.text
    if actual.rstrip("\r\n") == expected.rstrip("\r\n"):
        return
    raise exchange_failure(
        context,
        "The response body is not as expected; they differ first at "
        f"{_first_difference(expected, actual)}.\n"
        f"Expected:\n{_indent(expected)}\nGot:\n{_indent(actual)}",
    )


def _indent(text: str, limit: int = 1000) -> str:
    shown = text if len(text) <= limit else f"{text[:limit]}\n... ({len(text) - limit} more)"
    return "\n".join(f"  {line}" for line in shown.splitlines()) or "  (empty)"


@library_step("the response body contains {text:Quoted}", section=RESPONSE)
def response_body_contains(context: Any, text: str) -> None:
    """Check that the response body, as text, contains some text.

    Example: Then the response body contains "hello"
    """
    expected = get_world(context).variables.interpolate(text)
    _, response = last_exchange(context)
    if expected not in response.text:
        raise exchange_failure(
            context,
            f"Expected the response body to contain {format_value(expected)}, but it does not "
            f"({len(response.text)} characters, shown below).",
        )


@library_step("the response body does not contain {text:Quoted}", section=RESPONSE)
def response_body_does_not_contain(context: Any, text: str) -> None:
    """Check that the response body, as text, does not contain some text.

    Example: Then the response body does not contain "password"
    """
    unwanted = get_world(context).variables.interpolate(text)
    _, response = last_exchange(context)
    at = response.text.find(unwanted)
    if at >= 0:
        line = response.text.count("\n", 0, at) + 1
        raise exchange_failure(
            context,
            f"Expected the response body not to contain {format_value(unwanted)}, but it does "
            f"(first at line {line}, shown below).",
        )


@library_step("the response body is empty", section=RESPONSE)
def response_body_is_empty(context: Any) -> None:
    """Check that the response has no body at all, as for a 204 No Content.

    Example: Then the response body is empty
    """
    _, response = last_exchange(context)
    if response.content:
        raise exchange_failure(
            context,
            f"Expected an empty response body, got {len(response.content)} bytes.",
        )


@library_step("the response body matches {pattern:Quoted}", section=RESPONSE)
def response_body_matches(context: Any, pattern: str) -> None:
    """Check the response body, as text, against a regular expression (found anywhere).

    Example: Then the response body matches "^hel+o"
    """
    regex = step_pattern(context, pattern)
    _, response = last_exchange(context)
    if not regex.search(response.text, timeout=get_world(context).config.timeout):
        raise exchange_failure(
            context,
            f"Expected the response body to match the regex {regex.text}, but it does not "
            f"({len(response.text)} characters, shown below).",
        )


@dataclass(frozen=True)
class SetCookie:
    """One `Set-Cookie` header: the cookie's value and its attributes (names lower-cased)."""

    value: str
    attributes: dict[str, str]


def _response_cookies(response: httpx.Response) -> dict[str, SetCookie]:
    """The cookies the response sets (`Set-Cookie`), by name; a flag attribute is ""."""
    cookies: dict[str, SetCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        pair, *attributes = header.split(";")
        name, _, value = pair.partition("=")
        parsed: dict[str, str] = {}
        for attribute in attributes:
            key, _, setting = attribute.partition("=")
            parsed[key.strip().casefold()] = setting.strip()
        cookies[name.strip()] = SetCookie(value.strip(), parsed)
    return cookies


def _set_cookie(context: Any, name: str) -> SetCookie:
    """The cookie `name` the last response sets; a failure listing those it sets if none."""
    _, response = last_exchange(context)
    cookies = _response_cookies(response)
    if name not in cookies:
        listed = ", ".join(cookies) or "none"
        raise exchange_failure(
            context,
            f'Expected the response to set the cookie "{name}", but it does not.'
            f"{did_you_mean(name, list(cookies))} Cookies it sets: {listed}.",
        )
    return cookies[name]


@library_step("the response cookie {name:Quoted} exists", section=RESPONSE)
def response_cookie_exists(context: Any, name: str) -> None:
    """Check that the response sets a cookie (a `Set-Cookie` header with that name).

    Example: Then the response cookie "session" exists
    """
    _set_cookie(context, name)


@library_step("the response cookie {name:Quoted} is {value:Quoted}", section=RESPONSE)
def response_cookie_is(context: Any, name: str, value: str) -> None:
    """Check the value of a cookie the response sets.

    Example: Then the response cookie "session" is "abc"
    """
    expected = get_world(context).variables.interpolate(value)
    cookie = _set_cookie(context, name)
    if cookie.value != expected:
        raise exchange_failure(
            context,
            f'Expected the response cookie "{name}" to be {format_value(expected)}, got '
            f"{format_value(cookie.value)}.",
        )


def _check_flag(context: Any, name: str, flag: str, *, wanted: bool) -> None:
    cookie = _set_cookie(context, name)
    if (flag.casefold() in cookie.attributes) != wanted:
        shown = "; ".join(f"{k}={v}" if v else k for k, v in cookie.attributes.items())
        raise exchange_failure(
            context,
            f'Expected the response cookie "{name}" {"" if wanted else "not "}to be {flag}, '
            f"but its attributes are: {shown or '(none)'}.",
        )


@library_step("the response cookie {name:Quoted} is {flag:CookieFlag}", section=RESPONSE)
def response_cookie_flag(context: Any, name: str, flag: str) -> None:
    """Check that a cookie the response sets is `HttpOnly`, `Secure` or `Partitioned`.

    Example: Then the response cookie "session" is HttpOnly
    """
    _check_flag(context, name, flag, wanted=True)


@library_step("the response cookie {name:Quoted} is not {flag:CookieFlag}", section=RESPONSE)
def response_cookie_not_flag(context: Any, name: str, flag: str) -> None:
    """Check that a cookie the response sets is not `HttpOnly`, `Secure` or `Partitioned`.

    Example: Then the response cookie "session" is not Secure
    """
    _check_flag(context, name, flag, wanted=False)


@library_step(
    "the response cookie {name:Quoted} has {attribute:CookieAttribute} {value:Quoted}",
    section=RESPONSE,
)
def response_cookie_attribute(context: Any, name: str, attribute: str, value: str) -> None:
    """Check an attribute of a cookie the response sets: SameSite, Max-Age, Path, Domain or
    Expires (SameSite and Domain ignore case).

    Example: Then the response cookie "session" has SameSite "Lax"
    """
    expected = get_world(context).variables.interpolate(value)
    cookie = _set_cookie(context, name)
    actual = cookie.attributes.get(attribute.casefold())
    same = actual is not None and (
        actual.casefold() == expected.casefold()
        if attribute.casefold() in ("samesite", "domain")
        else actual == expected
    )
    if not same:
        got = "no such attribute" if actual is None else format_value(actual)
        raise exchange_failure(
            context,
            f'Expected the response cookie "{name}" to have {attribute} '
            f"{format_value(expected)}, got {got}.",
        )


@library_step("the response cookie {name:Quoted} does not exist", section=RESPONSE)
def response_cookie_does_not_exist(context: Any, name: str) -> None:
    """Check that the response does not set a cookie of that name.

    Example: Then the response cookie "tracking" does not exist
    """
    _, response = last_exchange(context)
    if name in _response_cookies(response):
        raise exchange_failure(context, f'Expected the response not to set the cookie "{name}".')
