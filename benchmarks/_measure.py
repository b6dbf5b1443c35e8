"""Run one benchmark task in a fresh child process and read its peak RSS.

Each task runs in its own interpreter so that the peak resident memory belongs to the
task alone (``os.wait4`` returns the child's ``ru_maxrss``). The child prints its
result as one JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mib: float
    result: Any


def in_child(task: str, *args: str) -> Measured:
    """Run ``benchmarks.tasks.<task>(*args)`` in a fresh interpreter."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.tasks", task, *args],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark task {task} {args} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    return Measured(result.pop("_seconds", seconds), usage.ru_maxrss / 1024, result)


def spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"min": ordered[0], "median": ordered[len(ordered) // 2], "max": ordered[-1]}
