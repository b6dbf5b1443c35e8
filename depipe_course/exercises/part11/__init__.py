"""Part 11 — Interview preparation and the error library.

Exercises 11.1–11.5 are the error library: each asks for the function that cannot
fail the way the error shows. 11.6–11.8 turn three of the five interview questions
into auto-checked tasks (the other two are answered by 11.5 and by part 08).

Checks that expect an error call the learner's code through ``_raised``, which hands
``NotImplementedError`` on (so a stub stays *not attempted*) and returns any other
exception for inspection. Log records are kept away from the notebook while checks
run; the logging checks (11.4) save and restore every logger around each check. Both
happen where the learner's code runs (``_worker_side``, reached with ``learner_module``).

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_read_json_or_ndjson``, ``ex2_parse_json_response``, ``ex3_first_match_per_group``,
  ``ex4_setup_logging``, ``ex5_sum_column``: 11.1-11.5, the error library.
* ``ex6_backoff_schedule``, ``ex7_log_levels``, ``ex8_reconcile_windows``: 11.6-11.8, the
  interview questions.
"""

from __future__ import annotations

from depipe_course.exercises.part11 import (
    ex1_read_json_or_ndjson,
    ex2_parse_json_response,
    ex3_first_match_per_group,
    ex4_setup_logging,
    ex5_sum_column,
    ex6_backoff_schedule,
    ex7_log_levels,
    ex8_reconcile_windows,
)
from depipe_course.exercises.part11.ex5_sum_column import (
    _HANDMADE,
    _HANDMADE_SUM,
    _LEDGER_AMOUNTS,
    _NULLS,
    _SMALL_ROWS,
    _orders_text,
)

__all__ = [
    "_HANDMADE",
    "_HANDMADE_SUM",
    "_LEDGER_AMOUNTS",
    "_NULLS",
    "_SMALL_ROWS",
    "_orders_text",
    "ex1_read_json_or_ndjson",
    "ex2_parse_json_response",
    "ex3_first_match_per_group",
    "ex4_setup_logging",
    "ex5_sum_column",
    "ex6_backoff_schedule",
    "ex7_log_levels",
    "ex8_reconcile_windows",
]
