"""Grade a submission: find each exercise cell, run it confined, report.

``grade(path)`` is what ``depipe grade`` calls. Every exercise of every part that has
exercises appears in the report, whatever state the submission is in. See
docs/grading.md for what the grader protects against and what it does not.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from depipe_course import __version__, edition, exercises
from depipe_course.checking import Result, whole_exercise
from depipe_course.grading.cells import locate
from depipe_course.grading.child import Job, failure
from depipe_course.grading.claims import claimed_ids
from depipe_course.grading.limits import Limits
from depipe_course.grading.report import Graded, Report
from depipe_course.grading.runner import (
    IsolationRefused,
    isolation_in_force,
    run,
    sandbox_for,
    shares_the_graders_identity,
)
from depipe_course.grading.submission import Found, SubmissionError, collect, notebook_files

__all__ = ["grade", "IsolationRefused", "Limits", "Report", "SubmissionError"]


def _plan(ex: exercises.Exercise, found: Found) -> Job | Result:
    if found.notebook is None:
        status = "error" if found.path else "not_attempted"
        return whole_exercise(ex, status, found.problem)
    located = locate(found.notebook, ex)
    note = "; ".join(filter(None, (found.note, located.note)))
    if located.source is None:
        return whole_exercise(ex, located.status, " ".join(filter(None, (located.problem, note))))
    return Job(ex.id, located.source, f"<{found.part.notebook} exercise {ex.id}>", note)


def _with_own_cells(plan: Job | Result, ex: exercises.Exercise, found: dict[str, Found]) -> Job | Result:
    """The learner edition has no references: run the learner's cells of what ``ex`` uses first."""
    if not isinstance(plan, Job) or not ex.uses:
        return plan
    cells = []
    for other in map(exercises.get, edition.with_uses(ex.uses)):
        notebook = found[other.part.number].notebook
        source = locate(notebook, other).source if notebook is not None else None
        if source is not None:
            cells.append((f"<{other.part.notebook} exercise {other.id}>", source))
    return replace(plan, uses=tuple(cells))


def _fingerprint(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def grade(submission: Path, *, jobs: int = 1, timeout_s: float | None = None,
          limits: Limits | None = None, allow_shared_identity: bool = False) -> Report:
    """Grade every exercise of the course found (or missing) in ``submission``.

    Raises ``SubmissionError`` only when ``submission`` itself is unusable, and
    ``IsolationRefused`` when this host would run learner code as the grading user
    itself (non-root without user namespaces) and ``allow_shared_identity`` is not set.
    """
    limits = limits or Limits(timeout_s=timeout_s)
    isolation = isolation_in_force(sandbox_for(limits))
    if shares_the_graders_identity(isolation) and not allow_shared_identity:
        raise IsolationRefused(
            "this host cannot run learner code as a user of its own (the grader is not root and user namespaces "
            "are unavailable): learner code could change other submissions and the grader. Grade in a container "
            "or as root, or pass --allow-shared-identity for submissions you trust.")
    found = collect(submission)
    files = notebook_files(submission)
    known = {"state": _fingerprint(files)}
    lock = threading.Lock()
    protect = tuple(dict.fromkeys(str(p.resolve().parent) for p in files)) or (str(submission.resolve()),)
    planned: list[tuple[str, exercises.Exercise, Job | Result]] = []
    claims: set[str] = set()
    for part in exercises.PARTS:
        part_exercises = exercises.exercises_of(part.number)
        try:
            claims |= claimed_ids(found[part.number].notebook, [ex.id for ex in part_exercises])
            plans = [_plan(ex, found[part.number]) for ex in part_exercises]
        except Exception as exc:  # noqa: BLE001 - a notebook the intake let through still costs only its part
            reason = f"the grader could not read {part.notebook}: {type(exc).__name__}: {str(exc)[:200]}"
            plans = [whole_exercise(ex, "error", reason) for ex in part_exercises]
        planned.extend((part.notebook, ex, plan) for ex, plan in zip(part_exercises, plans, strict=True))
    if edition.is_learner_edition():
        planned = [(notebook, ex, _with_own_cells(plan, ex, found)) for notebook, ex, plan in planned]

    def settle(item: tuple[str, exercises.Exercise, Job | Result]) -> Graded:
        notebook, ex, plan = item
        in_force = limits.for_exercise(ex.timeout_s)
        if isinstance(plan, Result):
            return Graded(notebook, plan, None, in_force)
        started = time.monotonic()
        result = run(plan, limits.wall_s(ex.timeout_s), limits, protect=protect)
        duration = round(time.monotonic() - started, 2)
        with lock:
            now = _fingerprint(files)
            if now != known["state"]:  # only possible without the read-only mount (see docs/grading.md)
                known["state"] = now
                result = failure(ex.id, "rejected", "the submission's files changed on disk while your code ran")
        if result.status == "not_attempted" and ex.id in claims:
            result = failure(ex.id, "rejected", "stored outputs claim this exercise passed, but its cell is "
                             "still the stub: outputs are never trusted, the code is re-run")
        if plan.note:
            result = replace(result, message=" ".join(filter(None, (result.message, f"({plan.note})"))))
        return Graded(notebook, result, duration, in_force)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = tuple(pool.map(settle, planned))
    in_force = {k: v for k, v in limits.to_dict().items() if v is not None}
    if limits.timeout_s is None:
        in_force["timeout_s"] = "per exercise: see each exercise's limits"
    grader = {"version": __version__, "limits": in_force, "sandbox": sandbox_for(limits), "isolation": isolation}
    return Report(graded, grader)
