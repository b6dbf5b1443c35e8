"""Run one exercise's learner code in a child process and return plain data.

Each exercise gets a fresh process forked from a warm *forkserver* that has already
imported pandas, pyarrow and the course's checks, so isolation costs milliseconds
rather than the ~0.7 s of a cold interpreter. The child executes the learner's cell
in an empty namespace (plus the references of the exercises it builds on), runs the
checks, and sends back ``Result.to_dict()``: never objects. The parent enforces the
wall-clock limit and turns a crash or a hang into a result for that exercise only.

Hardening (resource limits, sockets, tamper checks) belongs in ``_prepare_child``.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import multiprocessing.connection
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from depipe_course.checking import Result, SubCheckResult, summarise

PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "pyarrow.dataset",
    "pyarrow.csv",
    "requests",
    "depipe_course.checking",
    "depipe_course.exercises",
    "depipe_course.reference",
)


@dataclass(frozen=True)
class Job:
    """One exercise to grade: its id and the learner's cell source."""

    exercise_id: str
    source: str
    filename: str
    note: str = ""  # said in the report whatever the result (e.g. duplicated cells)


_context: multiprocessing.context.ForkServerContext | None = None


def _fork_context() -> multiprocessing.context.ForkServerContext:
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOAD))
        _context = ctx
    return _context


def run(job: Job, timeout_s: float) -> Result:
    """Grade ``job`` in a child process; never raises for anything the learner did."""
    ctx = _fork_context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(job, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if receiver.poll(timeout_s):
            try:
                return Result.from_dict(receiver.recv())
            except (EOFError, OSError):
                pass  # the child died after poll() saw the pipe close
            child.join(5)
            return _failure(job, "error", _death_message(child.exitcode))
        return _failure(job, "timeout", f"stopped after {timeout_s:g} s without finishing: "
                        "look for an infinite loop or a very slow step")
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()


def _death_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"the process running your code was killed by signal {-exitcode}"
    return f"your code ended the process running it (exit code {exitcode})"


def _failure(job: Job, status: str, message: str) -> Result:
    from depipe_course import exercises

    ex = exercises.get(job.exercise_id)
    subs = tuple(
        SubCheckResult(c.name, "failed", 0.0, c.points, message, hint=c.hint) for c in ex.checks
    )
    base = summarise(ex.id, ex.title, subs, message)
    return Result(ex.id, ex.title, status, 0.0, base.max_score, subs, message)  # type: ignore[arg-type]


def _child_main(job: Job, sender: multiprocessing.connection.Connection) -> None:
    with tempfile.TemporaryDirectory(prefix="depipe-grade-") as scratch:
        os.chdir(scratch)
        _prepare_child()
        result = grade_in_this_process(job)
        sender.send(result.to_dict())
        sender.close()


def _prepare_child() -> None:
    """Process-wide set-up before learner code runs (the place for hardening)."""


def grade_in_this_process(job: Job) -> Result:
    """Execute the learner's cell and run the checks (the child's whole job)."""
    from depipe_course import exercises, reference
    from depipe_course.checking import run_checks

    ex = exercises.get(job.exercise_id)
    namespace: dict[str, Any] = {"__name__": "__main__", **reference.objects_used_by(ex)}
    problem = _execute(job, namespace)
    if problem:
        return _failure(job, "error", problem)
    objects = {name: namespace[name] for name in ex.names if name in namespace}
    return run_checks(ex, objects)


def _execute(job: Job, namespace: dict[str, Any]) -> str:
    """Run the cell; return '' on success, else a sentence saying what went wrong."""
    try:
        # dont_inherit: this module's `from __future__ import annotations` must not reach learner code
        code = compile(_python_source(job.source), job.filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"syntax error in the exercise cell, line {exc.lineno}: {exc.msg}"
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(code, namespace)
    except SystemExit as exc:
        return f"the exercise cell called sys.exit({exc.code!r}); remove it"
    except BaseException as exc:  # learner code may raise anything
        return f"running the exercise cell raised {type(exc).__name__}: {exc}"
    return ""


def _python_source(cell_source: str) -> str:
    """Turn IPython syntax (``%magic``, ``!cmd``) into plain Python, as Jupyter does."""
    if "%" not in cell_source and "!" not in cell_source:
        return cell_source
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)
