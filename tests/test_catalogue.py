from __future__ import annotations

import json
from pathlib import Path

from asgibdd.catalogue import (
    REGENERATE_COMMAND,
    build_catalogue,
    check_catalogue,
    display_phrase,
    filter_catalogue,
    render_json,
    steps_doc,
)
from asgibdd.steps import load_library

DOCS_STEPS = Path(__file__).resolve().parent.parent / "docs" / "steps.md"


def test_docs_steps_md_is_up_to_date() -> None:
    assert DOCS_STEPS.read_text(encoding="utf-8") == steps_doc(), (
        f"docs/steps.md is stale; regenerate it with: {REGENERATE_COMMAND}"
    )


def test_every_example_matches_its_own_step_and_no_other() -> None:
    assert check_catalogue() == []


def test_every_library_step_has_a_description_and_an_example() -> None:
    for definition in load_library():
        assert definition.description, definition.phrase
        assert definition.example_text, definition.phrase


def test_catalogue_lists_requests_before_captures() -> None:
    sections = [entry.section for entry in build_catalogue()]
    assert sections.index("Requests") < sections.index("Captures")


def test_display_phrase_shows_fields_as_placeholders() -> None:
    assert display_phrase("the cookie {name:Quoted} is {value:Quoted}") == (
        'the cookie "<name>" is "<value>"'
    )
    assert display_phrase("I {method:Method} {path:Path}") == "I <method> <path>"


def test_grep_ignores_case_and_searches_examples() -> None:
    found = filter_catalogue(build_catalogue(), "BEARER")
    assert [entry.phrase for entry in found] == [
        'I am authenticated with the bearer token "<token>"'
    ]


def test_json_rendering_round_trips_the_entries() -> None:
    entries = build_catalogue()
    loaded = json.loads(render_json(entries))
    assert loaded[0] == {
        "section": "Requests",
        "phrase": "I <method> <path>",
        "pattern": "I {method:Method} {path:Path}",
        "description": (
            "Send a request without a body. GET, HEAD, OPTIONS, DELETE, POST, PUT and PATCH "
            "all work."
        ),
        "details": "The path may carry a query string and `{{variables}}`.",
        "example": "When I GET /items?limit=2",
        "location": entries[0].location,
    }


def test_an_example_that_matches_another_step_is_reported() -> None:
    from typing import Any

    from asgibdd.steps.registry import StepLibrary

    library = StepLibrary()

    def greedy(context: Any, what: str) -> None:
        """Anything.

        Example: When I nap {x}
        """

    def specific(context: Any) -> None:
        """Napping.

        Example: When I nap now
        """

    library.step("I nap {what}", section="Tests")(greedy)
    library.step("I nap now", section="Tests")(specific)
    assert check_catalogue(library) == [
        'The example "I nap now" of step "I nap now" also matches: I nap {what}.'
    ]
