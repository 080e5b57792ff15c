"""The editor glue (`asgibdd steps --format glue`): one function per catalogue phrase whose
pattern matches the phrase's own example, as each editor reads the file, and never run."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from asgibdd import __version__
from asgibdd.catalogue import CatalogueEntry, build_catalogue
from asgibdd.editor_glue import DEFAULT_GLUE_FILE, glue_pattern, render_glue
from asgibdd.errors import UsageError
from asgibdd.testing import run_behave, write_project
from tests.node_consumers import run_node, run_node_file

ENTRIES = build_catalogue()
GLUE = render_glue(ENTRIES, __version__)

# How VSCucumberAutoComplete finds a step definition on a line: a Gherkin word or `step`
# (any case, not inside a word), then a quote, the pattern, the same quote.
_AUTOCOMPLETE_LINE = re.compile(r"""^(?:.*?[^\w])?(step)[^/'"`\w]*?(['"/`])((?:\\.|.)*?)\2""", re.I)


def _decorators() -> list[tuple[str, str, str]]:
    """(the pattern's source text, its value, the docstring) of each glue function."""
    tree = ast.parse(GLUE)
    lines = GLUE.splitlines()
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            call = node.decorator_list[0]
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            assert call.func.id == "step"
            argument = call.args[0]
            assert isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            # ast's columns count UTF-8 bytes (`±` is two).
            line = lines[argument.lineno - 1].encode()
            end = argument.end_col_offset
            assert end is not None
            source = line[argument.col_offset + 1 : end - 1].decode()
            found.append((source, argument.value, ast.get_docstring(node) or ""))
    return found


def _example_text(entry: CatalogueEntry) -> str:
    return entry.example.splitlines()[0].split(" ", 1)[1]


def test_the_glue_has_one_function_per_catalogue_phrase() -> None:
    decorators = _decorators()
    assert len(decorators) == len(ENTRIES) == len(set(GLUE.split("\ndef ")[1:]))
    for (_, _, docstring), entry in zip(decorators, ENTRIES, strict=True):
        assert docstring.startswith(entry.description), entry.phrase
        assert entry.example.splitlines()[0] in docstring


def test_each_pattern_matches_its_own_example_and_no_other_in_python() -> None:
    patterns = [re.compile(value) for _, value, _ in _decorators()]
    for index, entry in enumerate(ENTRIES):
        matching = [i for i, pattern in enumerate(patterns) if pattern.match(_example_text(entry))]
        assert matching == [index], (entry.phrase, [ENTRIES[i].phrase for i in matching])


def test_each_pattern_is_written_as_the_regular_expression_it_is() -> None:
    """The Cucumber extension reads the source text between the quotes, not the Python
    value; VSCucumberAutoComplete rewrites braces, `(abc)` and `a/b`: none may be there."""
    for source, value, _ in _decorators():
        assert source == value
        assert "\\" not in source and "{" not in source and "}" not in source, source
        assert not re.search(r"\([a-z]+\)", source), source
        assert not re.search(r"[a-zA-Z]/[a-zA-Z]", source), source


def test_vscucumberautocomplete_finds_every_pattern_on_its_line() -> None:
    found = [
        match[3]
        for line in GLUE.splitlines()
        if line.startswith("@step(") and (match := _AUTOCOMPLETE_LINE.match(line))
    ]
    assert found == [source for source, _, _ in _decorators()]


def test_each_pattern_matches_its_own_example_as_javascript_reads_it() -> None:
    sources = [source for source, _, _ in _decorators()]
    texts = [_example_text(entry) for entry in ENTRIES]
    matched = run_node(
        "const [s, t] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(t.map((text) => s.flatMap((p, i) =>"
        " new RegExp(p).test(text) ? [i] : []))));",
        stdin=json.dumps([sources, texts]),
    )
    assert matched == [[index] for index in range(len(ENTRIES))]


