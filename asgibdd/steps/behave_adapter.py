"""How asgibdd's step definitions meet behave: the matcher behave runs, the match that
runs a library step, and the registries behave matches against.

- `LibraryStepMatcher` is a `parse` matcher with asgibdd's own field types and its own
  type registry, so a project's matcher and types are never touched.
- A library step's run (`_LibraryMatch.run`) names the step now running
  (`current_step_text`), masks the scenario's secrets in its failure, and answers a step
  written almost right with the advice of `steps/advice.py` (`for_the_reader`).
- `behave_registries()` finds the registries behave may use in this run.

The definitions themselves live in `steps/registry.py`; how a step text finds its
definition quickly lives in `steps/match_index.py`.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import string
from collections.abc import Callable, Iterable
from typing import Any

from behave.matchers import Match, MatchWithError, ParseMatcher, TypeRegistry

from asgibdd import contract_failures
from asgibdd.errors import ConfigError, UsageError
from asgibdd.steps.advice import Phrase, near_miss_hint
from asgibdd.steps.types import STEP_TYPES
from asgibdd.variables import Variables

__all__ = [
    "LibraryStepMatcher",
    "StepFunction",
    "behave_registries",
    "current_step_text",
    "for_the_reader",
    "step_usage_error",
]

StepFunction = Callable[..., None]

_current_step_text: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "asgibdd_current_step_text", default=None
)


def current_step_text() -> str | None:
    """The text of the library step now running (without its keyword), if any."""
    return _current_step_text.get()


def step_usage_error(problem: str, step_text: str | None = None) -> UsageError:
    """A `UsageError` whose message starts by naming the library step that was misused.

    The step is `step_text`, or else the library step now running.
    """
    text = current_step_text() if step_text is None else step_text
    if text is None:
        return UsageError(problem)
    return UsageError(f'The step "{text}" {problem}')


# behave computes every match's location (a path made relative to the working folder)
# from its function, once per step run; a library function's location never changes.
_LOCATIONS: dict[tuple[StepFunction, str], Any] = {}


class _LibraryMatch(Match):  # type: ignore[misc]
    """A behave match that remembers the step text, so misuse errors can quote it."""

    def __init__(
        self,
        func: StepFunction,
        arguments: list[Any],
        step_text: str,
        library: Iterable[Phrase] = (),
    ) -> None:
        super().__init__(func, arguments)
        self.step_text = step_text
        self.library = library

    @staticmethod
    def make_location(step_function: StepFunction) -> Any:
        key = (step_function, os.getcwd())
        location = _LOCATIONS.get(key)
        if location is None:
            location = _LOCATIONS[key] = Match.make_location(step_function)
        return location

    def run(self, context: Any) -> None:
        token = _current_step_text.set(self.step_text)
        try:
            with _noting_uses(context, self.step_text):
                super().run(context)
            contract_failures.raise_recorded(context)
        except (UsageError, ConfigError) as error:
            contract_failures.raise_recorded(context, error)
            _mask_secrets(context, error)
            raise for_the_reader(error, self.step_text, self.library) from None
        except BaseException as error:
            contract_failures.raise_recorded(context, error)
            _mask_secrets(context, error)
            raise
        finally:
            _current_step_text.reset(token)


def _noting_uses(context: Any, step_text: str) -> contextlib.AbstractContextManager[None]:
    """Note the values the step's placeholders stand for, for the reports (see
    `Variables.noting_uses`); nothing to note before asgibdd's run has started."""
    variables = getattr(getattr(context, "asgibdd", None), "variables", None)
    if isinstance(variables, Variables):
        return variables.noting_uses(step_text)
    return contextlib.nullcontext()


def for_the_reader(
    error: UsageError | ConfigError, step_text: str, library: Iterable[Phrase]
) -> Exception:
    """A usage or config error as its reader needs it: near-miss advice, no inner frames.

    A step that refused its input because it was written almost right (`is a list`) gets
    the advice that leads to the right phrase instead of the step's own complaint. The
    frames inside asgibdd say nothing to the feature's author and would only keep their
    locals alive, so the traceback is cut here; behave then shows the message alone
    (`asgibdd.behave_errors`).
    """
    hint = near_miss_hint(step_text, library)
    if hint is not None:
        error.args = (f'The step "{step_text}" cannot run as written.\n  {hint}',)
    return error.with_traceback(None)


