"""Advice for steps written almost right: what to write instead.

The same advice is given in the run (an undefined step, or a library step that refused
what it was given) and by `asgibdd check`. Two sources, tried in order:

- `NEAR_MISSES`: phrasings people really write (`When I GET items`, `Then the status is
  200`, `is a list`). Each rule rewrites the step text. Its advice is given only when the
  rewritten text is a library phrase, so a rule can never point at a step that does not
  exist; and advice is only asked for a text no step ran, so a phrase that works (the
  library's, or the project's own) is never "corrected".
- the library phrases whose shape is closest (`did you mean`).

The module is plain text work: it knows library steps only as `Phrase`s, so the registry
(which uses it) and `asgibdd check` can both call it. `docs/product-owners.md` lists
`NEAR_MISSES` (see `near_misses_markdown`), and a test runs every listed example.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol

from asgibdd._suggest import close_matches
from asgibdd.matching.markers import TYPE_NAMES

__all__ = [
    "NEAR_MISSES",
    "NearMiss",
    "Phrase",
    "accepted_alternative",
    "closest",
    "display_phrase",
    "near_miss_hint",
    "near_misses_markdown",
    "undefined_step_hints",
    "undefined_step_message",
]

_SUGGESTIONS = 2
_SUGGESTION_CUTOFF = 0.6
_METHODS = "GET|HEAD|OPTIONS|DELETE|POST|PUT|PATCH"
_FIELD = re.compile(r"\{(?P<name>\w+)(?::(?P<type>\w+))?\}")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


class Phrase(Protocol):
    """What advice needs of a library step (a `StepDefinition`)."""

    @property
    def phrase(self) -> str: ...
    @property
    def example_keyword(self) -> str: ...
    @property
    def example_text(self) -> str: ...
    @property
    def section(self) -> str: ...
    def matches(self, step_text: str) -> bool: ...


# Fields shown as what they may hold rather than by name.
_SHOWN_AS = {
    "EventClauses": ' [with data "<text>"] [with data containing "<text>"] [with id "<id>"]'
    " [within <duration>]",
}


def display_phrase(phrase: str) -> str:
    """The phrase as a reader sees it: `{name:Quoted}` → `"<name>"`, `{x:Path}` → `<x>`."""

    def show(found: re.Match[str]) -> str:
        name = found["name"]
        if found["type"] in _SHOWN_AS:
            return _SHOWN_AS[found["type"]]
        return f'"<{name}>"' if found["type"] in ("Quoted", "JSONPath") else f"<{name}>"

    return _FIELD.sub(show, phrase)


# A rewrite gets the match and the step type ("given", "when", "then", or None when not
# known) and returns the corrected texts, best first (several when the intent is unclear).
Rewrite = Callable[[re.Match[str], str | None], Sequence[str]]


@dataclass(frozen=True)
class NearMiss:
    """One phrasing that does not exist, and how to turn it into one that does.

    - `reason`: why, in a few words ("paths start with /"); the advice reads
      "<reason>: write `<corrected step>`".
    - `source`: the pattern matched against the whole step text (keyword removed),
      ignoring case; `pattern` is it compiled, on first use (a run whose steps all
      match never needs the advice, and compiling every rule at import cost its start).
    - `rewrite`: gives the corrected texts (most rows write it as a `re` template).
    - `example`: the near miss as a product owner writes it (keyword, text, and any
      block lines); the docs list it and a test runs it.
    - `unquotes`: the rule removes quotes (`"/items"` → `/items`); any other rule must
      leave the writer's quoted text as it is.
    - `runs`: the rewrite means exactly what was written (`should be` is `is`), so a
      step nothing else runs is run as the rewritten phrase (`accepted_alternative`);
      a rule that guesses (where a quote ends, which JSON type was meant) only advises.
    - `last_resort`: tried only when the other rules found no phrase (it would misread
      a text they can mend).
    """

    reason: str
    source: str
    rewrite: Rewrite
    example: str
    unquotes: bool = False
    runs: bool = False
    last_resort: bool = False

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.IGNORECASE)

    def apply(self, text: str, step_type: str | None) -> list[str]:
        found = self.pattern.fullmatch(text)
        if found is None:
            return []
        kept = _QUOTED.findall(text)
        return [
            rewritten
            for rewritten in self.rewrite(found, step_type)
            if rewritten != text
            # Quoted text is the writer's value ("it should be fine"): only a rule made to
            # unquote something may change it.
            and (self.unquotes or all(quoted in rewritten for quoted in kept))
        ]


def _near_miss(
    reason: str,
    pattern: str,
    rewrite: str | Rewrite,
    example: str,
    *,
    unquotes: bool = False,
    runs: bool = False,
    last_resort: bool = False,
) -> NearMiss:
    if isinstance(rewrite, str):
        template = rewrite

        def expand(found: re.Match[str], _: str | None) -> Sequence[str]:
            return [found.expand(template)]

        rewrite = expand
    return NearMiss(reason, pattern, rewrite, example, unquotes, runs, last_resort)


# `should be` → `is`: the verb a `should` phrasing means.
_STATED = {
    "be": "is",
    "equal": "is",
    "not be": "is not",
    "contain": "contains",
    "not contain": "does not contain",
    "have": "has",
    "match": "matches",
    "exist": "exists",
    "not exist": "does not exist",
    "receive": "receive",
    "not receive": "receive no",
}

# `is a list` → `is an array`: what other languages call JSON's types.
_TYPE_SYNONYMS = {
    "list": "array",
    "dict": "object",
    "dictionary": "object",
    "map": "object",
    "hash": "object",
    "str": "string",
    "text": "string",
    "int": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "bool": "boolean",
    "none": "null",
    "nil": "null",
}


def _stated(found: re.Match[str], _: str | None) -> Sequence[str]:
    verb = _STATED[" ".join(found["verb"].casefold().split())]
    return [f"{found['subject']} {verb}{found['rest']}"]


def _json_type(found: re.Match[str], _: str | None) -> Sequence[str]:
    word = found["word"].casefold()
    names = [_TYPE_SYNONYMS[word]] if word in _TYPE_SYNONYMS else close_matches(word, TYPE_NAMES)
    return [f"{found['subject']} is {'an' if n[0] in 'aeiou' else 'a'} {n}" for n in names[:1]]


# `OK` → 200, `not found` → 404: every reason phrase Python knows.
_STATUS_CODES = {status.phrase.casefold(): status.value for status in HTTPStatus}


def _status_code(found: re.Match[str], _: str | None) -> Sequence[str]:
    code = _STATUS_CODES.get(" ".join(found["phrase"].replace("_", " ").casefold().split()))
    return [] if code is None else [f"{found['before']} {code}"]


def _whose_header(found: re.Match[str], step_type: str | None) -> Sequence[str]:
    request = f"the request header{found['rest']}"
    response = f"the response header{found['rest']}"
    if step_type == "then":
        return [response]
    if step_type in ("given", "when"):
        return [request]
    return [request, response]


def _response_body(found: re.Match[str], _: str | None) -> Sequence[str]:
    rest = found["rest"]
    if rest.casefold() == "is:":
        return ["the response JSON is:", "the response body is:"]
    return [f"the response body {rest}"]


def _sorted(found: re.Match[str], _: str | None) -> Sequence[str]:
    ascending = found["order"].casefold().startswith(("asc", "inc"))
    order = "ascending" if ascending else "descending"
    return [f"{found['before']} sorted{found['by'] or ''} in {order} order"]


def _cookie_flag(found: re.Match[str], _: str | None) -> Sequence[str]:
    flag = _COOKIE_FLAGS[found["flag"].casefold().replace("-", "")]
    return [f"{found['before']} is {'not ' if found['negated'] else ''}{flag}"]


_COOKIE_FLAGS = {"httponly": "HttpOnly", "secure": "Secure", "partitioned": "Partitioned"}
_COOKIE_ATTRIBUTES = {
    "samesite": "SameSite",
    "max-age": "Max-Age",
    "maxage": "Max-Age",
    "path": "Path",
    "domain": "Domain",
    "expires": "Expires",
}


def _cookie_attribute(found: re.Match[str], _: str | None) -> Sequence[str]:
    name = _COOKIE_ATTRIBUTES[found["attribute"].casefold()]
    value = found["value"]
    quoted = value if value.startswith('"') else f'"{value}"'
    return [f"{found['before']} has {name} {quoted}"]


def _upload(found: re.Match[str], _: str | None) -> Sequence[str]:
    field = found["field"] or '"file"'
    return [f"I POST {found['path']} with file {found['file']} as {field}{found['rest']}"]


def _escape_inner_quotes(found: re.Match[str], _: str | None) -> Sequence[str]:
    # A text cut short by an inner quote leaves a quoted piece starting or ending with a
    # space (`"the "`, `" role"`); values written as meant rarely do.
    if not any(q[1:2].isspace() or q[-2:-1].isspace() for q in _QUOTED.findall(found[0])):
        return []
    inner = found["inner"].replace('\\"', '"').replace('"', '\\"')
    return [f'{found["before"]}"{inner}"']


# A transport's words: advice for a step about one never names another's phrase.
_TRANSPORTS = (
    (
        "WebSocket",
        re.compile(
            r"\b(?:websockets?|ws)\b|\bmessage JSON\b"
            r"|\b(?:send|sends|receive|receives)\b.*\bmessages?\b",
            re.IGNORECASE,
        ),
    ),
    ("Streaming", re.compile(r"\b(?:events?|sse|event-stream|streams?|feed)\b", re.IGNORECASE)),
)
_TRANSPORT_NAMES = tuple(name for name, _ in _TRANSPORTS)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nothing|rejected|without)\b", re.IGNORECASE)


# Verbs of opposite sense: advice for one never offers the other.
_OPPOSITES = (
    ("open", "close"),
    ("connect", "disconnect"),
    ("accept", "reject"),
    ("send", "receive"),
)


def _opposed(text: str, example: str) -> bool:
    """Whether `example` does the opposite of `text` (`close` offered for `open`)."""
    said = {word.casefold() for word in re.findall(r"[A-Za-z]+", _QUOTED.sub("", text))}
    offered = {word.casefold() for word in re.findall(r"[A-Za-z]+", _QUOTED.sub("", example))}

    def mentions(words: set[str], stem: str) -> bool:
        return any(word.startswith(stem) for word in words)

    return any(
        mentions(said, one) != mentions(said, other)
        and mentions(offered, other) != mentions(offered, one)
        and mentions(said, one) == mentions(offered, other)
        for first, second in _OPPOSITES
        for one, other in ((first, second), (second, first))
    )


def _transport(text: str) -> str | None:
    return next((name for name, words in _TRANSPORTS if words.search(text)), None)


NEAR_MISSES: tuple[NearMiss, ...] = (
    _near_miss(
        "a request is written as the method and the path",
        rf"I (?:send|make|do|perform|issue) an? (?P<method>{_METHODS}) (?:request )?"
        r"(?:to|on|for|at) (?P<rest>.+)",
        r"I \g<method> \g<rest>",
        "When I send a GET request to /items",
    ),
    _near_miss(
        "the path follows the method directly",
        rf"(?P<before>I (?:{_METHODS})) (?:to|on|at|from) (?P<rest>.+)",
        r"\g<before> \g<rest>",
        'When I POST to /items with JSON:\n  """\n  {"name": "apple"}\n  """',
    ),
    _near_miss(
        "paths are written without quotes",
        rf"(?P<before>I (?:{_METHODS})) \"(?P<path>[^\"]*)\"(?P<rest>.*)",
        r"\g<before> \g<path>\g<rest>",
        'When I GET "/items"',
        unquotes=True,
    ),
    _near_miss(
        "paths start with /",
        rf"(?P<before>I (?:{_METHODS})|I open the (?:event )?stream|I connect to the websocket"
        r"|\"[^\"]*\" connects to the websocket) (?P<path>(?![/{]|https?://)[^\s\"]+)"
        r"(?P<rest>(?: .*)?)",
        r"\g<before> /\g<path>\g<rest>",
        "When I GET items",
    ),
    _near_miss(
        "steps say what is, not what should be",
        r"(?P<subject>.+?) should (?P<verb>not be|be|equal|not contain|contain|have|match"
        r"|not exist|exist|not receive|receive)\b(?P<rest>.*)",
        _stated,
        'Then the response JSON should contain:\n  """\n  {"name": "apple"}\n  """',
        runs=True,
    ),
    _near_miss(
        "a status is checked with `the response status is <code>`",
        r"I (?:should )?(?:get|receive|see|am given) (?:an? |the )?(?:(?:HTTP )?status (?:code )?)?"
        r"(?P<code>[1-5](?:\d\d|xx))(?: [A-Za-z][A-Za-z' -]*)?",
        r"the response status is \g<code>",
        "Then I should get a 404",
        runs=True,
    ),
    _near_miss(
        "a number with a tolerance is written `is <n> ± <tolerance>`",
        r"(?P<before>.+ is) (?:(?:approximately|about|around|roughly|nearly|close to) )?"
        r"(?P<number>-?\d+(?:\.\d+)?) (?:within|\+/-|\+-|plus or minus|give or take|±)"
        r" (?P<tolerance>\d+(?:\.\d+)?)",
        r"\g<before> \g<number> ± \g<tolerance>",
        'Then the JSON at "$.total" is approximately 10 within 0.05',
        runs=True,
    ),
    _near_miss(
        'an order is written `is sorted`, `is sorted in descending order`, `is sorted by "<key>"`',
        r"(?P<before>.+ is) (?:sorted|ordered|in)(?P<by> by \"[^\"]*\")?(?: in)?"
        r" (?P<order>asc|ascending|increasing|desc|descending|decreasing|reverse)(?: order)?",
        _sorted,
        'Then the JSON at "$.prices" is in descending order',
        runs=True,
    ),
    _near_miss(
        'an order is written `is sorted by "<key>"`',
        r"(?P<before>.+ is) ordered by (?P<rest>\".*)",
        r"\g<before> sorted by \g<rest>",
        'Then the JSON at "$.items" is ordered by "price"',
        runs=True,
    ),
    _near_miss(
        "a recent time is written `is within the last <duration>`",
        r"(?P<before>.+) (?:is|was) (?:(?:created|updated|set|made|sent) )?(?:within|in) the "
        r"(?:last|past) (?P<rest>.+)",
        r"\g<before> is within the last \g<rest>",
        'Then the JSON at "$.created_at" was created in the past 5 minutes',
        runs=True,
    ),
    _near_miss(
        "two values of one response are compared with `is the JSON at`",
        r"(?P<before>.+) is (?:the same as|identical to) (?P<rest>the JSON at .+)",
        r"\g<before> is \g<rest>",
        'Then the JSON at "$.total" is the same as the JSON at "$.subtotal"',
        runs=True,
    ),
    _near_miss(
        'a double quote inside quoted text is written \\"',
        r'(?P<before>.*? )"(?P<inner>[^"]*"(?:[^"]|\\")*"[^"]*)"',
        _escape_inner_quotes,
        'Then the JSON at "$.error" is "the "admin" role is required"',
        unquotes=True,
        last_resort=True,
    ),
    _near_miss(
        "a CSV body is checked with `the CSV`",
        r"the (?:response )?CSV(?: body)? has (?P<count>\d+) (?:data )?(?:rows?|lines?|records?)",
        r"the CSV has \g<count> rows",
        "Then the response CSV has 3 rows",
        runs=True,
    ),
    _near_miss(
        'a CSV cell is written `the CSV cell at row <n> column "<name>"`',
        r"the (?:response )?CSV (?:cell|value|field) (?:at|in|of) row (?P<row>\d+),?"
        r"(?: and| at| in)? column (?P<rest>\".*)",
        r"the CSV cell at row \g<row> column \g<rest>",
        'Then the response CSV value in row 1, column "total" is "12.50"',
        runs=True,
    ),
    _near_miss(
        'an upload is a request with `with file "<file>" as "<field>"`',
        r"I upload (?:the |a )?file (?P<file>\"[^\"]*\") (?:to|at) (?P<path>/\S*)"
        r"(?: as (?P<field>\"[^\"]*\"))?(?P<rest>(?: and form:)?)",
        _upload,
        'When I upload the file "invoice.pdf" to /invoices',
        runs=True,
    ),
    _near_miss(
        "a file's content type follows `of type`",
        rf"(?P<before>I (?:{_METHODS}) \S+) with (?:the |a )?file (?P<file>\"[^\"]*\") as "
        r"(?P<type>\"[\w.+-]+/[\w.+-]+\")(?P<rest>(?: and form:)?)",
        r'\g<before> with file \g<file> as "file" of type \g<type>\g<rest>',
        'When I POST /invoices with the file "invoice.pdf" as "application/pdf"',
        runs=True,
    ),
    _near_miss(
        "a cookie the response sets `exists` or `does not exist`",
        r"(?P<before>the response cookie \"[^\"]*\") is (?P<negated>not |un)?"
        r"(?:set|present|there|sent|included)",
        lambda found, _: [
            f"{found['before']} {'does not exist' if found['negated'] else 'exists'}"
        ],
        'Then the response cookie "session" is set',
        runs=True,
    ),
    _near_miss(
        "a cookie's flag is written `is HttpOnly`, `is Secure`",
        r"(?P<before>the response cookie \"[^\"]*\") (?:is|has)(?: the)?(?P<negated> not)? "
        r"(?:flag |attribute )?(?P<flag>http-?only|secure|partitioned)(?: flag| attribute)?",
        _cookie_flag,
        'Then the response cookie "session" has the httponly flag',
        runs=True,
    ),
    _near_miss(
        'a cookie\'s attribute is written `has SameSite "Lax"`',
        r"(?P<before>the response cookie \"[^\"]*\") (?:has|is) (?:the |a )?"
        r"(?P<attribute>samesite|max-?age|path|domain|expires)(?: attribute)?"
        r"(?: (?:of|=|set to|is|equal to))? (?P<value>\"[^\"]*\"|\S+)",
        _cookie_attribute,
        'Then the response cookie "session" has SameSite Lax',
        runs=True,
    ),
    _near_miss(
        "a token is sent with `I am authenticated with the bearer token`",
        r"I (?:use|set|send|have|authenticate with|am authenticated with|am authorized with)"
        r" (?:the |a )?(?:bearer |auth |access )?token(?: to| as)? (?P<token>\"[^\"]*\")",
        r"I am authenticated with the bearer token \g<token>",
        'Given I use the bearer token "{{token}}"',
        runs=True,
    ),
    _near_miss(
        'a value is kept with `the variable "<name>" is <value>`',
        r"I (?:store|save|remember|keep|set) (?!the JSON|the response)(?P<value>\"[^\"]*\"|\S+)"
        r" (?:as|in|to) (?P<name>\"[^\"]*\")",
        r"the variable \g<name> is \g<value>",
        'Given I store "{{$timestamp}}" as "started"',
        runs=True,
    ),
    _near_miss(
        "a websocket is opened with `I connect to the websocket`",
        r"I (?:open|connect to|connect|establish|start|create) (?:a |an |the )?"
        r"(?:websocket|web socket|ws)(?: connection)?(?: (?:to|at|on|with))? (?P<path>/\S*)"
        r"(?P<rest>.*)",
        r"I connect to the websocket \g<path>\g<rest>",
        "When I open a websocket to /ws/chat",
        runs=True,
    ),
    _near_miss(
        "a websocket's handshake is checked with `the websocket connection is accepted`",
        r"the (?:websocket|web socket|ws)(?: connection)? (?:is|was) (?:open|opened|established"
        r"|connected|accepted|successful)",
        r"the websocket connection is accepted",
        "Then the websocket connection is open",
        runs=True,
    ),
    _near_miss(
        "a refused handshake is checked with `the websocket connection is rejected`",
        r"the (?:websocket|web socket|ws)(?: connection| handshake)? (?:is|was) (?:refused|denied"
        r"|declined|not accepted)(?P<rest>(?: with status \d+)?)",
        r"the websocket connection is rejected\g<rest>",
        "Then the websocket connection is refused",
        runs=True,
    ),
    _near_miss(
        'text is sent with `I send text "<text>" over the websocket`',
        r"I send (?:the |a )?(?:websocket |text |ws )*(?:message|text) (?P<text>\"[^\"]*\")"
        r"(?: (?:over|on|to|through|via) the (?:websocket|ws))?",
        r"I send text \g<text> over the websocket",
        'When I send the websocket message "hello"',
        runs=True,
    ),
    _near_miss(
        "JSON is sent with `I send JSON over the websocket:`",
        r"I send (?:the |a )?(?:JSON (?:websocket |ws )?message|(?:websocket |ws )?JSON message"
        r"|JSON (?:to|on|through|via) the (?:websocket|ws)):",
        r"I send JSON over the websocket:",
        'When I send the JSON websocket message:\n  """\n  {"text": "hi"}\n  """',
        runs=True,
    ),
    _near_miss(
        'text is received with `I receive text "<text>" from the websocket`',
        r"I (?:receive|get) (?:the |a )?(?:websocket |ws )?(?:text |message |reply )+"
        r"(?:from the (?:websocket|ws) )?(?P<text>\"[^\"]*\")(?: from the (?:websocket|ws))?"
        r"(?P<within>(?: within .+)?)",
        r"I receive text \g<text> from the websocket\g<within>",
        'Then I receive a websocket message "hello"',
        runs=True,
    ),
    _near_miss(
        "any message is awaited with `I receive a message from the websocket`",
        r"I (?:receive|get) (?:a|any|some|the next) (?:websocket |ws )?message"
        r"(?: from the (?:websocket|ws))?(?P<within>(?: within .+)?)",
        r"I receive a message from the websocket\g<within>",
        "Then I receive a websocket message within 2 seconds",
        runs=True,
    ),
    _near_miss(
        "a websocket message's JSON is `the message JSON at`",
        r"the (?:websocket |ws |last |received )+(?:message )?JSON at (?P<rest>.+)",
        r"the message JSON at \g<rest>",
        'Then the websocket message JSON at "$.text" is "hi"',
        runs=True,
    ),
    _near_miss(
        "an event's JSON is `the event JSON at`",
        r"the (?:last |received |SSE )*event(?:'s)? (?:data )?(?:JSON )?at (?P<rest>.+)",
        r"the event JSON at \g<rest>",
        'Then the event data at "$.title" is "Draft"',
        runs=True,
    ),
    _near_miss(
        "a websocket is closed with `I close the websocket`",
        r"I (?:disconnect(?: from)?|leave|hang up(?: on)?|close) (?:the |my )?"
        r"(?:websocket|web socket|ws)(?: connection)?",
        r"I close the websocket",
        "When I disconnect from the websocket",
        runs=True,
    ),
    _near_miss(
        'an event is received with `I receive an event "<type>"`',
        r"I (?:receive|get|see|wait for|await) (?:the |an? |one )?(?:SSE |server-sent )?event"
        r" (?:named |of type |called )?(?P<name>\"[^\"]*\")(?P<rest>.*)",
        r"I receive an event \g<name>\g<rest>",
        'Then I wait for an event "tick"',
        runs=True,
    ),
    _near_miss(
        "server-sent events are read with `I open the event stream`",
        r"I (?:subscribe to|listen to|start listening to) (?P<path>/\S*)",
        r"I open the event stream \g<path>",
        "When I subscribe to /events",
        runs=True,
    ),
    _near_miss(
        "server-sent events are read with `I open the event stream`",
        r"I (?:subscribe to|open|connect to|listen to|start listening to|follow)"
        r" (?:the |an? )?(?:SSE|server-sent events?|events?|event-stream)"
        r"(?: (?:feed|stream|endpoint|channel))?(?: (?:at|on))? (?P<path>/\S*)",
        r"I open the event stream \g<path>",
        "When I subscribe to the SSE feed /events",
        runs=True,
    ),
    _near_miss(
        "`is` means equal",
        r"(?P<subject>.+?) (?:equals|is equal to|==) (?P<rest>.+)",
        r"\g<subject> is \g<rest>",
        'Then the JSON at "$.count" equals 3',
        runs=True,
    ),
    _near_miss(
        "the status is checked with `the response status`",
        r"(?!the response status )(?:the )?(?:response |http )?(?:status(?: code)?|code)"
        r" (?P<rest>is .+)",
        r"the response status \g<rest>",
        "Then the status is 200",
    ),
    _near_miss(
        "a status code is a number, written without quotes",
        r"(?P<before>the response status(?: code)? is) \"(?P<code>[1-5](?:\d\d|xx))\"",
        r"\g<before> \g<code>",
        'Then the response status is "200"',
        unquotes=True,
    ),
    _near_miss(
        "a status is written as its number",
        r"(?P<before>the response status(?: code)? is) (?P<phrase>[A-Za-z][A-Za-z_' -]*)",
        _status_code,
        "Then the response status is Not Found",
    ),
    _near_miss(
        "a status is its number alone",
        r"(?P<before>the response status(?: code)? is) (?P<code>[1-5]\d\d) [A-Za-z][A-Za-z' -]*",
        r"\g<before> \g<code>",
        "Then the response status is 404 Not Found",
    ),
    _near_miss(
        "a response's text is `the response body`, its JSON `the response JSON`",
        r"the response (?P<rest>is:|contains .+|is empty)",
        _response_body,
        'Then the response contains "apple"',
    ),
    _near_miss(
        "say whose header it is: `the request header` (sent) or `the response header`",
        r"the header(?P<rest> \".*)",
        _whose_header,
        'Given the header "X-Token" is "abc"',
    ),
    _near_miss(
        "headers sent with every request are `the request headers`",
        r"the headers:",
        r"the request headers:",
        "Given the headers:\n  | name    | value |\n  | X-Token | abc   |",
    ),
    _near_miss(
        "a header is set with `the request header`",
        r"I (?:set|add) (?:the )?(?:request )?header (?P<name>\"[^\"]*\") (?:to|as) (?P<value>.+)",
        r"the request header \g<name> is \g<value>",
        'Given I set the header "X-Token" to "abc"',
    ),
    _near_miss(
        "a header's name is in double quotes",
        r"(?P<before>the (?:request|response) header) (?P<name>[A-Za-z][\w-]*) (?P<rest>.+)",
        r'\g<before> "\g<name>" \g<rest>',
        'Then the response header Content-Type contains "json"',
    ),
    _near_miss(
        "a JSONPath is written in double quotes",
        r"(?P<before>.*\bJSON) (?:at )?(?P<path>\$[^\s\"]*)(?P<rest>.*)",
        r'\g<before> at "\g<path>"\g<rest>',
        'Then the JSON at $.name is "apple"',
    ),
    _near_miss(
        "a JSONPath follows `at`",
        r"(?P<before>.*\bJSON) (?P<path>\"\$.*)",
        r"\g<before> at \g<path>",
        'Then the JSON "$.name" is "apple"',
    ),
    _near_miss(
        "JSON types have JSON names (string, number, integer, boolean, array, object, null)",
        r"(?P<subject>.+?) is an? (?P<word>[a-z]+)",
        _json_type,
        'Then the JSON at "$.items" is a list',
    ),
    _near_miss(
        "a length is counted in items",
        r"(?P<before>.+ has \d+) (?:elements?|entries|entry|values?|records?|results?)",
        r"\g<before> items",
        'Then the JSON at "$.items" has 3 elements',
    ),
    _near_miss(
        "a length is written `has <n> items`",
        r"(?P<before>.+?) has (?:a )?(?:length|size|count)(?: of)? (?P<count>\d+)(?: items?)?",
        r"\g<before> has \g<count> items",
        'Then the JSON at "$.items" has length 3',
    ),
    _near_miss(
        "a length is written `has <n> items` (`contains 3` looks for the value 3)",
        r"(?P<before>.+?) contains (?P<count>\d+) items?",
        r"\g<before> has \g<count> items",
        'Then the JSON at "$.items" contains 3 items',
    ),
    _near_miss(
        "a JSON body is sent `with JSON:`",
        rf"(?P<before>I (?:{_METHODS}) \S+) with (?:the |a )?(?:JSON body|JSON payload|"
        r"payload|body JSON|JSON data|data|request body):",
        r"\g<before> with JSON:",
        'When I POST /items with payload:\n  """\n  {"name": "apple"}\n  """',
    ),
)


@dataclass(frozen=True)
class _Rewriting:
    """What the near misses made of a text: the reasons, the candidates, whether they run."""

    reasons: list[str]
    candidates: list[str]
    runs: bool


def _rewritten(text: str, step_type: str | None, *, last_resort: bool = False) -> _Rewriting:
    """Apply every near miss in turn (they chain: `send a GET request to items` needs two);
    the last-resort ones only when `last_resort`."""
    reasons: list[str] = []
    candidates = [text]
    runs = True
    for near_miss in NEAR_MISSES:
        if near_miss.last_resort and not last_resort:
            continue
        rewritten = near_miss.apply(candidates[0], step_type)
        if rewritten:
            reasons.append(near_miss.reason)
            candidates = rewritten
            runs = runs and near_miss.runs
    return _Rewriting(reasons, candidates, runs)


def _library_phrases(
    text: str, step_type: str | None, definitions: list[Phrase]
) -> tuple[_Rewriting, list[tuple[str, Phrase]]]:
    """The rewriting of `text` and its candidates that are library phrases (with theirs)."""
    for last_resort in (False, True):
        rewriting = _rewritten(text, step_type, last_resort=last_resort)
        if not rewriting.reasons:
            continue
        found: list[tuple[str, Phrase]] = []
        for candidate in rewriting.candidates:
            # The first definition, as behave would run.
            definition = next((d for d in definitions if d.matches(candidate)), None)
            if definition is not None:
                found.append((candidate, definition))
        if found:
            return rewriting, found
    return _Rewriting([], [text], False), []


def near_miss_hint(
    text: str,
    library: Iterable[Phrase],
    *,
    keyword: str | None = None,
    step_type: str | None = None,
) -> str | None:
    """`<reason>: write \\`<keyword> <phrase>\\``, if a near miss turns `text` into a library
    phrase; None otherwise. `keyword` defaults to the corrected phrase's example keyword."""
    rewriting, phrases = _library_phrases(text, step_type, list(library))
    if not phrases:
        return None
    written = [f"`{keyword or found.example_keyword} {candidate}`" for candidate, found in phrases]
    return f"{', and '.join(rewriting.reasons)}: write {' or '.join(written)}"


