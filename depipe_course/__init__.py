"""depipe-course: an auto-graded workbook for production Python in data engineering.

Learners need two names, ``check`` and ``progress``. Everything heavy (pandas, moto,
the grader) is imported only when a check or a command needs it, so that the first
cell of every notebook stays fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["check", "progress", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy re-exports: `from depipe_course import check` must not import pandas.
    if name in {"check", "progress"}:
        from depipe_course import learner

        return getattr(learner, name)
    raise AttributeError(f"module 'depipe_course' has no attribute {name!r}")
