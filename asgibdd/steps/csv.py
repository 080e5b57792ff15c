"""CSV response steps: the body read as comma-separated rows, the first row naming columns."""

from __future__ import annotations

import csv
import io
from typing import Any

from asgibdd._suggest import did_you_mean
from asgibdd.environment import get_world
from asgibdd.matching.format import format_value
from asgibdd.steps.registry import library_step
from asgibdd.steps.support.exchange import exchange_failure, last_exchange
from asgibdd.steps.support.inputs import count_value

CSV = "CSV"


def _rows(context: Any) -> tuple[list[str], list[list[str]]]:
    """The header row and the data rows of the last response's body."""
    _, response = last_exchange(context)
    rows = [row for row in csv.reader(io.StringIO(response.text)) if row]
    if not rows:
        raise exchange_failure(
            context, "Expected a CSV body with a header row, but the response body is empty."
        )
    return rows[0], rows[1:]


@library_step("the CSV has {count:Rows}", section=CSV)
def csv_has_rows(context: Any, count: int | str) -> None:
    """Check how many data rows the CSV body has (the header row is not counted).

    Example: Then the CSV has 2 rows
    """
    wanted = count_value(context, count)
    _, rows = _rows(context)
    if len(rows) != wanted:
        raise exchange_failure(
            context, f"Expected the CSV to have {wanted} rows below its header, got {len(rows)}."
        )


@library_step(
    "the CSV cell at row {row:Count} column {column:Quoted} is {value:Quoted}", section=CSV
)
def csv_cell_is(context: Any, row: int, column: str, value: str) -> None:
    """Check one cell of the CSV body: data rows count from 1, columns are header names.

    Example: Then the CSV cell at row 1 column "name" is "apple"
    """
    expected = get_world(context).variables.interpolate(value)
    header, rows = _rows(context)
    if column not in header:
        raise exchange_failure(
            context,
            f'Expected the CSV to have a column "{column}", but its header is: '
            f"{', '.join(header)}.{did_you_mean(column, header)}",
        )
    if not 1 <= row <= len(rows):
        raise exchange_failure(
            context, f"Expected the CSV to have a row {row}, but it has {len(rows)} data rows."
        )
    cells = rows[row - 1]
    index = header.index(column)
    actual = cells[index] if index < len(cells) else ""
    if actual != expected:
        raise exchange_failure(
            context,
            f'Expected the CSV cell at row {row} column "{column}" to be '
            f"{format_value(expected)}, got {format_value(actual)}.",
        )
