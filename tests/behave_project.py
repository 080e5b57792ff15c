"""A throwaway behave project using the step library: what the step tests run features in."""

from __future__ import annotations

from pathlib import Path

from asgibdd.testing import BehaveOutcome, run_behave, write_project

#: The one line a project adds to a step file, and the one-line environment.py.
STEPS_LINE = "from asgibdd.steps import *  # noqa: F403\n"
HOOKS_LINE = "from asgibdd.environment import *  # noqa: F403\n"
#: behave options writing every report a reader may get: the plain console to plain.txt,
#: behave's JSON report to report.json, and JUnit files into reports/.
#: behave options writing both consoles a reader may get: plain to plain.txt (after
#: `run_feature`'s own `-f plain`), pretty without source locations to pretty.txt.
CONSOLE_OPTIONS = ("-o", "plain.txt", "-f", "pretty", "--no-source", "-o", "pretty.txt")
REPORT_OPTIONS = (
    "-o",
    "plain.txt",
    "-f",
    "json",
    "-o",
    "report.json",
    "--junit",
    "--junit-directory",
    "reports",
)


def run_feature(
    tmp_path: Path, feature: str, *options: str, app: str = "asgibdd.demo:app", **files: str
) -> BehaveOutcome:
    """Write `feature` (plus `files`) into a project at `tmp_path` and run behave on it.

    The project folder is importable (apps written into it can be named with `app=`), and
    `LOG` names a file inside it that test apps may write what they observed to.
    """
    write_project(
        tmp_path,
        {
            "steps/library.py": STEPS_LINE,
            "environment.py": HOOKS_LINE,
            "features/test.feature": feature,
            **files,
        },
    )
    return run_behave(
        tmp_path,
        "features/",
        "-f",
        "plain",
        "-D",
        f"asgibdd.app={app}",
        *options,
        env={"PYTHONPATH": str(tmp_path), "LOG": str(tmp_path / "log.txt")},
    )
