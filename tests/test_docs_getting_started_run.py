"""docs/getting-started.md's FastAPI example passes as written, and every run it shows is
what behave prints.

The FastAPI section's `main.py` and the `features/items.feature` of "Add a scenario" are
written into a fresh project, `asgibdd init` scaffolds it, and each
`<!-- run: behave ARGS -->` block is run there: its parts (split at `...` lines; a step's
duration, `in ...`, may be absent: the tests run behave without timings) must appear in
the output, in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asgibdd.testing import run_behave, write_project
from tests.init_projects import run_asgibdd
from tests.test_docs_init_output import GETTING_STARTED, sections

_FEATURE = re.compile(
    r"<!-- file: (?P<path>features/\S+) -->\n```gherkin\n(?P<text>.*?)^```", re.S | re.M
)
_RUN = re.compile(r"<!-- run: behave (?P<args>.*?) -->\n```text\n(?P<output>.*?)^```", re.S | re.M)
_DURATION = re.escape(" in ...")


def _runs() -> list[tuple[list[str], str]]:
    text = GETTING_STARTED.read_text(encoding="utf-8")
    return [(found["args"].split(), found["output"]) for found in _RUN.finditer(text)]


def _parts(documented: str) -> list[re.Pattern[str]]:
    """The documented output's parts between `...` lines, as patterns (durations vary)."""
    parts = re.split(r"^\.\.\.\n", documented, flags=re.M)
    return [
        re.compile(re.escape(part).replace(_DURATION, r"(?: in [\d.]+s)?"))
        for part in parts
        if part.strip()
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("getting_started")
    files, _ = sections()["FastAPI"]
    text = GETTING_STARTED.read_text(encoding="utf-8")
    features = {found["path"]: found["text"] for found in _FEATURE.finditer(text)}
    assert list(features) == ["features/items.feature"]
    write_project(root, files)
    assert run_asgibdd(root, "init").returncode == 0
    write_project(root, features)
    return root


def test_the_guide_shows_a_run_for_default_strict_and_off() -> None:
    assert [" ".join(args) for args, _ in _runs()] == [
        "features/example.feature",
        "features/",
        "features/ -f plain -D asgibdd.contract=strict",
        "features/ -D asgibdd.contract=false",
    ]


@pytest.mark.parametrize(("args", "documented"), _runs(), ids=lambda v: str(v)[:40])
def test_each_documented_run_is_what_behave_prints(
    project: Path, args: list[str], documented: str
) -> None:
    outcome = run_behave(project, *args)
    assert outcome.passed == ("strict" not in " ".join(args)), outcome.output
    position = 0
    for part in _parts(documented):
        found = part.search(outcome.output, position)
        assert found is not None, f"not in the output after {position}:\n{part.pattern}\n\n" + (
            outcome.output
        )
        position = found.end()
