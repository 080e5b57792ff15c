"""`asgibdd run [-j N] [--shard I/N] [BEHAVE OPTIONS] [PATHS]`: behave, split over processes
and machines.

The scenarios the behave options select are listed first (nothing runs), split by the
times the durations file recorded (`asgibdd.parallel.split`), and each worker runs its
share as one behave subprocess given their locations. The console gets one block per
finished scenario, never interleaved lines, then behave's summary with the totals of all
workers; outputs (`-f json -o FILE`, `--junit`, asgibdd's html/junit reports) are merged
into the files asked for; the durations file is updated. With `--retries N` the scenarios
that failed run again (`asgibdd.parallel.retries`); the run is added to the results
history (`asgibdd.history`). See docs/parallel.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asgibdd.config import DEFAULT_TIMEOUT, AsgiBddConfig, features_paths, load_config
from asgibdd.errors import AsgiBddError
from asgibdd.history import HistoryRun, with_history
from asgibdd.links import docs_page
from asgibdd.parallel.durations import DEFAULT_PATH, read_durations, write_durations
from asgibdd.parallel.listing import ListedScenario, behave_configuration, list_scenarios
from asgibdd.parallel.outputs import RESULTS_NAME, plan_outputs, worker_options
from asgibdd.parallel.pool import Interruption, Pool
from asgibdd.parallel.retries import Retries
from asgibdd.parallel.shard import Shard, parse_shard, shard_from_environment
from asgibdd.parallel.split import DEFAULT_SERIAL_TAG, split, split_in_order
from asgibdd.parallel.summary import summarise
from asgibdd.parallel.worker import ScenarioRecord, Spare, Worker, dismiss, spawn
from asgibdd.report.model import Run

__all__ = ["add_parser", "run", "scenario_limit"]

#: Scenarios per behave process: behave keeps every scenario's results to the end of its
#: run (~2-4 KB each), and a new process costs ~0.5 s, paid once per 2,000 scenarios.
DEFAULT_BATCH = 2000
#: The least time a scenario may take before its worker counts as hung.
_MIN_SCENARIO_LIMIT = 60.0


def add_parser(commands: Any) -> None:
    """Register the `run` sub-command; options it does not know go to behave."""
    parser = commands.add_parser(
        "run",
        help="run behave on several processes (-j N) or one shard of the suite (--shard I/N)",
        usage="asgibdd run [-j N] [--shard I/N] [OPTIONS] [BEHAVE OPTIONS] [PATHS]",
        description=(
            "Run the features with behave, split over N worker processes and/or one shard "
            "of N. Every behave option passes through (paths, --tags, -D, -f/-o, --junit). "
            f"See {docs_page('parallel.md')}"
        ),
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="worker processes on this machine (default: 1)",
    )
    parser.add_argument(
        "--shard",
        metavar="I/N",
        help="run shard I of N (1-based); default: "
        "CI_NODE_INDEX/CI_NODE_TOTAL or CIRCLE_NODE_INDEX/CIRCLE_NODE_TOTAL",
    )
    parser.add_argument(
        "--durations",
        type=Path,
        default=DEFAULT_PATH,
        metavar="FILE",
        help=f"durations file read for balance and updated (default: {DEFAULT_PATH})",
    )
    parser.add_argument(
        "--serial-tag",
        default=DEFAULT_SERIAL_TAG,
        metavar="TAG",
        help="scenarios with this tag run together in one worker (default: serial)",
    )
    parser.add_argument(
        "--scenario-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="kill a worker whose scenario runs longer (default: 12 x asgibdd's "
        f"timeout, at least {_MIN_SCENARIO_LIMIT:.0f})",
    )
    parser.add_argument(
        "--batch",
        type=_jobs_like("--batch", "scenarios per behave process"),
        default=DEFAULT_BATCH,
        metavar="N",
        help="at most N scenarios per behave process: a worker runs its share as consecutive "
        f"processes, so memory stays flat however large the suite (default: {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--retries",
        type=_retries,
        default=0,
        metavar="N",
        help="run each failed scenario again, up to N times; one that passes on a retry "
        "is reported flaky, never passed (default: 0)",
    )
    parser.add_argument(
        "--fail-on-flaky",
        action="store_true",
        help="exit with status 1 when a scenario was flaky (default: a run whose failures "
        "all passed on a retry passes)",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="print the scenarios each worker would run, and run nothing",
    )
    parser.set_defaults(run=run, behave_args=[])
    # behave's options are not ours to declare: whatever `run` does not know is kept for
    # behave instead of being an error.
    base = type(parser)

    class _PassThrough(base):  # type: ignore[valid-type,misc]
        def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
            known, rest = super().parse_known_args(args, namespace)
            known.behave_args = [*known.behave_args, *rest]
            return known, []

    parser.__class__ = _PassThrough


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"-j expects a number of worker processes of 1 or more, got {text!r} "
            f"(this machine has {os.cpu_count() or 1} CPUs)"
        )
    return int(text)


def _jobs_like(option: str, what: str) -> Any:
    def convert(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(
                f"{option} expects a number of {what} of 1 or more, got {text!r}"
            )
        return int(text)

    return convert


def _retries(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(
            f"--retries expects how many times to run a failed scenario again (0 or more), "
            f"got {text!r}"
        )
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds above 0, got {text!r}")
    return value


def scenario_limit(settings: AsgiBddConfig | None, given: float | None) -> float:
    """Seconds one scenario may run before its worker is killed: `--scenario-timeout`, else
    12 times asgibdd's configured timeout (one scenario makes several waits), at least 60."""
    if given is not None:
        return given
    timeout = settings.timeout if settings is not None else DEFAULT_TIMEOUT
    return max(_MIN_SCENARIO_LIMIT, 12 * timeout)


