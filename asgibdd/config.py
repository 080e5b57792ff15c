"""asgibdd's settings: each one's key, what it holds, where it may come from, how it is
checked (`SETTING_TABLE`), and `load_config`, which reads them for a run.

Each setting is looked up in order, the first source that has it wins:

1. behave user data: `behave -D asgibdd.KEY=...`;
2. environment variables: `ASGIBDD_KEY`;
3. `[tool.asgibdd]` in the `pyproject.toml` found the way behave finds its files: in the
   features path behave was given or a folder above it, else in the working folder or
   above.

Some settings (tables and lists) come from `pyproject.toml` only. A key none of these
knows (`timout = 1`) is a `ConfigError` naming where it was found and the closest known
key. docs/configuration.md's table of settings is `settings_markdown()`.

The target is where the steps send their requests: "in-process" (the app, imported here
by `asgibdd.app_loader`) or "live" (a deployed service at `base_url`, over the network;
see docs/live.md). Without a `target` setting it is "live" when no app is configured but a
`base_url` is, so `behave -D asgibdd.base_url=https://staging.example.com` tests staging.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from asgibdd._suggest import close_matches
from asgibdd.errors import ConfigError
from asgibdd.project import find_pyproject, tool_table

__all__ = [
    "CONTRACT_FAILURES",
    "CONTRACT_MODES",
    "CONTRACT_SETUP_PREFIX",
    "DEFAULT_TIMEOUT",
    "LIFESPAN_SCOPES",
    "SETTINGS",
    "SETTING_TABLE",
    "TARGETS",
    "AsgiBddConfig",
    "ContractFailure",
    "ContractMode",
    "LifespanScope",
    "Setting",
    "Target",
    "bool_setting",
    "contract_mode",
    "features_paths",
    "find_pyproject",
    "lifespan_scope",
    "load_config",
    "project_pyproject",
    "settings_markdown",
]

LifespanScope = Literal["scenario", "feature", "run"]
LIFESPAN_SCOPES: tuple[LifespanScope, ...] = ("scenario", "feature", "run")
Target = Literal["in-process", "live"]
TARGETS: tuple[Target, ...] = ("in-process", "live")
DEFAULT_TIMEOUT = 5.0
#: The most bytes of body a live response read whole may have: as in-process, where a
#: plain request keeps at most `asgibdd.client._exchange.MAX_KEPT_BODY`.
DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
ContractMode = Literal["on", "strict", "off"]
CONTRACT_MODES: tuple[ContractMode, ...] = ("on", "strict", "off")
ContractFailure = Literal["end", "request"]
CONTRACT_FAILURES: tuple[ContractFailure, ...] = ("end", "request")
_USERDATA_PREFIX = "asgibdd."
_ENV_PREFIX = "ASGIBDD_"


@dataclass(frozen=True)
class AsgiBddConfig:
    """The settings one behave run uses (see `SETTING_TABLE` for each one's meaning).

    - `app_source`: where `app` was found, for error messages; `openapi_source` likewise.
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
    contract: ContractMode = "on"
    contract_failure: ContractFailure = "end"
    openapi: str = "auto"
    openapi_source: str = "the default"
    api_coverage: str = "reports/api-coverage.json"
    history: str = ".asgibdd/history.json"
    history_in_behave: bool = False
    target: Target = "in-process"
    verify: bool | str = True
    proxy: str | None = None
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    extensions: tuple[str, ...] = ()
    outbound_allow: tuple[str, ...] = ()
    outbound_server: str | None = None
    project_dir: Path | None = None

    @property
    def live(self) -> bool:
        """Whether the steps talk to a deployed service instead of an app in this process."""
        return self.target == "live"


Check = Callable[[Any, str], Any]
"""How a setting is checked: (the value as found, where it was found) -> the value the
config holds, or a `ConfigError` that says what was expected, what was got, what to do."""


@dataclass(frozen=True)
class Setting:
    """One setting: its `key` (`[tool.asgibdd] KEY`, `-D asgibdd.KEY`, `ASGIBDD_KEY`), the
    `default` and `meaning` the docs show, whether it comes from `pyproject.toml` only
    (tables and lists), its `check`, and the config field that keeps its source."""

    key: str
    default: str
    meaning: str
    check: Check
    pyproject_only: bool = False
    source_field: str | None = None

    @property
    def where(self) -> str:
        """The sources, as the docs name them."""
        if self.pyproject_only:
            return "`pyproject.toml`"
        return f"`-D asgibdd.{self.key}`, `{_ENV_PREFIX}{self.key.upper()}`, `pyproject.toml`"


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
    table = (tool_table(pyproject) if pyproject is not None else None) or {}
    _refuse_unknown_keys(userdata, environ, table, pyproject)
    found: dict[str, tuple[Any, str]] = {}
    for setting in SETTING_TABLE:
        lookup = _lookup(setting, userdata, environ, table, pyproject)
        if lookup is not None:
            found[setting.key] = lookup
    target = _target(found)
    if target == "in-process" and "app" not in found:
        raise ConfigError(_no_app_message(userdata, environ, cwd, pyproject))
    if target == "live" and "app" not in found:
        found["app"] = ("", "not needed: the live target imports no app")
    values: dict[str, Any] = {"target": target}
    for key, (value, source) in found.items():
        setting = _BY_KEY[key]
        if key == "app" and target == "live":
            values["app"] = value.strip() if isinstance(value, str) else ""
        elif key != "target":
            values[key] = setting.check(value, source)
        if setting.source_field is not None:
            values[setting.source_field] = source
    config = AsgiBddConfig(
        project_dir=pyproject.parent if pyproject is not None else None, **values
    )
    base_url_source = found["base_url"][1] if "base_url" in found else None
    _check_target(config, base_url_source=base_url_source)
    return config


def _lookup(
    setting: Setting,
    userdata: Mapping[str, str],
    environ: Mapping[str, str],
    table: Mapping[str, Any],
    pyproject: Path | None,
) -> tuple[Any, str] | None:
    """The setting's value and where it was found: the first of its sources that has it."""
    key = setting.key
    if not setting.pyproject_only:
        if f"{_USERDATA_PREFIX}{key}" in userdata:
            return userdata[f"{_USERDATA_PREFIX}{key}"], f"behave -D {_USERDATA_PREFIX}{key}"
        env_name = f"{_ENV_PREFIX}{key.upper()}"
        if env_name in environ:
            return environ[env_name], f"environment variable {env_name}"
    if key in table:
        source = f"[tool.asgibdd] {key} in {pyproject}"
        return table[key], source if not setting.pyproject_only else f"{pyproject}"
    return None


def _target(found: Mapping[str, tuple[Any, str]]) -> Target:
    """The `target` setting, else "live" for a `base_url` without an app."""
    if "target" in found:
        return _target_setting(*found["target"])
    return "live" if "app" not in found and "base_url" in found else "in-process"


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


def _proxy_setting(value: Any, source: str) -> str:
    text = _text_setting(value, source).strip()
    scheme, separator, rest = text.partition("://")
    if not separator or scheme not in ("http", "https", "socks5", "socks5h") or not rest:
        raise ConfigError(
            f"The proxy from {source} must be a URL like http://proxy.example.com:3128, "
            f"got {value!r}."
        )
    return text


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


#: How the line a run starts with about the contract check begins
#: (`asgibdd.contracts.checker.setup_line`); here, so `asgibdd run`'s parent finds that
#: line in a worker's output without importing the checker (and httpx).
CONTRACT_SETUP_PREFIX = "API contract check:"


def contract_mode(value: Any, source: str) -> ContractMode:
    """The contract check's mode: true/on, "strict", or false/off (see docs/contracts.md)."""
    if isinstance(value, str) and value.strip().lower() == "strict":
        return "strict"
    if isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE
    ):
        return "on" if bool_setting(value, source) else "off"
    raise ConfigError(
        f"The contract setting from {source} must be true (check what the document says), "
        f'"strict" (undocumented statuses fail too) or false (no check), got {value!r}.'
    )


