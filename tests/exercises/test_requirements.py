"""The requirement table covers every exercise, and each requirement has a wrong version that violates it."""

from __future__ import annotations

import pytest

from depipe_course import exercises
from tests import requirements
from tests.wrong_versions import load_all

TABLE = requirements.load_all()
WRONG = load_all()
EXERCISES = exercises.all_exercises()


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_exercise_lists_its_requirements(ex: exercises.Exercise) -> None:
    """Every exercise states what its task text requires, at least one phrase."""
    assert TABLE.get(ex.id), f"{ex.id} has no row in tests/requirements/part{ex.id[:2]}.py"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_every_requirement_has_a_wrong_version(ex: exercises.Exercise) -> None:
    """A requirement no wrong version violates is a requirement no test proves the check enforces."""
    covered = {w.requirement for w in WRONG if w.exercise_id == ex.id}
    missing = [phrase for phrase in TABLE.get(ex.id, ()) if phrase not in covered]
    assert not missing, f"{ex.id}: no wrong version violates {missing}"


def test_every_wrong_version_names_a_listed_requirement() -> None:
    """Each wrong version says which requirement it breaks, in the table's own words."""
    unknown = [
        f"{w.test_id}: {w.requirement!r}"
        for w in WRONG
        if w.requirement not in TABLE.get(w.exercise_id, ())
    ]
    assert not unknown, "wrong versions naming no listed requirement:\n" + "\n".join(unknown)


def test_table_lists_only_real_exercises() -> None:
    """A requirement row for an exercise the course does not have is a typo."""
    assert set(TABLE) <= {ex.id for ex in EXERCISES}
