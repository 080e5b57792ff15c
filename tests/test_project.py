"""The project on disk: its import roots, shared by init, check and the behave hooks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from asgibdd.project import add_to_python_path, import_roots
from asgibdd.testing import write_project


def test_the_project_folder_alone_is_the_root_of_a_flat_layout(tmp_path: Path) -> None:
    write_project(tmp_path, {"shop/__init__.py": ""})
    assert import_roots(tmp_path) == [tmp_path.resolve()]


def test_a_src_folder_is_a_root_after_the_project_folder(tmp_path: Path) -> None:
    write_project(tmp_path, {"src/taskboard/__init__.py": ""})
    assert import_roots(tmp_path) == [tmp_path.resolve(), (tmp_path / "src").resolve()]


@pytest.mark.parametrize(
    "config",
    [
        '[tool.setuptools]\npackage-dir = {"" = "lib"}\n',
        '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
        '[tool.hatch.build.targets.wheel]\npackages = ["lib/shop"]\n',
        '[tool.poetry]\npackages = [{ include = "shop", from = "lib" }]\n',
    ],
)
def test_package_roots_named_by_the_build_configuration_are_roots(
    tmp_path: Path, config: str
) -> None:
    write_project(tmp_path, {"lib/shop/__init__.py": "", "pyproject.toml": config})
    assert import_roots(tmp_path) == [tmp_path.resolve(), (tmp_path / "lib").resolve()]


def test_a_broken_or_pointing_nowhere_pyproject_leaves_the_plain_roots(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": "[tool.setuptools]\npackage-dir = {'' = 'gone'}"})
    assert import_roots(tmp_path) == [tmp_path.resolve()]
    write_project(tmp_path, {"pyproject.toml": "[tool\n"})
    assert import_roots(tmp_path) == [tmp_path.resolve()]


def test_folders_go_to_the_front_of_the_path_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", ["/already", str(tmp_path / "b")])
    add_to_python_path([tmp_path / "a", tmp_path / "b", tmp_path / "a"])
    assert sys.path == [str(tmp_path / "a"), "/already", str(tmp_path / "b")]
