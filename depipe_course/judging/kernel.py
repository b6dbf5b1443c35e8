"""``check()`` in a notebook: the kernel is the worker, a judge process runs the checks.

The judge is started on the first ``check()`` and kept for the kernel's life (its
imports cost about a second once). For one ``check()`` the kernel hands over the
learner's names as handles and serves the judge's requests until the verdict comes
back; the stage the checks set (fake clock, environment, HTTP and AWS fakes) is set up
in the kernel only for that time. If the check is stopped (the exercise's time limit),
the judge is discarded and the next ``check()`` starts a fresh one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

from depipe_course.checking import Result
from depipe_course.judging.channel import ChannelClosed, Endpoint
from depipe_course.judging.worker import WORKER_OPS, Namespace, serving

_lock = threading.Lock()
_judge: tuple[subprocess.Popen[bytes], Endpoint] | None = None


def _start() -> tuple[subprocess.Popen[bytes], Endpoint]:
    mine, theirs = socket.socketpair()
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    process = subprocess.Popen([sys.executable, "-m", "depipe_course.judging.serve", str(theirs.fileno())],
                               pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL)
    theirs.close()
    conn = Connection(os.dup(mine.fileno()))
    mine.close()
    return process, Endpoint(conn, trusting=True, ops=WORKER_OPS)


def _discard() -> None:
    global _judge
    if _judge is not None:
        process, endpoint = _judge
        _judge = None
        with contextlib.suppress(OSError):
            endpoint.conn.close()
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)


atexit.register(_discard)


def _running() -> Endpoint:
    """The judge's endpoint, starting the judge if it is not running (call with ``_lock`` held)."""
    global _judge
    if _judge is None or _judge[0].poll() is not None:
        _judge = _start()
        _judge[1].request("ping")  # answered once its imports are done
    return _judge[1]


def warm() -> None:
    """Start the judge now if it is not running (so its start-up does not count against a time limit)."""
    with _lock:
        _running()


@contextlib.contextmanager
def _judge_endpoint() -> Iterator[Endpoint]:
    with _lock:
        yield _running()


def check(exercise_id: str, objects: Mapping[str, Any], namespace: Mapping[str, Any],
          supplied: Mapping[str, Any], *, stop_on: tuple[type[BaseException], ...] = ()) -> Result:
    """The judge's verdict on ``objects`` (the learner's names, already bound to ``supplied``).

    ``stop_on``: exceptions (the time limit's) that end the check where they are raised, in learner
    code or not, instead of being reported to the judge as what the learner's code raised.
    """
    with _judge_endpoint() as endpoint:
        endpoint.fatal = stop_on
        from depipe_course.checking import _quiet

        try:
            with serving(endpoint, namespace=namespace if isinstance(namespace, dict) else None), _quiet():
                data = endpoint.request("check", exercise_id, dict(objects),
                                        Namespace(dict(namespace), supplied))
        except ChannelClosed:
            _discard()
            raise RuntimeError("the checking process stopped unexpectedly; run check() again") from None
        except BaseException:
            _discard()  # stopped mid-conversation (time limit, interrupt): the judge's state is unknown
            raise
        finally:
            endpoint.forget_handles()  # nothing of this check stays alive for the judge's sake
    return Result.from_dict(data)


__all__ = ["check"]
