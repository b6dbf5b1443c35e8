"""Part 05 — Structured logging: a JSON formatter, set-up once per run, timing and redaction.

Every check logs through a real ``logging.Logger`` (see ``_shared._capture``), so the
learner's formatter or filter sits exactly where it would in a pipeline, and nothing
leaks into the next check or into the notebook.

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_structured_formatter``: 05.1, ``StructuredFormatter``.
* ``ex2_setup_pipeline_logging``: 05.2, ``setup_pipeline_logging``.
* ``ex3_log_timing``: 05.3, the ``log_timing`` decorator factory.
* ``ex4_redacting_filter``: 05.4, ``RedactingFilter``.
"""

from __future__ import annotations

from depipe_course.exercises.part05 import (
    ex1_structured_formatter,
    ex2_setup_pipeline_logging,
    ex3_log_timing,
    ex4_redacting_filter,
)

__all__ = ["ex1_structured_formatter", "ex2_setup_pipeline_logging", "ex3_log_timing", "ex4_redacting_filter"]
