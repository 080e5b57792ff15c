"""The shape of the package: public names, who may import whom, no import circles.

See docs/architecture.md for the layers these tests keep.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import asgibdd
import asgibdd.client

PACKAGE = Path(asgibdd.__file__).parent
STEP_CONCERNS = (
    "http",
    "response",
    "json",
    "variables",
    "websocket",
    "streaming",
    "contracts",
    "outbound",
    "clock",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The asgibdd modules `path` imports, wherever in the file the import is written."""
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            # `from asgibdd.steps import support` imports the submodule too.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "asgibdd"}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: _imports(path) & modules.keys() - {name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle among the modules, or None. A package's own `__init__`
    re-exporting its submodules is not a circle (the submodule never needs it)."""
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> list[str] | None:
        if name in trail:
            return [*trail[trail.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            if name.startswith(f"{target}.") or target == "asgibdd":
                continue  # a submodule importing its package's facade: the facade is a leaf
            found = visit(target, [*trail, name])
            if found:
                return found
        done.add(name)
        return None

    for module in sorted(graph):
        found = visit(module, [])
        if found:
            return found
    return None


def test_no_module_of_the_package_takes_part_in_an_import_circle() -> None:
    assert _cycle(_graph()) is None


def test_step_concern_modules_never_import_each_other() -> None:
    graph = _graph()
    concerns = {f"asgibdd.steps.{name}" for name in STEP_CONCERNS}
    for concern in sorted(concerns):
        assert graph[concern] & concerns == set(), concern


def test_the_step_floor_imports_no_concern_module() -> None:
    graph = _graph()
    concerns = {f"asgibdd.steps.{name}" for name in STEP_CONCERNS}
    for name, imported in graph.items():
        if name.startswith("asgibdd.steps.support"):
            assert imported & concerns == set(), name


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"asgibdd.a": {"asgibdd.b"}, "asgibdd.b": {"asgibdd.c"}, "asgibdd.c": {"asgibdd.a"}}
    assert _cycle(graph) == ["asgibdd.a", "asgibdd.b", "asgibdd.c", "asgibdd.a"]


def test_matching_works_on_plain_json_without_http_or_behave() -> None:
    graph = _graph()
    allowed_outside = {"asgibdd.errors", "asgibdd._suggest"}
    for path in (PACKAGE / "matching").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        assert top_level.isdisjoint({"httpx", "behave", "anyio"}), path.name
        outside = {
            name for name in graph[_module_name(path)] if not name.startswith("asgibdd.matching")
        }
        assert outside <= allowed_outside, (path.name, outside)


def test_only_the_client_package_imports_the_client_private_modules() -> None:
    for name, imported in _graph().items():
        if name.startswith("asgibdd.client"):
            continue
        private = {target for target in imported if target.startswith("asgibdd.client.")}
        assert private == set(), (name, private)


def test_importing_asgibdd_does_not_import_behave() -> None:
    code = (
        "import sys, asgibdd, asgibdd.client; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'behave'))"
    )
    assert _printed_by(code) == "[]"


def test_the_command_line_and_the_runner_s_parent_start_without_the_client() -> None:
    """`asgibdd run`'s parent lists and watches, and every command starts: none needs
    httpx or the step library until it does its work (workers pay for theirs)."""
    code = (
        "import sys, asgibdd, asgibdd.cli, asgibdd.cli.run; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'anyio'}), "
        "sorted(m for m in sys.modules if m.startswith(('asgibdd.steps', 'asgibdd.client'))))"
    )
    assert _printed_by(code) == "[] []"
    # ...and the client's names still come from the package, on first use.
    code = "import asgibdd; from asgibdd import TestClient; print(TestClient.__module__)"
    assert _printed_by(code) == "asgibdd.client._testclient"
    code = "import asgibdd; print(asgibdd.client.LiveClient.__name__)"  # as before: no import
    assert _printed_by(code) == "LiveClient"


def test_a_run_does_not_import_httpx_s_command_line() -> None:
    """httpx imports its CLI (click, rich, pygments) eagerly; a behave run never uses it."""
    code = (
        "import sys, asgibdd.environment, asgibdd.steps; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('click', 'rich', 'pygments')), 'print_response' in vars(sys.modules['httpx._main']))"
    )
    assert _printed_by(code) == "[] False"


def test_a_run_s_start_compiles_no_advice_pattern() -> None:
    """The near-miss rules are read only for a step no phrase matches."""
    code = (
        "import asgibdd.environment, asgibdd.steps; "
        "from asgibdd.steps.advice import NEAR_MISSES; "
        "print(len(NEAR_MISSES) > 40, sum('pattern' in vars(rule) for rule in NEAR_MISSES))"
    )
    assert _printed_by(code) == "True 0"


def test_httpx_s_command_line_still_runs_when_called_after_asgibdd() -> None:
    code = "import sys, asgibdd.environment, httpx; sys.argv = ['httpx', '--help']; httpx.main()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "A next generation HTTP client." in done.stdout
    # Any other name read from the module loads it too, once.
    code = (
        "import sys, asgibdd, httpx, httpx._main as cli; f = cli.print_response; "
        "print(sys.modules['httpx._main'] is httpx._main, 'rich' in sys.modules, "
        "f is httpx._main.print_response)"
    )
    assert _printed_by(code) == "True True True"


def test_httpx_imported_before_asgibdd_keeps_its_command_line_as_loaded() -> None:
    code = (
        "import httpx, sys, asgibdd.environment; "
        "print('rich' in sys.modules, hasattr(httpx._main, 'print_response'))"
    )
    assert _printed_by(code) == "True True"


def _printed_by(code: str) -> str:
    """What `code` prints, run in a fresh interpreter (nothing imported yet)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_package_exports_exactly_its_public_names() -> None:
    assert asgibdd.__all__ == [
        "ASGIProtocolError",
        "AppTimeout",
        "AsgiBddError",
        "AsyncEventSource",
        "AsyncTestClient",
        "AsyncWebSocketSession",
        "ConfigError",
        "EventSource",
        "ExpectationFailed",
        "LifespanError",
        "ResponseOrderError",
        "ServerSentEvent",
        "TestClient",
        "UsageError",
        "WebSocketDenialResponse",
        "WebSocketDisconnect",
        "WebSocketTestSession",
        "__version__",
    ]
    assert all(hasattr(asgibdd, name) for name in asgibdd.__all__)


