from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from behave import step_registry
from behave.matchers import ParseMatcher, get_step_matcher_factory
from behave.runner_util import reset_runtime

from asgibdd.errors import UsageError
from asgibdd.steps import install_steps
from asgibdd.steps.advice import accepted_alternative
from asgibdd.steps.registry import LIBRARY, StepDefinition, StepLibrary
from asgibdd.steps.types import STEP_TYPES, parse_duration, unquote


@pytest.fixture(autouse=True)
def fresh_behave_runtime() -> Iterator[None]:
    reset_runtime()
    yield
    reset_runtime()


class FakeStep:
    def __init__(self, name: str, step_type: str = "when") -> None:
        self.name = name
        self.step_type = step_type
        self.keyword = step_type.capitalize() if step_type != "step" else "*"
        self.error_message: str | None = None
        self.exception: BaseException | None = None


def library_steps_in(registry: Any) -> list[Any]:
    return [matcher for matcher in registry.steps["step"] if matcher in _library_matchers()]


def _library_matchers() -> list[Any]:
    return [definition.matcher for definition in LIBRARY]


def test_installing_adds_every_library_step_once_per_registry() -> None:
    install_steps()
    install_steps()
    registry = step_registry.registry
    assert len(library_steps_in(registry)) == len(LIBRARY) > 0


def test_library_survives_a_runtime_reset_when_installed_again() -> None:
    install_steps()
    reset_runtime()
    assert library_steps_in(step_registry.registry) == []
    install_steps()
    assert len(library_steps_in(step_registry.registry)) == len(LIBRARY)


def test_star_import_installs_into_the_current_registry_every_time() -> None:
    namespace: dict[str, Any] = {}
    exec("from asgibdd.steps import *", namespace)
    reset_runtime()
    exec("from asgibdd.steps import *", namespace)
    assert len(library_steps_in(step_registry.registry)) == len(LIBRARY)
    assert namespace["asgibdd_steps"] is LIBRARY


def test_library_reaches_the_registry_behave_runner_matches_against() -> None:
    # behave 1.3's runner matches against the registry of its import time, not the one
    # reset_runtime() installs; the library must be in both.
    from behave import runner

    install_steps()
    assert len(library_steps_in(runner.the_step_registry)) == len(LIBRARY)
    assert len(library_steps_in(step_registry.registry)) == len(LIBRARY)


def test_installing_leaves_behave_matcher_and_types_alone() -> None:
    factory = get_step_matcher_factory()
    before = factory.current_matcher
    install_steps()
    assert factory.current_matcher is before
    assert not ParseMatcher.has_registered_type("Path")
    assert not ParseMatcher.has_registered_type("Quoted")


def test_library_steps_match_after_any_keyword() -> None:
    install_steps()
    for keyword in ("given", "when", "then"):
        found = step_registry.registry.find_match(FakeStep("I GET /items", keyword))
        assert found is not None and found.func.__name__ == "request_without_body"


def test_a_project_step_with_the_same_phrase_wins_over_the_library() -> None:
    install_steps()

    @step_registry.when("I GET /items")
    def project_step(context: Any) -> None:
        pass

    found = step_registry.registry.find_match(FakeStep("I GET /items"))
    assert found is not None and found.func is project_step


def test_quoted_fields_undo_escaped_quotes() -> None:
    install_steps()
    found = step_registry.registry.find_match(
        FakeStep(r'the request header "X-Quote" is "say \"hi\""', "given")
    )
    assert found is not None
    assert {argument.name: argument.value for argument in found.arguments} == {
        "name": "X-Quote",
        "value": 'say "hi"',
    }


def test_unquoting_undoes_only_escaped_quotes_and_backslashes() -> None:
    assert unquote(r'"say \"hi\""') == 'say "hi"'
    assert unquote(r'"C:\\temp"') == "C:\\temp"
    assert unquote(r'"^\d+\.\d*$"') == r"^\d+\.\d*$"
    assert unquote(r'"a\nb"') == r"a\nb"


def test_durations_are_read_in_seconds_or_milliseconds() -> None:
    duration = STEP_TYPES["Duration"]
    assert duration("2 seconds") == 2.0
    assert duration("1 second") == 1.0
    assert duration("0.5 seconds") == 0.5
    assert duration("500 ms") == 0.5
    assert duration("250ms") == 0.25


def test_durations_are_read_in_minutes_hours_and_days_too() -> None:
    assert [parse_duration(t) for t in ("2 minutes", "1 min", "2 hours", "1 day")] == [
        120.0,
        60.0,
        7200.0,
        86400.0,
    ]


