"""Every sample in the hand-written docs runs: gherkin against the demo, python, asgibdd commands.

A gherkin sample preceded by `<!-- expect: fail -->` is a deliberate failure and must fail.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from asgibdd.testing import run_behave, write_project

ROOT = Path(__file__).resolve().parent.parent
DOCS = (
    "index.md",
    "getting-started.md",
    "product-owners.md",
    "configuration.md",
    "recipes.md",
    "errors.md",
)
EXPECT_FAIL = "<!-- expect: fail -->"
# A gherkin sample about an app other than the demo names it: `<!-- app: module:attribute -->`.
_APP_MARK = re.compile(r"^<!-- app: (?P<app>\S+) -->$")
_FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.S | re.M)

DEMO_PROJECT = {
    "steps/asgibdd_steps.py": "from asgibdd.steps import *  # noqa: F403\n",
    "environment.py": "from asgibdd.environment import *  # noqa: F403\n",
    "pyproject.toml": '[tool.asgibdd]\napp = "asgibdd.demo:app"\n',
}


@dataclass(frozen=True)
class Sample:
    doc: str
    line: int
    lang: str
    body: str
    expect_fail: bool
    app: str | None = None

    @property
    def name(self) -> str:
        return f"{self.doc}:{self.line}"


def samples(lang: str) -> list[Sample]:
    found: list[Sample] = []
    for doc in DOCS:
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        for block in _FENCE.finditer(text):
            if block["lang"] != lang:
                continue
            before = text[: block.start()].rstrip().splitlines()
            app = _APP_MARK.match(before[-1].strip()) if before else None
            found.append(
                Sample(
                    doc=doc,
                    line=text.count("\n", 0, block.start()) + 1,
                    lang=lang,
                    body=block["body"],
                    expect_fail=bool(before) and before[-1].strip() == EXPECT_FAIL,
                    app=app["app"] if app else None,
                )
            )
    return found


def subprocess_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_the_docs_have_samples_of_each_kind() -> None:
    assert len(samples("gherkin")) >= 15
    assert [s.name for s in samples("gherkin") if s.expect_fail] == [
        "errors.md:44",
        "errors.md:94",
    ]
    assert samples("python")
    assert samples("sh")


def test_every_gherkin_sample_runs_against_the_demo_as_marked(tmp_path: Path) -> None:
    gherkin = [sample for sample in samples("gherkin") if sample.app is None]
    files = {f"features/{i:02d}_{s.doc[:-3]}.feature": s.body for i, s in enumerate(gherkin)}
    write_project(tmp_path, {**DEMO_PROJECT, **files})

    outcome = run_behave(tmp_path, "features/", "--format", "json", "--outfile", "report.json")

    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    statuses = {feature["location"].split(":")[0]: feature["status"] for feature in report}
    # A deliberate failure may be a failed check or a misused step (an error).
    expected = {
        path: ("failed", "error") if sample.expect_fail else ("passed",)
        for path, sample in zip(files, gherkin, strict=True)
    }
    wrong = {
        f"{sample.name} ({path})": statuses.get(path)
        for path, sample in zip(files, gherkin, strict=True)
        if statuses.get(path) not in expected[path]
    }
    assert not wrong, f"{wrong}\n{outcome.output}"


def test_every_gherkin_sample_about_another_app_passes_against_it(tmp_path: Path) -> None:
    others = [sample for sample in samples("gherkin") if sample.app is not None]
    assert {sample.app for sample in others} == {"tests.apps.orders_app:app"}
    assert [sample.name for sample in others] == ["recipes.md:145", "recipes.md:192"]
    files = {f"features/{i:02d}_{s.doc[:-3]}.feature": s.body for i, s in enumerate(others)}
    write_project(tmp_path, {**DEMO_PROJECT, **files})
    outcome = run_behave(tmp_path, "features/", "-D", f"asgibdd.app={others[0].app}")
    assert outcome.passed, outcome.output
    assert outcome.scenarios.passed == 4, outcome.output


def test_every_python_sample_executes(tmp_path: Path) -> None:
    runner = (
        "import json, sys, traceback, types\n"
        "failures = []\n"
        "for name, code in json.load(sys.stdin):\n"
        "    # A real module: frameworks (Litestar) look their handlers' module up.\n"
        "    module = sys.modules['doc_sample'] = types.ModuleType('doc_sample')\n"
        "    try:\n"
        "        exec(compile(code, name, 'exec'), module.__dict__)\n"
        "    except Exception:\n"
        "        failures.append(traceback.format_exc())\n"
        "print('\\n'.join(failures))\n"
        "sys.exit(1 if failures else 0)\n"
    )
    payload = json.dumps([(s.name, s.body) for s in samples("python")])
    completed = subprocess.run(
        [sys.executable, "-c", runner],
        input=payload,
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_every_asgibdd_command_in_sh_samples_runs_in_a_fresh_project(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "myservice/__init__.py": "",
            "myservice/main.py": "from asgibdd.demo import create_app\n\napp = create_app()\n",
        },
    )
    commands = [
        (sample, line.strip())
        for sample in samples("sh")
        for line in sample.body.splitlines()
        if line.strip().startswith("asgibdd ") or line.strip() == "asgibdd"
    ]
    assert commands[0][1] == "asgibdd init"
    assert "asgibdd check" in [command for _, command in commands]
    for sample, command in commands:
        completed = subprocess.run(
            [sys.executable, "-m", "asgibdd", *shlex.split(command)[1:]],
            cwd=tmp_path,
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, (
            f"{sample.name}: {command}\n{completed.stdout}{completed.stderr}"
        )
    outcome = run_behave(tmp_path, "features/")
    assert outcome.passed, outcome.output
