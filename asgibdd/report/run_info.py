"""Which run a report shows: the app, the target, the commit, the versions, the CI build.

Read once, when the report's formatter starts (so the commit is the code that ran): the
app and the target from asgibdd's settings as `before_all` reads them, the commit from
`git status` (bounded in time; no git, no repository, or a slow one: no commit, never a
failure), the CI build's page from the variables each CI service sets.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from asgibdd.errors import AsgiBddError
from asgibdd.report.model import RunInfo
from asgibdd.secrets import SecretPolicy, Secrets
from asgibdd.transcript import masked_url

__all__ = ["GIT_TIMEOUT", "ci_build", "collect_run_info", "git_state"]

GIT_TIMEOUT = 5.0
"""Seconds `git status` may take before the report goes without a commit."""


def collect_run_info(behave_config: Any, environ: Mapping[str, str] | None = None) -> RunInfo:
    """The `RunInfo` of the behave run `behave_config` describes."""
    from asgibdd import __version__
    from asgibdd.config import features_paths, load_config

    environ = os.environ if environ is None else environ
    app = target = project = ""
    folder = Path.cwd()
    try:
        userdata = dict(getattr(behave_config, "userdata", None) or {})
        settings = load_config(userdata, environ, paths=features_paths(behave_config))
    except AsgiBddError:
        settings = None  # before_all says what is wrong; the header goes without
    if settings is not None:
        app = settings.app
        target = "in-process"
        if settings.live:
            policy = SecretPolicy(settings.secret_names)
            target = masked_url(httpx.URL(settings.base_url), Secrets(policy))
        if settings.project_dir is not None:
            folder = settings.project_dir
            project = _project_name(folder / "pyproject.toml")
    commit, dirty, branch = git_state(folder)
    ci, ci_url = ci_build(environ)
    return RunInfo(
        app=app,
        project=project,
        target=target,
        commit=commit,
        dirty=dirty,
        branch=branch,
        python=platform.python_version(),
        behave=_version("behave"),
        asgibdd=__version__,
        ci=ci,
        ci_url=ci_url,
    )


def _project_name(pyproject: Path) -> str:
    from asgibdd.project import read_pyproject

    try:
        table = read_pyproject(pyproject).get("project")
    except (OSError, AsgiBddError):
        return ""
    name = table.get("name") if isinstance(table, dict) else None
    return name if isinstance(name, str) else ""


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def git_state(folder: Path, timeout: float = GIT_TIMEOUT) -> tuple[str, bool, str]:
    """The short commit `folder`'s git checkout is at, whether tracked files differ from
    it, and its branch; ("", False, "") without git, outside a repository, or when git
    takes longer than `timeout` seconds."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain=v2", "--branch", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return "", False, ""
    if done.returncode != 0:
        return "", False, ""
    commit = branch = ""
    dirty = False
    for line in done.stdout.splitlines():
        if line.startswith("# branch.oid "):
            oid = line.removeprefix("# branch.oid ").strip()
            commit = "" if oid == "(initial)" else oid[:10]
        elif line.startswith("# branch.head "):
            head = line.removeprefix("# branch.head ").strip()
            branch = "" if head == "(detached)" else head
        elif line and not line.startswith("#"):
            dirty = True
    if not commit:  # a repository without a commit yet: nothing to name
        return "", False, ""
    return commit, dirty, branch


def ci_build(environ: Mapping[str, str]) -> tuple[str, str]:
    """The CI service running this, and its build's page, from the variables it sets;
    ("", "") outside CI. Only an http(s) address is taken as a page."""
    get = environ.get
    found: list[tuple[str, str | None]] = [
        ("GitHub Actions", _github(environ)),
        ("GitLab CI", get("CI_JOB_URL") or get("CI_PIPELINE_URL")),
        ("Buildkite", get("BUILDKITE_BUILD_URL")),
        ("CircleCI", get("CIRCLE_BUILD_URL")),
        ("Azure Pipelines", _azure(environ)),
        ("Travis CI", get("TRAVIS_BUILD_WEB_URL")),
        ("Jenkins", get("BUILD_URL") if get("JENKINS_URL") or get("JENKINS_HOME") else None),
        ("TeamCity", get("BUILD_URL") if get("TEAMCITY_VERSION") else None),
        ("CI", get("BUILD_URL")),
    ]
    for name, url in found:
        if url and url.strip().lower().startswith(("https://", "http://")):
            return name, masked_url(httpx.URL(url.strip()), Secrets())
    return "", ""


def _github(environ: Mapping[str, str]) -> str | None:
    parts = [environ.get(name) for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY")]
    run = environ.get("GITHUB_RUN_ID")
    if not (all(parts) and run):
        return None
    attempt = environ.get("GITHUB_RUN_ATTEMPT")
    tail = f"/attempts/{attempt}" if attempt and attempt != "1" else ""
    return f"{parts[0]}/{parts[1]}/actions/runs/{run}{tail}"


def _azure(environ: Mapping[str, str]) -> str | None:
    collection = environ.get("SYSTEM_COLLECTIONURI")
    project = environ.get("SYSTEM_TEAMPROJECT")
    build = environ.get("BUILD_BUILDID")
    if not (collection and project and build):
        return None
    return f"{collection.rstrip('/')}/{project}/_build/results?buildId={build}"
