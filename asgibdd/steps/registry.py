"""asgibdd's own step registry, and how it is handed to behave.

Every library step is declared once with `@library_step(phrase, section=...)`. The
definition (phrase, function, docstring description and example) lives here, so the
catalogue, the CLI and the docs read the same source behave runs.

Why not behave's own `@step` decorator:

- behave's registry is replaced by `reset_runtime()` between in-process runs, so
  registration done only on first import would vanish. `LIBRARY.install()` adds the
  library to whichever registry is current, once per registry, and is cheap to repeat.
- behave's matcher choice and `register_type` are process-global. asgibdd's matcher
  carries its own field types, so a project's matcher and types are never touched.
- Library steps are appended to behave's keyword-free `step` list, which behave consults
  after the keyword-specific lists: a project's own `@given/@when/@then` phrasing always
  wins over the library's.

A step written almost right is answered here too, with the advice of `steps/advice.py`:
an undefined step (`StepLibrary.install` wraps the registry's
`find_match`), and a library step that refused a near miss (`_for_the_reader`).
"""

from __future__ import annotations

import contextvars
import inspect
import os
import re
import string
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from behave.matchers import Match, MatchWithError, ParseMatcher, TypeRegistry

from asgibdd import contract_failures
from asgibdd.errors import ConfigError, UsageError
from asgibdd.steps.advice import near_miss_hint, undefined_step_message
from asgibdd.steps.types import STEP_TYPES

__all__ = [
    "LIBRARY",
    "CheckStep",
    "LibraryStepMatcher",
    "StepDefinition",
    "StepLibrary",
    "behave_registries",
    "check_step",
    "current_step_text",
    "library_step",
    "step_usage_error",
]

StepFunction = Callable[..., None]

GHERKIN_KEYWORDS = ("Given", "When", "Then", "And", "But")
_EXAMPLE_LINE = re.compile(r"^\s*Example:\s*(?P<keyword>\w+)\s+(?P<text>.+?)\s*$")

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


@dataclass(frozen=True)
class StepDefinition:
    """One library step: its phrase, its function, and the docs taken from its docstring.

    - `phrase`: the `parse` pattern behave matches, e.g. `I {method:Method} {path:Path}`.
    - `func`: called as `func(context, **fields)`.
    - `section`: the catalogue heading it is listed under.
    - `description`: the docstring's first line.
    - `example_keyword` / `example_text`: the docstring's single `Example:` line, split.
    - `example_block`: the table or doc string lines written under the example, if any.
    """

    phrase: str
    func: StepFunction
    section: str
    description: str
    example_keyword: str
    example_text: str
    example_block: tuple[str, ...] = ()
    matcher: LibraryStepMatcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", LibraryStepMatcher(self.func, self.phrase))

    @property
    def example(self) -> str:
        """The example as written in a feature file, attached table/doc string included."""
        block = (f"  {line}" for line in self.example_block)
        return "\n".join((f"{self.example_keyword} {self.example_text}", *block))

    @property
    def location(self) -> str:
        """`module:line` of the step function, for error messages and the catalogue."""
        code = self.func.__code__
        return f"{self.func.__module__}:{code.co_firstlineno}"

    def matches(self, step_text: str) -> bool:
        """Whether behave would run this definition for `step_text` (keyword removed)."""
        return bool(self.matcher.matches(step_text))

    @classmethod
    def from_function(
        cls, phrase: str, func: StepFunction, section: str, example: str | None = None
    ) -> StepDefinition:
        """Read description and example from `func`'s docstring; say what is wrong if not.

        `example` (`When I ...`, block lines indented below it) replaces the docstring's
        own `Example:` for a function declared under several phrases.
        """
        where = f"{func.__module__}.{func.__qualname__}"
        doc = inspect.getdoc(func)
        if not doc:
            raise UsageError(
                f'Library step "{phrase}" ({where}) has no docstring. Write a one-line '
                "description and one line `Example: When I ...` showing the step in use."
            )
        lines = doc.splitlines()
        if example is not None:
            lines = [lines[0], *f"Example: {example}".splitlines()]
        example_indexes = [i for i, line in enumerate(lines) if _EXAMPLE_LINE.match(line)]
        if len(example_indexes) != 1:
            raise UsageError(
                f'Library step "{phrase}" ({where}) must have exactly one `Example:` line '
                f"in its docstring, found {len(example_indexes)}."
            )
        index = example_indexes[0]
        found = _EXAMPLE_LINE.match(lines[index])
        assert found is not None
        keyword = found["keyword"]
        if keyword not in GHERKIN_KEYWORDS:
            raise UsageError(
                f'Library step "{phrase}" ({where}): the example starts with "{keyword}"; '
                f"start it with one of {', '.join(GHERKIN_KEYWORDS)}."
            )
        block: list[str] = []
        for line in lines[index + 1 :]:
            if not line.startswith((" ", "\t")) or not line.strip():
                break
            block.append(line.strip())
        return cls(
            phrase=phrase,
            func=func,
            section=section,
            description=lines[0].strip(),
            example_keyword=keyword,
            example_text=found["text"],
            example_block=tuple(block),
        )


