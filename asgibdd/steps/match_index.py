"""The library's matchers looked up by their first words, as behave would try them.

behave tries every definition of a registry on every step, in registration order; most
steps a suite runs are library steps, and behave would try ~200 phrases on each.
`OrderedFinder` finds the very definition behave's `find_match` would, faster, and
`advise_undefined_steps` puts it in a registry's place together with the advice for a
step no definition matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from behave.matchers import Match

from asgibdd.errors import UsageError
from asgibdd.steps.advice import Phrase, accepted_alternative, undefined_step_message
from asgibdd.steps.behave_adapter import LibraryStepMatcher

__all__ = ["LibraryRun", "OrderedFinder", "advise_undefined_steps"]


class LibraryRun:
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


class OrderedFinder:
    """behave's `StepRegistry.find_match`, with the library's matchers looked up by their
    first words instead of tried one by one (most steps a suite runs are library steps,
    and behave would try ~200 phrases on each).

    The candidates are behave's: the keyword's own definitions, then the keyword-free
    ones, in registration order; each run of consecutive library matchers becomes a
    `LibraryRun`. The plan is rebuilt when a list grows (behave only appends).
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
                plan.append(LibraryRun(run))
                run = []
            plan.append(candidate)
        if run:
            plan.append(LibraryRun(run))
        self._plans[step_type] = (size, plan)
        return plan

    def find(self, step_type: str, text: str) -> Any:
        for candidate in self._plan(step_type):
            result = candidate.match(text)
            if result:
                return result
        return None


def advise_undefined_steps(registry: Any, library: Iterable[Phrase]) -> None:
    """Make `registry` find steps faster and explain a step no definition matches: the
    run then shows what `asgibdd check` would say (what to write instead, or the
    closest library phrases).

    behave's `Step.run` asks `registry.find_match(step)` after resetting the step and,
    when nothing matches, reports the step as undefined through the formatters and the
    JUnit reporter, which print `step.error_message` and `step.exception` when set.
    Replacing `find_match` of this registry is the one place to set them. The
    replacement finds the very definition behave's would (`OrderedFinder`). When none
    matches, a step that means exactly a library phrase (`Then the response status should
    be 201`, see `advice.accepted_alternative`) runs as that phrase; any other step stays
    undefined, with the advice.
    """
    if getattr(registry, "find_match", None) is None:  # not a behave registry (a stand-in)
        return
    finder = OrderedFinder(registry)

    def find_match_or_advise(step: Any) -> Any:
        match = finder.find(step.step_type, step.name)
        if match is None:
            alternative = accepted_alternative(step.name, step.step_type, library)
            if alternative is not None:
                match = finder.find(step.step_type, alternative)
                if match is not None:
                    _place_arguments(match, step.name)
        if match is None:
            message = undefined_step_message(step.keyword, step.step_type, step.name, library)
            step.error_message = message
            step.exception = UsageError(message)
        return match

    registry.find_match = find_match_or_advise


def _place_arguments(match: Any, written: str) -> None:
    """Point the arguments of a match made on another text (the phrase a step means) at
    where they stand in the step as written, or nowhere: behave's pretty formatter uses
    the positions to print the step, and would cut the written text at the wrong places."""
    position = 0
    for argument in match.arguments or ():
        found = written.find(argument.original, position) if argument.original else -1
        if found < 0:
            argument.start = argument.end = 0
            continue
        argument.start, argument.end = found, found + len(argument.original)
        position = argument.end
