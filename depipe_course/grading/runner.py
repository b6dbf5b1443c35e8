"""Run one exercise's learner code in a confined child process and return plain data.

Each exercise gets a fresh judge forked from a warm *forkserver* that has already
imported pandas, pyarrow and the other libraries (``preload``; no check, no reference),
so isolation costs milliseconds rather than the ~0.7 s of a cold interpreter. The judge
(``child.py``) forks the confined worker (``sandbox.py``) that runs the learner's cell,
runs the checks against it, and sends back messages; this side enforces the wall-clock
limit, validates what came back against the registry it holds, and kills whatever the
child left running.
Whatever the learner's code does, ``run`` returns a ``Result`` for that exercise only.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import multiprocessing.forkserver
import multiprocessing.popen_forkserver
import multiprocessing.reduction
import multiprocessing.spawn
import multiprocessing.util
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, get_args

from depipe_course.checking import Result, Status, SubCheckResult, SubStatus, summarise, timeout_message
from depipe_course.grading import sandbox
from depipe_course.grading.child import Job, death_message, failure, grade_in_this_process, judge_main, probe_main
from depipe_course.grading.limits import Limits
from depipe_course.grading.screen import screen
from depipe_course.paths import COURSE_ROOT, SOLUTIONS_DIR

__all__ = ["IsolationRefused", "Job", "grade_in_this_process", "isolation_in_force", "run", "sandbox_for",
           "shares_the_graders_identity"]

PRELOAD = ("depipe_course.grading.preload",)
# The forkserver's environment: the same hash seed for every run (reproducible reports),
# and thread pools that fit inside the task limit on a many-core machine.
_FORKSERVER_ENV = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "4",
                   "MALLOC_ARENA_MAX": "2"}
_MAX_MESSAGE = 4 * 1024 * 1024
_STATUSES = frozenset(get_args(Status))
_SUB_STATUSES = frozenset(get_args(SubStatus))

_lock = threading.Lock()
_probe_lock = threading.Lock()
_context: multiprocessing.context.ForkServerContext | None = None
_probed: dict[str, dict[str, str]] = {}  # sandbox mode asked for -> what the parent's probe achieved


def _fork_context() -> multiprocessing.context.ForkServerContext:
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(list(PRELOAD))
            saved = {k: os.environ.get(k) for k in _FORKSERVER_ENV}
            os.environ.update({k: v for k, v in _FORKSERVER_ENV.items() if k == "PYTHONHASHSEED" or not saved[k]})
            try:
                multiprocessing.forkserver.ensure_running()
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
            _context = ctx
        return _context


class _Popen(multiprocessing.popen_forkserver.Popen):
    """The forkserver launch, minus re-running the parent's ``__main__`` in each child.

    multiprocessing re-imports the parent's main script in every child so that
    pickled functions defined there resolve. The grader's child needs nothing from it
    (its entry point lives in this package), and re-running it costs time, runs
    whatever the script does at top level, and fails outright when there is no file
    (``python -`` on stdin).
    """

    def _launch(self, process_obj: multiprocessing.process.BaseProcess) -> None:
        prep_data = multiprocessing.spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        multiprocessing.context.set_spawning_popen(self)
        try:
            multiprocessing.reduction.dump(prep_data, buf)
            multiprocessing.reduction.dump(process_obj, buf)
        finally:
            multiprocessing.context.set_spawning_popen(None)
        self.sentinel, w = multiprocessing.forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)  # the child watches this to notice the parent dying
        self.finalizer = multiprocessing.util.Finalize(self, multiprocessing.util.close_fds,
                                                       (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = multiprocessing.forkserver.read_signed(self.sentinel)


class _Process(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: multiprocessing.process.BaseProcess) -> _Popen:
        return _Popen(process_obj)


class IsolationRefused(RuntimeError):
    """This host cannot give learner code an identity of its own; grading it needs consent."""


def isolation_in_force(sandbox_mode: str = "auto") -> dict[str, str]:
    """What the parent's own probe achieved for ``sandbox_mode`` (probing on first use).

    Learner children report their isolation too, but that report is never believed:
    the mode, and what the report says about it, come from a child that ran no
    learner code.
    """
    with _probe_lock:  # not _lock: probing starts the forkserver, which takes _lock
        if sandbox_mode not in _probed:
            _probed[sandbox_mode] = _probe(sandbox_mode)
        return dict(_probed[sandbox_mode])


def shares_the_graders_identity(isolation: dict[str, str]) -> bool:
    """True where learner code would run as the grading user itself (non-root, no user namespace)."""
    return not sandbox.own_identity(isolation)


def sandbox_for(limits: Limits) -> str:
    """The sandbox mode grading will use under ``limits`` on this host."""
    return _mode(limits).sandbox


def _mode(limits: Limits) -> Limits:
    """The sandbox this host gives, decided once from the probe: never lowered by a child."""
    if limits.sandbox == "basic" or not isolation_in_force("auto").get("broken"):
        return limits
    return Limits(**{**limits.to_dict(), "sandbox": "basic"})


def _probe(sandbox_mode: str) -> dict[str, str]:
    """Confine a child exactly as a learner's would be, run nothing in it, read what it achieved."""
    ctx = _fork_context()
    plan = _plan(Limits(sandbox=sandbox_mode), cpu_s=10, protect=())  # type: ignore[arg-type]
    receiver, sender = ctx.Pipe(duplex=False)
    child = _Process(target=probe_main, args=(plan, sender), daemon=True)
    try:
        child.start()
        sender.close()
        message = json.loads(receiver.recv_bytes(65536)) if receiver.poll(30) else {"type": "broken"}
    except (EOFError, OSError, ValueError):
        message = {"type": "broken", "reason": "the probe child died"}
    finally:
        child.join(5)
        receiver.close()
        _clean_up(plan, None, child.pid)
    if message.get("type") == "probe" and isinstance(message.get("isolation"), dict):
        return {str(k): str(v) for k, v in message["isolation"].items()}
    return {"broken": str(message.get("reason", "the sandbox could not be set up"))}


