"""behave's model kept small (`asgibdd.behave_model`): elements share empty capture objects
until they run, a finished feature gives back what nobody reads, and behave's own
formatters write exactly what they write without it."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from behave.parser import parse_feature

from asgibdd import behave_model
from asgibdd.testing import write_project
from tests.behave_project import HOOKS_LINE, STEPS_LINE

FEATURE_TEXT = """
Feature: small

  Scenario: one
    Given a step
    When another step
"""


@pytest.fixture
def installed() -> Iterator[None]:
    behave_model.install()
    try:
        yield
    finally:
        behave_model.uninstall()


def _elements(feature: object) -> list[object]:
    scenario = feature.scenarios[0]  # type: ignore[attr-defined]
    return [feature, scenario, *scenario.steps]


def test_parsed_elements_share_one_empty_capture_until_asked(installed: None) -> None:
    feature = parse_feature(FEATURE_TEXT)
    elements = _elements(feature)
    shared = {id(element._captured) for element in elements}  # type: ignore[attr-defined]
    assert len(shared) == 1
    step = elements[-1]
    own = step.captured  # type: ignore[attr-defined]
    assert own is not elements[0]._captured  # type: ignore[attr-defined]
    assert step.capture_sink.collector is own  # type: ignore[attr-defined]
    assert step.captured is own  # type: ignore[attr-defined]


def test_a_finished_feature_gives_back_empty_captures_and_tracebacks_keeps_the_rest(
    installed: None,
) -> None:
    from behave.capture import Captured

    feature = parse_feature(FEATURE_TEXT)
    feature_element, _scenario, first, second = _elements(feature)
    first.captured.reset()  # type: ignore[attr-defined]  # as a step that runs does
    second.captured.add_captured(Captured(stdout="printed"))  # type: ignore[attr-defined]
    try:
        raise ValueError("boom")
    except ValueError as error:
        second.store_exception_context(error)  # type: ignore[attr-defined]
        second.error_message = "boom"  # type: ignore[attr-defined]
    behave_model.release(feature)
    shared = feature_element._captured  # type: ignore[attr-defined]
    assert first._captured is shared  # type: ignore[attr-defined]
    assert second.captured.stdout == "printed"  # type: ignore[attr-defined]
    assert second.exc_traceback is None  # type: ignore[attr-defined]
    assert second.exception.__traceback__ is None  # type: ignore[attr-defined]
    assert (str(second.exception), second.error_message) == ("boom", "boom")  # type: ignore[attr-defined]


def test_steps_share_one_string_per_keyword() -> None:
    feature = parse_feature(FEATURE_TEXT.replace("When another", "Given another"))
    first, second = feature.scenarios[0].steps
    assert first.keyword == second.keyword == "Given"
    assert first.keyword is not second.keyword  # behave's parser makes one per step
    behave_model.share_keywords([feature])
    assert first.keyword is second.keyword


def test_steps_parsed_while_installed_share_their_keywords_as_they_are_parsed(
    installed: None,
) -> None:
    text = FEATURE_TEXT.replace("When another", "Given another") + "    And a third\n"
    first, second, third = parse_feature(text).scenarios[0].steps
    assert first.keyword == second.keyword == "Given"
    assert first.keyword is second.keyword
    assert (third.keyword, third.step_type) == ("And", "given")


def test_uninstall_puts_behave_back_and_installing_twice_changes_nothing() -> None:
    from behave import capture, model_core, model_type

    behave_model.install()
    lazy = vars(model_core.BasicStatement)["captured"]
    behave_model.install()
    assert vars(model_core.BasicStatement)["captured"] is lazy
    behave_model.uninstall()
    assert type(vars(model_core.BasicStatement)["captured"]) is property
    assert type(vars(model_core.BasicStatement)["capture_sink"]) is property
    assert model_core.ManyCaptured is capture.ManyCaptured
    assert model_core.CaptureSinkAsCollector is capture.CaptureSinkAsCollector
    assert model_core.make_relpath_if_possible is model_type.make_relpath_if_possible
    first, second = (
        parse_feature(FEATURE_TEXT.replace("When another", "Given another")).scenarios[0].steps
    )
    assert first.keyword is not second.keyword
    assert parse_feature(FEATURE_TEXT).captured is not None


# -- behave's own formatters write the same with and without ---------------------------------

# Runs behave in-process, with the small model ("on") or without it ("off"), and says how
# many elements a finished feature gave back.
DRIVER = """
import os, sys
from asgibdd import behave_model

released = []
if sys.argv[1] == "off":
    behave_model.install = lambda: None
    behave_model.release = lambda feature: None
    behave_model.share_keywords = lambda features: None
