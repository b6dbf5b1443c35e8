"""Wrong versions of exercise answers: the mistakes each check must catch.

Each part has a module here (``part02.py``) of plain functions registered with
``@wrong``. ``tests/exercises/test_checks_catch_wrong_versions.py`` runs every one
against its exercise's checks and asserts that the named sub-check fails. Each names
the ``requirement`` of its exercise (listed in ``tests/requirements``) that it violates,
so the requirement table reads: requirement -> wrong version -> sub-check.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from depipe_course import exercises

T = TypeVar("T")


@dataclass(frozen=True)
class Wrong:
    """A wrong answer to ``exercise_id`` and the sub-check that must catch it."""

    exercise_id: str
    description: str
    catches: str
    objects: dict[str, Any]
    requirement: str

    @property
    def test_id(self) -> str:
        return f"{self.exercise_id}-{self.description}"


REGISTRY: list[Wrong] = []


def wrong(
    exercise_id: str,
    description: str,
    *,
    catches: str,
    requirement: str,
    name: str | None = None,
) -> Callable[[T], T]:
    """Register the decorated object as a wrong ``name`` (default: the exercise's only name).

    The exercise's other names come from the reference, so a wrong version only
    spells out the one thing it gets wrong: the ``requirement`` (a key of the
    exercise's list in ``tests/requirements``) it violates.
    """

    def register(obj: T) -> T:
        target = name or _only_name(exercise_id)
        REGISTRY.append(Wrong(exercise_id, description, catches, {target: obj}, requirement))
        return obj

    return register


def _only_name(exercise_id: str) -> str:
    names = exercises.get(exercise_id).names
    if len(names) != 1:
        raise ValueError(f"{exercise_id} defines {names}: say which one with name=")
    return names[0]


def load_all() -> list[Wrong]:
    """Import every part module here and return the registered wrong versions."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return list(REGISTRY)
