"""Find the exception a check cares about inside what learner code raised.

Learner code often wraps a library error in its own (``raise PipelineError(...) from exc``),
which is good practice; a check asking "was it a timeout?" must look down the chain.
"""

from __future__ import annotations


def in_chain(error: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    """``error`` or the first exception it was raised from (or during) that is a ``kind``."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None
