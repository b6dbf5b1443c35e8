"""Imported once by the grading forkserver: everything a child would otherwise import.

Each exercise's child is forked from the forkserver, so whatever is imported here costs
once per grading run instead of once per exercise. It also means the grader's checks
and references of the parts not yet judged are in memory *before* any learner code runs: a
cell that rewrites a check module on disk cannot change what later exercises are graded
with. Judged parts (``judging.JUDGED_PARTS``) are left out: their judge imports them after
forking the worker, so no worker holds them.

Every import is best-effort: a part being written, or an optional library missing,
must not take the forkserver (and so all grading) down with it.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

logger = logging.getLogger(__name__)

_LIBRARIES = (
    "tracemalloc", "sqlite3", "decimal", "json", "csv", "logging.handlers", "uuid", "zoneinfo",
    "numpy", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.dataset", "pyarrow.csv", "pyarrow.fs",
    "requests", "responses", "pydantic", "pydantic_settings", "boto3", "botocore", "moto", "moto.server",
    "fsspec",
    "depipe_course.grading.child",
)
_SKIPPED = ("depipe_course.cli", "depipe_course.execute", "depipe_course.__main__", "depipe_course.grading.",
            "depipe_course.fakes.api.pytest_plugin")


def _try(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - best effort by design
        logger.debug("preload: %s not loaded: %s", name, exc)


def _baseline() -> None:
    from depipe_course.grading import integrity

    integrity.FORKSERVER_BASELINE = integrity.take()


def preload() -> None:
    for name in _LIBRARIES:
        _try(name)
    import depipe_course
    from depipe_course.judging import JUDGED_PARTS

    # A judged part's checks and reference are imported by its judge after the worker is forked:
    # they are never in a worker's memory.
    judged = tuple(f"depipe_course.exercises.part{number}" for number in JUDGED_PARTS)
    for info in pkgutil.walk_packages(depipe_course.__path__, "depipe_course.", onerror=lambda _name: None):
        if not info.name.startswith(_SKIPPED + judged):
            _try(info.name)
    from depipe_course import exercises
    from depipe_course.grading import references

    for part in exercises.PARTS:
        if part.number in JUDGED_PARTS:
            continue
        try:
            if exercises.exercises_of(part.number):
                references.load(part.number)
        except Exception as exc:  # noqa: BLE001
            logger.debug("preload: part %s not loaded: %s", part.number, exc)


preload()
_baseline()
