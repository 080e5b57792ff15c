"""Adding asgibdd's hook calls to a project's own behave `environment.py`.

The file's syntax tree says where each hook is; the calls are inserted as the first
statement of the team's existing hook functions (after a docstring), missing hooks are
appended, and one import line is added. Every other line stays as it was. When a file
cannot be merged safely (a hook that is async, defined twice or inside a block, assigned,
or takes unusual arguments; a file that does not parse) `init` changes nothing at all and
`manual_steps` says what to add by hand.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

__all__ = ["HOOK_PARAMETERS", "HookMerge", "manual_steps", "merge_hooks"]

#: The hooks that must call asgibdd's, with the parameters behave passes them.
HOOK_PARAMETERS = {
    "before_all": ("context",),
    "before_feature": ("context", "feature"),
    "before_scenario": ("context", "scenario"),
    "after_scenario": ("context", "scenario"),
}
_MODULE = "asgibdd.environment"


@dataclass(frozen=True)
class HookMerge:
    """The merged text (None: nothing to change), the hooks given a call, or the problem."""

    text: str | None
    added: tuple[str, ...] = ()
    problem: str | None = None


@dataclass
class _File:
    """The file being merged: its tree and lines, the names asgibdd's module goes by in
    it, and the changes planned so far."""

    tree: ast.Module
    lines: list[str]
    modules: list[str]  # dotted names bound to asgibdd.environment
    functions: dict[str, str]  # local names of its functions -> their names
    alias: str  # what the calls are written with
    inserts: list[tuple[int, str]] = field(default_factory=list)  # (index in lines, text)
    appended: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


def merge_hooks(text: str) -> HookMerge:
    """`text` with a call to asgibdd's helper first in each hook of `HOOK_PARAMETERS`."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        return HookMerge(None, problem=f"it does not parse: {error.msg} (line {error.lineno})")
    if _star_imports_asgibdd(tree):
        return HookMerge(None)
    modules, functions = _asgibdd_names(tree)
    alias = modules[0] if modules else _free_alias(tree)
    file = _File(tree, text.splitlines(keepends=True), modules, functions, alias)
    for hook, parameters in HOOK_PARAMETERS.items():
        problem = _plan_hook(file, hook, parameters)
        if problem is not None:
            return HookMerge(None, problem=problem)
    if not file.added:
        return HookMerge(None)
    return HookMerge(_merged_text(file), tuple(file.added))


def _plan_hook(file: _File, hook: str, parameters: tuple[str, ...]) -> str | None:
    """Plan `hook`'s call by the shape its binding has; the problem, if it has none safe."""
    bindings = [node for node in file.tree.body if hook in _bound_names(node)]
    anywhere = [
        n for n in ast.walk(file.tree) if isinstance(n, ast.stmt) and hook in _bound_names(n)
    ]
    if len(anywhere) > len(bindings):
        return f"{hook} is defined inside a block"
    if not bindings:
        _plan_missing_hook(file, hook, parameters)
        return None
    if len(bindings) > 1:
        return f"{hook} is bound {len(bindings)} times"
    node = bindings[0]
    if isinstance(node, ast.ImportFrom) and node.module == _MODULE:
        return None  # `from asgibdd.environment import before_all`: it is asgibdd's own
    if not isinstance(node, ast.FunctionDef):
        return f"{hook} is not a plain function (def {hook}(...))"
    return _plan_function_hook(file, node, hook, len(parameters))


def _plan_missing_hook(file: _File, hook: str, parameters: tuple[str, ...]) -> None:
    """A hook the file lacks: appended, calling asgibdd's."""
    file.appended.append(_new_hook(hook, parameters, file.alias))
    file.added.append(hook)


def _plan_function_hook(file: _File, node: ast.FunctionDef, hook: str, arity: int) -> str | None:
    """The team's own hook function: asgibdd's call first in it, unless it calls it."""
    if _calls_helper(node, hook, file.modules, file.functions):
        return None
    insert, problem = _call_insertion(node, hook, arity, file.alias, file.lines)
    if problem is None:
        file.inserts.append(insert)
        file.added.append(hook)
    return problem


