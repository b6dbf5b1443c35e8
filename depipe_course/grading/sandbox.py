"""Confine the child that runs one exercise's learner code, and clean up after it.

``harden`` runs in the child, after the fork and before any learner code. It does the
strongest thing the host allows and reports what it achieved, so the report can say
which protections were in force:

* resource limits: CPU seconds, data segment (not address space: pyarrow's mimalloc
  and glibc's per-thread arenas reserve gigabytes of address space they never touch,
  so RLIMIT_AS breaks threads long before memory runs out; RLIMIT_DATA counts private
  writable mappings, which is what a memory bomb grows), a generous address-space
  backstop for shared mappings, file size (SIGXFSZ ignored: writes fail with OSError),
  no core files, and tasks (RLIMIT_NPROC, which counts threads);
* new mount and network namespaces: only ``lo`` is up (loopback fakes such as moto's
  server keep working, nothing else is reachable); a private, empty /tmp, /var/tmp and
  /dev/shm (nothing written there survives the exercise, and other runs' sockets are
  out of sight); home folders and the folder holding the submission (a class of
  learners) masked, so neither the grading user's files nor classmates' notebooks are
  in view; the submission, the course and the Python installation re-exposed
  read-only; container-engine sockets hidden;
* as root: a throw-away uid (RLIMIT_NPROC is not enforced for uid 0, and a fresh uid
  makes the count exact) with no capabilities (CAP_DAC_READ_SEARCH only in the basic
  mode, where a Python installed under /root must stay importable without masks); as
  non-root: a user namespace (the task count is then per namespace) and every
  capability dropped once the namespaces are set up;
* no_new_privs (no sudo, no setuid binaries), a new session, a scrubbed environment,
  stdin/stdout/stderr on /dev/null, every other inherited descriptor closed.

``reap`` runs in the parent and kills whatever the learner's code left running.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

from depipe_course.grading import _linux
from depipe_course.grading.limits import Limits

_MB = 1024 * 1024
_ENV_KEPT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONHASHSEED")
_ENV_KEPT_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_", "MALLOC_")
_ENGINE_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
                   "/run/podman/podman.sock")


# What ``harden`` reports, in words a report reader understands; the predicates below read
# these, so the words are defined once, here.
USER_NAMESPACE = "namespace"
THROWAWAY_UID = "throw-away uid"
FILESYSTEM_MASKED = ("private /tmp and /dev/shm; homes and other learners' folders masked; submission, "
                     "course and Python read-only; scratch folder writable")


def own_identity(isolation: dict[str, str]) -> bool:
    """Whether learner code ran as a user of its own (throw-away uid, or a user namespace)."""
    user = isolation.get("user", "")
    return user.startswith(THROWAWAY_UID) or user == USER_NAMESPACE


class SandboxBroken(RuntimeError):
    """A namespace was entered but could not be finished (e.g. ``lo`` stayed down)."""


@dataclass(frozen=True)
class Plan:
    """What the parent decided for one child (plain data: it crosses the fork)."""

    scratch: str
    uid: int  # the throw-away uid used when the grader runs as root
    cpu_s: float
    limits: Limits
    read_only: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    masked: tuple[str, ...] = ()  # folders replaced by an empty tmpfs, read_only and scratch re-exposed


def harden(plan: Plan, *, keep_fds: tuple[int, ...] = ()) -> dict[str, str]:
    """Confine this process; return which protection is in force for each concern."""
    os.setsid()
    root = os.geteuid() == 0
    isolation = {"filesystem": "root-owned files read-only (throw-away uid)" if root else
                 "no protection (same user; changes are detected afterwards)"}
    namespaces = plan.limits.sandbox == "auto" and sys.platform == "linux"
    if namespaces:
        isolation.update(_enter_namespaces(plan, root))
    else:
        isolation["network"] = "in-process guard (sockets to non-loopback addresses refused)"
    _prepare_scratch(plan, root)
    isolation["processes"] = _set_rlimits(plan, root, in_userns=isolation.get("user") == USER_NAMESPACE)
    if root:
        # With homes masked and the Python installation bound back, nothing the child
        # needs is behind a folder it cannot traverse: it keeps no capability at all.
        masked = isolation.get("filesystem") == FILESYSTEM_MASKED
        _drop_root(plan.uid, keep_read_all=not masked)
        isolation["user"] = (f"{THROWAWAY_UID}, no capabilities" if masked else
                             f"{THROWAWAY_UID}, no capability but CAP_DAC_READ_SEARCH")
    elif isolation.get("user") == USER_NAMESPACE:
        _linux.set_capabilities(())
    try:
        _linux.prctl(_linux.PR_SET_NO_NEW_PRIVS, 1)
        isolation["privileges"] = "no_new_privs"
    except OSError:
        isolation["privileges"] = "no_new_privs unavailable"
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _scrub_environment(plan.scratch)
    _close_descriptors(keep_fds)
    return isolation


def _enter_namespaces(plan: Plan, root: bool) -> dict[str, str]:
    done: dict[str, str] = {}
    if not root:
        try:
            uid, gid = os.getuid(), os.getgid()
            _linux.unshare(_linux.CLONE_NEWUSER)
            _linux.write_id_maps(uid, gid)
            done["user"] = USER_NAMESPACE
        except OSError:
            done["network"] = "in-process guard (no user namespaces here)"
            return done
    try:
        _linux.unshare(_linux.CLONE_NEWNS | _linux.CLONE_NEWNET)
    except OSError as exc:
        done["network"] = f"in-process guard (namespaces refused: {exc.strerror})"
        return done
    try:
        _linux.loopback_up()
    except OSError as exc:
        raise SandboxBroken(f"network namespace without loopback: {exc}") from exc
    done["network"] = "namespace with loopback only"
    try:
        _linux.make_mounts_private()
        _mask(plan.masked, (*plan.read_only, plan.scratch))
        for path in plan.read_only:
            if os.path.isdir(path) or os.path.isfile(path):
                _linux.bind_read_only(path)
        for path in plan.hidden:
            _hide(path)
    except OSError as exc:
        raise SandboxBroken(f"mount namespace incomplete: {exc}") from exc
    done["filesystem"] = FILESYSTEM_MASKED
    done["pids"] = _enter_pid_namespace()
    return done


OWN_PID_NAMESPACE = "own PID namespace: no other process in view"


def _enter_pid_namespace() -> str:
    """Continue as process 2 of a new PID namespace, with a /proc that shows only it.

    Learner code then cannot see, signal or read the environment of any process
    outside its own exercise: not the grader, not another learner's exercise. Process 1
    of the namespace only reaps and passes on how the exercise ended (learner code is
    not run as process 1, which the kernel shields from signals such as SIGXCPU), and
    when it ends the kernel kills whatever the exercise left running. The process that
    forked stays outside, waiting, so the grader sees the exercise's end as its own.
    """
    try:
        _linux.unshare(_linux.CLONE_NEWPID)
    except OSError as exc:
        return f"shared with the host (no PID namespace: {exc.strerror})"
    init = os.fork()
    if init:
        _relay(init)
    _linux.prctl(_linux.PR_SET_PDEATHSIG, signal.SIGKILL)  # the grader killing the relay ends it all
    try:
        _linux.mount("proc", "/proc", "proc", _linux.MS_NOSUID | _linux.MS_NODEV | _linux.MS_NOEXEC)
    except OSError as exc:
        raise SandboxBroken(f"PID namespace without its own /proc: {exc}") from exc
    worker = os.fork()
    if worker:
        _reap_until(worker)
    _linux.prctl(_linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    return OWN_PID_NAMESPACE


_SIGNALLED = 128  # process 1 cannot die of a signal it sends itself: it exits with 128 + the signal


def _reap_until(worker: int) -> None:
    """Process 1: reap every orphan until ``worker`` ends, then exit saying how it ended."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(1)
        if pid == worker:
            os._exit(_SIGNALLED + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.waitstatus_to_exitcode(status))


