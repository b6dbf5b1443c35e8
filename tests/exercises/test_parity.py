"""check() in a notebook and the grader's path for a cell give the same verdict on every wrong version.

The grader runs a learner's cell as source in a fresh ``__main__`` and checks what it
defines; ``check()`` checks the objects of a live notebook namespace. Both must agree
on every mistake the course knows, sub-check by sub-check. The cell here is what a
learner could have written: the reference's cell, then the wrong version put in the
place of the name it gets wrong; the notebook side runs that same cell, then check().
(The sandbox around the grader's path is tested in tests/grading.)
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from depipe_course import exercises, learner, reference
from depipe_course.grading.child import Job, grade_in_this_process
from tests.wrong_versions import REGISTRY, load_all

WRONG = load_all()


@pytest.mark.parametrize("index", range(len(WRONG)), ids=[w.test_id for w in WRONG])
def test_notebook_and_grader_agree(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same status, score and sub-check verdicts for the wrong version in check() and in the grader's path."""
    monkeypatch.setenv("DEPIPE_STATE_DIR", str(tmp_path / "state"))
    wrong = WRONG[index]
    ex = exercises.get(wrong.exercise_id)
    ((name, _),) = wrong.objects.items()
    # In place of what the learner typed: the wrong version, fetched from the test registry.
    cell = (f"{reference.source(ex)}\nfrom tests.wrong_versions import REGISTRY as _wrong\n"
            f"{name} = _wrong[{REGISTRY.index(wrong)}].objects[{name!r}]\n")
    # A notebook: its namespace is the __main__ module, the cells of earlier exercises have run.
    main = types.ModuleType("__main__")
    vars(main).update(reference.objects_used_by(ex))
    monkeypatch.setitem(sys.modules, "__main__", main)
    exec(compile(cell, f"<{ex.id} cell>", "exec"), vars(main))
    in_notebook = learner.check(ex.id, namespace=vars(main))
    in_grader = grade_in_this_process(Job(ex.id, cell, f"<{ex.id} cell>"))
    assert (in_grader.status, in_grader.score) == (in_notebook.status, in_notebook.score), (
        f"notebook:\n{in_notebook}\n\ngrader:\n{in_grader}")
    assert [(c.name, c.status) for c in in_grader.checks] == [(c.name, c.status) for c in in_notebook.checks]
