"""Checks run the way learners run them: in a judge process, this process answering as a notebook kernel does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from depipe_course import learner, reference
from depipe_course.checking import Result, bind_references, timeout_message, whole_exercise
from depipe_course.exercises import Exercise
from depipe_course.judging import kernel


def judged(ex: Exercise, objects: Mapping[str, Any]) -> Result:
    """``ex``'s checks against ``objects`` (with the references of the exercises it uses), under its time limit."""
    supplied = reference.objects_used_by(ex)
    bound = bind_references(dict(objects), supplied)
    kernel.warm()
    try:
        with learner._time_limit(ex.timeout_s):
            return kernel.check(ex.id, bound, {**supplied, **objects}, supplied, stop_on=(learner.CheckTimedOut,))
    except learner.CheckTimedOut:
        return whole_exercise(ex, "timeout", timeout_message(ex.timeout_s))
