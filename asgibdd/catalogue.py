"""The step catalogue: every library step with its description and example, from one source.

`asgibdd steps` prints it, `docs/steps.md` is generated from it, and `check_catalogue`
finds steps whose documented example is missing, ambiguous or does not match its step.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from asgibdd.steps import load_library
from asgibdd.steps.advice import display_phrase
from asgibdd.steps.registry import StepDefinition, StepLibrary

__all__ = [
    "REGENERATE_COMMAND",
    "SECTION_ORDER",
    "CatalogueEntry",
    "build_catalogue",
    "check_catalogue",
    "display_phrase",
    "filter_catalogue",
    "render_json",
    "render_markdown",
    "render_text",
    "steps_doc",
]

REGENERATE_COMMAND = "python -m asgibdd steps --format markdown > docs/steps.md"

SECTION_ORDER = (
    "Requests",
    "Request settings",
    "Response",
    "JSON",
    "CSV",
    "Captures",
    "WebSocket",
    "Streaming",
    "Outside services",
    "Time",
    "Debugging",
)


@dataclass(frozen=True)
class CatalogueEntry:
    """One library step as documented: what the catalogue, CLI and docs show."""

    section: str
    phrase: str
    pattern: str
    description: str
    details: str
    example: str
    location: str

    @classmethod
    def from_definition(cls, definition: StepDefinition) -> CatalogueEntry:
        return cls(
            section=definition.section,
            phrase=display_phrase(definition.phrase),
            pattern=definition.phrase,
            description=definition.description,
            details=_details(definition),
            example=definition.example,
            location=definition.location,
        )

    def mentions(self, word: str) -> bool:
        """Whether `word` appears (ignoring case) in the section, phrase, text or example."""
        haystack = " ".join(
            (self.section, self.phrase, self.description, self.details, self.example)
        )
        return word.casefold() in haystack.casefold()


def _details(definition: StepDefinition) -> str:
    """The docstring between its first line and the example, as one paragraph."""
    lines = (inspect.getdoc(definition.func) or "").splitlines()[1:]
    kept: list[str] = []
    for line in lines:
        if line.strip().startswith("Example:"):
            break
        kept.append(line.strip())
    return " ".join(line for line in kept if line)


def _section_rank(section: str) -> tuple[int, str]:
    if section in SECTION_ORDER:
        return (SECTION_ORDER.index(section), "")
    return (len(SECTION_ORDER), section)


def build_catalogue(library: StepLibrary | None = None) -> list[CatalogueEntry]:
    """Every library step, grouped by section in reading order, declaration order within."""
    library = library if library is not None else load_library()
    entries = [CatalogueEntry.from_definition(definition) for definition in library]
    return sorted(entries, key=lambda entry: _section_rank(entry.section))


def filter_catalogue(entries: Iterable[CatalogueEntry], word: str) -> list[CatalogueEntry]:
    """The entries that mention `word`, ignoring case."""
    return [entry for entry in entries if entry.mentions(word)]


def _sections(entries: Sequence[CatalogueEntry]) -> list[tuple[str, list[CatalogueEntry]]]:
    grouped: dict[str, list[CatalogueEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.section, []).append(entry)
    return list(grouped.items())


def render_text(entries: Sequence[CatalogueEntry]) -> str:
    """A plain listing for the terminal: one block per step, examples indented."""
    blocks: list[str] = []
    for section, members in _sections(entries):
        lines = [section, "=" * len(section)]
        for entry in members:
            lines.append(f"  {entry.phrase}")
            lines.append(f"      {entry.description}")
            lines.extend(f"      {line}" for line in entry.example.splitlines())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_markdown(entries: Sequence[CatalogueEntry]) -> str:
    """Markdown for one section per heading and one sub-heading per step."""
    blocks: list[str] = []
    for section, members in _sections(entries):
        blocks.append(f"## {section}")
        for entry in members:
            text = entry.description + (f" {entry.details}" if entry.details else "")
            blocks.append(f"### `{entry.phrase}`\n\n{text}\n\n```gherkin\n{entry.example}\n```")
    return "\n\n".join(blocks) + "\n"


def render_json(entries: Sequence[CatalogueEntry]) -> str:
    """A JSON array of the entries (section, phrase, pattern, description, ...)."""
    return json.dumps([asdict(entry) for entry in entries], indent=2, ensure_ascii=False) + "\n"


def steps_doc(entries: Sequence[CatalogueEntry] | None = None) -> str:
    """The full text of `docs/steps.md`."""
    entries = entries if entries is not None else build_catalogue()
    header = (
        "# Step catalogue\n\n"
        f"<!-- Generated from the step docstrings; do not edit. Regenerate with:\n"
        f"     {REGENERATE_COMMAND} -->\n\n"
        "Every step works after any keyword (Given, When, Then, And, But). Paths start with "
        "`/` and are not quoted; names and text are in double quotes; `{{name}}` inserts a "
        "variable in paths, quoted text, tables and doc strings (`{{$uuid}}`, `{{$now}}`, "
        "`{{env.NAME}}` and the other fresh values: see product-owners.md).\n\n"
        "Checks are a subject and a comparison. `the JSON at`, `the message JSON at` (the last "
        "websocket message) and `the event JSON at` (the last server-sent event's data) take "
        "the same comparisons: `is`, `is not`, `contains`, `does not contain`, `matches`, "
        "`is a <type>`, `has <n> items`, `is <n> ± <tolerance>`, `is greater than`, "
        "`is less than`, `is one of`, `is sorted`, `is within the last <duration>`, `exists`, "
        "`does not exist`. `I receive an event` takes ` with data`, ` with data containing`, "
        "` with id` and ` within <duration>` in any order. A sentence that means one of "
        "these phrases exactly (`should be` for `is`) runs as it; see the near misses in "
        "product-owners.md.\n\n"
    )
    return header + render_markdown(entries)


def check_catalogue(library: StepLibrary | None = None) -> list[str]:
    """Problems with the documented examples, one sentence each; empty when all is well.

    Each example must match its own step and no other library step, and a step whose
    phrase ends with ":" must show the table or doc string it takes.
    """
    library = library if library is not None else load_library()
    problems: list[str] = []
    for definition in library:
        matching = library.matching(definition.example_text)
        shown = f'The example "{definition.example_text}" of step "{definition.phrase}"'
        if definition not in matching:
            problems.append(f"{shown} does not match its own step.")
        others = [other.phrase for other in matching if other is not definition]
        if others:
            problems.append(f"{shown} also matches: {', '.join(others)}.")
        if definition.phrase.endswith(":") and not definition.example_block:
            problems.append(f"{shown} ends with ':' but shows no table or doc string under it.")
    return problems