def _contract_failure(value: Any, source: str) -> ContractFailure:
    if value in CONTRACT_FAILURES:
        return cast(ContractFailure, value)
    raise ConfigError(
        f'The contract_failure setting from {source} must be "end" (the scenario goes on and '
        'fails at its end) or "request" (the request step fails at once), got '
        f"{value!r}."
    )


def lifespan_scope(value: Any, source: str) -> LifespanScope:
    """Check a lifespan scope name; `ConfigError` lists the valid ones otherwise."""
    if value in LIFESPAN_SCOPES:
        return cast(LifespanScope, value)
    raise ConfigError(
        f"The lifespan scope from {source} must be one of {', '.join(LIFESPAN_SCOPES)}, "
        f"got {value!r}."
    )


def _extensions_setting(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and ":" in v.strip(":") for v in value
    ):
        raise ConfigError(
            f"[tool.asgibdd] extensions in {source} must be a list of `module:Factory` names "
            f"(each called with no arguments for an extension), e.g. extensions = "
            f'["shop.testing:AuditHeader"]; got {value!r}.'
        )
    return tuple(v.strip() for v in value)


def _outbound_allow_setting(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip().startswith(("http://", "https://")) for v in value
    ):
        raise ConfigError(
            f"[tool.asgibdd] outbound_allow in {source} must be a list of URL prefixes the "
            f'app may call for real, e.g. outbound_allow = ["https://sandbox.example.com/"]; '
            f"got {value!r}."
        )
    return tuple(v.strip() for v in value)


