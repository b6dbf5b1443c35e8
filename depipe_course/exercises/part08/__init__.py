"""Part 08 — Testable code: a pure ``clean_orders``, tests graded by mutation, a mocked API call.

08.2 and 08.3 grade tests the learner writes. The suite is listed in the exercise cell
(``clean_orders_tests = [...]``, ``fetch_order_tests = [...]``) and run by real pytest
on a correct version kept beside the checks and on each wrong version ("mutant"); see
``_mutation.py``. The correct versions are the mutants' baseline and behave like
``solutions/part08.py`` (``tests/exercises/test_part08_mutation.py`` compares them).
The release leaves their bodies out (``@instructor_only``).

One module per exercise, imported here in id order:

* ``ex1_clean_orders``: 08.1, a pure ``clean_orders``.
* ``ex2_clean_orders_tests``: 08.2, the learner's tests for it, graded by mutation.
* ``ex3_fetch_order``: 08.3, ``fetch_order_from_api`` and the learner's tests for it.
"""

from __future__ import annotations

from depipe_course.exercises.part08 import ex1_clean_orders, ex2_clean_orders_tests, ex3_fetch_order
from depipe_course.exercises.part08.ex1_clean_orders import ORDER_COLUMNS
from depipe_course.exercises.part08.ex2_clean_orders_tests import (
    CLEAN_ORDERS_MUTANTS,
    CLEAN_ORDERS_SKELETON,
    CLEAN_ORDERS_SKELETON_NAME,
    VALID_STATUSES,
    correct_clean_orders,
)
from depipe_course.exercises.part08.ex3_fetch_order import (
    FETCH_ORDER_MUTANTS,
    FETCH_ORDER_SKELETON,
    FETCH_ORDER_SKELETON_NAME,
    correct_fetch_order,
)

__all__ = [
    "CLEAN_ORDERS_MUTANTS",
    "CLEAN_ORDERS_SKELETON",
    "CLEAN_ORDERS_SKELETON_NAME",
    "FETCH_ORDER_MUTANTS",
    "FETCH_ORDER_SKELETON",
    "FETCH_ORDER_SKELETON_NAME",
    "ORDER_COLUMNS",
    "VALID_STATUSES",
    "correct_clean_orders",
    "correct_fetch_order",
    "ex1_clean_orders",
    "ex2_clean_orders_tests",
    "ex3_fetch_order",
]
