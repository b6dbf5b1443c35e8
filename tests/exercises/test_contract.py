"""Every exercise: the reference passes, the shipped stub is not attempted, and the
notebook, the registry and solutions/ agree on which exercises exist."""

from __future__ import annotations

import pytest

from depipe_course import exercises, notebooks, reference
from depipe_course.grading.runner import Job, grade_in_this_process
from depipe_course.paths import NOTEBOOKS_DIR
from tests.judged import judged

ALL = exercises.all_exercises()
IDS = [ex.id for ex in ALL]


def _stub_source(ex: exercises.Exercise) -> str:
    cells = notebooks.exercise_cells(notebooks.read(NOTEBOOKS_DIR / ex.part.notebook))
    (cell,) = cells[ex.id]
    return notebooks.source(cell)


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_reference_passes(ex: exercises.Exercise) -> None:
    """The reference earns full points on every sub-check."""
    result = judged(ex, reference.objects(ex))
    failed = [f"{c.name}: {c.message} (expected {c.expected}, seen {c.seen})"
              for c in result.checks if not c.passed]
    assert not failed, failed
    assert result.status == "passed" and result.score == ex.max_points > 0


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_reference_cell_runs_alone(ex: exercises.Exercise) -> None:
    """The solutions section for the exercise, run alone as the grader runs a cell, passes."""
    result = grade_in_this_process(Job(ex.id, reference.source(ex), f"<solution {ex.id}>"))
    assert result.status == "passed", str(result)


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_stub_is_not_attempted(ex: exercises.Exercise) -> None:
    """The notebook's shipped stub earns nothing and is reported as not attempted."""
    result = grade_in_this_process(Job(ex.id, _stub_source(ex), f"<stub {ex.id}>"))
    assert result.status == "not_attempted", str(result)
    assert result.score == 0


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_exercise_cell_follows_the_contract(ex: exercises.Exercise) -> None:
    """The notebook has exactly one code cell for the exercise, tagged and stubbed."""
    nb = notebooks.read(NOTEBOOKS_DIR / ex.part.notebook)
    cells = notebooks.exercise_cells(nb)[ex.id]
    assert len(cells) == 1
    (cell,) = cells
    assert cell["cell_type"] == "code"
    assert "exercise" in cell["metadata"].get("tags", [])
    src = notebooks.source(cell)
    assert "NotImplementedError" in src or "# YOUR ANSWER HERE" in src
    for name in ex.names:
        assert name in src, f"the stub does not define {name}"


@pytest.mark.parametrize("part", [p for p in exercises.PARTS if exercises.exercises_of(p.number)],
                         ids=lambda p: p.number)
def test_notebook_registry_and_solutions_agree(part: exercises.Part) -> None:
    """Ids in the notebook's cells, the registry and solutions/ are the same set."""
    registered = {ex.id for ex in exercises.exercises_of(part.number)}
    in_notebook = set(notebooks.exercise_cells(notebooks.read(NOTEBOOKS_DIR / part.notebook)))
    assert in_notebook == registered
    assert set(reference.sections(part.number)) == registered


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_every_check_has_a_hint(ex: exercises.Exercise) -> None:
    """A failed sub-check always comes with a hint the learner can act on."""
    assert ex.checks
    assert all(c.hint for c in ex.checks), [c.name for c in ex.checks if not c.hint]
