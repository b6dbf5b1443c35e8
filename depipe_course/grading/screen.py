"""Read an exercise cell before running it and refuse the ones that go after the grader.

An exercise cell defines a few functions; it has no business importing the reference,
redefining ``check``, reaching into ``builtins`` or into other code's frames and
globals. Spotting that in the source is cheap and says precisely which line is wrong.
It is a first line only: dynamic tricks that hide from this reading are what the
audit hook and the fingerprints in the child are for.
"""

from __future__ import annotations

import ast
import re

_FORBIDDEN_NAMES = frozenset({"check", "progress"})
# The grader's side of the package. What learners are meant to use (check, progress,
# db, data, fakes, ...) stays importable; the checks' dynamic fingerprints catch misuse.
_INTERNALS = frozenset({"checking", "exercises", "grading", "reference", "learner", "feedback", "notebooks",
                        "solve", "paths", "cli", "execute", "__main__"})
_INTROSPECTION = frozenset({
    "_getframe", "_current_frames", "settrace", "setprofile", "addaudithook", "f_back", "f_globals",
    "f_locals", "f_builtins", "tb_frame", "gi_frame", "ag_frame", "cr_frame", "__globals__", "__closure__",
    "__code__", "__subclasses__", "get_referrers", "get_referents", "get_objects",
})
_COURSE_MODULE = re.compile(r"^(solutions|depipe_course\.(" + "|".join(sorted(_INTERNALS)) + r"))(\.\w+)*$")
_SOLUTIONS_PATH = re.compile(r"solutions[/\\]part\d\d")


_IPYTHON_SYNTAX = re.compile(r"^\s*[%!]|=\s*[%!][A-Za-z]", re.MULTILINE)


def python_source(cell_source: str) -> str:
    """Turn IPython syntax (``%magic``, ``!cmd``) into plain Python, as Jupyter does.

    IPython is imported only for a cell that has such syntax (a line starting with
    ``%`` or ``!``, or ``x = !cmd``): importing it costs more than grading a cell.
    """
    if not _IPYTHON_SYNTAX.search(cell_source):
        return cell_source
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


def screen(cell_source: str) -> list[str]:
    """Reasons to reject the cell without running it (empty when there are none).

    A cell that does not parse is not rejected here: running it reports the syntax
    error with its line, which is what the learner needs.
    """
    try:
        tree = ast.parse(python_source(cell_source))
    except (SyntaxError, ValueError):
        return []
    except (RecursionError, MemoryError):
        return ["the cell nests its code deeper than Python's parser allows"]
    found: list[str] = []
    for node in ast.walk(tree):
        reason = _judge(node)
        if reason:
            found.append(f"line {getattr(node, 'lineno', '?')}: {reason}")
    found.extend(_top_level_bindings(tree))
    return list(dict.fromkeys(found))


def _judge(node: ast.AST) -> str:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if reason := _module_reason(alias.name, ()):
                return reason
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return _module_reason(node.module, tuple(a.name for a in node.names))
    elif isinstance(node, ast.Name) and node.id == "__builtins__":
        return "touches __builtins__, which the checks rely on"
    elif isinstance(node, ast.Attribute):
        if node.attr in _INTROSPECTION:
            return f"uses .{node.attr}, which reaches into other code's frames, globals or objects"
        if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
            return "uses sys.modules, which holds the grader's own modules"
    elif isinstance(node, ast.Global) and _FORBIDDEN_NAMES & set(node.names):
        return "declares check/progress global in order to replace them"
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _COURSE_MODULE.match(node.value):
            return f"names the course module {node.value!r} (the reference or the grader)"
        if _SOLUTIONS_PATH.search(node.value):
            return "names a file of the reference solutions"
    return ""


def _module_reason(module: str, names: tuple[str, ...]) -> str:
    parts = module.split(".")
    if parts[0] == "solutions":
        return f"imports the reference ({module}): write your own code instead"
    if parts[0] == "depipe_course":
        inner = set(parts[1:2]) if len(parts) > 1 else set(names)
        if inner & _INTERNALS:
            return f"imports the grader's internals ({module}: {', '.join(sorted(inner & _INTERNALS))})"
        return ""
    top = parts[0]
    if top in {"builtins", "ctypes"}:
        return f"imports {top}, which can change what the checks rely on"
    return ""


def _top_level_bindings(tree: ast.Module) -> list[str]:
    """``check`` or ``progress`` redefined at the top of the cell (not as a local)."""
    found = []
    for stmt in _module_level(tree.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and stmt.name in _FORBIDDEN_NAMES:
            found.append(f"line {stmt.lineno}: redefines {stmt.name}()")
            continue
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "depipe_course" and stmt.level == 0:
            bound = {(a.asname or a.name) for a in stmt.names if a.asname and a.asname != a.name}
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            bound = {(a.asname or a.name).split(".")[0] for a in stmt.names}
        else:
            bound = {n.id for n in _stores(stmt)}
        for name in sorted(bound & _FORBIDDEN_NAMES):
            found.append(f"line {stmt.lineno}: redefines {name}")
    return found


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements that run at the cell's top level, through if/for/while/try/with blocks."""
    out: list[ast.stmt] = []
    for stmt in body:
        out.append(stmt)
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        for field in ("body", "orelse", "finalbody"):
            out.extend(_module_level(getattr(stmt, field, []) or []))
        for handler in getattr(stmt, "handlers", []) or []:
            out.extend(_module_level(handler.body))
    return out


def _stores(stmt: ast.stmt) -> list[ast.Name]:
    """Names a simple statement binds (its own targets, not those of nested blocks)."""
    targets: list[ast.AST] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, ast.AugAssign | ast.AnnAssign):
        targets = [stmt.target]
    elif isinstance(stmt, ast.For | ast.AsyncFor):
        targets = [stmt.target]
    elif isinstance(stmt, ast.With | ast.AsyncWith):
        targets = [item.optional_vars for item in stmt.items if item.optional_vars]
    elif isinstance(stmt, ast.Expr):
        targets = [stmt.value]
    names: list[ast.Name] = []
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.append(node)
            if isinstance(node, ast.NamedExpr):
                names.append(node.target)
    return names
