"""API coverage: which documented operations and statuses a run exercised.

`CoverageTally` counts the checked responses as the run goes; `coverage_data` turns the
tally into plain JSON data (the format is in docs/contracts.md, "The coverage file"), which
`render_table` prints and `write_coverage` saves for reports; `merge_coverage` adds up the
files of several runs (parallel workers, CI shards).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asgibdd.errors import UsageError

if TYPE_CHECKING:  # annotations only: merging and rendering need none of them
    from asgibdd.contracts.conformance import Verdict
    from asgibdd.contracts.document import APIDocument
    from asgibdd.contracts.operations import Operation
    from asgibdd.secrets import Secrets

__all__ = [
    "COVERAGE_FORMAT",
    "CoverageTally",
    "coverage_data",
    "merge_coverage",
    "read_coverage",
    "render_table",
    "render_undocumented",
    "write_coverage",
]

COVERAGE_FORMAT = "asgibdd-api-coverage/1"
"""The `format` field of the coverage data; the number changes if a field changes meaning."""


@dataclass
class CoverageTally:
    """Counts of the responses checked so far, by operation, status and verdict."""

    operations: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    undocumented_statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    undocumented_requests: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    checked: int = 0
    violating: int = 0

    def record(self, verdict: Verdict, secrets: Secrets | None = None) -> None:
        """Count `verdict`; an undocumented request's path is kept with `secrets` masked
        (it is printed and written to a file, like any other output)."""
        self.checked += 1
        self.violating += bool(verdict.violations)
        operation = verdict.operation
        if operation is None:
            path = secrets.mask_text(verdict.path) if secrets is not None else verdict.path
            self.undocumented_requests[(verdict.method, path, verdict.status)] += 1
            return
        self.operations[operation.label] += 1
        if verdict.status_key is None:
            self.undocumented_statuses[(operation.label, verdict.status)] += 1
        else:
            self.statuses[(operation.label, verdict.status_key)] += 1


def coverage_data(
    document: APIDocument, operations: Sequence[Operation], tally: CoverageTally
) -> dict[str, Any]:
    """The run's API coverage as JSON-ready data (pure: reads its arguments only)."""
    rows: list[dict[str, Any]] = []
    for operation in operations:
        label = operation.label
        rows.append(
            {
                "operation": label,
                "method": operation.method,
                "path": operation.template,
                "operation_id": operation.operation_id,
                "requests": tally.operations[label],
                "statuses": [
                    {"status": key, "requests": tally.statuses[(label, key)]}
                    for key in operation.statuses
                ],
                "undocumented_statuses": [
                    {"status": status, "requests": count}
                    for (name, status), count in sorted(tally.undocumented_statuses.items())
                    if name == label
                ],
            }
        )
    statuses: list[dict[str, Any]] = [status for row in rows for status in row["statuses"]]
    return {
        "format": COVERAGE_FORMAT,
        "document": {
            "source": document.source,
            "openapi": document.version,
            "title": document.title,
        },
        "totals": {
            "operations": len(rows),
            "operations_exercised": sum(1 for row in rows if row["requests"]),
            "statuses": len(statuses),
            "statuses_exercised": sum(1 for status in statuses if status["requests"]),
            "responses_checked": tally.checked,
            "responses_with_violations": tally.violating,
            "undocumented_requests": sum(tally.undocumented_requests.values()),
        },
        "operations": rows,
        "undocumented_requests": [
            {"method": method, "path": path, "status": status, "requests": count}
            for (method, path, status), count in sorted(tally.undocumented_requests.items())
        ],
    }


def render_table(data: dict[str, Any], *, limit: int = 40) -> str:
    """A short text table of `coverage_data`: exercised and never exercised statuses.

    At most `limit` operations and `limit` undocumented requests are listed (a large API
    would bury behave's summary); the file has them all."""
    totals = data["totals"]
    lines = [
        f"API coverage: {totals['operations_exercised']} of {totals['operations']} operations, "
        f"{totals['statuses_exercised']} of {totals['statuses']} documented statuses "
        f"({data['document']['source']}, OpenAPI {data['document']['openapi']})"
    ]
    table = [("operation", "requests", "exercised", "never exercised")]
    for row in data["operations"][:limit]:
        seen = [s["status"] for s in row["statuses"] if s["requests"]]
        seen += [f"{s['status']} (undocumented)" for s in row["undocumented_statuses"]]
        unseen = [s["status"] for s in row["statuses"] if not s["requests"]]
        table.append(
            (
                row["operation"],
                str(row["requests"]),
                ", ".join(seen) or "-",
                ", ".join(unseen) or "-",
            )
        )
    widths = [max(len(cells[column]) for cells in table) for column in range(3)]
    for name, requests, exercised, never in table:
        cells = f"{name:<{widths[0]}}  {requests:>{widths[1]}}  {exercised:<{widths[2]}}"
        lines.append(f"  {cells}  {never}".rstrip())
    lines.extend(_more(len(data["operations"]) - limit, "operations"))
    undocumented = data["undocumented_requests"]
    if undocumented:
        lines.append("Requests the document does not describe (not checked):")
        lines.extend(
            f"  {u['method']} {u['path']} -> {u['status']} ({u['requests']}x)"
            for u in undocumented[:limit]
        )
        lines.extend(_more(len(undocumented) - limit, "requests"))
    return "\n".join(lines)


