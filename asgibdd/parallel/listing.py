"""Which scenarios a behave command line selects, listed without running anything.

behave's own configuration, parser and selection rules are used (paths, `--tags`,
`--name`, `--include`/`--exclude`, the config files), so the runner schedules exactly
the scenarios a serial `behave` run would run; the rest are remembered as skipped, since
behave counts them in its summary.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asgibdd.errors import UsageError
from asgibdd.outlines import name_outline_rows, schema_chosen_by_project
from asgibdd.secrets import SecretPolicy

__all__ = ["ListedScenario", "Listing", "behave_configuration", "list_scenarios", "shown_path"]


@dataclass(frozen=True)
class ListedScenario:
    """One scenario (or one example row of an outline) as behave would run it.

    - `location`: `path.feature:LINE` as behave prints and accepts it.
    - `key`: what the durations file knows it by: feature path and scenario name.
    - `steps`: the number of steps it runs (background steps included), for the summary
      when it is skipped or never ran.
    """

    location: str
    feature: str
    feature_name: str
    name: str
    tags: tuple[str, ...]
    steps: int
    selected: bool
    #: `path.feature:LINE` of the `Rule:` the scenario belongs to, if any.
    rule: str | None = None

    @property
    def key(self) -> str:
        return f"{self.feature}::{self.name}"


@dataclass(frozen=True)
class Listing:
    scenarios: list[ListedScenario]

    @property
    def selected(self) -> list[ListedScenario]:
        return [scenario for scenario in self.scenarios if scenario.selected]


def behave_configuration(behave_args: Sequence[str]) -> Any:
    """behave's `Configuration` for `behave_args`, as a `behave` run would read it."""
    from behave.configuration import Configuration

    try:
        return Configuration(command_args=list(behave_args), load_config=True)
    except SystemExit as stop:  # argparse inside behave exits on a bad option
        raise UsageError(
            f"behave did not accept the options {' '.join(behave_args) or '(none)'} "
            f"(exit status {stop.code}); see `behave --help` for what it takes."
        ) from None


def shown_path(path: str) -> str:
    """`path` relative to the working folder, or absolute when it is outside it: as the
    listing, the durations file and the results history name a feature file."""
    relative = os.path.relpath(os.path.abspath(path))
    return relative if not relative.startswith("..") else os.path.abspath(path)


def list_scenarios(config: Any, secret_names: Sequence[str] = ()) -> Listing:
    """Every scenario under `config.paths`, in behave's order, marked selected or not.
    Outline rows are named as a run names them (`asgibdd.outlines`), masking the
    columns `secret_names` (and the default names) call secret."""
    from behave.runner_util import collect_feature_locations, parse_features

    paths = list(config.paths) or ["features"]
    for given in paths:
        plain = given.split(":")[0]
        if not given.startswith("@") and not Path(plain).exists():
            raise UsageError(
                f'"{given}" does not exist. Pass feature files or folders (default: features/).'
            )
    try:
        locations = collect_feature_locations(paths)
        with _relative_paths_computed_once():
            features = parse_features(locations, language=getattr(config, "lang", None))
    except Exception as error:  # behave's parser errors have no common base
        raise UsageError(f"behave could not read the features: {error}") from error
    if not schema_chosen_by_project(config):
        name_outline_rows(filter(None, features), SecretPolicy(secret_names))
    lines_wanted: dict[str, set[int]] = {}
    for location in locations:
        line = getattr(location, "line", None)
        if line:
            lines_wanted.setdefault(shown_path(str(location.filename)), set()).add(int(line))
    scenarios: list[ListedScenario] = []
    for feature in features:
        if feature is None:
            continue
        filename = shown_path(str(feature.filename))
        wanted = lines_wanted.get(filename)
        for scenario in feature.walk_scenarios(with_outlines=False):
            selected = bool(scenario.should_run(config))
            if wanted is not None and not _on_lines(scenario, wanted):
                selected = False
            scenarios.append(
                ListedScenario(
                    location=f"{filename}:{scenario.line}",
                    feature=filename,
                    feature_name=str(feature.name),
                    name=str(scenario.name),
                    tags=tuple(str(tag) for tag in scenario.effective_tags),
                    steps=len(list(scenario.all_steps)),
                    selected=selected,
                    rule=_rule(scenario, filename),
                )
            )
    return Listing(scenarios)


@contextlib.contextmanager
def _relative_paths_computed_once() -> Iterator[None]:
    """behave's parser gives every statement (each step too) its file's name relative to
    the working folder, with `os.path.relpath` each time: nearly half of what parsing a
    suite costs. While the listing parses, the same file and folder give the same answer
    from a cache instead; behave's own function is put back after."""
    from behave import model_core

    original = getattr(model_core, "make_relpath_if_possible", None)
    if original is None:  # another behave: nothing to speed up
        yield
        return
    model_core.make_relpath_if_possible = functools.lru_cache(maxsize=None)(original)
    try:
        yield
    finally:
        model_core.make_relpath_if_possible = original


def _rule(scenario: Any, filename: str) -> str | None:
    from behave.model import Rule

    parent = getattr(scenario, "parent", None)
    while parent is not None and not isinstance(parent, Rule):
        parent = getattr(parent, "parent", None)
    return f"{filename}:{parent.line}" if parent is not None else None


def _on_lines(scenario: Any, lines: set[int]) -> bool:
    """Whether a `FILE:LINE` the user gave points at this scenario (or outline row)."""
    return int(scenario.line) in lines
