"""Where asgibdd finds the app under test and its settings.

Each setting is looked up in order, the first source that has it wins:

1. behave user data: `behave -D asgibdd.app=pkg.module:app` (also `asgibdd.base_url`,
   `asgibdd.timeout`, `asgibdd.lifespan`, `asgibdd.follow_redirects`,
   `asgibdd.raise_server_exceptions`, `asgibdd.contract`, `asgibdd.openapi`,
   `asgibdd.api_coverage`, `asgibdd.target`, `asgibdd.verify`, `asgibdd.proxy`);
2. environment variables: `ASGIBDD_APP` (also `ASGIBDD_BASE_URL`, `ASGIBDD_TIMEOUT`,
   `ASGIBDD_LIFESPAN`, `ASGIBDD_FOLLOW_REDIRECTS`, `ASGIBDD_RAISE_SERVER_EXCEPTIONS`,
   `ASGIBDD_CONTRACT`, `ASGIBDD_OPENAPI`, `ASGIBDD_API_COVERAGE`, `ASGIBDD_TARGET`,
   `ASGIBDD_VERIFY`, `ASGIBDD_PROXY`);
3. `[tool.asgibdd]` in the `pyproject.toml` found the way behave finds its files: in the
   features path behave was given or a folder above it, else in the working folder or
   above (the same keys, plus `headers`).

A key none of these knows (`timout = 1`) is a `ConfigError` naming where it was found
and the closest known key.

The app is written `module:attribute` (`attribute` may be dotted), or `module:factory()`
for a function that builds the app.

The target is where the steps send their requests: "in-process" (the app, imported here)
or "live" (a deployed service at `base_url`, over the network; see docs/live.md). Without
a `target` setting it is "live" when no app is configured but a `base_url` is, so
`behave -D asgibdd.base_url=https://staging.example.com` tests staging.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import inspect
import io
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from asgibdd._suggest import close_matches
from asgibdd._types import ASGIApp
from asgibdd.errors import ConfigError
from asgibdd.project import add_to_python_path, find_pyproject, import_roots, tool_table

__all__ = [
    "DEFAULT_TIMEOUT",
    "LIFESPAN_SCOPES",
    "SETTINGS",
    "TARGETS",
    "AsgiBddConfig",
    "LifespanScope",
    "Target",
    "bool_setting",
    "features_paths",
    "find_pyproject",
    "lifespan_scope",
    "load_app",
    "load_config",
    "project_pyproject",
]

LifespanScope = Literal["scenario", "feature", "run"]
LIFESPAN_SCOPES: tuple[LifespanScope, ...] = ("scenario", "feature", "run")
Target = Literal["in-process", "live"]
TARGETS: tuple[Target, ...] = ("in-process", "live")
DEFAULT_TIMEOUT = 5.0
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
#: Every setting's key, as written in `[tool.asgibdd]` (`-D asgibdd.KEY`, `ASGIBDD_KEY`).
SETTINGS = (
    "api_coverage",
    "app",
    "base_url",
    "contract",
    "django",
    "follow_redirects",
    "headers",
    "lifespan",
    "max_body_size",
    "openapi",
    "proxy",
    "raise_server_exceptions",
    "secret_names",
    "target",
    "timeout",
    "verify",
)
#: The most bytes of body a live response read whole may have: as in-process, where a
#: plain request keeps at most `asgibdd.client._exchange.MAX_KEPT_BODY`.
DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024
_PYPROJECT_ONLY = frozenset({"headers", "secret_names"})
_USERDATA_PREFIX = "asgibdd."
_ENV_PREFIX = "ASGIBDD_"


@dataclass(frozen=True)
class AsgiBddConfig:
    """The settings one behave run uses.

    - `app`: the app reference, `module:attribute` or `module:factory()`.
    - `app_source`: where `app` was found, for error messages.
    - `base_url`: the URL relative paths are resolved against.
    - `headers`: headers sent with every request (a step can add more per scenario).
    - `timeout`: seconds any single wait on the app may take (lifespan, websocket, stream).
    - `lifespan`: how long one client, and so one app lifespan, lives by default.
    - `follow_redirects`: whether requests follow redirects unless a step says otherwise.
    - `raise_server_exceptions`: whether an exception the app raises is raised into the
      step (True) or only its 500 response is seen (False), unless a tag says otherwise.
    - `django`: whether a Django project runs on Django's test databases (see
      `asgibdd.django`); True unless turned off.
    - `secret_names`: more names (parts of header, parameter, field or key names) whose
      values are masked in every output, besides `asgibdd.secrets.DEFAULT_SECRET_NAMES`.
    - `contract`: whether every response is checked against the app's OpenAPI document
      (see docs/contracts.md), unless a tag says otherwise.
    - `openapi`: where that document comes from: "auto" (the app object, FastAPI or
      Litestar), a file (JSON, or YAML with PyYAML), or a path the app serves ("/openapi.json").
    - `api_coverage`: the JSON file the run's API coverage is written to ("" for none).
    - `target`: "in-process" (the app runs here) or "live" (a service at `base_url`).
    - `verify`: live only: verify the service's TLS certificate (True), not (False), or
      against the CA bundle at this path.
    - `proxy`: live only: the proxy URL to go through; None uses the environment's
      `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
    - `max_body_size`: live only: the most bytes of body a response read whole may have
      (64 MiB, the most an in-process plain request keeps); streams are read as they come.
    - `project_dir`: the folder of the `pyproject.toml` used, if any.

    In the live target `app` is "" when none is configured: nothing is imported.
    """

    app: str
    app_source: str
    base_url: str = "http://testserver"
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    lifespan: LifespanScope = "scenario"
    follow_redirects: bool = True
    raise_server_exceptions: bool = True
    django: bool = True
    secret_names: tuple[str, ...] = ()
    contract: bool = True
    openapi: str = "auto"
    openapi_source: str = "the default"
    api_coverage: str = "reports/api-coverage.json"
    target: Target = "in-process"
    verify: bool | str = True
    proxy: str | None = None
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    project_dir: Path | None = None

    @property
    def live(self) -> bool:
        """Whether the steps talk to a deployed service instead of an app in this process."""
        return self.target == "live"

    def load_app(self) -> ASGIApp:
        """Import the configured app; `ConfigError` explains any failure."""
        return load_app(self.app, source=self.app_source, project_dir=self.project_dir)


_LINE_SUFFIX = re.compile(r":\d+(?::\d+)*$")


def features_paths(configuration: Any) -> list[Path]:
    """The features paths behave's `configuration` was given (`behave service/features/`),
    as folders/files (a `:LINE` and an `@` of a locations file removed): where the
    project's configuration is looked for from."""
    given = getattr(configuration, "paths", None) or []
    return [Path(_LINE_SUFFIX.sub("", str(p)).lstrip("@")) for p in given]


def project_pyproject(paths: Sequence[Path] = (), cwd: Path | None = None) -> Path | None:
    """The `pyproject.toml` of the project, found the way behave finds its files.

    From each features path in `paths` (a file or a folder, relative to `cwd`) upwards,
    then from `cwd` (default: the working folder) upwards; the first one found wins.
    """
    cwd = cwd if cwd is not None else Path.cwd()
    for given in paths:
        start = cwd / given
        found = find_pyproject(start if start.is_dir() else start.parent)
        if found is not None:
            return found
    return find_pyproject(cwd)


def load_config(
    userdata: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    *,
    paths: Sequence[Path] = (),
) -> AsgiBddConfig:
    """Collect the settings from behave user data, the environment and pyproject.toml.

    `paths` are the features paths behave was given (`context.config.paths`): the
    `pyproject.toml` is looked for from them first, then from `cwd`.
    """
    userdata = userdata if userdata is not None else {}
    environ = environ if environ is not None else os.environ
    cwd = cwd if cwd is not None else Path.cwd()
    pyproject = project_pyproject(paths, cwd)
    table = tool_table(pyproject) if pyproject is not None else None
    table = table or {}
    _refuse_unknown_keys(userdata, environ, table, pyproject)

    def lookup(key: str) -> tuple[Any, str] | None:
        if f"{_USERDATA_PREFIX}{key}" in userdata:
            return userdata[f"{_USERDATA_PREFIX}{key}"], f"behave -D {_USERDATA_PREFIX}{key}"
        env_name = f"{_ENV_PREFIX}{key.upper()}"
        if env_name in environ:
            return environ[env_name], f"environment variable {env_name}"
        if key in table:
            return table[key], f"[tool.asgibdd] {key} in {pyproject}"
        return None

    found_app = lookup("app")
    found_base_url = lookup("base_url")
    found_target = lookup("target")
    if found_target is not None:
        target = _target_setting(*found_target)
    else:
        target = "live" if found_app is None and found_base_url is not None else "in-process"
    if target == "live":
        app, app_source = found_app or ("", "not needed: the live target imports no app")
    elif found_app is None:
        raise ConfigError(_no_app_message(userdata, environ, cwd, pyproject))
    else:
        app, app_source = found_app
    if target == "in-process" and (not isinstance(app, str) or not app.strip()):
        raise ConfigError(
            f'The app from {app_source} must be a text like "package.module:app", got {app!r}.'
        )

    config = AsgiBddConfig(
        app=app.strip() if isinstance(app, str) else "",
        app_source=app_source,
        target=target,
        project_dir=pyproject.parent if pyproject is not None else None,
    )
    changes: dict[str, Any] = {}
    if found_base_url is not None:
        changes["base_url"] = _text_setting(*found_base_url)
    if "headers" in table:
        changes["headers"] = _headers_setting(table["headers"], f"{pyproject}")
    if (found := lookup("timeout")) is not None:
        changes["timeout"] = _timeout_setting(*found)
    if (found := lookup("lifespan")) is not None:
        changes["lifespan"] = lifespan_scope(*found)
    if "secret_names" in table:
        changes["secret_names"] = _names_setting(table["secret_names"], f"{pyproject}")
    if (found := lookup("openapi")) is not None:
        changes["openapi"], changes["openapi_source"] = _text_setting(*found), found[1]
    if (found := lookup("api_coverage")) is not None:
        changes["api_coverage"] = _text_setting(*found)
    for flag in ("follow_redirects", "raise_server_exceptions", "django", "contract"):
        if (found := lookup(flag)) is not None:
            changes[flag] = bool_setting(*found)
    if (found := lookup("verify")) is not None:
        changes["verify"] = _verify_setting(*found)
    if (found := lookup("proxy")) is not None:
        changes["proxy"] = _proxy_setting(*found)
    if (found := lookup("max_body_size")) is not None:
        changes["max_body_size"] = _size_setting(*found)
    config = dataclasses.replace(config, **changes)
    _check_target(config, base_url_source=found_base_url[1] if found_base_url else None)
    return config


def _target_setting(value: Any, source: str) -> Target:
    if value in TARGETS:
        return cast(Target, value)
    raise ConfigError(
        f'The target from {source} must be "in-process" (the app runs in this process) or '
        f'"live" (a deployed service at base_url), got {value!r}.'
    )


def _verify_setting(value: Any, source: str) -> bool | str:
    """True/false, or the path of a CA bundle file to verify the service's certificate."""
    if isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE
    ):
        return bool_setting(value, source)
    if isinstance(value, str) and value.strip():
        if not Path(value).is_file():
            raise ConfigError(
                f"The verify setting from {source} names the CA bundle {value!r}, but there is "
                "no such file. Give the path of a PEM file, or true/false."
            )
        return value
    raise ConfigError(
        f"The verify setting from {source} must be true, false or the path of a CA bundle, "
        f"got {value!r}."
    )


_SIZE = re.compile(r"(\d+)\s*(|[KMG]i?B)", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9}
_SIZE_UNITS.update({"kib": 2**10, "mib": 2**20, "gib": 2**30})


def _size_setting(value: Any, source: str) -> int:
    """A number of bytes above 0: an integer, or text like 1048576, 10 MB or 64 MiB."""
    found = _SIZE.fullmatch(value.strip()) if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif found is not None:
        size = int(found[1]) * _SIZE_UNITS[found[2].lower()]
    else:
        size = 0
    if size <= 0:
        raise ConfigError(
            f"The max_body_size from {source} must be a number of bytes above 0, like "
            f"1048576, 10 MB or 64 MiB; got {value!r}."
        )
    return size


def _proxy_setting(value: Any, source: str) -> str:
    text = _text_setting(value, source).strip()
    scheme, separator, rest = text.partition("://")
    if not separator or scheme not in ("http", "https", "socks5", "socks5h") or not rest:
        raise ConfigError(
            f"The proxy from {source} must be a URL like http://proxy.example.com:3128, "
            f"got {value!r}."
        )
    return text


def _check_target(config: AsgiBddConfig, *, base_url_source: str | None) -> None:
    """`ConfigError` for settings the target cannot honour, each with what to do instead."""
    if not config.live:
        defaults = (("verify", True), ("proxy", None), ("max_body_size", DEFAULT_MAX_BODY_SIZE))
        wrong = [name for name, unset in defaults if getattr(config, name) != unset]
        if wrong:
            raise ConfigError(
                f"The setting{'s' if len(wrong) > 1 else ''} {' and '.join(wrong)} only "
                f"{'apply' if len(wrong) > 1 else 'applies'} to the live target (a deployed "
                "service), but the target is in-process. "
                'Set target = "live" with the service\'s base_url, or remove them.'
            )
        return
    scheme, _, rest = config.base_url.partition("://")
    if base_url_source is None or scheme not in ("http", "https") or not rest.strip("/"):
        got = f"got {config.base_url!r} from {base_url_source}" if base_url_source else "got none"
        raise ConfigError(
            "The live target needs the base URL of the running service, like "
            f"https://staging.example.com; {got}. Give it with -D asgibdd.base_url=..., "
            "ASGIBDD_BASE_URL or base_url in [tool.asgibdd]."
        )
    if config.lifespan != "scenario":
        raise ConfigError(
            f'lifespan = "{config.lifespan}" shares the app\'s lifespan across scenarios in this '
            "process, but the live target tests a service whose server runs its lifespan. "
            'Remove the lifespan setting for live runs, or run them with target = "in-process".'
        )


def _refuse_unknown_keys(
    userdata: Mapping[str, str],
    environ: Mapping[str, str],
    table: Mapping[str, Any],
    pyproject: Path | None,
) -> None:
    """`ConfigError` for each key asgibdd does not know, with where it was and a suggestion."""
    everywhere = [k for k in SETTINGS if k not in _PYPROJECT_ONLY]
    known = ", ".join(SETTINGS)
    problems: list[str] = []
    for name in sorted(n for n in userdata if n.startswith(_USERDATA_PREFIX)):
        key = name[len(_USERDATA_PREFIX) :]
        if key not in everywhere:
            problems.append(
                f'Unknown setting "{name}" given with behave -D {name}=...'
                f"{_only_in_pyproject(key) or _suggest(key, everywhere, _USERDATA_PREFIX)}"
            )
    for name in sorted(n for n in environ if n.startswith(_ENV_PREFIX)):
        key = name[len(_ENV_PREFIX) :].lower()
        if key not in everywhere:
            problems.append(
                f"Unknown setting in environment variable {name}."
                f"{_only_in_pyproject(key) or _suggest(key, everywhere, _ENV_PREFIX)}"
            )
    for key in sorted(k for k in table if k not in SETTINGS):
        problems.append(
            f'Unknown setting "{key}" in [tool.asgibdd] of {pyproject}.{_suggest(key, SETTINGS)}'
        )
    if problems:
        raise ConfigError("\n".join([*problems, f"The settings are: {known}."]))


def _suggest(key: str, keys: Sequence[str], prefix: str = "") -> str:
    """` Did you mean "x"?` for the closest keys, spelled as in the source (`ASGIBDD_X`)."""
    matches = close_matches(key, keys)
    if not matches:
        return ""
    spell = str.upper if prefix == _ENV_PREFIX else str
    return " Did you mean " + " or ".join(f'"{prefix}{spell(m)}"' for m in matches) + "?"


def _only_in_pyproject(key: str) -> str:
    if key in _PYPROJECT_ONLY:
        return f" {key} can only be set in [tool.asgibdd] of pyproject.toml."
    return ""


def _no_app_message(
    userdata: Mapping[str, str],
    environ: Mapping[str, str],
    cwd: Path,
    pyproject: Path | None,
) -> str:
    if pyproject is None:
        toml_finding = f"no pyproject.toml in {cwd} or any folder above it"
    else:
        toml_finding = f'{pyproject} has no "app" in [tool.asgibdd]'
    return "\n".join(
        [
            "No ASGI app to test. asgibdd looked in:",
            "  1. behave -D asgibdd.app=...: not given",
            "  2. environment variable ASGIBDD_APP: not set",
            f"  3. [tool.asgibdd] app in pyproject.toml: {toml_finding}",
            "Name the app in one of them, e.g. add `[tool.asgibdd]` with "
            '`app = "myservice.main:app"` '
            "to pyproject.toml, or run `behave -D asgibdd.app=myservice.main:app`.",
        ]
    )


def _text_setting(value: Any, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"The setting from {source} must be text, got {value!r}.")
    return value


def _names_setting(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(
            f"[tool.asgibdd] secret_names in {source} must be a list of names, e.g. "
            f'secret_names = ["pin", "x-internal-key"], got {value!r}.'
        )
    return tuple(v.strip() for v in value)


def _headers_setting(value: Any, source: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(
            f"[tool.asgibdd] headers in {source} must be a table of text values, "
            f'e.g. headers = {{ "Accept" = "application/json" }}; got {value!r}.'
        )
    return dict(value)


def _timeout_setting(value: Any, source: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(value, bool) or not seconds > 0:
        raise ConfigError(
            f"The timeout from {source} must be a number of seconds above 0, got {value!r}."
        )
    return seconds


def bool_setting(value: Any, source: str) -> bool:
    """A true/false setting: a TOML boolean, or text true/false, yes/no, on/off, 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ConfigError(f"The setting from {source} must be true or false, got {value!r}.")


def lifespan_scope(value: Any, source: str) -> LifespanScope:
    """Check a lifespan scope name; `ConfigError` lists the valid ones otherwise."""
    if value in LIFESPAN_SCOPES:
        return cast(LifespanScope, value)
    raise ConfigError(
        f"The lifespan scope from {source} must be one of {', '.join(LIFESPAN_SCOPES)}, "
        f"got {value!r}."
    )


def load_app(reference: str, *, source: str, project_dir: Path | None = None) -> ASGIApp:
    """Import `module:attribute` (or `module:factory()`) and check it is an ASGI app."""
    module_name, colon, attribute = reference.partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigError(
            f'The app "{reference}" from {source} must be written "module:attribute", '
            'e.g. "myservice.main:app" (or "myservice.main:create_app()" for a factory).'
        )
    is_factory = attribute.endswith("()")
    attribute = attribute.removesuffix("()")
    # The `behave` script does not put the project folder on sys.path; `python -m` does.
    add_to_python_path([*import_roots(project_dir or Path.cwd()), Path.cwd()])
    said = io.StringIO()  # what the module writes to stderr while it is imported
    try:
        with contextlib.redirect_stderr(said):
            module = importlib.import_module(module_name)
    except SystemExit as error:
        output = "".join(f"\n  {line}" for line in said.getvalue().splitlines()[-5:])
        raise ConfigError(
            f'Importing "{module_name}" for the app "{reference}" (from {source}) called '
            f"sys.exit({error.code!r}): the module exits while it is imported, probably "
            "because it reads command-line arguments (argparse's parse_args()) or starts a "
            'server. Put that code under `if __name__ == "__main__":`.'
            + (f"\nIt printed:{output}" if output else "")
        ) from None
    except ImportError as error:
        raise ConfigError(
            f'Cannot import the module "{module_name}" of the app "{reference}" (from '
            f"{source}): {type(error).__name__}: {error}. Check the module name and that its "
            "folder is on the Python path."
        ) from error
    except Exception as error:
        raise ConfigError(
            f'Importing "{module_name}" for the app "{reference}" (from {source}) raised '
            f"{type(error).__name__}: {error}"
        ) from error
    finally:
        sys.stderr.write(said.getvalue())
    target: Any = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            names = sorted(n for n in dir(module) if not n.startswith("_"))
            raise ConfigError(
                f'The module "{module_name}" has no attribute "{attribute}" (app "{reference}" '
                f"from {source}). Its public names are: {', '.join(names) or '(none)'}."
            )
        target = getattr(target, part)
    if is_factory:
        if not callable(target):
            raise ConfigError(
                f'"{reference}" (from {source}) calls "{attribute}", but it is not callable.'
            )
        try:
            target = target()
        except Exception as error:
            raise ConfigError(
                f'The app factory "{reference}" (from {source}) raised '
                f"{type(error).__name__}: {error}"
            ) from error
    _check_asgi_callable(target, reference, source, is_factory)
    return cast(ASGIApp, target)


def _check_asgi_callable(target: Any, reference: str, source: str, is_factory: bool) -> None:
    got = f"{type(target).__name__} {target!r}"[:120]
    if inspect.isclass(target):
        raise ConfigError(
            f'"{reference}" (from {source}) is a class, not an ASGI app. Point at an '
            f'instance, or at a factory with "()" at the end.'
        )
    if not callable(target):
        raise ConfigError(
            f'"{reference}" (from {source}) is not an ASGI app: expected a callable taking '
            f"(scope, receive, send), got {got}."
        )
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return  # builtins and C callables: nothing to check
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    takes_varargs = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    if not takes_varargs and len(positional) != 3:
        hint = (
            f' If it builds the app, write "{reference}()".'
            if not positional and not is_factory
            else ""
        )
        raise ConfigError(
            f'"{reference}" (from {source}) is not an ASGI app: an ASGI app takes (scope, '
            f"receive, send), this callable takes {len(positional)} required argument(s).{hint}"
        )