def accepted_alternative(text: str, step_type: str | None, library: Iterable[Phrase]) -> str | None:
    """The library phrase a step nothing runs means exactly, if there is one: `Then the
    response status should be 201` runs as `Then the response status is 201`.

    Only rules that do not guess (`NearMiss.runs`) count, and only one phrase may result.
    """
    rewriting, phrases = _library_phrases(text, step_type, list(library))
    if not rewriting.runs or len(phrases) != 1:
        return None
    return phrases[0][0]


def closest(text: str, library: Iterable[Phrase]) -> list[Phrase]:
    """The library steps whose example has the most similar shape to `text`, best first.

    Only steps of the same transport (a websocket step for a websocket text, an event step
    for an event text) and of the same sense (a `not`, `no` or `rejected` in both or in
    neither) are offered: advice never leads to the opposite check or to another transport.
    """
    shape = _shape(text)
    transport = _transport(text)
    negated = bool(_NEGATION.search(_QUOTED.sub("", text)))
    definitions = [
        definition
        for definition in library
        if (definition.section if definition.section in _TRANSPORT_NAMES else None) == transport
        and bool(_NEGATION.search(_QUOTED.sub("", definition.example_text))) == negated
        and not _opposed(text, definition.example_text)
    ]

    def likeness(definition: Phrase) -> float:
        return difflib.SequenceMatcher(None, shape, _shape(definition.example_text)).ratio()

    scored = sorted(((likeness(d), i) for i, d in enumerate(definitions)), reverse=True)
    return [definitions[i] for score, i in scored[:_SUGGESTIONS] if score >= _SUGGESTION_CUTOFF]