def render_undocumented(
    data: dict[str, Any], *, strict: bool = False, limit: int = 40
) -> str | None:
    """The run's responses whose status the document does not list (reported, not
    failed; failed if the run is `strict`), and how to document them; None when there
    were none. The first line says it all; the others say how."""
    found = [
        (entry["status"], row["operation"], entry["requests"])
        for row in data["operations"]
        for entry in row["undocumented_statuses"]
    ]
    if not found:
        return None
    count = sum(requests for _, _, requests in found)
    shown = [
        f"{status} {operation}" + (f" ({requests}x)" if requests > 1 else "")
        for status, operation, requests in found[:limit]
    ]
    more = f", and {len(found) - limit} more (all are in the coverage file)"
    status = found[0][0]
    return "\n".join(
        [
            f"{count} response{'s' if count != 1 else ''} had "
            f"{'statuses' if count != 1 else 'a status'} the document does not list "
            f"({'failed: strict' if strict else 'reported, not failed'}): {', '.join(shown)}"
            f"{more if len(found) > limit else ''}.",
            "Document them, so their bodies are checked too:",
            f'  FastAPI: responses={{{status}: {{"description": "..."}}}} on the route (or '
            f'{{"model": ...}}; on the router or app for all its routes)',
            f"  Litestar: responses={{{status}: ResponseSpec(...)}} on the handler",
            f"  Django Ninja: response={{200: ..., {status}: ...}} on the operation",
            f'  a document file: "{status}" under the operation\'s "responses"',
            "Or report them without failing them: contract = true."
            if strict
            else 'Or fail them: contract = "strict".',
        ]
    )


def _more(hidden: int, what: str) -> list[str]:
    return [f"  ... and {hidden} more {what} (all are in the coverage file)"] if hidden > 0 else []


def write_coverage(data: dict[str, Any], path: Path) -> None:
    """Save `coverage_data` as JSON at `path`, creating its folder.

    Written to a temporary file that then replaces `path`, so that a reader (another run
    in the same folder, a CI step) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def read_coverage(path: Path) -> dict[str, Any]:
    """The coverage data a run wrote to `path`; `UsageError` says what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"{path} does not exist: give the API coverage file each run wrote (the "
            "`api_coverage` setting, reports/api-coverage.json by default)."
        ) from None
    except ValueError as error:
        raise UsageError(f"{path} is not JSON ({error}): is it an API coverage file?") from None
    if not isinstance(data, dict) or data.get("format") != COVERAGE_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise UsageError(
            f"{path} is not an API coverage file: expected format {COVERAGE_FORMAT!r}, "
            f"found {found!r}."
        )
    return data


def merge_coverage(parts: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    """One coverage from several runs' over the same API document (the workers of
    `asgibdd run`, the shards of a CI matrix): every count added up, the totals recounted.

    `names` (one per part, a file name say) are for the error when the parts describe
    different documents, which cannot be added up."""
    if not parts:
        raise UsageError("no API coverage to merge: give at least one coverage file.")
    first = parts[0]
    for part, name in zip(parts[1:], names[1:], strict=True):
        if part["document"] != first["document"]:
            raise UsageError(
                f"{name} covers another API document ({part['document']}) than {names[0]} "
                f"({first['document']}): merge coverage of the same document only."
            )
    rows: dict[str, dict[str, Any]] = {}
    undocumented: Counter[tuple[str, str, int]] = Counter()
    checked = violating = 0
    for part in parts:
        checked += part["totals"]["responses_checked"]
        violating += part["totals"]["responses_with_violations"]
        for row in part["operations"]:
            merged = rows.setdefault(
                row["operation"],
                {**row, "requests": 0, "statuses": [], "undocumented_statuses": []},
            )
            merged["requests"] += row["requests"]
            _add_statuses(merged["statuses"], row["statuses"])
            _add_statuses(merged["undocumented_statuses"], row["undocumented_statuses"])
        for entry in part["undocumented_requests"]:
            undocumented[(entry["method"], entry["path"], entry["status"])] += entry["requests"]
    operations = list(rows.values())
    for row in operations:
        row["undocumented_statuses"].sort(key=lambda status: status["status"])
    statuses = [status for row in operations for status in row["statuses"]]
    return {
        "format": COVERAGE_FORMAT,
        "document": first["document"],
        "totals": {
            "operations": len(operations),
            "operations_exercised": sum(1 for row in operations if row["requests"]),
            "statuses": len(statuses),
            "statuses_exercised": sum(1 for status in statuses if status["requests"]),
            "responses_checked": checked,
            "responses_with_violations": violating,
            "undocumented_requests": sum(undocumented.values()),
        },
        "operations": operations,
        "undocumented_requests": [
            {"method": method, "path": path, "status": status, "requests": count}
            for (method, path, status), count in sorted(undocumented.items())
        ],
    }


def _add_statuses(into: list[dict[str, Any]], more: list[dict[str, Any]]) -> None:
    """Add `more`'s request counts to `into`'s, status by status, in first-seen order."""
    known = {entry["status"]: entry for entry in into}
    for entry in more:
        if entry["status"] in known:
            known[entry["status"]]["requests"] += entry["requests"]
        else:
            known[entry["status"]] = {"status": entry["status"], "requests": entry["requests"]}
            into.append(known[entry["status"]])
