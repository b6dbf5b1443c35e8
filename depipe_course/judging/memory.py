"""The learner's process's peak memory, read by the judge from the kernel.

The worker's own figures (tracemalloc, Arrow's pool) would be the learner's process
reporting on itself. The judge instead resets the worker's high-water mark
(``/proc/<pid>/clear_refs``), lets the call run, and reads ``VmHWM``: the growth of
resident memory during the call, whatever allocated it (Python, numpy, Arrow).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def _status(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", "rb") as f:
        for line in f:
            if line.startswith(field.encode() + b":"):
                return int(line.split()[1]) * 1024
    raise LookupError(f"no {field} for process {pid}")


def peak_growth(pid: int, call: Callable[[], Any]) -> tuple[Any, int]:
    """``call()``'s result and how far process ``pid``'s resident memory rose above where it started."""
    with open(f"/proc/{pid}/clear_refs", "wb") as f:
        f.write(b"5")  # VmHWM := VmRSS
    start = _status(pid, "VmRSS")
    result = call()
    return result, max(0, _status(pid, "VmHWM") - start)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def learner_process(forked: int, *, in_pid_namespace: bool) -> int:
    """The process running learner code: ``forked`` itself, or, behind a PID namespace, its grandchild
    (``forked`` relays, its child is the namespace's process 1, whose child runs the learner's code)."""
    if not in_pid_namespace:
        return forked
    for init in _children(forked):
        for worker in _children(init):
            return worker
    return forked