# behave computes every match's location (a path made relative to the working folder)
# from its function, once per step run; a library function's location never changes.
_LOCATIONS: dict[tuple[StepFunction, str], Any] = {}


class _LibraryMatch(Match):  # type: ignore[misc]
    """A behave match that remembers the step text, so misuse errors can quote it."""

    def __init__(self, func: StepFunction, arguments: list[Any], step_text: str) -> None:
        super().__init__(func, arguments)
        self.step_text = step_text

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
            super().run(context)
            contract_failures.raise_recorded(context)
        except (UsageError, ConfigError) as error:
            contract_failures.raise_recorded(context, error)
            _mask_secrets(context, error)
            raise _for_the_reader(error, self.step_text) from None
        except BaseException as error:
            contract_failures.raise_recorded(context, error)
            _mask_secrets(context, error)
            raise
        finally:
            _current_step_text.reset(token)


def _for_the_reader(error: UsageError | ConfigError, step_text: str) -> Exception:
    """A usage or config error as its reader needs it: near-miss advice, no inner frames.

    A step that refused its input because it was written almost right (`is a list`) gets
    the advice that leads to the right phrase instead of the step's own complaint. behave
    prints an error's whole traceback (`Step.run` keeps `traceback.format_exc()` for any
    exception but an `AssertionError`); the frames inside asgibdd say nothing to the
    feature's author, so the traceback is cut here: behave's call and this re-raise remain
    (behave formats the traceback inside its own `except`, where nothing else can run).
    """
    hint = near_miss_hint(step_text, LIBRARY)
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

    def __init__(self, func: StepFunction, problem: str, step_text: str) -> None:
        super().__init__(func, [], step_text)
        self.problem = problem

    def run(self, context: Any) -> None:
        raise _for_the_reader(step_usage_error(self.problem, self.step_text), self.step_text)


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
        # The prefix's complete words (those followed by a space), for `_LibraryRun`.
        self.literal_words = tuple(self._prefix.split(" ")[:-1])

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
            return _RejectedFieldMatch(self.func, str(error), step_text)
        except NotImplementedError:
            raise
        except Exception as error:
            return MatchWithError(self.func, error)
        if arguments is None:
            return None
        return _LibraryMatch(self.func, arguments, step_text)

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


class StepLibrary:
    """The ordered set of library step definitions, installable into behave registries."""

    def __init__(self) -> None:
        self._definitions: list[StepDefinition] = []
        # registry -> how many definitions it has received; weak so old runs can go.
        self._installed: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    def __iter__(self) -> Iterator[StepDefinition]:
        return iter(self._definitions)

    def __len__(self) -> int:
        return len(self._definitions)

    def step(
        self, phrase: str, *others: tuple[str, str], section: str
    ) -> Callable[[StepFunction], StepFunction]:
        """Declare a library step; the function is returned unchanged.

        Each further `(phrase, example)` declares the same function under another phrase,
        documented by that example (its docstring's `Example:` documents `phrase`).
        Optional phrase parts (a name, ` within 2 seconds`) become keyword defaults.
        """

        def declare(func: StepFunction) -> StepFunction:
            self._add(StepDefinition.from_function(phrase, func, section))
            for other, example in others:
                self._add(StepDefinition.from_function(other, func, section, example))
            return func

        return declare

    def _add(self, definition: StepDefinition) -> None:
        for existing in self._definitions:
            if existing.phrase == definition.phrase:
                raise UsageError(
                    f'Library step "{definition.phrase}" is declared twice: in '
                    f"{existing.location} and in {definition.func.__module__}. Keep one."
                )
        self._definitions.append(definition)

    def install(self, registry: Any = None) -> None:
        """Add every library step to behave's step registries (or only to `registry`).

        Safe to call any number of times: each registry receives each definition once.
        """
        for target in [registry] if registry is not None else behave_registries():
            already = self._installed.get(target, -1)
            if already < 0:
                self._advise_undefined_steps(target)
            for definition in self._definitions[max(already, 0) :]:
                target.steps["step"].append(definition.matcher)
            self._installed[target] = len(self._definitions)

    def _advise_undefined_steps(self, registry: Any) -> None:
        """Make `registry` find steps faster and explain a step no definition matches: the
        run then shows what `asgibdd check` would say (what to write instead, or the
        closest library phrases).

        behave's `Step.run` asks `registry.find_match(step)` after resetting the step and,
        when nothing matches, reports the step as undefined through the formatters and the
        JUnit reporter, which print `step.error_message` and `step.exception` when set.
        Replacing `find_match` of this registry is the one place to set them. The
        replacement finds the very definition behave's would (`_OrderedFinder`), and the
        step stays undefined when none matches.
        """
        if getattr(registry, "find_match", None) is None:  # not a behave registry (a stand-in)
            return
        finder = _OrderedFinder(registry)

        def find_match_or_advise(step: Any) -> Any:
            match = finder.find(step.step_type, step.name)
            if match is None:
                message = undefined_step_message(step.keyword, step.step_type, step.name, self)
                step.error_message = message
                step.exception = UsageError(message)
            return match

        registry.find_match = find_match_or_advise

    def matching(self, step_text: str) -> list[StepDefinition]:
        """Every definition that matches `step_text` (keyword removed)."""
        return [d for d in self._definitions if d.matches(step_text)]


