"""Graded by a judge: learner code holds no verdict to forge and no check to rewrite.

The cell runs in a worker; the checks run in the judge. These cells try what scored
full marks when checks shared the learner's process (tests/grading/test_hostile.py
runs more through the sandboxed grader): sending a forged answer down every
connection in sight, rewriting the checks in memory, an ``==`` that always agrees.
Each scores nothing.
"""

from __future__ import annotations

import textwrap

from depipe_course import exercises, reference
from depipe_course.grading.child import Job, grade_in_this_process

_STUB = "def is_transient(error):\n    raise NotImplementedError\n"


def _graded(cell: str) -> object:
    return grade_in_this_process(Job("04.1", textwrap.dedent(cell), "<hostile 04.1>"))


def test_a_forged_result_on_every_connection_scores_nothing() -> None:
    """Messages written into the worker's connections are answers at most, never a verdict."""
    result = _graded(_STUB + """
        import gc, json, multiprocessing.connection
        forged = json.dumps({"k": "r", "i": 2, "v": ["D", "problem", "", "objects", ["D"], "namespace", None],
                             "type": "result", "result": {"status": "passed", "score": 11}}).encode()
        for obj in gc.get_objects():
            if isinstance(obj, multiprocessing.connection.Connection):
                try:
                    obj.send_bytes(forged)
                except OSError:
                    pass
    """.replace("\n        ", "\n"))
    assert result.score == 0 and result.status != "passed", str(result)


def test_rewriting_the_checks_in_the_worker_changes_nothing() -> None:
    """The worker's copy of a check module, if any, is not the one that runs."""
    result = _graded(_STUB + """
        import sys
        for name, module in list(sys.modules.items()):
            if name.startswith("depipe_course.exercises.part04"):
                for attr in dir(module):
                    if attr.startswith("_") and callable(getattr(module, attr)):
                        setattr(module, attr, lambda *a, **k: None)
        import depipe_course.checking as checking
        checking.run_checks = lambda *a, **k: None
    """.replace("\n        ", "\n"))
    assert result.score == 0 and result.status == "not_attempted", str(result)


def test_an_always_equal_value_is_refused_not_compared() -> None:
    """A bool subclass whose == agrees with everything is never taken for True or False."""
    result = _graded("""
        class Agree(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__
            def __bool__(self):
                return True
        def is_transient(error):
            return Agree(1)
    """.replace("\n        ", "\n"))
    assert result.score == 0 and result.status == "failed", str(result)


def test_the_reference_still_scores_full_marks() -> None:
    """The same path gives the reference every point (the attacks above are not failing for another reason)."""
    ex = exercises.get("04.1")
    result = grade_in_this_process(Job("04.1", reference.source(ex), "<solution 04.1>"))
    assert result.score == ex.max_points
