"""Grading a part whose checks still run in the learner's process (not yet moved to the judge).

Parts listed in ``judging.JUDGED_PARTS`` are graded by a judge process against a worker
(``child.py``). The others are graded here, as before the judge existed: one confined
child runs the cell *and* the checks, with the defences that model needs (the child
forgets its own answer, the grader's modules are fingerprinted, messages carry a nonce).
Code written to defeat checks that share its process can still win here; see
docs/grading.md.

The conversation with the parent is a few JSON messages on a pipe, each carrying the
nonce the parent chose: ``ready`` (sent after the sandbox is up and before any learner
code, with the fingerprint digest), ``alarm`` (sent the moment the audit hook sees
learner code reach for the reference or raw memory), then ``result``.
"""

from __future__ import annotations

import builtins
import functools
import json
import multiprocessing.connection
import os
import sys
import types
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from depipe_course import edition
from depipe_course.checking import Check, Result, bind_references, run_checks
from depipe_course.grading import integrity, references, sandbox
from depipe_course.grading.child import CappedOutput, Channel, Job, execute, failure
from depipe_course.grading.guard import Guard
from depipe_course.paths import SOLUTIONS_DIR


class Tampered(BaseException):
    """The grader's modules changed under the checks (a BaseException: checks cannot swallow it)."""


# Bound before any learner code runs: rebinding json.dumps or json._default_encoder later
# does not reach it (and patching JSONEncoder's methods is caught by the fingerprints).
_ENCODE = json.JSONEncoder().encode


def child_main(job: Job, plan: sandbox.Plan, nonce: str, conn: multiprocessing.connection.Connection) -> None:
    """Entry point of the forked child (never returns)."""
    channel = Channel(conn, nonce)
    # Before the sandbox hides solutions/ (forgetting reads the reference's sections).
    forgotten = [] if edition.is_learner_edition() else _forget_own_answer(_exercise(job.exercise_id))
    try:
        isolation = sandbox.harden(plan, keep_fds=(conn.fileno(),))
    except sandbox.SandboxBroken as exc:
        channel.send("broken", reason=str(exc))
        os._exit(0)
    output = CappedOutput()
    sys.stdout = sys.stderr = output
    guard = Guard(job.filename, str(SOLUTIONS_DIR), plan.scratch,
                  network_guard=not isolation["network"].startswith("namespace"),
                  alarm=lambda reason: channel.send("alarm", reason=reason))
    guard.install()
    # Built now, sent as is: patched builtins cannot stop the parent from hearing of it.
    tampered = json.dumps({"nonce": nonce, "type": "alarm", "reason": "your code changed the grader's code or "
                           "Python's builtins, which the checks rely on"}).encode()
    part = job.exercise_id[:2]
    inherited = integrity.FORKSERVER_BASELINE
    baseline = integrity.scoped(inherited, part) if inherited else integrity.take(part=part)
    for key in [k for k in baseline if any(k == f or k.startswith(f + ".") for f in forgotten)]:
        del baseline[key]  # the forgotten answer (and its classes' methods) is meant to be gone
    channel.send("ready", digest=integrity.digest(baseline), isolation=isolation,
                 netns=os.stat("/proc/self/ns/net").st_ino if isolation["network"].startswith("namespace") else None)
    try:
        result = grade_in_this_process(job, baseline=baseline, on_change=lambda: conn.send_bytes(tampered))
    except Tampered as exc:
        result = failure(job.exercise_id, "rejected", str(exc))
    except BaseException as exc:  # noqa: BLE001 - learner code may raise anything, even from checks
        result = failure(job.exercise_id, "error", f"your code raised {type(exc).__name__} while being checked")
    final = integrity.take(part=part)
    channel.send("result", result=result.to_dict(), digest=integrity.digest(final, baseline),
                 changed=integrity.changes(baseline, final)[:5], output_chars=output.chars)
    conn.close()
    os._exit(0)


