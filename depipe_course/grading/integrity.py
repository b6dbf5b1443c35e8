"""Fingerprints of everything a check relies on, to notice learner code patching it.

Checks call learner functions in the same process, so learner code *can* replace
``depipe_course.checking.expect``, a check function's code, ``builtins.isinstance`` or
``pandas.testing.assert_frame_equal``. It cannot do so unnoticed: the child takes a
fingerprint before the cell runs and sends its digest to the parent, then compares
after the cell and after every check. Only callables, classes and modules are
fingerprinted (plus the check registry and the check functions' closures): module-level
data such as caches may change legitimately.
"""

from __future__ import annotations

import builtins
import hashlib
import sys
import types
from collections.abc import Iterable
from typing import Any

GRADER_PREFIXES = ("depipe_course", "_depipe_reference_")
# Modules outside the course whose functions checks lean on to decide pass or fail.
LIBRARY_MODULES = ("builtins", "tracemalloc", "json", "math", "operator", "functools", "inspect",
                   "traceback", "contextlib", "io", "os", "os.path", "tempfile", "pathlib", "dataclasses",
                   "types", "copy", "decimal", "datetime", "re", "logging", "multiprocessing.connection",
                   "pickle", "numpy", "numpy.testing", "pandas", "pandas.testing", "pyarrow",
                   "pyarrow.parquet", "sqlite3", "json.encoder", "json.decoder", "json.scanner", "_json")
# Pure-Python classes whose methods checks call to compare results.
LIBRARY_CLASSES = (("pandas", "DataFrame"), ("pandas", "Series"), ("pandas", "Index"),
                   ("pathlib", "Path"), ("pathlib", "PurePath"), ("logging", "Logger"),
                   ("logging", "LogRecord"), ("logging", "Handler"), ("json.encoder", "JSONEncoder"))

Fingerprint = dict[str, tuple[Any, ...]]

# Taken when the grader is imported (in the forkserver, before any learner code).
_BUILTINS: dict[str, Any] = dict(vars(builtins))
# The full fingerprint, taken once by the forkserver after its preload (``preload.py``):
# every child inherits it instead of spending a fresh fork's page faults on its own.
FORKSERVER_BASELINE: Fingerprint = {}


def scoped(fingerprint: Fingerprint, part: str) -> Fingerprint:
    """``fingerprint`` without the other parts' checks and references (as ``take(part=)``)."""
    return {k: v for k, v in fingerprint.items() if not _other_part(k.removeprefix("sys.modules["), part)}


def builtins_changed() -> list[str]:
    """Builtins replaced or removed since import; uses no builtin, so patched ones cannot lie."""
    current = vars(builtins)
    changed = []
    for name, value in _BUILTINS.items():
        if current.get(name, changed) is not value:
            changed.append(f"builtins.{name}")
    return changed


def hooks_installed() -> list[str]:
    """Trace or profile hooks left in place: with one, code can rewrite a check's frames as it runs."""
    import threading

    found = [name for name, hook in (("sys.settrace", sys.gettrace()), ("sys.setprofile", sys.getprofile()),
                                     ("threading.settrace", threading.gettrace()),
                                     ("threading.setprofile", threading.getprofile())) if hook is not None]
    return found


def restore_builtins() -> None:
    """Put the original builtins back, so the grader can go on to report the tampering."""
    vars(builtins).update(_BUILTINS)


def _function(fn: types.FunctionType, *, closure: bool) -> tuple[Any, ...]:
    cells: tuple[int, ...] = ()
    if closure and fn.__closure__:
        cells = tuple(id(_cell(c)) for c in fn.__closure__)
    return (id(fn), id(fn.__code__), id(fn.__defaults__), id(fn.__kwdefaults__), id(fn.__globals__), cells)


def _cell(cell: types.CellType) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None


def _value(value: Any) -> tuple[Any, ...] | None:
    if isinstance(value, types.FunctionType):
        return _function(value, closure=False)
    if isinstance(value, type | types.ModuleType | types.BuiltinFunctionType) or callable(value):
        return (id(value),)
    return None