else:
    release = behave_model.release

    def counting(feature):
        released.append(feature)
        release(feature)

    behave_model.release = counting
walked = []
share_keywords = behave_model.share_keywords
behave_model.share_keywords = lambda features: walked.append(share_keywords(features))
from behave.__main__ import main

code = main(sys.argv[2:])
os.write(2, f"features released: {len(released)}\\n".encode())
os.write(2, f"keywords shared after the parse: {len(walked)}\\n".encode())
sys.exit(code)
"""

STEPS = """
from behave import given, then, when


@given("a table")
def a_table(context):
    assert context.table is not None


@when("a docstring")
def a_docstring(context):
    assert context.text


@then("it prints {text} and fails")
def prints_and_fails(context, text):
    print(f"printed: {text}")
    raise AssertionError(f"failed on {text}")


@then("a bug")
def a_bug(context):
    return {}["missing"]
"""

FEATURES = {
    "features/one.feature": '''
        Feature: one

          Background:
            Given the request header "X-Trace" is "1"

          Scenario: passes with a table and a docstring
            Given a table
              | name  | price |
              | apple | 3     |
            When a docstring
              """
              some text
              """
            When I GET /items
            Then the response status is 200

          Scenario Outline: rows
            When I GET /items
            Then the response status is <status>

            Examples:
              | status |
              | 200    |
              | 404    |

          Scenario: fails and prints
            Then it prints hello and fails

          Scenario: a bug
            Then a bug

          Scenario: a usage error
            When I GET /items
            Then the JSON at "$.count" is "#nonsense"
    ''',
    "features/two.feature": """
        @tagged
        Feature: two

          Scenario: undefined
            Then nothing defines this

          Scenario: passes
            When I GET /items
    """,
    "features/three.feature": """
        Feature: three

          Scenario: passes too
            When I GET /health
    """,
}

FORMATS = {
    "pretty": ["-f", "pretty", "--no-timings", "-o", "pretty.txt"],
    "plain": ["-f", "plain", "--no-timings", "-o", "plain.txt"],
    "progress": ["-f", "progress", "-o", "progress.txt"],
    "json": ["-f", "json", "-o", "report.json"],
    "junit": ["--junit", "--junit-directory", "junit"],
}


def _run(folder: Path, mode: str) -> tuple[dict[str, str], str]:
    options = [option for format_options in FORMATS.values() for option in format_options]
    done = subprocess.run(
        [
            sys.executable,
            "driver.py",
            mode,
            "features/",
            "--no-color",
            "-D",
            "asgibdd.app=asgibdd.demo:app",
            *options,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = {
        path.relative_to(folder).as_posix(): _steady(path.read_text())
        for path in sorted([*folder.glob("*.txt"), *folder.glob("*.json"), *folder.glob("junit/*")])
    }
    return outputs, done.stderr


def _steady(text: str) -> str:
    """Without what differs from one run to the next: times, durations, the host."""
    text = re.sub(r'"duration": [\d.e-]+', '"duration": D', text)
    text = re.sub(r'time="[\d.]+"', 'time="T"', text)
    text = re.sub(r'timestamp="[^"]+"', 'timestamp="T"', text)
    text = re.sub(r'hostname="[^"]+"', 'hostname="H"', text)
    return re.sub(r" in \d+\.\d+s", " in Ts", text)


def test_behaves_formatters_write_the_same_with_and_without_the_small_model(
    tmp_path: Path,
) -> None:
    outputs = {}
    for mode in ("on", "off"):
        folder = tmp_path / mode
        write_project(
            folder,
            {
                "driver.py": DRIVER,
                "environment.py": HOOKS_LINE,
                "steps/library.py": STEPS_LINE,
                "steps/own.py": STEPS,
                **FEATURES,
            },
        )
        outputs[mode] = _run(folder, mode)
    (on, on_said), (off, off_said) = outputs["on"], outputs["off"]
    assert "features released: 2\n" in on_said  # each feature, when the next one starts
    assert "features released: 0\n" in off_said
    # The star import made the model small before behave parsed: nothing to walk again.
    assert "keywords shared after the parse: 0\n" in on_said
    assert "keywords shared after the parse: 1\n" in off_said  # not small at the parse
    assert sorted(on) == [
        "junit/TESTS-one.xml",
        "junit/TESTS-three.xml",
        "junit/TESTS-two.xml",
        "plain.txt",
        "pretty.txt",
        "progress.txt",
        "report.json",
    ]
    assert "printed: hello" in on["junit/TESTS-one.xml"]  # captured output is kept
    assert "KeyError: 'missing'" in on["plain.txt"]  # and tracebacks, until released
    for name, text in on.items():
        assert text == off[name], name
