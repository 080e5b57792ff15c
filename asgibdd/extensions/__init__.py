"""asgibdd's own extensions: each capability that lives as long as a run or a scenario.

Each module holds one capability as an `asgibdd.world.Extension`; `run_extensions` puts
the run's extensions in their order, the project's own after asgibdd's (see
docs/extensions.md). A new capability goes into a module of its own here: it may import
the World and anything below it (the client, contracts, journal, report, django), never
`asgibdd.environment` or a step module (the step library's definitions excepted), and
no module here imports another.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from asgibdd._types import ASGIApp
from asgibdd.config import AsgiBddConfig
from asgibdd.django import DjangoTestRun
from asgibdd.extensions.clock import ScenarioClock
from asgibdd.extensions.contracts import ContractCheck
from asgibdd.extensions.django import DjangoDatabases
from asgibdd.extensions.error_messages import ReaderErrorMessages
from asgibdd.extensions.gc_freeze import FrozenGarbageCollector
from asgibdd.extensions.history import ResultsHistory
from asgibdd.extensions.live import InProcessSkips
from asgibdd.extensions.logs import QuietHttpxLog
from asgibdd.extensions.model import SmallBehaveModel
from asgibdd.extensions.outbound import OutboundServices
from asgibdd.extensions.outlines import OutlineRowNames
from asgibdd.extensions.project import project_extensions
from asgibdd.extensions.reports import JSONReportMessages, ReportSections, ScenarioJournal
from asgibdd.extensions.speedups import BehaveSpeedups
from asgibdd.extensions.steps import StepLibraryInstall

__all__ = ["run_extensions"]


def run_extensions(
    config: AsgiBddConfig,
    app: ASGIApp | None,
    django: DjangoTestRun | None,
    extra: Sequence[object] = (),
) -> list[object]:
    """The run's extensions in order: asgibdd's own that apply to this run, then those
    the configuration names (`extensions`), then `extra` (from the project's
    environment.py).

    Order matters where two meet: the journal records an exchange before the API
    document check may fail it, and a live run's skip comes before anything else
    prepares the scenario. The garbage collector is frozen last, when everything the run
    keeps exists.
    """
    extensions: list[object] = [
        StepLibraryInstall(),
        BehaveSpeedups(),
        ReaderErrorMessages(),
        SmallBehaveModel(),
        QuietHttpxLog(),
        ReportSections(),
        OutlineRowNames(),
    ]
    if config.live:
        extensions.append(InProcessSkips())
    if django is not None:
        extensions.append(DjangoDatabases(django))
    extensions += [ScenarioJournal(), JSONReportMessages()]
    # After the journal, which records the app's outbound calls; before the contract
    # check, so a call no step stubbed is the failure shown, not its consequence.
    extensions += [OutboundServices(), ScenarioClock()]
    extensions.append(ContractCheck.for_run(config, app))
    # `asgibdd run` keeps the history itself; its workers (ASGIBDDRUN_WORKER) do not.
    if config.history and config.history_in_behave and "ASGIBDDRUN_WORKER" not in os.environ:
        extensions.append(ResultsHistory(Path(config.history)))
    extensions += project_extensions(config)
    extensions += extra
    extensions.append(FrozenGarbageCollector())
    return extensions
