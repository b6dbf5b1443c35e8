"""Part 10 — A production pipeline (fake payments API → database).

The checks run the learner's stages against ``FakePaymentsAPI`` (in-process, seeded,
fault-injecting) and a SQLite file in the check's scratch folder. Nothing touches the
network and nothing really sleeps: ``sleep=`` is a recorder, and ``time.sleep`` is
patched for the checking thread too, as is every ``sleep=time.sleep`` default in the
learner's namespace, so code that ignores the injected ``sleep`` is still graded quickly
(one sub-check says so). Log records are kept off the notebook's stderr while a check
runs.

Each sub-check fails for its own reason where it can: 10.1's checks ask an API without
auth (only the auth checks ask for it), for the whole month (only the window check asks
for a window inside it), and put their faults on the first page (only the per-page
retry check needs several), so one mistake is reported once, by the check about it.

The expected values come from the course's own pieces: the payments a window holds
(``api.state``), the reference ``Payment`` model of exercise 09.3, and
``depipe_course.db.read_payments`` to read a table back. The database is SQLite only:
the same reference pipeline is run against PostgreSQL by the test suite
(``tests/pipeline``), which is not something a check can ask of a learner's laptop.

Two design points:

* A *kill* is simulated by raising ``Killed``, a ``BaseException`` (as
  ``KeyboardInterrupt`` is), from the HTTP session or from the database connection
  after a batch was written but before it was committed. The check then drops the
  connection without committing (what a dead process leaves behind) and runs again.
  The session and the connection are made in the learner's process (``_worker_side``),
  so the kill happens where the learner's code runs; the checks read the database file
  back with a connection of their own.
* Dead letters are recorded in memory (``_RecordingDLQ``) for 10.2 and 10.3, so a
  check can see the exception object itself; 10.4 reads the NDJSON file ``run`` leaves.

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_fetch_payments``: 10.1, every payment of a window through faults.
* ``ex2_transform_payments``: 10.2, validate payments, dead-letter the rest.
* ``ex3_load_payments``: 10.3, upsert payments in batches.
* ``ex4_run``: 10.4, the whole run: reconcile, re-run, restart.

``_worker_side`` holds what the checks build in the learner's process (reached with
``learner_module``): the session, the counting connection, the kill, the sleep defaults.
"""

from __future__ import annotations

from depipe_course.exercises.part10 import ex1_fetch_payments, ex2_transform_payments, ex3_load_payments, ex4_run

__all__ = ["ex1_fetch_payments", "ex2_transform_payments", "ex3_load_payments", "ex4_run"]
