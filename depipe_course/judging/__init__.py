"""Checks decided where no learner code runs: a judge process, a worker that only answers.

``codec`` says what may cross (plain data, or a handle to an object that stays where it
is), ``channel`` carries requests both ways over one connection, ``mirror`` repeats in
the worker the stage a check sets (a fake clock, environment variables), ``services``
serves the learner's HTTP, AWS and logging from the judge's fakes, ``worker`` and
``judge`` are the two ends, ``kernel`` makes a notebook kernel the worker of ``check()``.

Parts move to the judge one at a time: ``JUDGED_PARTS`` lists those whose checks run
there, in the notebook and in the grader alike. The other parts still run their checks
in the learner's process (``grading/same_process.py``).
"""

from __future__ import annotations

JUDGED_PARTS: frozenset[str] = frozenset({"04"})


def is_judged(exercise_id: str) -> bool:
    """Whether exercise ``exercise_id``'s checks run in a judge process."""
    return exercise_id[:2] in JUDGED_PARTS
