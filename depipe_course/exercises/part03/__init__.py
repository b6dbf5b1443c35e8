"""Part 03 — REST APIs.

Every check runs the learner's code against ``FakePaymentsAPI`` (``responses`` under
the hood), which answers ``requests`` calls in-process and logs each one, so a check
can say how many requests were made, with which parameters, and whether ``timeout=``
was passed. Nothing touches the network and nothing really sleeps.

Two decisions keep grading fair to both styles of client:

* Pagination checks (03.2–03.5) run against a fake with ``auth="none"`` and hand the
  learner a plain ``requests.Session()``. Authentication is 03.1's subject; here a
  learner who calls ``requests.get`` directly instead of ``session.get`` is graded
  exactly like one who uses the session.
* Waiting is observed, never done: ``sleep=`` and ``clock=`` are injected, and for a
  learner who calls ``time.sleep`` / ``time.monotonic`` / ``time.time`` directly the
  check patches those too, for the checking thread only (the notebook kernel's own
  threads keep the real clock).

A budget on each fake cuts off a runaway loop: past ``limit`` requests every answer
is a connection reset, and the check reports "too many requests" instead of hanging.

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_oauth_token_cache``: 03.1, an OAuth client-credentials token and its cache.
* ``ex2_fetch_all_orders_offset``: 03.2, offset pagination.
* ``ex3_fetch_all_payments_cursor``: 03.3, cursor pagination.
* ``ex4_fetch_all_accounts_next_url``: 03.4, next-URL pagination.
* ``ex5_fetch_with_checkpoint``: 03.5, resuming from a checkpoint after a crash.
* ``ex6_make_api_request``: 03.6, retry what can succeed, raise what cannot.
* ``ex7_rate_limiter``: 03.7, a token-bucket rate limiter.
"""

from __future__ import annotations

from depipe_course.exercises.part03 import (
    ex1_oauth_token_cache,
    ex2_fetch_all_orders_offset,
    ex3_fetch_all_payments_cursor,
    ex4_fetch_all_accounts_next_url,
    ex5_fetch_with_checkpoint,
    ex6_make_api_request,
    ex7_rate_limiter,
)
from depipe_course.exercises.part03._shared import _patched_time
from depipe_course.exercises.part03.ex2_fetch_all_orders_offset import _orders_fake
from depipe_course.exercises.part03.ex5_fetch_with_checkpoint import _cp_fake

__all__ = [
    "_cp_fake",
    "_orders_fake",
    "_patched_time",
    "ex1_oauth_token_cache",
    "ex2_fetch_all_orders_offset",
    "ex3_fetch_all_payments_cursor",
    "ex4_fetch_all_accounts_next_url",
    "ex5_fetch_with_checkpoint",
    "ex6_make_api_request",
    "ex7_rate_limiter",
]