def _plan(limits: Limits, *, cpu_s: float, protect: tuple[str, ...]) -> sandbox.Plan:
    """The sandbox of one child: a fresh scratch folder and throw-away uid, the paths to protect."""
    scratch = os.path.realpath(tempfile.mkdtemp(prefix="depipe-grade-"))
    forkserver = getattr(multiprocessing.forkserver._forkserver, "_forkserver_address", None)
    return sandbox.Plan(
        scratch=scratch, uid=2_000_000_000 + secrets.randbelow(100_000_000), cpu_s=cpu_s, limits=limits,
        read_only=_read_only_paths(protect, scratch),
        # Nothing that holds an answer is readable where the learner's code runs: the references (and the
        # repository's history of them), the tests and benchmarks built on them, solved notebooks, and the
        # check packages (part 08 keeps correct versions beside its checks): the checks run in the judge,
        # outside the worker's mount namespace.
        hidden=(*sandbox.hidden_paths(forkserver), *_course_answers(), *_check_packages()),
        masked=sandbox.masked_paths(protect),
    )


def _course_answers() -> list[str]:
    """The course's folders that hold or lead to reference answers (those present in this install)."""
    found = [SOLUTIONS_DIR, *(COURSE_ROOT / name for name in (".git", "tests", "benchmarks", "build"))]
    return [str(path) for path in found if path.exists()]


def _check_packages() -> list[str]:
    """The folders of the parts' check packages (``depipe_course/exercises/partNN``)."""
    from depipe_course import exercises

    root = os.path.dirname(os.path.realpath(exercises.__file__))
    return [path for part in exercises.PARTS if os.path.isdir(path := os.path.join(root, part.module))]


def _clean_up(plan: sandbox.Plan, netns: int | None, pid: int | None) -> None:
    """Kill what the child left running and remove its scratch folder."""
    sandbox.reap(plan.uid if os.geteuid() == 0 else None, netns, pid)
    shutil.rmtree(plan.scratch, ignore_errors=True)


@dataclass
class _Conversation:
    """What the child said, as far as the parent could verify it."""

    ready: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    alarms: list[str] = field(default_factory=list)
    broken: str = ""
    forged: str = ""
    timed_out: bool = False


def run(job: Job, timeout_s: float, limits: Limits | None = None, *, protect: tuple[str, ...] = ()) -> Result:
    """Grade ``job`` in a confined child; never raises for anything the learner did.

    ``protect`` lists paths (the submission) to make read-only for the child, on top
    of the course and the Python installation.
    """
    limits = limits or Limits()
    reasons = screen(job.source)
    if reasons:
        return failure(job.exercise_id, "rejected", "not run: " + "; ".join(reasons[:3]))
    limits = _mode(limits)
    talk, exitcode = _converse(job, timeout_s, limits, protect)
    if talk.broken:  # fail closed: this exercise is not graded, no later one runs with less
        return failure(job.exercise_id, "error", "the grader's sandbox could not be set up for this exercise, so "
                       "your code was not run (an instructor should look at the grader's host)")
    return _judge(job, talk, timeout_s, limits, exitcode)


def _read_only_paths(protect: tuple[str, ...], scratch: str) -> tuple[str, ...]:
    import sys

    from depipe_course.paths import COURSE_ROOT

    paths = [*protect, str(COURSE_ROOT), sys.prefix, sys.base_prefix]
    keep: list[str] = []
    for path in dict.fromkeys(os.path.realpath(p) for p in paths):
        if path != "/" and not (scratch + os.sep).startswith(path + os.sep):
            keep.append(path)
    return tuple(keep)


