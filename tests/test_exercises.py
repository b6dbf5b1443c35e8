"""depipe_course.exercises: the registry of parts and exercises."""

from __future__ import annotations

import pytest

from depipe_course import exercises


def test_parts_cover_the_eleven_notebooks() -> None:
    """The course has eleven parts numbered 01 to 11, one notebook each."""
    assert [p.number for p in exercises.PARTS] == [f"{n:02d}" for n in range(1, 12)]
    assert len({p.notebook for p in exercises.PARTS}) == 11


@pytest.mark.parametrize("bad", ["2.1", "02", "x", "02.1.1"])
def test_malformed_ids_are_rejected_with_the_expected_shape(bad: str) -> None:
    """An id that is not of the form PP.N says what ids look like."""
    with pytest.raises(exercises.UnknownExercise, match="ids look like"):
        exercises.get(bad)


def test_unknown_exercise_of_a_known_part() -> None:
    """An id of a part that lacks it names the part."""
    with pytest.raises(exercises.UnknownExercise, match="part 01 has no exercise 01.99"):
        exercises.get("01.99")


def test_ids_are_unique_and_ordered() -> None:
    """Every exercise id appears once and parts list them in numeric order."""
    ids = [ex.id for ex in exercises.all_exercises()]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=lambda i: (i[:2], int(i[3:])))
