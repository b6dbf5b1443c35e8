"""The processes that grade one exercise: a judge that holds the checks, a worker that runs the cell.

The parent forks the *judge* from its forkserver. Before it imports any check or
reference, the judge forks the *worker*, which confines itself (``sandbox.harden``),
says it is ready, and then only answers the judge's requests: run the used exercises'
reference cells and the learner's cell, hand over the learner's names, call them. The
judge imports the exercise's checks and runs them against proxies of those names
(``judging.judge``): the verdict, the inputs and the expected values never exist in
the worker. The judge reports to the parent: ``ready`` (the worker's sandbox is up),
``alarm`` (the worker's audit hook saw learner code reach for the reference), then
``result``, each message carrying the parent's nonce.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

from depipe_course import edition
from depipe_course.checking import Result, whole_exercise
from depipe_course.grading import sandbox
from depipe_course.judging.channel import ChannelClosed, Endpoint, ProtocolBroken
from depipe_course.judging.judge import Judge
from depipe_course.judging.proc import learner_process
from depipe_course.judging.worker import WORKER_OPS, serve_until_closed, serving
from depipe_course.paths import SOLUTIONS_DIR


@dataclass(frozen=True)
class Job:
    """One exercise to grade: its id and the learner's cell source."""

    exercise_id: str
    source: str
    filename: str
    note: str = ""  # said in the report whatever the result (e.g. duplicated cells)
    # The learner edition has no references: the learner's own cells of the exercises
    # this one uses, as (filename, source), run first in the same namespace.
    uses: tuple[tuple[str, str], ...] = ()


class CappedOutput(io.TextIOBase):
    """Where the learner's prints go: counted, never stored, so 100 MB costs nothing."""

    def __init__(self) -> None:
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


class Channel:
    """The pipe to the parent; every message carries the nonce."""

    def __init__(self, conn: multiprocessing.connection.Connection, nonce: str) -> None:
        self.conn = conn
        self.nonce = nonce

    def send(self, kind: str, **fields: Any) -> None:
        self.conn.send_bytes(_ENCODE({"nonce": self.nonce, "type": kind, **fields}).encode())


# Bound before any learner code runs: rebinding json.dumps or json._default_encoder later
# does not reach it (the same-process path runs learner code in this process).
_ENCODE = json.JSONEncoder().encode


# ------------------------------------------------------------------------------ the worker


def worker_main(conn: multiprocessing.connection.Connection, plan: sandbox.Plan | None,
                learner_file: str) -> NoReturn:
    """The worker's life: confine (with a ``plan``), report ready, serve the judge, exit."""
    try:
        isolation = sandbox.harden(plan, keep_fds=(conn.fileno(),)) if plan is not None else {}
    except sandbox.SandboxBroken as exc:
        Endpoint(conn, trusting=True).notify("broken", str(exc))
        os._exit(0)
    endpoint = Endpoint(conn, trusting=True, ops=WORKER_OPS)
    in_netns = isolation.get("network", "").startswith("namespace")
    endpoint.notify("ready", {"isolation": isolation,
                              "netns": os.stat("/proc/self/ns/net").st_ino if in_netns else None})
    output = CappedOutput()
    if plan is not None:
        from depipe_course.grading.guard import Guard

        sys.stdout = sys.stderr = output
        Guard(learner_file, str(SOLUTIONS_DIR), plan.scratch, network_guard=not in_netns,
              alarm=lambda reason: endpoint.notify("alarm", reason)).install()
    endpoint.ops["output_chars"] = lambda ep: output.chars
    with serving(endpoint, tunnels=in_netns):
        serve_until_closed(endpoint)
    os._exit(0)


# ------------------------------------------------------------------------------ the judge


@dataclass
class Outcome:
    """What the judge learned: the result, and what the worker said along the way."""

    result: Result
    ready: dict[str, Any]
    alarms: list[str]
    broken: str = ""
    output_chars: int = 0


def judge_job(job: Job, conn: multiprocessing.connection.Connection, worker_pid: int,
              plan: sandbox.Plan | None = None, *, fresh_worker: bool = False) -> Outcome:
    """Grade ``job`` against the worker on ``conn``: load the cells there, run the checks here.

    ``fresh_worker``: the worker was forked for this exercise from a process that ran no
    exercise before (the forkserver's judge), so the kernel's memory figures are compared.
    """
    endpoint = Endpoint(conn, trusting=False)
    judge = Judge(endpoint, learner_pid=worker_pid, fresh_worker=fresh_worker)
    said: dict[str, Any] = {"ready": {}, "broken": ""}
    heard = judge._notice

    def notice(kind: str, value: Any) -> None:
        if kind in ("ready", "broken"):
            said[kind] = value
        else:
            heard(kind, value)

    endpoint.on_notice = notice
    from depipe_course import exercises

    ex = exercises.get(job.exercise_id)  # the checks: imported here, after the worker was forked
    try:
        endpoint.request("ping")  # the worker's "ready" has arrived once this is answered
        pids = str(dict(said["ready"] or {}).get("isolation", {}).get("pids", ""))  # said before learner code ran
        judge.learner_pid = learner_process(worker_pid, behind_pid_namespace=pids == sandbox.OWN_PID_NAMESPACE)
        loaded = endpoint.request("load", _cells(job), _reference_cells(ex), list(ex.names), job.exercise_id)
        if loaded["problem"]:
            result = failure(ex.id, "error", loaded["problem"])
        else:
            result = judge.check(ex, loaded["objects"], loaded["namespace"])
        chars = endpoint.request("output_chars")
    except ProtocolBroken as exc:
        result = failure(ex.id, "rejected", f"the process running your code broke the grader's protocol ({exc}); "
                         "nothing your code sends can stand in for the checks")
        chars = 0
    except ChannelClosed:
        result = _worker_died(ex, worker_pid, plan)
        chars = 0
    return Outcome(result, dict(said["ready"] or {}), judge.alarms, str(said["broken"] or ""),
                   chars if type(chars) is int else 0)