@pytest.mark.parametrize("text", ["0 seconds", "2 fortnights", "soon", "-1 s"])
def test_a_duration_that_is_not_a_time_above_zero_is_refused(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_duration(text)
    assert str(raised.value) == (
        f'has the duration "{text}", which is not a time above zero. Write it like '
        '"2 seconds", "500 ms", "5 minutes", "2 hours" or "1 day".'
    )


def test_event_counts_read_in_the_singular_and_the_plural() -> None:
    events = STEP_TYPES["Events"]
    assert events("1 event") == 1
    assert events("3 events") == 3


def test_a_rejected_field_runs_as_a_usage_error_naming_the_step() -> None:
    install_steps()
    text = "I receive no message within 0 seconds"
    found = step_registry.registry.find_match(FakeStep(text, "then"))
    assert found is not None
    with pytest.raises(UsageError) as raised:
        found.run(context=None)
    assert str(raised.value) == (
        f'The step "{text}" has the duration "0 seconds", which is not a time above zero. '
        'Write it like "2 seconds", "500 ms", "5 minutes", "2 hours" or "1 day".'
    )


def documented(phrase: str, doc: str | None) -> StepDefinition:
    def func(context: Any) -> None:
        pass

    func.__doc__ = doc
    return StepDefinition.from_function(phrase, func, "Tests")


def test_a_step_without_a_docstring_is_refused() -> None:
    with pytest.raises(UsageError, match=r'^Library step "I nap" \(.*func\) has no docstring\.'):
        documented("I nap", None)


def test_a_step_with_two_examples_is_refused() -> None:
    with pytest.raises(UsageError) as raised:
        documented("I nap", "Nap.\n\nExample: When I nap\nExample: When I nap")
    assert str(raised.value).endswith(
        "must have exactly one `Example:` line in its docstring, found 2."
    )


def test_example_block_is_the_indented_lines_under_the_example() -> None:
    definition = documented(
        "the things:",
        "Things.\n\nExample: Given the things:\n"
        "    | name | value |\n    | a    | 1     |\n\nMore.",
    )
    assert definition.example == "Given the things:\n  | name | value |\n  | a    | 1     |"


def test_declaring_the_same_phrase_twice_is_refused() -> None:
    library = StepLibrary()

    def first(context: Any) -> None:
        """First.

        Example: When I nap
        """

    library.step("I nap", section="Tests")(first)
    with pytest.raises(UsageError, match=r'^Library step "I nap" is declared twice'):
        library.step("I nap", section="Tests")(first)


def _outcome(match: Any) -> Any:
    """What a match runs: its kind, its function and its arguments."""
    if match is None:
        return None
    return type(match), match.func, [(a.name, a.value) for a in match.arguments or ()]


def test_the_registry_finds_the_very_definition_behave_s_own_search_would() -> None:
    """The indexed search (`_OrderedFinder`) against behave's loop over every definition,
    with the project's steps registered before and after the library and a step type of
    their own, on every catalogue example, near misses and case changes."""

    @step_registry.then("the JSON at {path} is in stock")
    def before_library(context: Any, path: str) -> None:
        pass

    @step_registry.step("I wait for the queue")
    def generic_before(context: Any) -> None:
        pass

    install_steps()

    @step_registry.when("I {verb} the {thing} twice")
    def after_library(context: Any, verb: str, thing: str) -> None:
        pass

    registry = step_registry.registry
    texts = [definition.example_text for definition in LIBRARY]
    texts += [text.upper() for text in texts[::7]] + [text.lower() for text in texts[::5]]
    texts += [text + " please" for text in texts[::3]] + [text[:-3] for text in texts[::4]]
    texts += [
        'the JSON at "$.id" is in stock',
        "I wait for the queue",
        "I GET the page twice",
        "I wait 2 seconds",
        "",
        "   ",
        "the",
        "the JSON at",
        'the JSON at "$.a" is',
        "nothing like any phrase",
    ]
    compared = 0
    for text in texts:
        for step_type in ("given", "when", "then", "step"):
            step = FakeStep(text, step_type)
            expected = type(registry).find_match(registry, step)
            found = registry.find_match(step)
            if expected is None and found is not None:
                # Nothing matches the text itself: it runs as the phrase it means exactly.
                alternative = accepted_alternative(text, step_type, LIBRARY)
                assert alternative is not None, (text, step_type)
                expected = type(registry).find_match(registry, FakeStep(alternative, step_type))
            assert _outcome(found) == _outcome(expected), (text, step_type)
            compared += expected is not None
    assert compared > 4 * len(LIBRARY)  # most texts do match something


def test_overlapping_phrases_are_tried_in_registration_order() -> None:
    """Several phrases that match one text: the first registered wins, as in behave, be it a
    library phrase, a project phrase between library ones, or a phrase starting with a
    field (which no first-word index can file)."""
    from behave.step_registry import StepRegistry

    from asgibdd.steps.behave_adapter import LibraryStepMatcher
    from asgibdd.steps.match_index import OrderedFinder

    def func(name: str) -> Any:
        def run(context: Any, **fields: Any) -> None:
            pass

        run.__name__ = name
        return run

    phrases = [
        ("library", "the thing is {value}"),
        ("library", "{anything} is red"),
        ("project", "the thing {rest}"),
        ("library", "the thing is red"),
        ("library", "the {what} is red"),
        ("library", "THE THING {rest} red"),
    ]
    texts = ["the thing is red", "The Thing Is Red", "a car is red", "the thing is blue", "the x"]
    for rotation in range(len(phrases)):
        order = phrases[rotation:] + phrases[:rotation]
        registry = StepRegistry()
        for number, (kind, phrase) in enumerate(order):
            maker = LibraryStepMatcher if kind == "library" else ParseMatcher
            registry.steps["step"].append(maker(func(f"{kind}{number}"), phrase))
        finder = OrderedFinder(registry)
        for text in texts:
            for step_type in ("given", "step"):
                expected = type(registry).find_match(registry, FakeStep(text, step_type))
                found = finder.find(step_type, text)
                assert _outcome(found) == _outcome(expected), (order, text)


def test_the_search_remembers_no_more_than_the_library_s_own_first_words() -> None:
    from behave.step_registry import StepRegistry

    from asgibdd.steps.match_index import LibraryRun, OrderedFinder

    registry = StepRegistry()
    install_steps(registry)
    finder = OrderedFinder(registry)
    finder.find("then", 'the JSON at "$.a" is 1')
    (run,) = [entry for entry in finder._plan("then") if isinstance(entry, LibraryRun)]
    before = len(run._fitting)
    for number in range(500):
        assert finder.find("then", f"word{number} is not a phrase") is None
    assert len(run._fitting) <= before + 1  # every unknown first word shares one entry