def _class(prefix: str, cls: type, into: Fingerprint) -> None:
    for name, attr in list(vars(cls).items()):
        raw = attr.__func__ if isinstance(attr, staticmethod | classmethod) else attr
        if isinstance(raw, property):
            into[f"{prefix}.{name}"] = (id(raw), id(raw.fget), id(raw.fset))
        elif (entry := _value(raw)) is not None:
            into[f"{prefix}.{name}"] = entry


def _module(name: str, module: types.ModuleType, into: Fingerprint, *, ours: bool) -> None:
    into[f"sys.modules[{name}]"] = (id(module), id(vars(module)))
    for attr, value in list(vars(module).items()):
        if not ours and attr.startswith("_") and not attr.startswith("__"):
            continue  # a library's private state (e.g. logging's record factory) may change
        entry = _value(value)
        if entry is None:
            continue
        into[f"{name}.{attr}"] = entry
        if ours and isinstance(value, type) and value.__module__ == name:
            _class(f"{name}.{attr}", value, into)


def _registry(into: Fingerprint) -> None:
    from depipe_course import exercises

    for ex_id, ex in sorted(exercises._REGISTRY.items()):
        into[f"exercise {ex_id}"] = (id(ex), id(ex.checks), len(ex.checks), ex.names, ex.uses)
        for i, check in enumerate(ex.checks):
            fn = check.fn
            detail = _function(fn, closure=True) if isinstance(fn, types.FunctionType) else (id(fn),)
            into[f"exercise {ex_id} check {i}"] = (id(check), check.name, check.points, detail)


def _other_part(name: str, part: str | None) -> bool:
    """A module of another part's checks or reference: irrelevant to this exercise's checks."""
    if part is None:
        return False
    for prefix in ("depipe_course.exercises.part", "_depipe_reference_part"):
        if name.startswith(prefix):
            return name[len(prefix):len(prefix) + 2] != part
    return False


def _within(only: Iterable[str]) -> list[str]:
    """The loaded modules named in ``only`` or inside one of them, so a part's package covers its modules."""
    named = set(only)
    inside = tuple(f"{name}." for name in named)
    return sorted(named | {name for name in sorted(sys.modules) if name.startswith(inside)})


def take(extra_modules: Iterable[str] = (), *, only: Iterable[str] | None = None,
         part: str | None = None) -> Fingerprint:
    """The current fingerprint of the grader, the check registry and trusted libraries.

    ``only`` limits it to the check registry and the named grader modules, with the
    modules inside a named package (a part's ``ex1_...`` modules), a millisecond: the
    child uses that between two checks, and the full fingerprint before the cell and at
    the end. ``part`` leaves out the checks and references of the other parts, which
    this exercise's checks never call.
    """
    found: Fingerprint = {}
    names = sorted(sys.modules) if only is None else _within(only)
    for name in names:
        module = sys.modules.get(name)
        if isinstance(module, types.ModuleType) and name.startswith(GRADER_PREFIXES) and not _other_part(name, part):
            _module(name, module, found, ours=True)
    _registry(found)
    if only is not None:
        return found
    for name in (*LIBRARY_MODULES, *extra_modules):
        module = sys.modules.get(name)
        if isinstance(module, types.ModuleType):
            _module(name, module, found, ours=False)
    for module_name, class_name in LIBRARY_CLASSES:
        cls = getattr(sys.modules.get(module_name), class_name, None)
        if isinstance(cls, type):
            _class(f"{module_name}.{class_name}", cls, found)
    found["builtins"] = (id(builtins), id(vars(builtins)))
    return found


def digest(fingerprint: Fingerprint, keys: Iterable[str] | None = None) -> str:
    """A hash of ``fingerprint``, restricted to ``keys`` (the baseline's: additions are harmless)."""
    names = sorted(fingerprint if keys is None else keys)
    return hashlib.sha256(repr([(k, fingerprint.get(k)) for k in names]).encode()).hexdigest()


def changes(before: Fingerprint, after: Fingerprint) -> list[str]:
    """Names whose fingerprint differs or that disappeared (new names are harmless)."""
    if before.items() <= after.items():
        return []
    missing = ("missing",)
    return sorted(name for name, entry in before.items() if after.get(name, missing) != entry)
