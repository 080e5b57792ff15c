"""asgibdd.behave_speedups gives behave's bookkeeping the same answers, only cheaper."""

from __future__ import annotations

import inspect
import subprocess
import sys
import traceback
import warnings

from behave.configuration import Configuration
from behave.runner import Context

from asgibdd import behave_speedups
from asgibdd.behave_speedups import lazy_extract_stack


def _nested(depth: int, limit: int | None) -> tuple[traceback.StackSummary, traceback.StackSummary]:
    if depth:
        return _nested(depth - 1, limit)
    return traceback.extract_stack(limit=limit), lazy_extract_stack(limit=limit)


def test_the_lazy_stack_names_the_same_frames_and_lines_as_extract_stack() -> None:
    for limit in (1, 2, 5, None):
        eager, lazy = _nested(3, limit)
        # The calls sit on different lines of _nested's last line; compare all but that.
        assert [tuple(frame)[:3] for frame in lazy[:-1]] == [tuple(f)[:3] for f in eager[:-1]]
        assert [frame.line for frame in lazy[:-1]] == [frame.line for frame in eager[:-1]]
        assert lazy[-1].name == eager[-1].name == "_nested"
        assert lazy[-1].line == eager[-1].line  # the same source line, read when asked
        assert len(lazy) == len(eager)


_STATUS_CHECK = """
from behave.model_type import Status

from asgibdd import behave_speedups
from asgibdd.behave_speedups import STATUS_TESTS

before = {name: [getattr(Status, name)(member) for member in Status] for name in STATUS_TESTS}
behave_speedups.install()
behave_speedups.install()  # a second install changes nothing
after = {name: [getattr(Status, name)(member) for member in Status] for name in STATUS_TESTS}
replaced = [name for name in STATUS_TESTS if getattr(getattr(Status, name), "_asgibdd_speedup", 0)]
print(before == after, len(replaced), sum(map(sum, before.values())))
"""


def test_every_status_test_answers_as_behave_s_own_for_every_member() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _STATUS_CHECK], capture_output=True, text=True, check=True
    )
    same, replaced, answers_yes = done.stdout.split()
    assert same == "True"
    assert int(replaced) == 9
    assert int(answers_yes) > 9  # the tests do say yes for some members


class _Runner:
    """All a behave `Context` needs of its runner."""

    def __init__(self) -> None:
        self.config = Configuration(command_args=[], load_config=False)


def test_behave_still_says_where_a_masked_context_attribute_was_first_set() -> None:
    behave_speedups.install()
    runner = _Runner()
    context = Context(runner)
    context._push("feature")
    with context.use_with_user_mode():
        context.color = "red"  # the line the warning names
    line = inspect.currentframe().f_lineno - 1  # type: ignore[union-attr]
    context._push("scenario")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        context.color = "blue"  # behave's own mode: it masks what the project set
    assert [str(warning.message) for warning in caught] == [
        "behave runner is masking context attribute 'color' originally set in "
        f'context.color = "red"  # the line the warning names ({__file__}:{line})'
    ]
