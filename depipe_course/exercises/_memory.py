"""Peak memory of one call: as Python and Arrow count it in the process that runs it, and as the kernel sees it.

``tracemalloc`` sees what Python allocates, numpy arrays included, but not Arrow's
own memory pool: pandas 3 keeps text columns in Arrow buffers, and pyarrow's CSV
reader and Parquet writer allocate only there. A memory claim about pandas or
pyarrow code therefore needs both figures; ``measure_peak`` takes them together.

Under the judge those two are counted in the learner's process (``measured``): only
its allocators know what its code allocated and freed, and only to the byte. Code in
that process could also falsify them, so the judge reads a third figure itself: the
highest resident size the kernel saw the process reach during the call (``VmHWM``,
``judging.proc``). Resident memory does not show memory freed earlier and reused, so
it cannot replace the other two on a small input; but a call on 10x the input that
holds 10x the data climbs above the level the small call reached, whatever the
process says about itself (``expect_resident_flat``).

That third figure is taken only for a worker forked for one exercise (the grader's).
A notebook kernel that has run for an hour holds freed memory in which a growing call
fits unseen, and its resident size moves with its other threads: measured there, a
version that streams rose by up to 4 MiB, as much as one that keeps every batch.
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
    resident: int | None = None  # the process's highest resident size, read by the judge from /proc

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
    left as they were, also when ``fn`` raises. Under the judge the call runs in the
    learner's process and the kernel's figure comes with the two counts.
    """
    from depipe_course.judging.judge import current, learner_module
    from depipe_course.judging.proc import resident_high_water

    judge = current()
    if judge is not None:  # under the judge: counted where the learner's code runs
        here = learner_module(__name__)

        def call() -> Any:
            return here.measured(fn, *args, **kwargs)

        if not judge.fresh_worker:
            result, python, arrow = call()
            return result, Peak(int(python), int(arrow))
        (result, python, arrow), level = resident_high_water(judge.learner_pid, call)
        return result, Peak(int(python), int(arrow), level)
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


def expect_resident_flat(small: Peak, big: Peak, slack: int, inputs: str) -> None:
    """Fail if, on the bigger input, the kernel saw the process climb more than ``slack`` above
    the level it reached on the smaller one (``inputs`` names the two, for the message).

    The call on the small input comes first, so what any call costs (imports, caches,
    pools) is already resident; a version that streams reuses it on the big input, one
    that holds the input needs more. No figure (a notebook, or no judge): nothing to compare.
    """
    from depipe_course.checking import expect

    if small.resident is None or big.resident is None:
        return
    rise = big.resident - small.resident
    expect(rise <= slack,
           f"the kernel saw the process running your code hold {mib(rise)} more at its peak on {inputs}, "
           "though the memory your code reports did not grow: memory was held where Python's and "
           "Arrow's counts do not see it, or they were made to under-report",
           expected=f"at most {mib(slack)} above the small input's peak resident size ({mib(small.resident)})",
           seen=f"{mib(big.resident)} on the bigger input")


def measured(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, int, int]:
    """``measure_peak`` as plain data, for the judge: run in the learner's process."""
    result, peak = measure_peak(fn, *args, **kwargs)
    return result, peak.python, peak.arrow
