"""Grade a submission: find each exercise cell, run it in isolation, report.

``grade(path)`` is what ``depipe grade`` calls. Every exercise of every part that
has exercises appears in the report, whatever state the submission is in.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from depipe_course import exercises, notebooks
from depipe_course.checking import Result, SubCheckResult
from depipe_course.grading.report import Graded, Report
from depipe_course.grading.runner import Job, run
from depipe_course.grading.submission import Found, SubmissionError, collect

__all__ = ["grade", "Report", "SubmissionError"]


def _without_code(ex: exercises.Exercise, status: str, message: str) -> Result:
    subs = tuple(
        SubCheckResult(c.name, "not_attempted" if status == "not_attempted" else "failed",
                       0.0, c.points, message, hint=c.hint)
        for c in ex.checks
    )
    return Result(ex.id, ex.title, status, 0.0, ex.max_points, subs, message)  # type: ignore[arg-type]


def _plan(ex: exercises.Exercise, found: Found) -> Job | Result:
    if found.cells is None:
        status = "error" if found.path else "not_attempted"
        return _without_code(ex, status, found.problem)
    located = notebooks.locate(found.cells, ex.id)
    if located.source is None:
        status = "not_attempted" if ex.id not in found.cells else "error"
        return _without_code(ex, status, located.problem)
    return Job(ex.id, located.source, f"<{found.part.notebook} exercise {ex.id}>", located.note)


def grade(submission: Path, *, jobs: int = 1, timeout_s: float | None = None) -> Report:
    """Grade every exercise of the course found (or missing) in ``submission``."""
    found = collect(submission)
    planned: list[tuple[str, exercises.Exercise, Job | Result]] = []
    for part in exercises.PARTS:
        for ex in exercises.exercises_of(part.number):
            planned.append((part.notebook, ex, _plan(ex, found[part.number])))

    def settle(item: tuple[str, exercises.Exercise, Job | Result]) -> Graded:
        notebook, ex, plan = item
        if isinstance(plan, Result):
            return Graded(notebook, plan)
        result = run(plan, timeout_s or ex.timeout_s)
        if plan.note:
            result = replace(result, message=" ".join(filter(None, (plan.note, result.message))))
        return Graded(notebook, result)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return Report(tuple(pool.map(settle, planned)))
