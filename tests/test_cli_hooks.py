"""`asgibdd init` adds asgibdd's hook calls to a team's environment.py, or says what to add."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from asgibdd.cli import main
from asgibdd.cli._hooks import merge_hooks
from asgibdd.testing import write_project


def merged(source: str) -> str | None:
    return merge_hooks(textwrap.dedent(source).lstrip("\n")).text


def test_calls_go_first_in_existing_hooks_after_a_docstring_and_missing_hooks_are_added() -> None:
    assert merged(
        '''
        from shop import db


        def before_all(context):
            """Connect."""
            context.db = db.connect()


        def after_scenario(ctx, scenario):
            ctx.db.rollback()
        '''
    ) == textwrap.dedent(
        '''\
        from shop import db
        from asgibdd import environment as asgibdd


        def before_all(context):
            """Connect."""
            asgibdd.before_all(context)
            context.db = db.connect()


        def after_scenario(ctx, scenario):
            asgibdd.after_scenario(ctx, scenario)
            ctx.db.rollback()


        def before_feature(context, feature):
            asgibdd.before_feature(context, feature)


        def before_scenario(context, scenario):
            asgibdd.before_scenario(context, scenario)
        '''
    )


@pytest.mark.parametrize(
    "source",
    [
        "from asgibdd.environment import *  # noqa: F403\n",
        "from asgibdd import environment as asgibdd\n\n"
        + "".join(
            f"def {hook}(context, x):\n    asgibdd.{hook}(context, x)\n\n"
            for hook in ("before_feature", "before_scenario", "after_scenario")
        )
        + "def before_all(context):\n    asgibdd.before_all(context)\n",
        "import asgibdd.environment\n"
        "from asgibdd.environment import before_all, before_feature as bf\n"
        "def before_feature(context, feature):\n    bf(context, feature)\n"
        "def before_scenario(context, scenario):\n"
        "    asgibdd.environment.before_scenario(context, scenario)\n"
        "def after_scenario(context, scenario):\n"
        "    asgibdd.environment.after_scenario(context, scenario)\n",
    ],
    ids=["star import", "alias calls", "dotted and imported calls"],
)
def test_hooks_that_already_call_asgibdd_are_left_alone(source: str) -> None:
    assert merge_hooks(source).text is None
    assert merge_hooks(source).problem is None


def test_a_taken_name_gets_another_alias() -> None:
    text = merged("asgibdd = 'our own variable'\n")
    assert text is not None
    assert text.startswith(
        "from asgibdd import environment as asgibdd_hooks\n\n\nasgibdd = 'our own variable'\n"
    )
    assert "    asgibdd_hooks.before_all(context)\n" in text


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def before_all(context): pass\n", "before_all is written on one line"),
        (
            "async def before_all(context):\n    pass\n",
            "before_all is not a plain function (def before_all(...))",
        ),
        ("before_all = make_hook()\n", "before_all is not a plain function (def before_all(...))"),
        (
            "def before_all(context, *rest):\n    pass\n",
            "before_all takes (context), not 1 plain argument(s)",
        ),
        (
            "def before_all(context):\n    pass\ndef before_all(context):\n    pass\n",
            "before_all is bound 2 times",
        ),
        ("def before_all(:\n", "it does not parse: invalid syntax (line 1)"),
        (
            "if True:\n    def before_all(context):\n        pass\n",
            "before_all is defined inside a block",
        ),
    ],
)
def test_a_file_that_cannot_be_merged_safely_is_not_changed(source: str, problem: str) -> None:
    assert merge_hooks(source) == type(merge_hooks(source))(None, (), problem)


def test_init_changes_nothing_and_says_what_to_add_when_it_cannot_merge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    hooks = "async def before_all(context):\n    pass\n"
    write_project(tmp_path, {"features/environment.py": hooks})
    assert main(["init", str(tmp_path), "--app", "asgibdd.demo:app"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "asgibdd init: error: features/environment.py cannot be changed safely (before_all is "
        "not a plain function (def before_all(...))), so init changed nothing.",
        "Add asgibdd to features/environment.py by hand: import it with",
        "    from asgibdd import environment as asgibdd",
        "and call its helper first in each of these hooks (define the ones you lack):",
        "    def before_all(context): asgibdd.before_all(context)",
        "    def before_feature(context, feature): asgibdd.before_feature(context, feature)",
        "    def before_scenario(context, scenario): asgibdd.before_scenario(context, scenario)",
        "    def after_scenario(context, scenario): asgibdd.after_scenario(context, scenario)",
        "Then run asgibdd init again.",
    ]
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == [
        "features",
        "features/environment.py",
    ]