def _relay(init: int) -> None:
    """Outside the namespace: wait for process 1, then end the way the exercise ended."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while True:
        try:
            _, status = os.waitpid(init, 0)
            break
        except ChildProcessError:
            os._exit(1)
    if os.WIFSIGNALED(status):
        _die_of(os.WTERMSIG(status))
    code = os.waitstatus_to_exitcode(status)
    if code > _SIGNALLED and code - _SIGNALLED < signal.NSIG:
        _die_of(code - _SIGNALLED)
    os._exit(code)


def _die_of(sig: int) -> None:
    if sig not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be handled, nor need resetting
        signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    os._exit(_SIGNALLED + sig)  # a signal whose default is to carry on: say it in the code


def _mask(roots: tuple[str, ...], keep: tuple[str, ...]) -> None:
    """Replace each root folder by an empty tmpfs, then bind back the kept paths inside it.

    Kept paths are opened (``O_PATH``) before the tmpfs covers them and bound back
    through ``/proc/self/fd``, so they stay reachable under their own names.
    """
    for root in roots:
        if not os.path.isdir(root) or os.path.islink(root):
            continue
        if any(root == k or root.startswith(k + os.sep) for k in keep):
            continue  # the root lies inside something kept: masking it would hide kept files
        inner = _outermost([k for k in keep if k.startswith(root + os.sep) and os.path.exists(k)])
        handles = [(k, os.open(k, os.O_PATH | os.O_CLOEXEC)) for k in inner]
        try:
            mode = "1777" if root in _SHARED_TMP else "755"
            _linux.mount("tmpfs", root, "tmpfs", _linux.MS_NOSUID | _linux.MS_NODEV, f"size=64m,mode={mode}")
            for path, fd in handles:
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.makedirs(path, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    open(path, "a").close()
                _linux.mount(f"/proc/self/fd/{fd}", path, None, _linux.MS_BIND | _linux.MS_REC)
        finally:
            for _, fd in handles:
                os.close(fd)


_SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")


def _outermost(paths: list[str]) -> list[str]:
    """Paths not inside another of ``paths`` (binding a folder brings what lies inside it)."""
    ordered = sorted(set(paths))
    return [p for p in ordered if not any(p.startswith(q + os.sep) for q in ordered if q != p)]


def masked_paths(protect: tuple[str, ...]) -> tuple[str, ...]:
    """What the child should not see (parent side): shared temporary folders, homes, and the
    folders holding the submission, which in a class hold the other learners' folders too."""
    homes = [p for p in ("/root", "/home", "/run/user") if os.path.isdir(p)]
    parents = [os.path.dirname(os.path.realpath(p)) for p in protect]
    found = [*_SHARED_TMP, *homes, *(p for p in parents if p not in ("/", ""))]
    return tuple(dict.fromkeys(found))

