"""What the kernel says about the process running the learner's code, read by the judge.

A check must not take the learner's process at its word about what that process does:
code in it can patch ``open``, ``tracemalloc`` or whatever else would report on it.
``/proc/<pid>`` is the kernel's account, and the judge reads it from outside: the
descriptors the process holds (``fd/``: did the file get closed?) and the highest
resident size it reached during a call (``VmHWM``, reset through ``clear_refs``: did
memory grow with the input?). Resident memory does not show memory freed earlier and
reused, so ``exercises/_memory.py`` compares it between a small and a big input, and
only for a worker forked for one exercise.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _status_bytes(pid: int, field: str) -> int:
    """A memory figure from ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``), in bytes."""
    key = field.encode() + b":"
    with open(f"/proc/{pid}/status", "rb") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise LookupError(f"/proc/{pid}/status has no {field}")


def resident_high_water(pid: int, call: Callable[[], T]) -> tuple[T, int]:
    """``call()``'s result and the highest resident size process ``pid`` reached during it."""
    with open(f"/proc/{pid}/clear_refs", "wb") as f:
        f.write(b"5")  # VmHWM := VmRSS
    result = call()
    return result, _status_bytes(pid, "VmHWM")


def descriptors_on(pid: int, path: str | Path) -> int:
    """How many of process ``pid``'s file descriptors refer to the file at ``path``.

    Compared by device and inode, so the answer does not depend on how the process's
    mount namespace names the file.
    """
    target = os.stat(path)
    count = 0
    folder = f"/proc/{pid}/fd"
    for name in os.listdir(folder):
        with contextlib.suppress(OSError):  # closed between listing and stat
            seen = os.stat(f"{folder}/{name}")
            count += (seen.st_dev, seen.st_ino) == (target.st_dev, target.st_ino)
    return count


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", "rb") as f:
                found += [int(child) for child in f.read().split()]
    return found


def learner_process(forked: int, *, behind_pid_namespace: bool) -> int:
    """The pid, as the judge sees it, of the process that runs the learner's code.

    Without a PID namespace that is ``forked`` itself. Behind one, ``forked`` only relays,
    its child is the namespace's process 1, and that one's child runs the learner's code
    (``grading.sandbox._enter_pid_namespace``).
    """
    if not behind_pid_namespace:
        return forked
    for init in _children(forked):
        for worker in _children(init):
            return worker
    raise LookupError(f"no process runs the learner's code below process {forked}")
