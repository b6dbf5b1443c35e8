"""The reference solutions, loaded for grading under private module names.

Checks of exercise 02.2 must hand the learner's code the *reference* ``clean_chunk``.
Loading ``solutions/partNN.py`` as ``_depipe_reference_partNN`` instead of
``solutions.partNN`` keeps the name ``solutions`` out of ``sys.modules``, so a cell
that imports ``solutions`` has to really import it, which the child's audit hook sees.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

from depipe_course.edition import require_reference
from depipe_course.exercises import Exercise, get
from depipe_course.paths import SOLUTIONS_DIR
from depipe_course.reference import PRIVATE_PREFIX as PREFIX


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