# The client's own front door is pinned in tests/test_client_front_door.py.


# -- the seam: capabilities live in extensions, the hub and the request path only dispatch

REQUEST_PATH = PACKAGE / "steps" / "support" / "requests.py"


def test_the_request_path_knows_no_feature_only_the_world_it_records_to() -> None:
    """A request step sends, remembers the exchange and tells the World: what else happens
    to an exchange (the journal, the API document check) is an extension's business."""
    text = REQUEST_PATH.read_text(encoding="utf-8").lower()
    for word in ("contract", "journal", "coverage", "django", "openapi"):
        assert word not in text, word
    imported = _graph()["asgibdd.steps.support.requests"]
    assert imported <= {"asgibdd.world", "asgibdd.errors", "asgibdd.steps.registry"}, imported


def test_the_behave_hooks_keep_no_state_and_stay_small() -> None:
    path = PACKAGE / "environment.py"
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    assert "atexit" not in text and "global " not in text
    constants = {"__all__", "LIFESPAN_TAG", "RAISE_SERVER_EXCEPTIONS_TAG"}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {target.id for target in targets if isinstance(target, ast.Name)}
            assert names <= constants, names


def test_each_extension_stands_alone_below_the_behave_hooks_and_the_steps() -> None:
    graph = _graph()
    own = {name for name in graph if name.startswith("asgibdd.extensions.")}
    assert len(own) >= 7
    for name in sorted(own):
        imported = graph[name]
        assert imported & own == set(), name  # no extension imports another
        above = {i for i in imported if i.startswith(("asgibdd.steps", "asgibdd.environment"))}
        above -= {"asgibdd.steps.registry"}  # the definitions, below every step module
        assert above == set(), (name, above)
    assert not {i for i in graph["asgibdd.world"] if i.startswith("asgibdd.extensions")}