def _mask_secrets(context: Any, error: BaseException) -> None:
    """Hide the scenario's secret values in `error`'s message before behave prints it.

    behave writes a failure's message to the console, JUnit and JSON; this is the one
    place every library step's failure passes. (Read through `context` so the registry
    stays below the behave integration.)
    """
    secrets = getattr(getattr(context, "asgibdd", None), "secrets", None)
    if secrets is None or not len(secrets):
        return
    error.args = tuple(
        secrets.mask_text(arg) if isinstance(arg, str) else arg for arg in error.args
    )


class _RejectedFieldMatch(_LibraryMatch):
    """A match whose field converter rejected its text: running it reports the misuse.

    behave would wrap the converter's error in a `StepParseError`; raising it as a usage
    error that names the step reads like every other misuse.
    """

    def __init__(
        self, func: StepFunction, problem: str, step_text: str, library: Iterable[Phrase]
    ) -> None:
        super().__init__(func, [], step_text, library)
        self.problem = problem

    def run(self, context: Any) -> None:
        error = step_usage_error(self.problem, self.step_text)
        raise for_the_reader(error, self.step_text, self.library)


class LibraryStepMatcher(ParseMatcher):  # type: ignore[misc]
    """A `parse` matcher with asgibdd's own field types and its own type registry.

    Giving the class its own `TYPE_REGISTRY` means `register_type` on behave's
    `ParseMatcher` never sees asgibdd's types, and asgibdd never sees the project's.
    """

    TYPE_REGISTRY = TypeRegistry(**STEP_TYPES)
    # The last step text tried and its casefold: behave tries every library phrase on the
    # same text in a row, so the text is folded once per step, not once per phrase.
    _folded: tuple[str, str] = ("", "")

    def __init__(self, func: StepFunction, pattern: str, step_type: str = "step") -> None:
        super().__init__(func, pattern, step_type, custom_types=self.TYPE_REGISTRY)
        # The literal words before the first field: a cheap test that rules out most
        # phrases before `parse` runs (behave tries every definition for every step).
        # parse matches case-insensitively, so the test does too.
        parts = [text.casefold() for text, *_ in string.Formatter().parse(pattern)]
        starts_with_field = not parts or not parts[0]
        literals = [text for text in parts if text]
        self._prefix = pattern.split("{", 1)[0].casefold()
        # The other literal parts, in order: each must occur in a text the phrase matches,
        # and looking for them is cheaper than a failed `parse` (a regex and its groups).
        self._later_literals = tuple(literals[0 if starts_with_field else 1 :])
        # A phrase ending in words only matches a text ending in them.
        self._suffix = literals[-1] if literals and not pattern.endswith("}") else ""
        # The prefix's complete words (those followed by a space), for `match_index.LibraryRun`.
        self.literal_words = tuple(self._prefix.split(" ")[:-1])
        # The library whose phrases a near miss is compared with (set when one adds it).
        self.library: Iterable[Phrase] = ()

    def match(self, step_text: str) -> Match | None:
        text, folded = LibraryStepMatcher._folded
        if text != step_text:
            folded = step_text.casefold()
            LibraryStepMatcher._folded = (step_text, folded)
        if not folded.startswith(self._prefix) or not self._may_match(folded):
            return None
        try:
            arguments = self.check_match(step_text)
        except UsageError as error:  # a field converter refused the value: name the step
            return _RejectedFieldMatch(self.func, str(error), step_text, self.library)
        except NotImplementedError:
            raise
        except Exception as error:
            return MatchWithError(self.func, error)
        if arguments is None:
            return None
        return _LibraryMatch(self.func, arguments, step_text, self.library)

    def _may_match(self, folded: str) -> bool:
        position = len(self._prefix)
        for literal in self._later_literals:
            position = folded.find(literal, position)
            if position < 0:
                return False
            position += len(literal)
        return folded.endswith(self._suffix)


def behave_registries() -> list[Any]:
    """The step registries behave may match steps against, each once.

    behave 1.3's runner keeps the registry that existed when `behave.runner` was imported
    (as do the decorators it gives step files), while `reset_runtime()` swaps in a new
    `behave.step_registry.registry`. Installing into both is right whichever one a run uses.
    """
    from behave import runner, step_registry

    found: list[Any] = []
    for candidate in (getattr(runner, "the_step_registry", None), step_registry.registry):
        if candidate is not None and all(candidate is not known for known in found):
            found.append(candidate)
    return found
