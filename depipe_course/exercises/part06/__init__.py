"""Part 06 — Generators: a lazy NDJSON → SQLite pipeline in constant memory.

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_read_ndjson``: 06.1, ``read_ndjson``.
* ``ex2_validate_transform``: 06.2, ``validate_orders`` and ``transform_orders``.
* ``ex3_batch_records``: 06.3, ``batch_records``.
* ``ex4_write_batch``: 06.4, ``write_batch`` (an upsert in one transaction).
* ``ex5_run_pipeline``: 06.5, ``run_pipeline`` end to end.
"""

from __future__ import annotations

from depipe_course.exercises.part06 import (
    ex1_read_ndjson,
    ex2_validate_transform,
    ex3_batch_records,
    ex4_write_batch,
    ex5_run_pipeline,
)

__all__ = ["ex1_read_ndjson", "ex2_validate_transform", "ex3_batch_records", "ex4_write_batch", "ex5_run_pipeline"]
