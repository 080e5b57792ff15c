"""Every Python example in docs/testclient.md runs as written and checks what it shows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "testclient.md"
FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Example:
    line: int
    heading: str
    code: str


def examples(text: str) -> list[Example]:
    """The ```python blocks of a Markdown text, each with its line and nearest heading."""
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        headings = re.findall(r"^#+ (.+)$", before, re.MULTILINE)
        found.append(
            Example(
                line=before.count("\n") + 2,  # the first line of code, 1-based
                heading=headings[-1] if headings else "(top)",
                code=match.group(1),
            )
        )
    return found


GUIDE_EXAMPLES = examples(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_examples_for_each_part_it_teaches() -> None:
    headings = {example.heading for example in GUIDE_EXAMPLES}
    assert {
        "Requests",
        "The lifespan: use `with`",
        "Errors raised by the app",
        "WebSockets",
        "Streaming responses",
        "Server-sent events",
        "Bounded waits: `wait_timeout`",
        "Async tests: `AsyncTestClient`",
        "Event loop backends: asyncio, uvloop, trio",
        "Differences from Starlette",
    } <= headings


def test_the_guide_has_a_section_named_differences_from_starlette() -> None:
    assert "\n## Differences from Starlette\n" in GUIDE.read_text(encoding="utf-8")


def test_every_example_checks_something() -> None:
    silent = [example.line for example in GUIDE_EXAMPLES if "assert" not in example.code]
    assert silent == [], f"examples at these lines of {GUIDE.name} assert nothing: {silent}"


def test_examples_are_found_with_their_line_and_heading() -> None:
    text = "# Guide\n\nIntro.\n\n## Part\n\n```python\nx = 1\n```\n\n```sh\nls\n```\n"
    assert examples(text) == [Example(line=8, heading="Part", code="x = 1\n")]


@pytest.mark.parametrize(
    "example", GUIDE_EXAMPLES, ids=[f"line{e.line}-{e.heading}" for e in GUIDE_EXAMPLES]
)
def test_guide_example_runs(example: Example) -> None:
    # Padding keeps the line numbers of a traceback equal to those of the guide.
    source = "\n" * (example.line - 1) + example.code
    namespace = {"__name__": f"docs_testclient_line_{example.line}"}
    exec(compile(source, str(GUIDE), "exec"), namespace)
