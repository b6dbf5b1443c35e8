"""What each exercise's task text requires: the table its wrong versions are held to.

Each part has a module here (``part10.py``) with ``REQUIREMENTS``, a mapping from
exercise id to the requirements its task text states, each a short phrase in the
learner's terms ("at most max_retries retries per page"). Every wrong version in
``tests/wrong_versions`` names the one requirement it violates, so the table reads
requirement -> wrong version -> sub-check, and
``tests/exercises/test_requirements.py`` fails when a requirement has no wrong
version, or a wrong version names a requirement the table lacks.

``python -m tests.requirements`` prints the table as Markdown.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping


def load_all() -> dict[str, tuple[str, ...]]:
    """Every part's requirements, merged: exercise id -> requirement phrases."""
    table: dict[str, tuple[str, ...]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        requirements: Mapping[str, tuple[str, ...]] = module.REQUIREMENTS
        for exercise_id, phrases in requirements.items():
            if exercise_id in table:
                raise ValueError(f"{exercise_id} is listed in two requirement modules")
            table[exercise_id] = tuple(phrases)
    return table
