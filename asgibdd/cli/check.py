"""`asgibdd check [PATHS]`: find steps that no definition matches, or that several match.

Feature files are parsed with behave's own parser and nothing is run, so the check is
fast and safe in CI and editors. The project's step files are loaded as behave would
(from the `steps/` folder of the base dir behave finds above the features), so the
project's own steps count next to the library's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asgibdd.config import project_pyproject
from asgibdd.errors import ConfigError
from asgibdd.project import add_to_python_path, import_roots

if TYPE_CHECKING:
    from asgibdd.steps.registry import StepDefinition

__all__ = ["Problem", "add_parser", "check_features", "find_base_dir", "run"]

DEFAULT_PATHS = ("features/",)


@dataclass(frozen=True)
class Problem:
    """One step that would not run as written: undefined, ambiguous, or an unreadable file."""

    location: str
    kind: str  # "undefined step", "not the catalogue's phrase", "ambiguous step", "cannot parse"
    text: str
    hints: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "\n".join([f"{self.location}: {self.kind}: {self.text}", *self.hints])


@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    features: int
    steps: int

    def summary(self) -> str:
        counted = f"{self.steps} steps in {self.features} feature file(s)"
        if not self.problems:
            return f"OK: all {counted} match exactly one step definition."
        kinds = {p.kind: sum(1 for q in self.problems if q.kind == p.kind) for p in self.problems}
        listed = ", ".join(
            f"{count} {kind}{'s' if count > 1 else ''}" for kind, count in kinds.items()
        )
        return f"{len(self.problems)} problem(s) in {counted}: {listed}."


def add_parser(commands: Any) -> None:
    """Register the `check` sub-command on the `asgibdd` parser's sub-parsers."""
    parser = commands.add_parser(
        "check",
        help="report undefined and ambiguous steps without running anything",
        description=(
            "Parse feature files (without running them) and report every step that matches "
            "no step definition, or more than one. Exit status 1 when there are problems."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="feature files or folders (default: features/)"
    )
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Print each problem and a summary line; 1 if there were problems, else 0."""
    report = check_features(arguments.paths or list(DEFAULT_PATHS))
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 1 if report.problems else 0


def find_base_dir(first_path: Path) -> Path:
    """The folder behave uses as base dir: the first one upwards holding `steps/` or
    `environment.py`, starting at the features path itself."""
    start = first_path if first_path.is_dir() else first_path.parent
    for folder in (start, *start.parents):
        if (folder / "steps").is_dir() or (folder / "environment.py").is_file():
            return folder
    raise ConfigError(
        f"No steps/ folder or environment.py in {start} or any folder above it, so behave "
        "would not run these features. Run `asgibdd init` to create them."
    )


def _feature_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.feature")))
        elif path.is_file() and path.suffix == ".feature":
            files.append(path)
        else:
            raise ConfigError(
                f'"{given}" is neither a folder nor a .feature file. Pass feature files or '
                "folders holding them (default: features/)."
            )
    return files


def check_features(paths: Sequence[str]) -> CheckReport:
    """Parse the features under `paths` and match every step against the definitions."""
    from asgibdd.steps import install_steps  # the library, imported when checking

    files = _feature_files(paths)
    base_dir = find_base_dir(Path(paths[0]).resolve())
    library = list(install_steps())
    with (
        _python_path(base_dir, [Path(p) for p in paths]),
        _project_step_matchers(base_dir / "steps") as project,
    ):
        problems: list[Problem] = []
        step_count = 0
        for file in files:
            steps, parse_problem = _parse_steps(file)
            if parse_problem is not None:
                problems.append(parse_problem)
            for step in steps:
                step_count += 1
                problem = _check_step(step, project, library)
                if problem is not None:
                    problems.append(problem)
    return CheckReport(problems, len(files), step_count)


@contextlib.contextmanager
def _python_path(base_dir: Path, paths: Sequence[Path]) -> Iterator[None]:
    """The Python path the behave run has while it loads step files: behave's base dir and
    the working folder, and the project's import roots (which asgibdd's hooks add); put
    back as it was afterwards."""
    pyproject = project_pyproject(paths)
    project_dir = pyproject.parent if pyproject is not None else Path.cwd()
    saved = list(sys.path)
    add_to_python_path([base_dir, Path.cwd(), *import_roots(project_dir)])
    try:
        yield
    finally:
        sys.path[:] = saved


@contextlib.contextmanager
def _project_step_matchers(steps_dir: Path) -> Iterator[dict[str, list[Any]]]:
    """Load the project's step files into behave's registries and yield their matchers by
    step type; the registries are left exactly as they were found."""
    from behave.runner_util import load_step_modules

    from asgibdd.steps.registry import LibraryStepMatcher, behave_registries

    saved: list[tuple[list[Any], list[Any]]] = []
    for registry in behave_registries():
        for matchers in registry.steps.values():
            saved.append((matchers, list(matchers)))
            # Keep the library (installed already), drop steps left by earlier loads.
            matchers[:] = [m for m in matchers if isinstance(m, LibraryStepMatcher)]
    try:
        if steps_dir.is_dir():
            try:
                load_step_modules([str(steps_dir)])
            except Exception as error:
                raise ConfigError(
                    f"Loading the step files in {steps_dir} raised {type(error).__name__}: "
                    f"{error}. behave would fail the same way; fix the step file."
                ) from error
        found: dict[str, list[Any]] = {}
        for registry in behave_registries():
            for step_type, matchers in registry.steps.items():
                known = found.setdefault(step_type, [])
                for matcher in matchers:
                    if not isinstance(matcher, LibraryStepMatcher) and matcher not in known:
                        known.append(matcher)
        yield found
    finally:
        for matchers, before in saved:
            matchers[:] = before


def _parse_steps(file: Path) -> tuple[list[Any], Problem | None]:
    """Every step of a feature file once (background, outline rows expanded), in order."""
    from behave.parser import ParserError, parse_file

    try:
        feature = parse_file(str(file))
    except ParserError as error:
        line = getattr(error, "line", None) or 0
        reason = str(error).splitlines()[0]
        return [], Problem(f"{_shown(file)}:{line}", "cannot parse", reason)
    if feature is None:
        return [], None
    seen: set[tuple[int, str, str]] = set()
    steps: list[Any] = []
    for scenario in feature.walk_scenarios(with_outlines=False):
        for step in scenario.all_steps:
            key = (step.line, step.step_type, step.name)
            if key not in seen:
                seen.add(key)
                steps.append(step)
    return steps, None


def _shown(file: Path) -> str:
    try:
        return os.path.relpath(file)
    except ValueError:  # another drive on Windows
        return str(file)


def _matches(matcher: Any, text: str) -> bool:
    try:
        return matcher.match(text) is not None
    except Exception:  # a type converter that raises still means the phrase matched
        return True


def _check_step(
    step: Any, project: dict[str, list[Any]], library: list[StepDefinition]
) -> Problem | None:
    from asgibdd.steps.advice import accepted_alternative, undefined_step_hints

    text = step.name
    candidates = [*project.get(step.step_type, []), *project.get("step", [])]
    own = [m for m in candidates if _matches(m, text)]
    from_library = [d for d in library if d.matches(text)]
    where = f"{_shown(Path(step.filename))}:{step.line}"
    shown = f"{step.keyword} {text}"
    # A project step that shadows a library step is deliberate: behave runs the project's.
    clashing = own if own else from_library
    if len(clashing) > 1:
        hints = tuple(f"  matched by: {_describe(m)}" for m in clashing)
        return Problem(where, "ambiguous step", shown, (*hints, "  behave runs the first."))
    if clashing:
        return None
    hints = undefined_step_hints(step.keyword, step.step_type, text, library)
    if accepted_alternative(text, step.step_type, library) is not None:
        # It runs, as the phrase it means: said so, so the feature can use the catalogue's.
        return Problem(where, "not the catalogue's phrase", shown, hints)
    return Problem(where, "undefined step", shown, hints)


def _describe(matcher: Any) -> str:
    from asgibdd.steps.registry import StepDefinition

    if isinstance(matcher, StepDefinition):
        return f'"{matcher.phrase}" (asgibdd, {matcher.location})'
    location: Any = getattr(matcher, "location", None)
    if location is None:
        return f'"{matcher.pattern}"'
    return f'"{matcher.pattern}" ({_shown(Path(location.filename))}:{location.line})'