def test_the_cucumber_extension_indexes_every_phrase(tmp_path: Path) -> None:
    glue = tmp_path / "asgibdd_glue.py"
    glue.write_text(GLUE, encoding="utf-8")
    texts = [_example_text(entry) for entry in ENTRIES]
    indexed = run_node_file("index_glue.cjs", str(glue), stdin=json.dumps(texts))
    assert (indexed["expressions"], indexed["errors"]) == (len(ENTRIES), [])
    lines = GLUE.splitlines()
    for entry, found in zip(ENTRIES, indexed["matches"], strict=True):
        assert len(found) == 1, (entry.phrase, found)
        # The definition the extension jumps to is this phrase's function.
        assert lines[found[0] - 1] == f"@step('{glue_pattern(entry.pattern)}')"


def test_importing_the_glue_registers_nothing_and_says_why(tmp_path: Path) -> None:
    write_project(tmp_path, {"asgibdd_glue.py": GLUE})
    completed = subprocess.run(
        [sys.executable, "-c", "import asgibdd_glue"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.splitlines()[-1] == (
        "ImportError: asgibdd's editor glue is read by editors and never imported; behave's "
        "steps come from `from asgibdd.steps import *` in the steps folder. If behave loaded "
        "this file, move it out of the steps folder: asgibdd steps --format glue -o "
        "features/asgibdd_glue.py"
    )


def test_behave_runs_beside_the_glue_and_refuses_it_in_a_steps_folder(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "steps/library.py": "from asgibdd.steps import *  # noqa: F403\n",
            "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
            DEFAULT_GLUE_FILE: GLUE,
            "features/health.feature": (
                "Feature: Health\n  Scenario: Up\n    When I GET /health\n"
                "    Then the response status is 200\n"
            ),
        },
    )
    beside = run_behave(tmp_path, "-D", "asgibdd.app=asgibdd.demo:app", "features/")
    assert (beside.returncode, beside.scenarios.passed) == (0, 1), beside.output
    (tmp_path / "steps" / "asgibdd_glue.py").write_text(GLUE, encoding="utf-8")
    inside = run_behave(tmp_path, "-D", "asgibdd.app=asgibdd.demo:app", "features/")
    assert inside.returncode != 0
    assert "move it out of the steps folder" in inside.output


def test_steps_glue_writes_the_file_and_says_so(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "asgibdd", "steps", "--format", "glue", "-o", "editor/glue.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == f"Wrote editor/glue.py ({len(ENTRIES)} steps, --format glue).\n"
    assert (tmp_path / "editor" / "glue.py").read_text(encoding="utf-8") == GLUE


def test_a_field_type_editors_cannot_read_is_named() -> None:
    with pytest.raises(UsageError) as raised:
        glue_pattern("the thing is {value:Mystery}")
    assert str(raised.value) == (
        'The phrase "the thing is {value:Mystery}" has a {...:Mystery} field whose pattern '
        "editors cannot read as written; add an editor pattern for it to _EDITOR_PATTERNS "
        "in asgibdd/editor_glue.py."
    )


def test_the_docs_show_the_glue_as_it_is_written() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "editors.md").read_text("utf-8")
    blocks = re.findall(r"^```(\w+)\n(.*?)^```$", docs, re.S | re.M)
    shown = next(body for language, body in blocks if language == "python")
    lines = GLUE.splitlines()
    for line in shown.splitlines():
        if "..." not in line:
            assert line in lines, line
    settings = [json.loads(body) for language, body in blocks if language == "json"]
    assert settings[0]["cucumber.glue"] == ["features/**/*.py", "steps/**/*.py"]
    assert DEFAULT_GLUE_FILE in settings[1]["cucumberautocomplete.steps"]


def test_a_glue_file_that_cannot_be_written_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "features").write_text("not a folder", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "asgibdd", "steps", "--format", "glue", "-o", DEFAULT_GLUE_FILE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (completed.returncode, completed.stdout) == (1, "")
    assert completed.stderr == (
        "asgibdd steps: error: cannot write features/asgibdd_glue.py: a folder on its way is "
        "a file; give -o a file in a folder.\n"
    )
