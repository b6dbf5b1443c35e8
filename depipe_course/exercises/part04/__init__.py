"""Part 04 — Errors and retries: classify errors, retry the transient ones, dead-letter the rest.

The checks raise real exceptions (from requests, SQLite, pydantic and psycopg's own
classes), never wait for real, and keep the learner's log output out of the notebook.

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_is_transient``: 04.1, ``is_transient``.
* ``ex2_with_retry``: 04.2, the ``with_retry`` decorator.
* ``ex3_dead_letter_queue``: 04.3, ``DeadLetterQueue`` on NDJSON.
* ``ex4_process_records``: 04.4, ``process_records`` with a dead letter queue.
* ``ex5_is_transient_db_error``: 04.5, ``is_transient_db_error`` for PostgreSQL.
"""

from __future__ import annotations

from depipe_course.exercises.part04 import (
    ex1_is_transient,
    ex2_with_retry,
    ex3_dead_letter_queue,
    ex4_process_records,
    ex5_is_transient_db_error,
)
from depipe_course.exercises.part04.ex5_is_transient_db_error import _server_error

__all__ = [
    "_server_error",
    "ex1_is_transient",
    "ex2_with_retry",
    "ex3_dead_letter_queue",
    "ex4_process_records",
    "ex5_is_transient_db_error",
]
