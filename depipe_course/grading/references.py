"""The reference solutions, loaded for grading under private module names.

Checks of exercise 02.2 must hand the learner's code the *reference* ``clean_chunk``.
Loading ``solutions/partNN.py`` as ``_depipe_reference_partNN`` instead of
``solutions.partNN`` keeps the name ``solutions`` out of ``sys.modules``, so a cell
that imports ``solutions`` has to really import it, which the child's audit hook sees.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import importlib.util
import linecache
import sys
import weakref
from types import ModuleType
from typing import Any

from depipe_course.edition import require_reference
from depipe_course.exercises import Exercise, get
from depipe_course.paths import SOLUTIONS_DIR
from depipe_course.reference import PRIVATE_PREFIX as PREFIX
from depipe_course.reference import sections


def load(part_number: str) -> ModuleType:
    """``solutions/partNN.py`` as the private module ``_depipe_reference_partNN`` (cached)."""
    require_reference(f"grading part {part_number} against the reference")
    name = f"{PREFIX}part{part_number}"
    if name in sys.modules:
        return sys.modules[name]
    path = SOLUTIONS_DIR / f"part{part_number}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the reference {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look classes up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def objects(exercise: Exercise) -> dict[str, Any]:
    module = load(exercise.part.number)
    return {name: getattr(module, name) for name in exercise.names}


def objects_used_by(exercise: Exercise) -> dict[str, Any]:
    """Reference objects for every exercise that ``exercise`` builds on."""
    supplied: dict[str, Any] = {}
    for other in exercise.uses:
        supplied.update(objects(get(other)))
    return supplied


def is_reference(obj: Any) -> bool:
    """Whether ``obj`` was defined by a reference module (private or ``solutions.*``)."""
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str):
        return False
    return module.startswith(PREFIX) or module == "solutions" or module.startswith("solutions.")


def forget_own(exercise: Exercise) -> list[str]:
    """Remove ``exercise``'s own answer from this process; return the fingerprint keys that went.

    Called in the grading child before learner code runs: the names that the exercise's
    reference section defines leave the private reference module, unless an exercise it
    uses defines them too. A cell can then neither import the answer nor find it among
    live objects; the references of the exercises it builds on stay.
    """
    module = sys.modules.get(f"{PREFIX}part{exercise.part.number}")
    if module is None:
        return []
    needed: set[str] = set()
    for other in _uses_closure(exercise):
        needed |= _defined(sections(other.part.number).get(other.id, ""))
    gone = sorted(_defined(sections(exercise.part.number).get(exercise.id, "")) - needed)
    watched = []
    for name in gone:
        obj = vars(module).pop(name, None)
        with contextlib.suppress(TypeError):  # constants cannot be watched, and need not be
            watched.append(weakref.ref(obj))
    del obj
    linecache.clearcache()  # tracebacks of the preload may have cached solutions/ text
    if any(ref() is not None for ref in watched):
        gc.collect()  # classes live in reference cycles; plain functions are already gone (0.2 s saved)
    return [f"{module.__name__}.{name}" for name in gone]


def _uses_closure(exercise: Exercise) -> list[Exercise]:
    found: dict[str, Exercise] = {}
    todo = list(exercise.uses)
    while todo:
        ex = get(todo.pop())
        if ex.id not in found:
            found[ex.id] = ex
            todo.extend(ex.uses)
    return list(found.values())


def _defined(source: str) -> set[str]:
    """Top-level functions, classes and assignments of a reference section (not its imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names
