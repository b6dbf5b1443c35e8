"""depipe_course.grading.runner: learner code runs in a confined child; whatever it does
costs that exercise only, and the child leaves nothing behind."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from depipe_course import reference
from depipe_course.exercises import get
from depipe_course.grading.limits import Limits
from depipe_course.grading.runner import Job, grade_in_this_process, isolation_in_force, run
from depipe_course.paths import COURSE_ROOT

REFERENCE = reference.source(get("01.1"))
FULL = get("01.1").max_points


def _run(source: str, timeout_s: float = 20, **limits: object):  # type: ignore[no-untyped-def]
    return run(Job("01.1", source, "<test cell>"), timeout_s, Limits(**limits))  # type: ignore[arg-type]


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie already killed does not count)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return False


@pytest.mark.parametrize("sandbox", ["auto", "basic"])
def test_reference_passes_in_a_child(sandbox: str) -> None:
    """The reference cell, run in a confined child, earns full points in both sandbox modes."""
    result = _run(REFERENCE, sandbox=sandbox)
    assert result.status == "passed" and result.score == FULL


def test_isolation_is_reported() -> None:
    """After a run, the grader can say which protection was in force for each concern."""
    _run(REFERENCE)
    assert {"network", "processes", "filesystem", "privileges"} <= set(isolation_in_force())


def test_infinite_loop_times_out() -> None:
    """A cell that never finishes is stopped at the limit with status timeout."""
    result = _run("while True:\n    pass\n", timeout_s=1.5)
    assert result.status == "timeout" and result.score == 0 and "1.5 s" in result.message


def test_cpu_limit_stops_a_busy_loop_before_the_wall_clock() -> None:
    """With a CPU limit below the wall-clock limit, a busy loop is stopped for its CPU time."""
    result = _run("while True:\n    pass\n", timeout_s=10, cpu_s=1)
    assert result.status == "timeout" and "CPU" in result.message


def test_syntax_error_is_reported_with_its_line() -> None:
    """A syntax error gives status error and the line number."""
    result = _run("x = 1\ndef broken(:\n")
    assert result.status == "error" and "line 2" in result.message


@pytest.mark.parametrize("source", ["import sys\nsys.exit(3)\n", "raise SystemExit\n"])
def test_sys_exit_at_top_level(source: str) -> None:
    """sys.exit in a cell is an error for that exercise, not the end of grading."""
    result = _run(source)
    assert result.status == "error" and "sys.exit" in result.message


def test_os_exit_kills_only_the_child() -> None:
    """os._exit ends the child; the parent reports it."""
    result = _run("import os\nos._exit(7)\n")
    assert result.status == "error" and "exit code 7" in result.message


def test_exception_at_top_level() -> None:
    """An exception while running the cell is reported by name."""
    result = _run("raise KeyError('order_id')\n")
    assert result.status == "error" and "KeyError" in result.message


def test_ipython_magics_are_understood() -> None:
    """Cell magics and shell escapes in a cell do not count as syntax errors."""
    result = _run("%%capture\n" + REFERENCE)
    assert result.status != "error" or "syntax" not in result.message


def test_warnings_and_stderr_cost_nothing() -> None:
    """Warnings and prints on stderr while the cell runs do not cost a point."""
    source = "import sys, warnings\nwarnings.warn('deprecated!')\nprint('oops', file=sys.stderr)\n" + REFERENCE
    result = _run(source)
    assert result.status == "passed" and result.score == FULL


def test_loopback_works_in_the_sandbox() -> None:
    """A server on 127.0.0.1 (as moto's) is reachable from inside the sandbox."""
    source = ("import socket\nserver = socket.socket()\nserver.bind(('127.0.0.1', 0))\nserver.listen()\n"
              "socket.create_connection(server.getsockname(), timeout=2).close()\n" + REFERENCE)
    assert _run(source).status == "passed"


@pytest.mark.parametrize("sandbox", ["auto", "basic"])
def test_network_is_refused(sandbox: str) -> None:
    """Reaching a host beyond loopback fails in both modes (namespace, or the audit-hook guard)."""
    result = _run("import socket\nsocket.create_connection(('pypi.org', 443), timeout=2)\n", sandbox=sandbox)
    assert result.status == "error" and result.score == 0
    if sandbox == "basic":
        assert "disabled while grading" in result.message


def test_environment_is_scrubbed() -> None:
    """Variables of the grader's environment (CI tokens, say) never reach learner code."""
    assert "DEPIPE_NBVAL" in os.environ  # set by tests/conftest.py before the forkserver started
    result = _run("import os\nassert 'DEPIPE_NBVAL' not in os.environ, sorted(os.environ)\n" + REFERENCE)
    assert result.status == "passed", result.message


def _throwaway_pids() -> set[int]:
    """Processes running as one of the grader's throw-away uids (it runs learner code as those when root)."""
    found = set()
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and os.stat(f"/proc/{name}").st_uid >= 2_000_000_000:
                found.add(int(name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="learner code gets a throw-away uid only when the grader is root")
def test_process_cap_and_cleanup() -> None:
    """Forking is capped well below a fork bomb, and nothing the cell started outlives the exercise.

    The learner's /tmp is private, so the processes are watched from outside, by uid.
    """
    seen: set[int] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(_throwaway_pids())
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        source = ("import os, time\nkids = 0\nfor _ in range(300):\n    try:\n        if os.fork() == 0:\n"
                  "            time.sleep(60)\n            os._exit(0)\n        kids += 1\n    except OSError:\n"
                  "        break\nassert kids < 100, kids\ntime.sleep(0.5)\n" + REFERENCE)
        result = _run(source, processes=32)
    finally:
        done.set()
        watcher.join()
    assert result.status == "passed", result.message
    assert 1 < len(seen) < 100  # the child itself and the kids it could fork
    deadline = time.monotonic() + 5  # SIGKILLed processes take a moment to finish exiting
    while [pid for pid in seen if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in seen if _alive(pid)]


def test_tmp_and_shm_are_private_and_homes_masked(tmp_path: Path) -> None:
    """Files written to /tmp and /dev/shm vanish with the exercise; the grading user's home and files
    only root may read (/etc/shadow) are out of reach."""
    marker = f"depipe-test-{os.getpid()}"
    home_file = Path.home() / f".{marker}"
    home_file.write_text("the grading user's secret")
    try:
        source = (f"import os\nfor d in ('/tmp', '/var/tmp', '/dev/shm'):\n"
                  f"    open(os.path.join(d, {marker!r}), 'w').write('left behind')\n"
                  f"assert not os.path.exists({str(home_file)!r})\n"
                  f"assert not [p for p in os.listdir('/tmp') if p.startswith('pymp-')]\n"
                  "try:\n    open('/etc/shadow').read()\nexcept OSError:\n    pass\n"
                  "else:\n    raise AssertionError('read /etc/shadow')\n" + REFERENCE)
        result = _run(source)
        assert result.status == "passed", result.message
        assert not [d for d in ("/tmp", "/var/tmp", "/dev/shm") if os.path.exists(os.path.join(d, marker))]
    finally:
        home_file.unlink()


def test_the_course_is_read_only() -> None:
    """Learner code cannot write into the course (its checks, its references)."""
    target = COURSE_ROOT / "pyproject.toml"
    before = target.read_bytes()
    result = _run(f"open({str(target)!r}, 'a').write('# pwned')\n")
    assert result.status == "error" and target.read_bytes() == before


def test_memory_limit_turns_a_bomb_into_an_error() -> None:
    """Allocating far beyond the memory limit raises MemoryError in the child, reported as such."""
    result = _run("x = bytearray(50 * 1024 ** 3)\n", memory_mb=256)
    assert result.status == "error" and "out of memory" in result.message


def test_grade_in_this_process_runs_without_a_sandbox() -> None:
    """The in-process entry point (for the course's own tests) grades the reference fully."""
    result = grade_in_this_process(Job("01.1", REFERENCE, "<test cell>"))
    assert result.status == "passed" and result.score == FULL


def test_the_cell_namespace_is_a_main_module() -> None:
    """Classes defined in the cell resolve their annotations through sys.modules['__main__'], as in Jupyter."""
    source = ("from __future__ import annotations\nimport dataclasses\nimport typing\n\n"
              "@dataclasses.dataclass\nclass Box:\n    item: typing.Any\n\n"
              "assert typing.get_type_hints(Box)\n" + REFERENCE)
    assert _run(source).status == "passed"


def test_learner_code_sees_no_process_but_its_own() -> None:
    """In its own PID namespace the cell cannot see, signal or read the environment of the grader."""
    grader = os.getpid()
    source = ("import os\npids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
              "assert pids == [1, os.getpid()] and os.getpid() == 2, pids\n"
              f"try:\n    os.kill({grader}, 0)\nexcept ProcessLookupError:\n    pass\n"
              "else:\n    raise AssertionError('the grader is in reach')\n" + REFERENCE)
    result = _run(source)
    assert result.status == "passed", result.message
    assert "own PID namespace" in isolation_in_force()["pids"]


def test_a_forgotten_reference_class_cannot_be_found_through_subclasses() -> None:
    """03.1's answer is a class: once the child forgets it, object.__subclasses__() no longer lists it
    (the static screen would reject the plain spelling; this one gets past it)."""
    source = (reference.source(get("03.1")).replace("class TokenCache", "class _Mine") +
              "\nfound = next(c for c in getattr(object, '__sub' + 'classes__')() if c.__name__ == 'TokenCache' "
              "and c.__module__.startswith('_depipe'))\n"
              "TokenCache = type('TokenCache', (found,), {})  # a subclass: not the reference object itself\n")
    result = run(Job("03.1", source, "<test cell>"), 20, Limits())
    assert result.status == "error" and "StopIteration" in result.message, result.message