class _LibraryRun:
    """Consecutive library matchers of one registry list, tried as behave would try them
    one by one, but only those whose literal first words fit the text.

    A matcher whose phrase starts with the words `the json at` can only match a text
    whose first two words (case-folded) are `the json`; a phrase starting with a field
    fits any text. Each text is matched against the fitting matchers in their original
    order, so the first match is the one behave's loop would have returned.
    """

    def __init__(self, matchers: list[LibraryStepMatcher]) -> None:
        self._by_two: dict[tuple[str, str], list[int]] = {}
        self._by_one: dict[str, list[int]] = {}
        self._any: list[int] = []
        for position, matcher in enumerate(matchers):
            words = matcher.literal_words
            if len(words) >= 2:
                self._by_two.setdefault((words[0], words[1]), []).append(position)
            elif words:
                self._by_one.setdefault(words[0], []).append(position)
            else:
                self._any.append(position)
        self._matchers = matchers
        self._second_words: dict[str, set[str]] = {first: set() for first, _ in self._by_two}
        for first, second in self._by_two:
            self._second_words[first].add(second)
        self._fitting: dict[tuple[str | None, str | None], tuple[LibraryStepMatcher, ...]] = {}

    def _candidates(self, text: str) -> tuple[LibraryStepMatcher, ...]:
        words = text.casefold().split(" ", 2)
        # A word no phrase starts with is None: the cache keys are the library's own words.
        first: str | None = words[0]
        if first not in self._by_one and first not in self._second_words:
            first = None
        known_seconds = self._second_words.get(first, ()) if first is not None else ()
        second = words[1] if len(words) > 1 and words[1] in known_seconds else None
        key = (first, second)
        fitting = self._fitting.get(key)
        if fitting is None:
            positions = [*self._any]
            if first is not None:
                positions += self._by_one.get(first, ())
            if first is not None and second is not None:
                positions += self._by_two[(first, second)]
            fitting = tuple(self._matchers[p] for p in sorted(positions))
            self._fitting[key] = fitting
        return fitting

    def match(self, text: str) -> Match | None:
        for matcher in self._candidates(text):
            result = matcher.match(text)
            if result:
                return result
        return None


class _OrderedFinder:
    """behave's `StepRegistry.find_match`, with the library's matchers looked up by their
    first words instead of tried one by one (most steps a suite runs are library steps,
    and behave would try ~200 phrases on each).

    The candidates are behave's: the keyword's own definitions, then the keyword-free
    ones, in registration order; each run of consecutive library matchers becomes a
    `_LibraryRun`. The plan is rebuilt when a list grows (behave only appends).
    """

    def __init__(self, registry: Any) -> None:
        self._registry = registry
        self._plans: dict[str, tuple[tuple[int, int], list[Any]]] = {}

    def _plan(self, step_type: str) -> list[Any]:
        steps = self._registry.steps
        own: list[Any] = steps[step_type]
        shared: list[Any] = steps["step"] if step_type != "step" else []
        size = (len(own), len(shared))
        known = self._plans.get(step_type)
        if known is not None and known[0] == size:
            return known[1]
        plan: list[Any] = []
        run: list[LibraryStepMatcher] = []
        for candidate in [*own, *shared]:
            if type(candidate) is LibraryStepMatcher:
                run.append(candidate)
                continue
            if run:
                plan.append(_LibraryRun(run))
                run = []
            plan.append(candidate)
        if run:
            plan.append(_LibraryRun(run))
        self._plans[step_type] = (size, plan)
        return plan

    def find(self, step_type: str, text: str) -> Any:
        for candidate in self._plan(step_type):
            result = candidate.match(text)
            if result:
                return result
        return None


LIBRARY = StepLibrary()
library_step = LIBRARY.step


@dataclass(frozen=True)
class CheckStep:
    """A library step named inside another step (`... until <check>`), run on demand."""

    definition: StepDefinition

    def run(self, context: Any, text: str) -> None:
        """Run the check on `context`, as behave would for a step with this `text`."""
        match = self.definition.matcher.match(text)
        assert match is not None  # `check_step` found it by matching this very text
        match.run(context)


def check_step(text: str) -> CheckStep:
    """The library check step that `text` names; `UsageError` naming the step if none.

    A request step is refused: a check must only look at the response.
    """
    found = [d for d in LIBRARY.matching(text) if d.section not in REQUEST_SECTIONS]
    if not found:
        raise step_usage_error(
            f'names the check "{text}", which is no check step of the library. Write a '
            'Then step after "until", e.g. until the JSON at "$.state" is "done".'
        )
    return CheckStep(found[0])


#: Sections whose steps send requests or set them up: not checks.
REQUEST_SECTIONS = ("Requests", "Request settings")
