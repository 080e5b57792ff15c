"""The per-framework `asgibdd init` outputs in docs/getting-started.md are what init prints.

Each `### Framework` section's `<!-- file: PATH -->` python samples are written into a fresh
project, `asgibdd init` runs there, and its output must equal the section's
`<!-- init output -->` text block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asgibdd.testing import write_project
from tests.init_projects import DJANGO_PROJECT, ROOT, run_asgibdd

GETTING_STARTED = ROOT / "docs" / "getting-started.md"
_SECTION = re.compile(r"^### (?P<name>.+?)\n(?P<body>.*?)(?=^##)", re.S | re.M)
_FILE = re.compile(r"<!-- file: (?P<path>\S+) -->\n```python\n(?P<code>.*?)^```", re.S | re.M)
_OUTPUT = re.compile(r"<!-- init output -->\n```text\n(?P<output>.*?)^```", re.S | re.M)
_NO_ROUTE = re.compile(r"### When no route answers\n.*?```text\n(?P<line>.*?)\n```", re.S)


def sections() -> dict[str, tuple[dict[str, str], str]]:
    """Framework name → (files to write, the documented init output)."""
    text = GETTING_STARTED.read_text(encoding="utf-8")
    found = {}
    for section in _SECTION.finditer(text):
        output = _OUTPUT.search(section["body"])
        if output is not None:
            files = {m["path"]: m["code"] for m in _FILE.finditer(section["body"])}
            found[section["name"]] = (files, output["output"])
    return found


def init(project: Path) -> str:
    completed = run_asgibdd(project, "init")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_getting_started_has_a_section_per_framework() -> None:
    assert list(sections()) == ["FastAPI", "Starlette", "Litestar", "Quart", "Django"]


@pytest.mark.parametrize("framework", ["FastAPI", "Starlette", "Litestar", "Quart"])
def test_the_documented_init_output_is_what_init_prints(framework: str, tmp_path: Path) -> None:
    files, output = sections()[framework]
    write_project(tmp_path, files)
    assert init(tmp_path) == output


def test_the_documented_django_output_is_what_init_prints(tmp_path: Path) -> None:
    write_project(tmp_path, DJANGO_PROJECT)
    assert init(tmp_path) == sections()["Django"][1]


def test_the_documented_no_route_line_is_what_init_prints(tmp_path: Path) -> None:
    found = _NO_ROUTE.search(GETTING_STARTED.read_text(encoding="utf-8"))
    assert found is not None
    write_project(
        tmp_path, {"main.py": "from starlette.applications import Starlette\n\napp = Starlette()\n"}
    )
    assert init(tmp_path).splitlines()[1] == found["line"]
