"""What the kernel says about the process running the learner's code, read by the judge.

A check that asks "did the file get closed?" must not take the learner's process at
its word: code in that process can patch ``open``, ``close`` or the file object that
would report on it. ``/proc/<pid>/fd`` is the kernel's account of the descriptors that
process holds, and the judge reads it from outside.

Peak memory is not read here: resident memory (``VmHWM``) misses memory the process
freed earlier and reuses, so at the sizes a check can afford it does not tell a
version that keeps every batch from one that streams (figures in docs/grading.md).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def status_bytes(pid: int, field: str) -> int:
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
    return result, status_bytes(pid, "VmHWM")


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

