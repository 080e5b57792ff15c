from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from asgibdd.app_loader import load_app
from asgibdd.config import AsgiBddConfig, find_pyproject, load_config
from asgibdd.errors import ConfigError


def write_pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_behave_userdata_wins_over_environment_and_pyproject(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.asgibdd]\napp = "from.toml:app"\n')
    config = load_config(
        {"asgibdd.app": "from.userdata:app"}, {"ASGIBDD_APP": "from.env:app"}, tmp_path
    )
    assert (config.app, config.app_source) == ("from.userdata:app", "behave -D asgibdd.app")


def test_environment_variable_wins_over_pyproject(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.asgibdd]\napp = "from.toml:app"\n')
    config = load_config({}, {"ASGIBDD_APP": "from.env:app"}, tmp_path)
    assert (config.app, config.app_source) == ("from.env:app", "environment variable ASGIBDD_APP")


def test_nearest_pyproject_above_the_working_folder_supplies_every_setting(
    tmp_path: Path,
) -> None:
    pyproject = write_pyproject(
        tmp_path,
        """
        [tool.asgibdd]
        app = "svc.main:app"
        base_url = "http://api.example"
        headers = { Accept = "application/json" }
        timeout = 2.5
        lifespan = "feature"
        follow_redirects = false
        """,
    )
    nested = tmp_path / "features" / "deep"
    nested.mkdir(parents=True)
    assert find_pyproject(nested) == pyproject
    config = load_config({}, {}, nested)
    assert config == AsgiBddConfig(
        app="svc.main:app",
        app_source=f"[tool.asgibdd] app in {pyproject}",
        base_url="http://api.example",
        headers={"Accept": "application/json"},
        timeout=2.5,
        lifespan="feature",
        follow_redirects=False,
        project_dir=tmp_path,
    )


def test_userdata_settings_are_read_as_text(tmp_path: Path) -> None:
    config = load_config(
        {
            "asgibdd.app": "svc:app",
            "asgibdd.timeout": "0.5",
            "asgibdd.lifespan": "run",
            "asgibdd.follow_redirects": "no",
        },
        {},
        tmp_path,
    )
    assert (config.timeout, config.lifespan, config.follow_redirects) == (0.5, "run", False)


def test_missing_app_names_every_source_and_what_was_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({}, {}, tmp_path)
    assert str(raised.value) == (
        "No ASGI app to test. asgibdd looked in:\n"
        "  1. behave -D asgibdd.app=...: not given\n"
        "  2. environment variable ASGIBDD_APP: not set\n"
        f"  3. [tool.asgibdd] app in pyproject.toml: no pyproject.toml in {tmp_path} or any "
        "folder above it\n"
        'Name the app in one of them, e.g. add `[tool.asgibdd]` with `app = "myservice.main:app"` '
        "to pyproject.toml, or run `behave -D asgibdd.app=myservice.main:app`."
    )


def test_missing_app_mentions_a_pyproject_without_an_app(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"3\. ") as raised:
        load_config({}, {}, tmp_path)
    assert f'  3. [tool.asgibdd] app in pyproject.toml: {pyproject} has no "app" in ' in str(
        raised.value
    )


def test_bad_lifespan_scope_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"asgibdd.app": "a:b", "asgibdd.lifespan": "module"}, {}, tmp_path)
    assert str(raised.value) == (
        "The lifespan scope from behave -D asgibdd.lifespan must be one of scenario, feature, "
        "run, got 'module'."
    )


