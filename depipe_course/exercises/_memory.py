"""Peak memory of one call, as Python and as Arrow count it, in the process that runs it.

``tracemalloc`` sees what Python allocates, numpy arrays included, but not Arrow's
own memory pool: pandas 3 keeps text columns in Arrow buffers, and pyarrow's CSV
reader and Parquet writer allocate only there. A memory claim about pandas or
pyarrow code therefore needs both figures; ``measure_peak`` takes them together.

Under the judge both are taken in the learner's process (``measured``): only that
process's allocator knows what its code allocated and freed. Reading its resident
memory from outside (/proc) was tried and misses memory freed earlier and reused, so a
version that keeps every batch can pass; the figures are the worker's own, which code
written to lie about its memory could falsify (docs/grading.md).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Buffers allocated through a proxy pool may outlive the measured call (a returned
# table, a cached frame); freeing them after their pool is gone crashes the process.
# The pools are tiny, so each one is kept for the life of the process.
_POOLS: list[Any] = []


@dataclass(frozen=True)
class Peak:
    """Peak bytes of one call: traced by Python, and allocated from Arrow's pool."""

    python: int
    arrow: int

    @property
    def total(self) -> int:
        """An upper bound on the combined peak (the two peaks may fall at different moments)."""
        return self.python + self.arrow

    def __str__(self) -> str:
        return f"{mib(self.total)} (Python {mib(self.python)}, Arrow {mib(self.arrow)})"


def mib(size: int) -> str:
    """``12_582_912`` → ``'12.0 MiB'``."""
    return f"{size / 2**20:.1f} MiB"


def measure_peak(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, Peak]:
    """Call ``fn``; return its result and the peak memory it allocated.

    While ``fn`` runs, Arrow's default pool is a proxy with its own statistics, so
    its ``max_memory()`` is this call's peak only. ``tracemalloc`` and the pool are
    left as they were, also when ``fn`` raises.
    """
    from depipe_course.judging.judge import current, learner_module

    if current() is not None:  # under the judge: counted where the learner's code runs
        result, python, arrow = learner_module(__name__).measured(fn, *args, **kwargs)
        return result, Peak(int(python), int(arrow))
    import pyarrow as pa

    previous = pa.default_memory_pool()
    pool = pa.proxy_memory_pool(previous)
    _POOLS.append(pool)
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    pa.set_memory_pool(pool)
    try:
        result = fn(*args, **kwargs)
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        pa.set_memory_pool(previous)
        if not was_tracing:
            tracemalloc.stop()
    return result, Peak(max(0, python_peak - start), pool.max_memory())


def measured(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, int, int]:
    """``measure_peak`` as plain data, for the judge: run in the learner's process."""
    result, peak = measure_peak(fn, *args, **kwargs)
    return result, peak.python, peak.arrow
