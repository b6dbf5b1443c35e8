"""Every wrong version in tests/wrong_versions fails its exercise, on the named sub-check."""

from __future__ import annotations

import pytest

from depipe_course import exercises, reference
from tests.judged import judged
from tests.wrong_versions import Wrong, load_all

WRONG = load_all()


@pytest.mark.parametrize("wrong", WRONG, ids=[w.test_id for w in WRONG])
def test_wrong_version_is_caught(wrong: Wrong) -> None:
    """The sub-check named in ``catches`` fails and the exercise is not passed."""
    ex = exercises.get(wrong.exercise_id)
    objects = {**reference.objects(ex), **wrong.objects}
    result = judged(ex, objects)
    by_name = {c.name: c for c in result.checks}
    assert wrong.catches in by_name, f"no sub-check named {wrong.catches!r}"
    assert by_name[wrong.catches].status == "failed", str(result)
    assert result.status in {"partial", "failed"}


@pytest.mark.parametrize("ex", exercises.all_exercises(), ids=lambda ex: ex.id)
def test_every_exercise_has_wrong_versions(ex: exercises.Exercise) -> None:
    """No exercise is left without at least one wrong version proving its checks bite."""
    assert any(w.exercise_id == ex.id for w in WRONG)