def test_bad_timeout_says_it_must_be_positive_seconds(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({}, {"ASGIBDD_APP": "a:b", "ASGIBDD_TIMEOUT": "soon"}, tmp_path)
    assert str(raised.value) == (
        "The timeout from environment variable ASGIBDD_TIMEOUT must be a number of seconds "
        "above 0, got 'soon'."
    )


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "cfg_sample_app.py").write_text(
        textwrap.dedent(
            """
            async def app(scope, receive, send):
                pass

            def create_app():
                return app

            def not_an_app(scope):
                pass

            class App:
                pass

            count = 3
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "cfg_sample_app"
    sys.modules.pop("cfg_sample_app", None)


def test_app_reference_loads_the_callable(app_module: str) -> None:
    module = sys.modules.get(app_module) or __import__(app_module)
    assert load_app(f"{app_module}:app", source="test") is module.app


def test_factory_reference_calls_the_factory(app_module: str) -> None:
    app = load_app(f"{app_module}:create_app()", source="test")
    assert app is sys.modules[app_module].app


def test_unknown_attribute_lists_the_module_names(app_module: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_app(f"{app_module}:ap", source="test")
    assert str(raised.value) == (
        f'The module "{app_module}" has no attribute "ap" (app "{app_module}:ap" from test). '
        "Its public names are: App, app, count, create_app, not_an_app."
    )


def test_non_callable_is_not_an_asgi_app(app_module: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_app(f"{app_module}:count", source="test")
    assert str(raised.value) == (
        f'"{app_module}:count" (from test) is not an ASGI app: expected a callable taking '
        "(scope, receive, send), got int 3."
    )


def test_wrong_arity_callable_is_not_an_asgi_app(app_module: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_app(f"{app_module}:not_an_app", source="test")
    assert str(raised.value) == (
        f'"{app_module}:not_an_app" (from test) is not an ASGI app: an ASGI app takes (scope, '
        "receive, send), this callable takes 1 required argument(s)."
    )


def test_factory_without_parentheses_gets_a_hint(app_module: str) -> None:
    with pytest.raises(ConfigError, match=r'If it builds the app, write ".*:create_app\(\)"\.'):
        load_app(f"{app_module}:create_app", source="test")


def test_class_is_refused_with_a_hint(app_module: str) -> None:
    with pytest.raises(ConfigError, match="is a class, not an ASGI app"):
        load_app(f"{app_module}:App", source="test")


def test_unimportable_module_shows_the_underlying_error() -> None:
    with pytest.raises(ConfigError) as raised:
        load_app("no_such_module_xyz:app", source="environment variable ASGIBDD_APP")
    assert str(raised.value) == (
        'Cannot import the module "no_such_module_xyz" of the app "no_such_module_xyz:app" '
        "(from environment variable ASGIBDD_APP): ModuleNotFoundError: No module named "
        "'no_such_module_xyz'. Check the module name and that its folder is on the Python path."
    )


def test_reference_without_colon_shows_the_expected_form() -> None:
    with pytest.raises(ConfigError, match=r'must be written "module:attribute"'):
        load_app("myservice.main", source="test")


def test_the_demo_app_loads_from_this_repository_pyproject() -> None:
    config = load_config({}, {}, Path(__file__).parent)
    assert config.app == "asgibdd.demo:app"
    assert callable(load_app(config.app, source=config.app_source))


def test_pyproject_is_found_from_the_features_path_before_the_working_folder(
    tmp_path: Path,
) -> None:
    service = tmp_path / "service"
    (service / "features").mkdir(parents=True)
    pyproject = write_pyproject(service, '[tool.asgibdd]\napp = "svc.main:app"\n')
    config = load_config({}, {}, tmp_path, paths=[Path("service/features/")])
    assert (config.app, config.project_dir) == ("svc.main:app", service)
    assert config.app_source == f"[tool.asgibdd] app in {pyproject}"


def test_a_feature_file_path_is_searched_from_its_folder_then_the_working_folder(
    tmp_path: Path,
) -> None:
    write_pyproject(tmp_path, '[tool.asgibdd]\napp = "outer:app"\n')
    (tmp_path / "service" / "features").mkdir(parents=True)
    # No pyproject.toml beside this feature: the walk up from it reaches the outer one.
    config = load_config({}, {}, tmp_path, paths=[Path("service/features/a.feature")])
    assert config.app == "outer:app"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert load_config({}, {}, elsewhere, paths=[Path("missing/features")]).app == "outer:app"


def test_an_unknown_pyproject_key_is_refused_with_did_you_mean(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, '[tool.asgibdd]\napp = "a:b"\ntimout = 1\n')
    with pytest.raises(ConfigError) as raised:
        load_config({}, {}, tmp_path)
    assert str(raised.value) == (
        f'Unknown setting "timout" in [tool.asgibdd] of {pyproject}. Did you mean "timeout"?\n'
        "The settings are: api_coverage, app, base_url, contract, contract_failure, django, "
        "extensions, follow_redirects, headers, history, history_in_behave, lifespan, "
        "max_body_size, openapi, "
        "outbound_allow, outbound_server, proxy, raise_server_exceptions, secret_names, "
        "target, timeout, verify."
    )


def test_unknown_userdata_and_environment_keys_are_refused_with_did_you_mean(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(
            {"asgibdd.app": "a:b", "asgibdd.raise_server_exception": "no", "other.key": "x"},
            {"ASGIBDD_LIFE_SPAN": "run", "ASGIBDD_HEADERS": "x", "HOME": "/"},
            tmp_path,
        )
    assert str(raised.value) == (
        'Unknown setting "asgibdd.raise_server_exception" given with behave -D '
        'asgibdd.raise_server_exception=... Did you mean "asgibdd.raise_server_exceptions"?\n'
        "Unknown setting in environment variable ASGIBDD_HEADERS. headers can only be set in "
        "[tool.asgibdd] of pyproject.toml.\n"
        "Unknown setting in environment variable ASGIBDD_LIFE_SPAN. "
        'Did you mean "ASGIBDD_LIFESPAN"?\n'
        "The settings are: api_coverage, app, base_url, contract, contract_failure, django, "
        "extensions, follow_redirects, headers, history, history_in_behave, lifespan, "
        "max_body_size, openapi, "
        "outbound_allow, outbound_server, proxy, raise_server_exceptions, secret_names, "
        "target, timeout, verify."
    )


def test_raise_server_exceptions_comes_from_each_source_and_defaults_to_true(
    tmp_path: Path,
) -> None:
    assert load_config({"asgibdd.app": "a:b"}, {}, tmp_path).raise_server_exceptions is True
    write_pyproject(tmp_path, '[tool.asgibdd]\napp = "a:b"\nraise_server_exceptions = false\n')
    assert load_config({}, {}, tmp_path).raise_server_exceptions is False
    from_env = load_config({}, {"ASGIBDD_RAISE_SERVER_EXCEPTIONS": "yes"}, tmp_path)
    assert from_env.raise_server_exceptions is True
    from_userdata = load_config(
        {"asgibdd.raise_server_exceptions": "off"},
        {"ASGIBDD_RAISE_SERVER_EXCEPTIONS": "1"},
        tmp_path,
    )
    assert from_userdata.raise_server_exceptions is False
    with pytest.raises(ConfigError) as raised:
        load_config({"asgibdd.raise_server_exceptions": "maybe"}, {}, tmp_path)
    assert str(raised.value) == (
        "The setting from behave -D asgibdd.raise_server_exceptions must be true or false, "
        "got 'maybe'."
    )


def test_django_and_secret_names_are_settings(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path, '[tool.asgibdd]\napp = "a:b"\ndjango = false\nsecret_names = ["pin"]\n'
    )
    config = load_config({}, {}, tmp_path)
    assert (config.django, config.secret_names) == (False, ("pin",))
    assert load_config({"asgibdd.django": "yes"}, {}, tmp_path).django is True
    assert load_config({}, {"ASGIBDD_DJANGO": "on"}, tmp_path).django is True


def test_secret_names_must_be_a_list_of_names(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, '[tool.asgibdd]\napp = "a:b"\nsecret_names = "pin"\n')
    with pytest.raises(ConfigError) as raised:
        load_config({}, {}, tmp_path)
    assert str(raised.value) == (
        f"[tool.asgibdd] secret_names in {pyproject} must be a list of names, e.g. "
        'secret_names = ["pin", "x-internal-key"], got \'pin\'.'
    )


def test_an_app_module_that_exits_on_import_is_a_config_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cli_app.py").write_text(
        "import argparse\n"
        "parser = argparse.ArgumentParser(prog='cli_app')\n"
        "parser.add_argument('--port', required=True)\n"
        "parser.parse_args([])\n"
        "app = None\n"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as raised:
        load_app("cli_app:app", source="the test", project_dir=tmp_path)
    assert str(raised.value) == (
        'Importing "cli_app" for the app "cli_app:app" (from the test) called sys.exit(2): '
        "the module exits while it is imported, probably because it reads command-line "
        "arguments (argparse's parse_args()) or starts a server. Put that code under "
        '`if __name__ == "__main__":`.\n'
        "It printed:\n"
        "  usage: cli_app [-h] --port PORT\n"
        "  cli_app: error: the following arguments are required: --port"
    )


def test_the_settings_table_in_the_docs_is_generated_from_the_settings() -> None:
    from asgibdd.config import SETTING_TABLE, SETTINGS, settings_markdown

    docs = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text()
    assert settings_markdown() in docs, (
        "docs/configuration.md's settings table is stale; regenerate it with: python -c "
        '"from asgibdd.config import settings_markdown; print(settings_markdown())"'
    )
    assert [f"| `{key}` |" in docs for key in SETTINGS] == [True] * len(SETTING_TABLE)