def _exercise(exercise_id: str) -> Any:
    from depipe_course import exercises

    return exercises.get(exercise_id)


def _forget_own_answer(ex: Any) -> list[str]:
    """Compute what the checks need from the exercise's own reference, then drop that reference."""
    if ex.id in edition.NEEDS_EXPECTED:
        edition.remember_expected(lambda: run_checks(ex, bind_references(references.objects(ex),
                                                                         references.objects_used_by(ex))))
    return references.forget_own(ex)


def _verifier(baseline: integrity.Fingerprint | None, on_change: Callable[[], None], part: str) -> Any:
    """``verify(when, full=)``: raise ``Tampered`` if the grader moved since ``baseline``.

    After the cell and after each check only the registry and the modules on the
    checks' path are compared (a few ms in a fresh fork); everything at the end.
    """
    scope = ("depipe_course.checking", "depipe_course.exercises", f"depipe_course.exercises.part{part}",
             "depipe_course.grading.child", "depipe_course.grading.integrity", f"{references.PREFIX}part{part}")
    partial = integrity.take(only=scope, part=part) if baseline is not None else {}

    def verify(when: str, *, full: bool = False) -> None:
        if baseline is None:
            return
        changed = integrity.builtins_changed() or integrity.hooks_installed()
        if changed:
            integrity.restore_builtins()
            sys.settrace(None)
            sys.setprofile(None)
        else:
            now = integrity.take(part=part) if full else integrity.take(only=scope, part=part)
            changed = integrity.changes(baseline if full else partial, now)
        if changed:
            on_change()
            shown = ", ".join(changed[:3]) + (" …" if len(changed) > 3 else "")
            raise Tampered(f"the grader's code was changed {when} ({shown}); nothing your code "
                           "does may alter the checks")
    return verify


def grade_in_this_process(job: Job, *, baseline: integrity.Fingerprint | None = None,
                          on_change: Callable[[], None] = lambda: None) -> Result:
    """Execute the learner's cell and run the checks (the child's whole job).

    The cell runs in a fresh ``__main__`` module, as in Jupyter, so libraries that
    resolve annotations through ``sys.modules[cls.__module__]`` (pydantic,
    dataclasses) see the cell's names. With a ``baseline`` fingerprint, the grader is
    verified after the cell and after every check; a change raises ``Tampered``.
    """
    saved = sys.modules.get("__main__")
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    try:
        return _grade(job, vars(main), _verifier(baseline, on_change, job.exercise_id[:2]))
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def _grade(job: Job, namespace: dict[str, Any], verify: Any) -> Result:
    from depipe_course import exercises

    ex = exercises.get(job.exercise_id)
    supplied = {} if edition.is_learner_edition() else references.objects_used_by(ex)
    namespace.update({"__builtins__": dict(vars(builtins)), **supplied})
    for filename, source in job.uses:  # a used cell that fails leaves its names undefined: the check says so
        execute(Job(job.exercise_id, source, filename), namespace)
    problem = execute(job, namespace)
    verify("while the cell ran")
    if problem:
        return failure(job.exercise_id, "error", problem)
    objects = {name: namespace[name] for name in ex.names if name in namespace}
    borrowed = [name for name, obj in objects.items() if references.is_reference(obj) and name not in supplied]
    if borrowed:
        return failure(job.exercise_id, "rejected", f"{', '.join(borrowed)} is the reference solution itself, "
                       "imported from solutions: write your own")
    objects = bind_references(objects, supplied)
    checked = replace(ex, checks=[Check(c.name, _verified(c.fn, verify), c.points, c.hint) for c in ex.checks])
    with edition.checking(namespace):
        return edition.noted(run_checks(checked, objects), ex)


def _verified(fn: Any, verify: Any) -> Any:
    @functools.wraps(fn)
    def run_then_verify(**kwargs: Any) -> None:
        try:
            fn(**kwargs)
        finally:
            verify("while a check ran")
    return run_then_verify


__all__ = ["Tampered", "child_main", "grade_in_this_process"]