def _cells(job: Job) -> list[tuple[str, str]]:
    return [*job.uses, (job.filename, job.source)]


def _reference_cells(ex: Any) -> list[tuple[str, str]]:
    """The reference cells of every exercise ``ex`` uses, in order (none in the learner edition)."""
    if edition.is_learner_edition() or not ex.uses:
        return []
    from depipe_course import exercises, reference

    used = [i for i in edition.with_uses(ex.uses)]
    return [(f"<reference {i}>", reference.source(exercises.get(i))) for i in used]


def _worker_died(ex: Any, pid: int, plan: sandbox.Plan | None) -> Result:
    try:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
    except ChildProcessError:
        code = None
    message = death_message(code, plan.limits.memory_mb if plan else None, plan.cpu_s if plan else 0)
    return failure(ex.id, "timeout" if code == -signal.SIGXCPU else "error", message)


def death_message(code: int | None, memory_mb: int | None, cpu_s: float) -> str:
    """How a process that ran learner code ended, in a learner's words (the worker's, or the judge's own)."""
    if code == -signal.SIGXCPU:
        return f"stopped after {cpu_s:g} s of CPU time: look for a busy loop"
    if code == -signal.SIGSEGV:
        return "the process running your code crashed (segmentation fault): deep recursion is the usual cause"
    if code == -signal.SIGKILL:
        limit = f" the limit is {memory_mb} MB" if memory_mb else ""
        return f"the process running your code was killed (out of memory?{limit})"
    if code is not None and code < 0:
        return f"the process running your code was killed by signal {-code}"
    return f"your code ended the process running it (exit code {code})"


def fork_worker(plan: sandbox.Plan | None, learner_file: str,
                close: tuple[Any, ...] = ()) -> tuple[multiprocessing.connection.Connection, int]:
    """Fork the worker; return the judge's end of the conversation and the worker's pid."""
    judge_end, worker_end = multiprocessing.Pipe(duplex=True)
    pid = os.fork()
    if pid == 0:
        try:
            judge_end.close()
            for item in close:
                item.close()
            worker_main(worker_end, plan, learner_file)
        finally:
            os._exit(70)
    worker_end.close()
    return judge_end, pid


def judge_main(job: Job, plan: sandbox.Plan, nonce: str, conn: multiprocessing.connection.Connection) -> None:
    """Entry point of the forked judge (never returns)."""
    channel = Channel(conn, nonce)
    judge_end, pid = fork_worker(plan, job.filename, close=(conn,))
    _step_down(plan)
    outcome = judge_job(job, judge_end, pid, plan, fresh_worker=True)
    judge_end.close()
    if outcome.broken:
        channel.send("broken", reason=outcome.broken)
        os._exit(0)
    netns = outcome.ready.get("netns")
    channel.send("ready", digest="", isolation=outcome.ready.get("isolation") or {},
                 netns=netns if type(netns) is int else None)
    for reason in outcome.alarms:
        channel.send("alarm", reason=reason)
    channel.send("result", result=outcome.result.to_dict(), digest="", changed=[],
                 output_chars=outcome.output_chars)
    conn.close()
    os._exit(0)


def _step_down(plan: sandbox.Plan) -> None:
    """The judge works as the worker's user (files it makes are the worker's to use), and cannot be traced."""
    import tempfile

    from depipe_course.grading import _linux

    _linux.prctl(_linux.PR_SET_DUMPABLE, 0)
    os.makedirs(plan.scratch, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(plan.scratch, plan.uid, plan.uid)  # the worker does the same; whoever is first
        # Files the judge makes belong to the worker's uid; the judge keeps its capabilities (to read
        # a Python installed under /root, for one): the worker, outside the judge's view, gains nothing.
        _linux.prctl(_linux.PR_SET_SECUREBITS, _linux.SECBIT_NO_SETUID_FIXUP)
        os.setegid(plan.uid)
        os.seteuid(plan.uid)
    os.chdir(plan.scratch)
    tempfile.tempdir = plan.scratch


def probe_main(plan: sandbox.Plan, conn: multiprocessing.connection.Connection) -> None:
    """Entry point of the parent's probe: confine, report what was achieved, exit.

    No learner code runs here, so what it reports can be trusted; the parent decides the
    sandbox mode from it once, and nothing a learner's child says later can lower it.
    """
    try:
        isolation = sandbox.harden(plan, keep_fds=(conn.fileno(),))
        conn.send_bytes(json.dumps({"type": "probe", "isolation": isolation}).encode())
    except sandbox.SandboxBroken as exc:
        conn.send_bytes(json.dumps({"type": "broken", "reason": str(exc)}).encode())
    conn.close()
    os._exit(0)


def failure(exercise_id: str, status: str, message: str) -> Result:
    """Zero points on every sub-check of the exercise, with one message for all."""
    from depipe_course import exercises

    return whole_exercise(exercises.get(exercise_id), status, message)  # type: ignore[arg-type]


def grade_in_this_process(job: Job, *, fresh_worker: bool = False) -> Result:
    """The judge here, the worker a plain fork without a sandbox (tests, and ``depipe grade --sandbox none``).

    ``fresh_worker=True`` only from a process that has run no exercise (benchmarks.memory_guard).
    """
    conn, pid = fork_worker(None, job.filename)
    try:
        return judge_job(job, conn, pid, fresh_worker=fresh_worker).result
    finally:
        conn.close()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


__all__ = ["Job", "death_message", "failure", "grade_in_this_process", "judge_main", "probe_main"]