def _hide(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        _linux.mount("tmpfs", path, "tmpfs", _linux.MS_NOSUID | _linux.MS_NODEV, "size=1k,mode=555")
    elif os.path.exists(path):
        _linux.mount("/dev/null", path, None, _linux.MS_BIND)


def hidden_paths(forkserver_address: str | None) -> tuple[str, ...]:
    """Sockets a sandboxed child must not reach (parent side: it knows the addresses)."""
    found = [p for p in _ENGINE_SOCKETS if os.path.exists(p)]
    if forkserver_address and os.path.dirname(forkserver_address):
        found.append(os.path.dirname(forkserver_address))
    return tuple(found)


def _prepare_scratch(plan: Plan, root: bool) -> None:
    if root:
        os.chown(plan.scratch, plan.uid, plan.uid)
    os.chdir(plan.scratch)
    tempfile.tempdir = plan.scratch


def _vm(field_name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _set_rlimits(plan: Plan, root: bool, *, in_userns: bool) -> str:
    limits = plan.limits
    extra = limits.memory_mb * _MB
    cpu = max(1, int(plan.cpu_s + 0.999))
    _lower(resource.RLIMIT_CPU, cpu, cpu + 2)
    _lower(resource.RLIMIT_DATA, _vm("VmData") + extra)
    _lower(resource.RLIMIT_AS, _vm("VmSize") + 2 * extra + 1024 * _MB)
    _lower(resource.RLIMIT_FSIZE, limits.file_mb * _MB)
    _lower(resource.RLIMIT_CORE, 0)
    if root or in_userns:
        _lower(resource.RLIMIT_NPROC, limits.processes)
        return f"at most {limits.processes} tasks (threads included), counted for this exercise alone"
    others = _tasks_of(os.getuid()) - 1
    _lower(resource.RLIMIT_NPROC, others + limits.processes)
    return (f"at most {limits.processes} tasks beyond the {others} this user already runs "
            "(approximate: RLIMIT_NPROC counts per user)")


def _lower(which: int, soft: int, hard: int | None = None) -> None:
    cur_soft, cur_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if cur_hard != resource.RLIM_INFINITY:
        hard = min(hard, cur_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _tasks_of(uid: int) -> int:
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                owner, threads = _uid_and_threads(name)
            except OSError:
                continue
            count += threads if owner == uid else 0
    return count


def _uid_and_threads(pid: str) -> tuple[int, int]:
    uid, threads = -1, 0
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("Uid:"):
                uid = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return uid, threads


def _drop_root(uid: int, *, keep_read_all: bool) -> None:
    """Become ``uid`` for good; with ``keep_read_all``, keep the right to read (not write) any
    file, which a Python installed under /root needs when its home cannot be masked."""
    _linux.prctl(_linux.PR_SET_KEEPCAPS, 1)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _linux.set_capabilities((_linux.CAP_DAC_READ_SEARCH,) if keep_read_all else ())
    _linux.prctl(_linux.PR_SET_KEEPCAPS, 0)


def _scrub_environment(scratch: str) -> None:
    """No CI tokens or cloud credentials reach learner code (they could end up in a report)."""
    kept = {k: v for k, v in os.environ.items() if k in _ENV_KEPT or k.startswith(_ENV_KEPT_PREFIXES)}
    os.environ.clear()
    os.environ.update(kept)
    os.environ.update(HOME=scratch, TMPDIR=scratch, USER="learner", LOGNAME="learner",
                      DEPIPE_STATE_DIR=os.path.join(scratch, ".depipe-state"))


def _close_descriptors(keep: tuple[int, ...]) -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def reap(uid: int | None, netns: int | None, session: int | None) -> int:
    """Kill every process the exercise left behind; return how many were killed.

    Processes are recognised by what the learner cannot change from inside: the
    throw-away uid (root) or the network namespace (non-root with namespaces); the
    session is the weak fallback (a process can leave it with ``setsid``).
    """
    killed = 0
    for _ in range(50):  # a fork bomb may still be forking, the killed need a moment to exit
        victims = [pid for pid in _pids() if _belongs(pid, uid, netns, session)]
        if not victims:
            break
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        time.sleep(0.02)
    return killed


def _pids() -> list[int]:
    me = os.getpid()
    return [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) != me]


def _belongs(pid: int, uid: int | None, netns: int | None, session: int | None) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            if f.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                return False  # already dead, waiting to be reaped by its parent
        if uid is not None and os.stat(f"/proc/{pid}").st_uid == uid:
            return True
        if netns is not None and os.stat(f"/proc/{pid}/ns/net").st_ino == netns:
            return True
        return session is not None and os.getsid(pid) == session
    except OSError:
        return False
