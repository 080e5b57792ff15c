"""asgibdd's own step registry: the library's step definitions, in order.

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

Three modules share the work: the definitions (here), the behave adapter
(`steps/behave_adapter.py`: the matcher behave runs and the match that runs a step,
with the advice for a step written almost right) and the match index
(`steps/match_index.py`: a step text's definition found by its first words, and the
advice for an undefined step).
"""

from __future__ import annotations

import inspect
import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from asgibdd.errors import UsageError
from asgibdd.steps.behave_adapter import (
    LibraryStepMatcher,
    StepFunction,
    behave_registries,
    current_step_text,
    step_usage_error,
)
from asgibdd.steps.match_index import advise_undefined_steps

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

GHERKIN_KEYWORDS = ("Given", "When", "Then", "And", "But")
_EXAMPLE_LINE = re.compile(r"^\s*Example:\s*(?P<keyword>\w+)\s+(?P<text>.+?)\s*$")


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
        definition.matcher.library = self
        self._definitions.append(definition)

    def install(self, registry: Any = None) -> None:
        """Add every library step to behave's step registries (or only to `registry`).

        Safe to call any number of times: each registry receives each definition once.
        """
        for target in [registry] if registry is not None else behave_registries():
            already = self._installed.get(target, -1)
            if already < 0:
                advise_undefined_steps(target, self)
            for definition in self._definitions[max(already, 0) :]:
                target.steps["step"].append(definition.matcher)
            self._installed[target] = len(self._definitions)

    def uninstall(self) -> None:
        """Take the library out of every registry it was installed into: its steps, and
        the `find_match` that advises on undefined steps (behave's own is back). A later
        `install()` (the step files of the next run) puts them in again."""
        matchers = {id(definition.matcher) for definition in self._definitions}
        for registry in list(self._installed.keys()):
            shared = registry.steps["step"]
            shared[:] = [matcher for matcher in shared if id(matcher) not in matchers]
            vars(registry).pop("find_match", None)
            del self._installed[registry]

    def matching(self, step_text: str) -> list[StepDefinition]:
        """Every definition that matches `step_text` (keyword removed)."""
        return [d for d in self._definitions if d.matches(step_text)]


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