def _settings(config: Any) -> AsgiBddConfig | None:
    """asgibdd's settings for the run behave's `config` describes, as `before_all` will
    read them; None when they are wrong (the workers report that themselves)."""
    try:
        return load_config(dict(config.userdata), paths=features_paths(config))
    except AsgiBddError:
        return None


def _chosen_shard(arguments: argparse.Namespace) -> Shard | None:
    if arguments.shard is not None:
        return parse_shard(arguments.shard)
    return shard_from_environment(os.environ)


def run(arguments: argparse.Namespace) -> int:
    """Run the suite as asked; behave's exit status: 0 when everything passed, else 1."""
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="asgibdd-run-"))
    spares: list[Spare] = []
    interruption = Interruption()
    with interruption.catching():
        try:
            return _run(arguments, started, folder, spares, interruption)
        finally:
            for spare in spares:  # those given no work (few scenarios, or an error on the way)
                if spare.process.stdin is not None and not spare.process.stdin.closed:
                    dismiss(spare)
            shutil.rmtree(folder, ignore_errors=True)


def _run(
    arguments: argparse.Namespace,
    started: float,
    folder: Path,
    spares: list[Spare],
    interruption: Interruption,
) -> int:
    if not arguments.list:
        # Started first: their imports overlap the listing below.
        spares += [
            spawn(
                folder / f"worker-{number}-1" / "output.log",
                dict(os.environ),
                number,
                arguments.behave_args,
            )
            for number in range(1, arguments.jobs + 1)
        ]
    behave_args: list[str] = list(arguments.behave_args)
    config = behave_configuration(behave_args)
    settings = _settings(config)
    listing = list_scenarios(config, settings.secret_names if settings is not None else ())
    durations = read_durations(arguments.durations)
    shard = _chosen_shard(arguments)
    mine = listing.selected
    counted: Sequence[ListedScenario] = listing.scenarios
    if shard is not None:
        mine = split(mine, shard.total, durations, arguments.serial_tag)[shard.index - 1].scenarios
        counted = mine  # a shard's summary counts the shard
    shares = split_in_order(mine, arguments.jobs, durations, arguments.serial_tag)
    parts = [part for part in shares if part.scenarios]
    if arguments.list:
        for number, part in enumerate(parts, start=1):
            for scenario in part.scenarios:
                print(f"worker {number}: {scenario.location}  {scenario.name}")
        return 0
    started_at = time.time() - (time.monotonic() - started)  # the wall clock at the start
    api_coverage = settings.api_coverage if settings is not None else ""
    plan = plan_outputs(config, sorted({s.feature for s in listing.scenarios}), api_coverage)
    options = ["--no-color", *worker_options(behave_args)]
    limit = scenario_limit(settings, arguments.scenario_timeout)
    file_sizes = Counter(scenario.feature for scenario in listing.scenarios)
    slots = [
        [
            Worker(
                number,
                part.scenarios[start : start + arguments.batch],
                folder / f"worker-{number}-{start // arguments.batch + 1}",
                [
                    *options,
                    *plan.options(folder / f"worker-{number}-{start // arguments.batch + 1}"),
                ],
                file_sizes,
            )
            for start in range(0, len(part.scenarios), arguments.batch)
        ]
        for number, part in enumerate(parts, start=1)
    ]
    workers = [batch for slot in slots for batch in slot]
    stop = bool(getattr(config, "stop", False))
    pool = Pool(slots, limit, stop, interruption)
    attempts = Retries(pool.run(spares), workers)
    if not stop:  # --stop ended the run at the first failure: nothing is retried

        def retry_worker(number: int, scenarios: list[ListedScenario], name: str) -> Worker:
            retry_folder = folder / f"worker-{number}-{name}"
            retry_options = [*options, *plan.options(retry_folder)]
            return Worker(number, scenarios, retry_folder, retry_options, file_sizes)

        attempts.run(
            arguments.retries,
            arguments.jobs,
            durations,
            arguments.serial_tag,
            retry_worker,
            limit,
            interruption,
        )
    records, workers = attempts.records, attempts.workers
    summary = summarise(counted, records)
    sys.stdout.write(summary.lines(time.monotonic() - started, retries=arguments.retries > 0))
    write_durations(
        arguments.durations,
        {r.scenario.key: r.duration for r in records if r.status in ("passed", "flaky", "failed")},
    )
    history = _keep_history(settings, records, started_at)
    folders = [worker.folder for worker in workers]

    def amend(run: Run) -> Run:
        run = attempts.attempts(RESULTS_NAME)(run)
        return with_history(run, history)

    crashed = any(worker.unfinished() for worker in workers)
    flaky_fails = arguments.fail_on_flaky and bool(summary.flaky)
    failed = bool(summary.failed) or crashed or flaky_fails or bool(interruption.signals)
    for written in plan.merge(folders, attempts.scheduled(), records, amend, not failed):
        print(f"wrote {written}")
    if plan.coverage is not None:
        from asgibdd.contracts.coverage import render_table, render_undocumented

        # As a serial run prints them, at the end.
        strict = settings is not None and settings.contract == "strict"
        undocumented = render_undocumented(plan.coverage, strict=strict)
        print(f"\n{render_table(plan.coverage)}" + (f"\n{undocumented}" if undocumented else ""))
    if interruption.signals:
        sys.stdout.flush()
        print(
            f"asgibdd run: {interruption.reason}; what did not finish counts as untested.",
            file=sys.stderr,
        )
        return interruption.exit_status
    return 1 if failed else 0


def _keep_history(
    settings: AsgiBddConfig | None, records: Sequence[ScenarioRecord], started: float
) -> list[HistoryRun]:
    """Add this run to the results history (the `history` setting); the runs it keeps."""
    if settings is None or not settings.history or not records:
        return []
    from asgibdd.history import add_run, code_revision

    run = HistoryRun(
        started=started,
        revision=code_revision(),
        scenarios={
            r.scenario.key: (r.status, r.duration) for r in records if r.status != "untested"
        },
    )
    return add_run(Path(settings.history), run)
