"""What a step reads from the feature file: doc strings, tables, files, expected values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asgibdd.environment import World, get_world
from asgibdd.errors import UsageError
from asgibdd.matching.jsonpath import compile_jsonpath
from asgibdd.matching.literal import parse_literal
from asgibdd.matching.markers import is_number
from asgibdd.matching.patterns import Pattern, PatternError, compile_pattern
from asgibdd.steps.registry import step_usage_error

__all__ = [
    "COMPARISONS_AFTER_IS",
    "count_value",
    "doc_string",
    "expected_json",
    "expected_literal",
    "find_feature_file",
    "jsonpath_text",
    "name_value_rows",
    "number_value",
    "step_pattern",
]


def doc_string(context: Any) -> str:
    """The doc string under the running step; `UsageError` naming the step if there is none."""
    text = getattr(context, "text", None)
    if text is None:
        raise step_usage_error('needs a doc string below it: the text between two """ lines.')
    return str(text)


def name_value_rows(context: Any) -> list[tuple[str, str]]:
    """The rows of a `| name | value |` table under the running step, as text pairs."""
    table = getattr(context, "table", None)
    if table is None:
        raise step_usage_error(
            "needs a table below it with the columns | name | value |, one row per entry."
        )
    headings = [heading.strip() for heading in table.headings]
    if headings != ["name", "value"]:
        got = "| " + " | ".join(headings) + " |"
        raise step_usage_error(
            f"needs a table with exactly the columns | name | value |, got {got}. "
            f"{_table_fix(headings)}"
        )
    return [(row["name"], row["value"]) for row in table]


def _table_fix(headings: list[str]) -> str:
    """What to change in a table whose header row is not `| name | value |`."""
    missing = [column for column in ("name", "value") if column not in headings]
    extra = [column for column in headings if column not in ("name", "value")]
    if len(missing) == 1 and not extra:
        return (
            f"The {missing[0]} column is missing: write the header row | name | value | and "
            'one row per entry below it, e.g. | title | "Buy milk" |.'
        )
    if not missing and not extra:
        return "Put the name column first: | name | value |."
    if len(headings) <= 2:
        return "Rename the header row."
    return "Keep the two columns | name | value | and remove the others."


def find_feature_file(world: World, context: Any, relative: str) -> Path:
    """Resolve a file named in a step; `UsageError` lists every place that was tried."""
    candidates: list[Path] = []
    if world.feature_file is not None:
        candidates.append(world.feature_file.parent / relative)
    for configured in getattr(getattr(context, "config", None), "paths", None) or []:
        folder = Path(configured)
        folder = folder if folder.is_dir() else folder.parent
        candidates.append(folder / relative)
    seen: list[Path] = []
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved in seen:
            continue
        seen.append(resolved)
        if resolved.is_file():
            return resolved
    tried = "\n".join(f"  - {path}" for path in seen) or "  (no feature folder known)"
    raise step_usage_error(
        f'names the file "{relative}", which does not exist. Looked for it at:\n{tried}\n'
        "Put the file there, or fix the path (it is relative to the feature file)."
    )


# What may follow `is` besides a JSON value: said when a bare word after `is` is refused,
# since quoting it would compare with that text, which is rarely what was meant.
COMPARISONS_AFTER_IS = (
    "is not <value>",
    "is <n> ± <tolerance>",
    "is greater than <n>",
    "is less than <n>",
    "is one of [<values>]",
    "is a <type>",
    "is empty",
    'is sorted (by "<key>") (in descending order)',
    "is within the last <duration>",
    "is <n> days from today",
    'is after / before the JSON at "<path>"',
    'is the JSON at "<path>"',
)


def number_value(context: Any, number: float | str) -> float:
    """A number field of a phrase (`greater than 3`), or the number in its `{{variable}}`."""
    if not isinstance(number, str):
        return number
    value = get_world(context).variables.interpolate_value(number)
    if not is_number(value):
        raise step_usage_error(
            f"compares with {number}, which holds {value!r}, not a number. Store a number in "
            "it, or write the number itself."
        )
    return float(value)


def count_value(context: Any, count: int | str) -> int:
    """A count field of a phrase (`has 3 items`), or the whole number in its `{{variable}}`."""
    value = number_value(context, count)
    if value < 0 or value != int(value):
        raise step_usage_error(f"counts {count} items, which holds {value:g}, not a count.")
    return int(value)


def expected_literal(context: Any, text: str) -> Any:
    """Parse a one-line expected value: a JSON literal with `{{variables}}` typed inside."""
    variables = get_world(context).variables
    try:
        literal = parse_literal(text, what="the expected value")
    except UsageError as error:
        if "{{" not in text:
            # One bare word is a value left unquoted; several may be a comparison.
            if text.strip()[:1].isalpha() and len(text.split()) > 1:
                listed = ", ".join(f"`{phrase}`" for phrase in COMPARISONS_AFTER_IS)
                raise UsageError(
                    f"{error}. If it is a comparison rather than a text, the comparisons "
                    f"after `is` are: {listed}."
                ) from None
            raise
        # A bare {{name}} (or one inside an array) is the variable's JSON, as in doc strings.
        return variables.interpolate_json(text.strip(), what="the expected value")
    return variables.interpolate_value(literal)


def expected_json(context: Any) -> Any:
    """Parse the doc string under the step as expected JSON, `{{variables}}` typed inside."""
    return get_world(context).variables.interpolate_json(
        doc_string(context), what="the expected JSON doc string"
    )


def jsonpath_text(context: Any, path: str) -> str:
    """The JSONPath with its `{{variables}}` filled in, checked for syntax before use."""
    interpolated = get_world(context).variables.interpolate(path)
    compile_jsonpath(interpolated)
    return interpolated


def step_pattern(context: Any, text: str) -> Pattern:
    """The regular expression a step names, `{{variables}}` filled in; `UsageError` if bad."""
    interpolated = get_world(context).variables.interpolate(text)
    try:
        return compile_pattern(interpolated)
    except PatternError as error:
        raise step_usage_error(
            f'has an invalid regular expression "{interpolated}": {error}. '
            r'Write a Python regular expression, e.g. "^a.+" or "\d{3}".'
        ) from None
