"""Imported once by the grading forkserver: everything a child would otherwise import.

Each exercise's judge is forked from the forkserver, and its worker from the judge, so
whatever is imported here costs once per grading run instead of once per exercise. The
checks and the references are left out: each judge imports its part's after it forked
the worker, so no worker holds the checks it is graded by (the course is read-only to
the worker, so what the judge imports is what the course ships).

Every import is best-effort: a part being written, or an optional library missing,
must not take the forkserver (and so all grading) down with it.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys

logger = logging.getLogger(__name__)

_LIBRARIES = (
    "tracemalloc", "sqlite3", "decimal", "json", "csv", "logging.handlers", "uuid", "zoneinfo",
    "numpy", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.dataset", "pyarrow.csv", "pyarrow.fs",
    "requests", "responses", "pydantic", "pydantic_settings", "boto3", "botocore", "moto", "moto.server",
    "fsspec", "psycopg", "s3fs", "pytest",
    "depipe_course.grading.child",
)
# The checks and the references are imported by each judge after it forked its worker: no worker
# holds them (``depipe_course.exercises.worker_side`` is what checks need in the worker).
_SKIPPED = ("depipe_course.cli", "depipe_course.execute", "depipe_course.__main__", "depipe_course.grading.",
            "depipe_course.fakes.api.pytest_plugin", *(f"depipe_course.exercises.part{n:02d}" for n in range(100)),
            "depipe_course.release")


def _try(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - best effort by design
        logger.debug("preload: %s not loaded: %s", name, exc)


def preload() -> None:
    for name in _LIBRARIES:
        _try(name)
    import depipe_course

    _walk(depipe_course.__path__, "depipe_course.")


def _walk(path: list[str], prefix: str) -> None:
    """Import every module under ``path`` but the skipped ones (whose packages are not even entered)."""
    for info in pkgutil.iter_modules(path, prefix):
        if info.name.startswith(_SKIPPED):
            continue
        _try(info.name)
        module = sys.modules.get(info.name)
        if info.ispkg and module is not None:
            _walk(list(getattr(module, "__path__", [])), info.name + ".")


preload()