def _outbound_server_setting(value: Any, source: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"The outbound_server from {source} must be a host and port to serve the "
            f'stubbed services on, e.g. "0.0.0.0:8089"; got {value!r}.'
        )
    return text


def _app_text(value: Any, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f'The app from {source} must be a text like "package.module:app", got {value!r}.'
        )
    return value.strip()


SETTING_TABLE: tuple[Setting, ...] = (
    Setting(
        "app",
        "(required)",
        "the app as `module:attribute` (`attribute` may be dotted), or `module:factory()` "
        "for a function that builds it",
        _app_text,
        source_field="app_source",
    ),
    Setting(
        "base_url",
        '`"http://testserver"`',
        "the URL paths are resolved against (scheme, host, and a root path if the app "
        "lives under one)",
        _text_setting,
    ),
    Setting(
        "headers",
        "none",
        "headers sent with every request, as a table of text values",
        _headers_setting,
        pyproject_only=True,
    ),
    Setting(
        "timeout",
        "`5.0`",
        "seconds any single wait on the app may take: a request's answer, lifespan "
        "startup/shutdown, a websocket receive, a streamed chunk or event, a regular "
        "expression on one value",
        _timeout_setting,
    ),
    Setting(
        "lifespan",
        '`"scenario"`',
        'how long one client and one run of the app\'s lifespan live: `"scenario"`, '
        '`"feature"` or `"run"`',
        lifespan_scope,
    ),
    Setting(
        "follow_redirects",
        "`true`",
        "whether requests follow redirects (a scenario can turn it off with "
        "`Given redirects are not followed`)",
        bool_setting,
    ),
    Setting(
        "raise_server_exceptions",
        "`true`",
        "whether an exception the app raises is raised into the step (`true`, a bug shows "
        "its traceback) or the steps see the app's own error response (`false`); a feature "
        "or scenario tag can choose, see [below](#the-apps-own-error-responses)",
        bool_setting,
    ),
    Setting(
        "django",
        "`true`",
        "whether a Django project runs on Django's test databases and test host (see "
        "[Frameworks](frameworks.md))",
        bool_setting,
    ),
    Setting(
        "secret_names",
        "none",
        "more names whose values are masked in every output, besides the defaults, as a "
        "list: see [Secrets](#secrets-in-output)",
        _names_setting,
        pyproject_only=True,
    ),
    Setting(
        "contract",
        "`true`",
        "how every response is checked against the app's OpenAPI document: `true` (what the "
        'document says; a status it does not list is reported, not failed), `"strict"` '
        "(such a status fails too) or `false` (not checked); a feature or scenario tag "
        "`@asgibdd.contract=off` (`=strict`, `=on`) chooses for itself: see "
        "[API contracts](contracts.md)",
        contract_mode,
    ),
    Setting(
        "contract_failure",
        '`"end"`',
        'when a contract violation fails the scenario: `"end"` (the request step fails once '
        "it has done its work, the scenario's later steps still run, and it fails at its "
        'end) or `"request"` (the request step fails and the scenario stops there)',
        _contract_failure,
    ),
    Setting(
        "openapi",
        '`"auto"`',
        "where the OpenAPI document comes from: `\"auto\"` (FastAPI's or Litestar's own), a "
        'file (`"openapi.json"`, relative to `pyproject.toml`; YAML with PyYAML installed), '
        'or a path the app serves (`"/openapi.json"`)',
        _text_setting,
        source_field="openapi_source",
    ),
    Setting(
        "api_coverage",
        '`"reports/api-coverage.json"`',
        'the file the run\'s API coverage is written to (`""`: none)',
        _text_setting,
    ),
    Setting(
        "history",
        '`".asgibdd/history.json"`',
        "the results history `asgibdd run` adds each run to, for the HTML report's trend "
        'and flaky marks (`""`: none): see [Reports](reports.md#history-and-flaky-scenarios)',
        _text_setting,
    ),
    Setting(
        "history_in_behave",
        "`false`",
        "plain `behave` runs add to the results history too",
        bool_setting,
    ),
    Setting(
        "target",
        '`"in-process"`',
        '`"live"` sends every step over the network to the service at `base_url` instead '
        "(the default when there is a `base_url` and no `app`): see "
        "[Run against a deployed service](live.md)",
        _target_setting,
    ),
    Setting(
        "verify",
        "`true`",
        "live only: verify the service's TLS certificate (`true`), not (`false`), or "
        "against the CA bundle at this path: see [live](live.md)",
        _verify_setting,
    ),
    Setting(
        "proxy",
        "none",
        "live only: the proxy URL to go through (none: the environment's `HTTPS_PROXY`, "
        "`HTTP_PROXY`, `NO_PROXY`): see [live](live.md)",
        _proxy_setting,
    ),
    Setting(
        "max_body_size",
        "`64 MiB`",
        "live only: the most bytes of body a response read whole may have (a number, or "
        "text like `10 MB` or `64 MiB`); streams are read as they come: see [live](live.md)",
        _size_setting,
    ),
    Setting(
        "extensions",
        "none",
        "the project's own run extensions, as a list of `module:Factory` names, each "
        "called with no arguments: see [Extensions](extensions.md)",
        _extensions_setting,
        pyproject_only=True,
    ),
    Setting(
        "outbound_allow",
        "none",
        "URL prefixes the app may call for real during a scenario (loopback always may); "
        "any other call no step stubs fails the scenario: see [Outbound](outbound.md)",
        _outbound_allow_setting,
        pyproject_only=True,
    ),
    Setting(
        "outbound_server",
        "none",
        'live only: the host and port (`"0.0.0.0:8089"`) the stubbed services are served '
        "on, for a deployed service whose dependency URLs point there: see "
        "[Outbound](outbound.md)",
        _outbound_server_setting,
    ),
)
#: Every setting's key, as written in `[tool.asgibdd]` (`-D asgibdd.KEY`, `ASGIBDD_KEY`).
SETTINGS = tuple(sorted(setting.key for setting in SETTING_TABLE))
_BY_KEY = {setting.key: setting for setting in SETTING_TABLE}
_PYPROJECT_ONLY = frozenset(s.key for s in SETTING_TABLE if s.pyproject_only)


def settings_markdown() -> str:
    """The table of settings in docs/configuration.md, from `SETTING_TABLE`."""
    rows = [
        "| key | default | from | meaning |",
        "|---|---|---|---|",
        *(f"| `{s.key}` | {s.default} | {s.where} | {s.meaning} |" for s in SETTING_TABLE),
    ]
    return "\n".join(rows) + "\n"