def _merged_text(file: _File) -> str:
    """The file with the planned inserts, the import line (if the file lacks one) and the
    appended hooks."""
    lines = list(file.lines)
    inserts = list(file.inserts)
    if not file.modules:
        index, after_imports = _import_line_index(file.tree, lines)
        import_line = f"from asgibdd import environment as {file.alias}\n"
        if not after_imports and index < len(lines) and lines[index].strip():
            import_line += "\n\n"
        inserts.append((index, import_line))
    for index, line in sorted(inserts, reverse=True):
        lines.insert(index, line)
    merged = "".join(lines)
    if file.appended:
        hooks = "".join(file.appended)
        merged = merged.rstrip("\n") + "\n" + hooks if merged.strip() else hooks.lstrip("\n")
    return merged


def manual_steps(path: str) -> list[str]:
    """What to add to `path` by hand when it cannot be merged."""
    calls = [
        f"    def {hook}({', '.join(p)}): asgibdd.{hook}({', '.join(p)})"
        for hook, p in HOOK_PARAMETERS.items()
    ]
    return [
        f"Add asgibdd to {path} by hand: import it with",
        "    from asgibdd import environment as asgibdd",
        "and call its helper first in each of these hooks (define the ones you lack):",
        *calls,
    ]


def _star_imports_asgibdd(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == _MODULE
        and any(alias.name == "*" for alias in node.names)
        for node in tree.body
    )


def _asgibdd_names(tree: ast.Module) -> tuple[list[str], dict[str, str]]:
    """Dotted names bound to `asgibdd.environment`, and local names of its functions."""
    modules: list[str] = []
    functions: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "asgibdd" and node.level == 0:
            modules.extend(a.asname or a.name for a in node.names if a.name == "environment")
        elif isinstance(node, ast.ImportFrom) and node.module == _MODULE:
            functions.update({a.asname or a.name: a.name for a in node.names})
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == _MODULE:
                    modules.append(a.asname or _MODULE)
    return modules, functions


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).partition(".")[0] for a in node.names}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
        targets = [node.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _free_alias(tree: ast.Module) -> str:
    bound = set().union(*(_bound_names(node) for node in tree.body))
    return next(name for name in ("asgibdd", "asgibdd_hooks", "_asgibdd") if name not in bound)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None


def _calls_helper(
    function: ast.FunctionDef, hook: str, modules: list[str], functions: dict[str, str]
) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            called = _dotted(node.func) or ""
            owner, _, name = called.rpartition(".")
            if (owner in modules and name == hook) or functions.get(called) == hook:
                return True
    return False


def _call_insertion(
    function: ast.FunctionDef, hook: str, arity: int, alias: str, lines: list[str]
) -> tuple[tuple[int, str], str | None]:
    arguments = function.args
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
    if len(names) != arity or arguments.vararg or arguments.kwonlyargs or arguments.kwarg:
        return (0, ""), f"{hook} takes ({', '.join(names)}), not {arity} plain argument(s)"
    body = function.body
    first = body[0]
    has_docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    if has_docstring and len(body) == 1:
        anchor, index = first, (first.end_lineno or first.lineno)
    else:
        anchor = body[1] if has_docstring else first
        index = anchor.lineno - 1
    if first.lineno == function.lineno:
        return (0, ""), f"{hook} is written on one line"
    indent = " " * anchor.col_offset
    return (index, f"{indent}{alias}.{hook}({', '.join(names)})\n"), None


def _import_line_index(tree: ast.Module, lines: list[str]) -> tuple[int, bool]:
    """After the module docstring and the imports at the top of the file; and whether
    that is right after an import."""
    index = 0
    after_imports = False
    for position, node in enumerate(tree.body):
        is_docstring = (
            position == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        if not (is_docstring or isinstance(node, ast.Import | ast.ImportFrom)):
            break
        index = node.end_lineno or node.lineno
        after_imports = not is_docstring
    if index == 0:  # no docstring or import: after the leading comments
        while index < len(lines) and lines[index].lstrip().startswith("#"):
            index += 1
    return index, after_imports


def _new_hook(hook: str, parameters: tuple[str, ...], alias: str) -> str:
    shown = ", ".join(parameters)
    return f"\n\ndef {hook}({shown}):\n    {alias}.{hook}({shown})\n"