def _converse(job: Job, timeout_s: float, limits: Limits,
              protect: tuple[str, ...]) -> tuple[_Conversation, int | None]:
    ctx = _fork_context()  # starts the forkserver with the right environment
    nonce = secrets.token_hex(16)
    plan = _plan(limits, cpu_s=limits.cpu_for(timeout_s), protect=protect)
    receiver, sender = ctx.Pipe(duplex=False)
    child = _Process(target=judge_main, args=(job, plan, nonce, sender), daemon=True)
    talk = _Conversation()
    try:
        child.start()
        sender.close()
        _listen(receiver, nonce, time.monotonic() + timeout_s, talk)
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
        netns = talk.ready.get("netns") if talk.ready else None
        _clean_up(plan, netns if isinstance(netns, int) else None, child.pid)
    return talk, child.exitcode


def _listen(receiver: multiprocessing.connection.Connection, nonce: str, deadline: float,
            talk: _Conversation) -> None:
    while talk.result is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not receiver.poll(remaining):
            talk.timed_out = True
            return
        try:
            message = json.loads(receiver.recv_bytes(_MAX_MESSAGE))
        except (EOFError, OSError):
            return  # the child is gone
        except ValueError:
            talk.forged = "a message on the grader's channel was not the grader's"
            continue
        if not isinstance(message, dict) or message.get("nonce") != nonce:
            talk.forged = "a message on the grader's channel did not carry the grader's secret"
            continue
        kind = message.get("type")
        if kind == "ready" and talk.ready is None:
            talk.ready = message  # its "isolation" is the child's claim: shown nowhere, decided nothing
        elif kind == "alarm":
            talk.alarms.append(str(message.get("reason", "")))
        elif kind == "broken":
            talk.broken = str(message.get("reason", ""))
            return
        elif kind == "result" and talk.ready is not None:
            talk.result = message
        else:
            talk.forged = f"an unexpected {kind!r} message arrived on the grader's channel"


def _judge(job: Job, talk: _Conversation, timeout_s: float, limits: Limits, exitcode: int | None) -> Result:
    ex_id = job.exercise_id
    if talk.alarms or talk.forged:
        said = talk.result.get("result") if talk.result else None
        detail = said.get("message") if isinstance(said, dict) and said.get("status") == "rejected" else ""
        reasons = [*talk.alarms, talk.forged, _text(detail, 300)]
        return failure(ex_id, "rejected", "; ".join(r for r in dict.fromkeys(reasons) if r))
    if talk.result is not None and talk.ready is not None:
        if talk.result.get("digest") != talk.ready.get("digest"):
            changed = ", ".join(str(c) for c in talk.result.get("changed") or [])[:300]
            return failure(ex_id, "rejected", f"the grader's code was changed while your code ran ({changed})")
        result = _validated(ex_id, talk.result.get("result"))
        if result is None:
            return failure(ex_id, "rejected", "the result on the grader's channel was not one the grader sent")
        return _with_output_note(result, talk.result.get("output_chars"), limits)
    if talk.timed_out:
        return failure(ex_id, "timeout", timeout_message(timeout_s))
    return failure(ex_id, "timeout" if exitcode == -signal.SIGXCPU else "error",
                   death_message(exitcode, limits.memory_mb, limits.cpu_for(timeout_s)))


def _validated(exercise_id: str, data: Any) -> Result | None:
    """Rebuild the result from what the registry says; ``None`` if it does not fit."""
    from depipe_course import exercises

    ex = exercises.get(exercise_id)
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
        return None
    sent = data["checks"]
    if [c.get("name") if isinstance(c, dict) else None for c in sent] != [c.name for c in ex.checks]:
        return None
    subs = []
    for check, got in zip(ex.checks, sent, strict=True):
        status = got.get("status")
        if status not in _SUB_STATUSES:
            return None
        subs.append(SubCheckResult(check.name, status, check.points if status == "passed" else 0.0, check.points,
                                   _text(got.get("message")), _maybe(got.get("expected")),
                                   _maybe(got.get("seen")), _text(got.get("hint"), 600) or check.hint))
    status = data.get("status")
    message = _text(data.get("message"))
    if status in {"error", "rejected", "timeout"}:
        return failure(exercise_id, status, message)
    if status not in _STATUSES:
        return None
    return summarise(ex.id, ex.title, tuple(subs), message)


def _text(value: Any, limit: int = 2000) -> str:
    text = value if isinstance(value, str) else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _maybe(value: Any) -> str | None:
    return None if value is None else _text(value, 400)


def _with_output_note(result: Result, chars: Any, limits: Limits) -> Result:
    if isinstance(chars, int) and chars > limits.output_kb * 1024:
        from dataclasses import replace

        note = f"your code printed {chars:,} characters; output is never graded and was dropped"
        return replace(result, message=" ".join(filter(None, (result.message, note))))
    return result
