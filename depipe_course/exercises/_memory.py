"""Peak memory of one call, as Python and as Arrow count it (or, under the judge, as the kernel does).

``tracemalloc`` sees what Python allocates, numpy arrays included, but not Arrow's
own memory pool: pandas 3 keeps text columns in Arrow buffers, and pyarrow's CSV
reader and Parquet writer allocate only there. A memory claim about pandas or
pyarrow code therefore needs both figures; ``measure_peak`` takes them together.
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
    resident: int | None = None  # under the judge: the process's resident-memory growth, from /proc

    @property
    def total(self) -> int:
        """An upper bound on the combined peak (the two peaks may fall at different moments)."""
        return self.resident if self.resident is not None else self.python + self.arrow

    def __str__(self) -> str:
        if self.resident is not None:
            return f"{mib(self.resident)} (growth of your process's resident memory)"
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
    from depipe_course.judging.judge import peak_memory

    judged = peak_memory(lambda: fn(*args, **kwargs))
    if judged is not None:  # the judge read the learner's process from /proc
        result, grown = judged
        return result, Peak(0, 0, resident=grown)
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
