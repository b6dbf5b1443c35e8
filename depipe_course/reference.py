"""The reference solutions: the objects checks compare against, and their source.

``solutions/partNN.py`` is the single source of truth. It is an ordinary module, and
it is also a sequence of cells: each ``# %% [PP.N]`` marker starts the exact source
that ``depipe solve`` puts into exercise PP.N's cell. Every section carries its own
imports so that it runs alone, the way a grader runs one exercise cell.
"""

from __future__ import annotations

import importlib
import re
import sys
from functools import cache
from typing import Any

from depipe_course.edition import require_reference
from depipe_course.exercises import Exercise, get
from depipe_course.paths import SOLUTIONS_DIR

_MARKER = re.compile(r"^# %% \[(\d\d\.\d+)\][^\n]*\n", re.MULTILINE)


# The grader loads the references under private names before any learner code runs
# (``grading/references.py``) and hides solutions/ from learner code: checks that need a
# reference inside the grader find it there, not on disk.
PRIVATE_PREFIX = "_depipe_reference_"


def objects(exercise: Exercise) -> dict[str, Any]:
    """The reference's objects for the names ``exercise`` asks the learner to define."""
    require_reference(f"exercise {exercise.id}'s reference")
    module = sys.modules.get(f"{PRIVATE_PREFIX}{exercise.part.module}")
    if module is None:
        module = importlib.import_module(f"solutions.{exercise.part.module}")
    return {name: getattr(module, name) for name in exercise.names}


def objects_used_by(exercise: Exercise) -> dict[str, Any]:
    """Reference objects for every exercise that ``exercise`` builds on."""
    supplied: dict[str, Any] = {}
    for other in exercise.uses:
        supplied.update(objects(get(other)))
    return supplied


@cache
def sections(part_number: str) -> dict[str, str]:
    """Split ``solutions/partNN.py`` into ``{exercise id: cell source}``."""
    require_reference(f"part {part_number}'s reference source")
    text = (SOLUTIONS_DIR / f"part{part_number}.py").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    marks = list(_MARKER.finditer(text))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        found[mark.group(1)] = text[mark.end() : end].strip("\n") + "\n"
    return found


def source(exercise: Exercise) -> str:
    """The reference cell source for ``exercise``."""
    try:
        return sections(exercise.part.number)[exercise.id]
    except KeyError:
        raise KeyError(f"solutions/part{exercise.part.number}.py has no section for {exercise.id}") from None
