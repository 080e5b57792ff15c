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
    def matches(self, step_text: str) -> bool: ...


def display_phrase(phrase: str) -> str:
    """The phrase as a reader sees it: `{name:Quoted}` → `"<name>"`, `{x:Path}` → `<x>`."""

    def show(found: re.Match[str]) -> str:
        name = found["name"]
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
    - `pattern`: matched against the whole step text (keyword removed), ignoring case.
    - `rewrite`: gives the corrected texts (most rows write it as a `re` template).
    - `example`: the near miss as a product owner writes it (keyword, text, and any
      block lines); the docs list it and a test runs it.
    - `unquotes`: the rule removes quotes (`"/items"` → `/items`); any other rule must
      leave the writer's quoted text as it is.
    """

    reason: str
    pattern: re.Pattern[str]
    rewrite: Rewrite
    example: str
    unquotes: bool = False

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
    reason: str, pattern: str, rewrite: str | Rewrite, example: str, *, unquotes: bool = False
) -> NearMiss:
    if isinstance(rewrite, str):
        template = rewrite

        def expand(found: re.Match[str], _: str | None) -> Sequence[str]:
            return [found.expand(template)]

        rewrite = expand
    return NearMiss(reason, re.compile(pattern, re.IGNORECASE), rewrite, example, unquotes)


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
        r"|not exist|exist)\b(?P<rest>.*)",
        _stated,
        'Then the response JSON should contain:\n  """\n  {"name": "apple"}\n  """',
    ),
    _near_miss(
        "`is` means equal",
        r"(?P<subject>.+?) (?:equals|is equal to|==) (?P<rest>.+)",
        r"\g<subject> is \g<rest>",
        'Then the JSON at "$.count" equals 3',
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


def _rewritten(text: str, step_type: str | None) -> tuple[list[str], list[str]]:
    """Apply every near miss in turn (they chain: `send a GET request to items` needs two).

    Returns the reasons that applied and the candidate texts after the last one.
    """
    reasons: list[str] = []
    candidates = [text]
    for near_miss in NEAR_MISSES:
        rewritten = near_miss.apply(candidates[0], step_type)
        if rewritten:
            reasons.append(near_miss.reason)
            candidates = rewritten
    return reasons, candidates


def near_miss_hint(
    text: str,
    library: Iterable[Phrase],
    *,
    keyword: str | None = None,
    step_type: str | None = None,
) -> str | None:
    """`<reason>: write \\`<keyword> <phrase>\\``, if a near miss turns `text` into a library
    phrase; None otherwise. `keyword` defaults to the corrected phrase's example keyword."""
    reasons, candidates = _rewritten(text, step_type)
    if not reasons:
        return None
    definitions = list(library)
    written: list[str] = []
    for candidate in candidates:
        found = next((d for d in definitions if d.matches(candidate)), None)
        if found is not None:
            written.append(f"`{keyword or found.example_keyword} {candidate}`")
    if not written:
        return None
    return f"{', and '.join(reasons)}: write {' or '.join(written)}"


def closest(text: str, library: Iterable[Phrase]) -> list[Phrase]:
    """The library steps whose example has the most similar shape to `text`, best first."""
    shape = _shape(text)
    definitions = list(library)

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
        rows.append(f"| `{keyword} {text}` | {hint} |")
    return "\n".join(rows)
