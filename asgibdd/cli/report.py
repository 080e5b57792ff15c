"""`asgibdd report merge RESULTS... [--html FILE] [--junit FILE] [--results FILE]
[--coverage FILE]`, `asgibdd report merge CUCUMBER_JSON... --cucumber FILE`,
`asgibdd report merge NDJSON... --messages FILE` and `asgibdd report coverage COVERAGE...
--output FILE`.

`merge` merges the results of several runs (the `*.results.json` each `behave -f html -o
report.html` writes beside its report; the report's own path works too) into one HTML
report, one JUnit file and, for merging again later, one results file; `--coverage` puts
an API coverage file (one `coverage` wrote, say) in the report instead of each run's own.
With `--cucumber FILE` it merges Cucumber JSON files (`-f cucumber`) instead, and with
`--messages FILE` Cucumber Messages files (`-f messages`).
`coverage` adds up the API coverage files of several runs (CI shards) into one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from asgibdd.errors import UsageError

__all__ = ["add_parser", "run_coverage", "run_merge"]


def add_parser(commands: Any) -> None:
    """Register the `report` sub-command (with its `merge` and `coverage` actions)."""
    parser = commands.add_parser(
        "report",
        help="merge the reports of several runs into one",
        description="Work with the reports asgibdd's behave formatters write.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    merge = actions.add_parser(
        "merge",
        help="merge several runs' results into one HTML report and one JUnit file",
        description=(
            "Merge the results files of several runs (report.results.json, written beside "
            "`behave -f html -o report.html`; the .html path works too) into one report."
        ),
    )
    merge.add_argument("inputs", nargs="+", metavar="FILE", type=Path)
    merge.add_argument("--html", type=Path, metavar="FILE", help="write the HTML report here")
    merge.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    merge.add_argument("--results", type=Path, metavar="FILE", help="write the merged results here")
    merge.add_argument(
        "--coverage",
        type=Path,
        metavar="FILE",
        help="show this API coverage file in the HTML report, instead of each run's own",
    )
    merge.add_argument(
        "--cucumber",
        type=Path,
        metavar="FILE",
        help="the inputs are Cucumber JSON files (-f cucumber): write them merged here",
    )
    merge.add_argument(
        "--messages",
        type=Path,
        metavar="FILE",
        help="the inputs are Cucumber Messages files (-f messages): write them merged here",
    )
    merge.set_defaults(run=run_merge)
    coverage = actions.add_parser(
        "coverage",
        help="add up the API coverage files of several runs (CI shards) into one",
        description=(
            "Add up the API coverage files several runs wrote (the api_coverage setting, "
            "reports/api-coverage.json by default; one per CI shard) and print the table."
        ),
    )
    coverage.add_argument("inputs", nargs="+", metavar="COVERAGE", type=Path)
    coverage.add_argument(
        "-o", "--output", type=Path, metavar="FILE", required=True, help="write the sum here"
    )
    coverage.set_defaults(run=run_coverage)


def run_merge(arguments: argparse.Namespace) -> int:
    """Write what was asked for and print one line of totals; 1 unless every scenario
    passed or did not run."""
    # Imported here: the other commands (`asgibdd run`'s parent above all) start faster.
    from asgibdd.report.html_render import render_html
    from asgibdd.report.junit import render_junit
    from asgibdd.report.merge import merge_runs
    from asgibdd.report.model import read_run, write_run

    cucumber = [f"--{name}" for name in ("cucumber", "messages") if getattr(arguments, name)]
    if cucumber:
        return _merge_cucumber(arguments, cucumber)
    if not (arguments.html or arguments.junit or arguments.results):
        raise UsageError(
            "say what to write: --html FILE, --junit FILE and/or --results FILE (from "
            "results files), --cucumber FILE (from Cucumber JSON files) or --messages FILE "
            "(from Cucumber Messages files)."
        )
    merged = merge_runs([read_run(path) for path in arguments.inputs])
    if arguments.coverage is not None:
        from asgibdd.contracts.coverage import read_coverage
        from asgibdd.report.coverage import with_coverage

        merged.sections = with_coverage(merged.sections, read_coverage(arguments.coverage))
    if arguments.html:
        arguments.html.write_text(render_html(merged), encoding="utf-8")
    if arguments.junit:
        arguments.junit.write_text(render_junit(merged), encoding="utf-8")
    if arguments.results:
        write_run(merged, arguments.results)
    counts = merged.counts()
    shown = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    print(f"{len(merged.scenarios())} scenarios from {merged.runs} runs: {shown or 'none'}")
    # Whatever did not pass, be skipped or stay untested fails the merge, statuses it does
    # not know (a newer behave's, a file's own) included.
    return 0 if set(counts) <= {"passed", "skipped", "untested"} else 1


def _merge_cucumber(arguments: argparse.Namespace, given: list[str]) -> int:
    """`--cucumber` or `--messages`: merge files of that format, print the totals line."""
    others = [f"--{name}" for name in ("html", "junit", "results", "coverage")]
    mixed = [option for option in others if getattr(arguments, option[2:])]
    if len(given) > 1 or mixed:
        raise UsageError(
            f"{' and '.join(given + mixed)} merge different inputs (--cucumber Cucumber JSON, "
            "--messages Cucumber Messages, the others results files): run asgibdd report "
            "merge once for each."
        )
    if arguments.cucumber:
        from asgibdd.report.cucumber_merge import cucumber_counts, merge_cucumber, read_cucumber

        features = merge_cucumber([read_cucumber(path) for path in arguments.inputs])
        arguments.cucumber.write_text(
            json.dumps(features, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        counts = cucumber_counts(features)
    else:
        from asgibdd.report.messages_merge import merge_messages, messages_counts, read_messages

        envelopes = merge_messages([read_messages(path) for path in arguments.inputs])
        arguments.messages.write_text(
            "".join(
                json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in envelopes
            ),
            encoding="utf-8",
        )
        counts = messages_counts(envelopes)
    shown = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    total = sum(counts.values())
    print(f"{total} scenarios from {len(arguments.inputs)} files: {shown or 'none'}")
    return 0 if set(counts) <= {"passed", "skipped"} else 1


def run_coverage(arguments: argparse.Namespace) -> int:
    """Write the inputs' API coverage added up, and print its table."""
    from asgibdd.contracts.coverage import (
        merge_coverage,
        read_coverage,
        render_table,
        render_undocumented,
        write_coverage,
    )

    parts = [read_coverage(path) for path in arguments.inputs]
    merged = merge_coverage(parts, [str(path) for path in arguments.inputs])
    write_coverage(merged, arguments.output)
    undocumented = render_undocumented(merged)
    print(f"{render_table(merged)}\nWritten to {arguments.output}")
    if undocumented:
        print(undocumented)
    return 0