def undefined_step_hints(
    keyword: str, step_type: str | None, text: str, library: Iterable[Phrase]
) -> tuple[str, ...]:
    """Hint lines (indented) for a step no definition matches: what to write instead, the
    closest library phrases, or that none is close."""
    definitions = list(library)
    hint = near_miss_hint(text, definitions, keyword=keyword, step_type=step_type)
    if hint is not None:
        return (f"  {hint}",)
    suggestions = tuple(
        f"  did you mean: {display_phrase(d.phrase)}  (e.g. {d.example_keyword} {d.example_text})"
        for d in closest(text, definitions)
    )
    return suggestions or ("  no library step looks like it: `asgibdd steps` lists them all.",)


def undefined_step_message(
    keyword: str, step_type: str | None, text: str, library: Iterable[Phrase]
) -> str:
    """What the run says under an undefined step (behave still adds its snippet)."""
    hints = undefined_step_hints(keyword, step_type, text, library)
    return "\n".join((f'The step "{keyword} {text}" matches no step definition.', *hints))


_PATH = re.compile(r"(?<!\S)/\S*")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")


def _shape(text: str) -> str:
    """`text` with its values blanked (quoted text, paths, numbers), so words decide."""
    text = _QUOTED.sub('""', text)
    text = _PATH.sub("/", text)
    return _NUMBER.sub("0", text).casefold()


def near_misses_markdown(library: Iterable[Phrase]) -> str:
    """The table of `docs/product-owners.md`: each near miss, what to write, and why."""
    definitions = list(library)
    rows = ["| you wrote | write instead |", "|---|---|"]
    for near_miss in NEAR_MISSES:
        keyword, text = near_miss.example.splitlines()[0].split(" ", 1)
        step_type = keyword.casefold() if keyword in ("Given", "When", "Then") else None
        hint = near_miss_hint(text, definitions, keyword=keyword, step_type=step_type)
        runs = " (runs as that)" if accepted_alternative(text, step_type, definitions) else ""
        rows.append(f"| `{keyword} {text}` | {hint}{runs} |")
    return "\n".join(rows)
