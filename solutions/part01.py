"""Part 01 — Production Python is not Python 101: reference solutions."""

# %% [01.1]
import tracemalloc
from collections.abc import Callable
from typing import Any


def peak_memory(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Call ``fn(*args, **kwargs)``; return its result and the peak bytes it allocated.

    tracemalloc counts Python's own allocations (numpy's too); it is switched off
    again afterwards if it was off before, also when ``fn`` raises.
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, max(0, peak - baseline)


# %% [01.2]
# Map each incident to the skill that prevents it. Choose from:
# "file I/O at scale", "REST API calls", "error handling and retries",
# "structured logging", "generators", "testable code"
incident_skills = {
    "The nightly job was OOM-killed at 3 AM while loading a 40 GB export": "file I/O at scale",
    "A 401 Unauthorized from the payments API was retried 500 times": "error handling and retries",
    "Only the first 100 orders arrived: the API returned them one page at a time": "REST API calls",
    "Nobody could tell which run wrote the bad rows: the logs were free-text prints": "structured logging",
    "A list built from 200 million rows exhausted memory before the first write": "generators",
    "A broken discount rule shipped: the logic only ran against the production database": "testable code",
}
