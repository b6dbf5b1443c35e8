"""Part 04's checks: fair to every correct way of reading an error, and they leave the process as found.

The 04.5 answers here are cell sources graded as the grader does it. They classify
PostgreSQL errors in the other ways psycopg documents (``error.diag.sqlstate``, the
classes in ``psycopg.errors``), which must earn full points like the reference's
``error.sqlstate``.
"""

from __future__ import annotations

import textwrap

import pytest

from depipe_course.checking import Result
from depipe_course.exercises import part04
from depipe_course.grading.child import Job, grade_in_this_process


def grade(exercise_id: str, source: str) -> Result:
    return grade_in_this_process(Job(exercise_id, textwrap.dedent(source), f"<test {exercise_id}>"))


def assert_full_points(result: Result) -> None:
    failed = [f"{c.name}: {c.message} (expected {c.expected}, seen {c.seen})" for c in result.checks if not c.passed]
    assert result.status == "passed", failed


BY_DIAGNOSTICS = """
    import psycopg

    RETRY = {"40001", "40P01", "55P03", "57P01", "57P02", "57P03"}

    def is_transient_db_error(error):
        if not isinstance(error, psycopg.Error):
            return False
        code = error.diag.sqlstate or error.sqlstate
        if code is None:
            return isinstance(error, psycopg.OperationalError)
        return code in RETRY or code.startswith("08")
"""

BY_CLASSES = """
    import psycopg
    from psycopg import errors

    TRANSIENT = (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable,
                 errors.AdminShutdown, errors.CrashShutdown, errors.CannotConnectNow,
                 errors.ConnectionException, errors.SqlclientUnableToEstablishSqlconnection,
                 errors.ConnectionDoesNotExist, errors.ConnectionFailure,
                 errors.SqlserverRejectedEstablishmentOfSqlconnection, errors.TransactionResolutionUnknown,
                 errors.ProtocolViolation)

    def is_transient_db_error(error: BaseException) -> bool:
        if isinstance(error, TRANSIENT):
            return True
        return isinstance(error, psycopg.OperationalError) and error.sqlstate is None
"""


@pytest.mark.parametrize("source", [BY_DIAGNOSTICS, BY_CLASSES], ids=["diag.sqlstate", "psycopg.errors classes"])
def test_other_correct_ways_earn_full_points(source: str) -> None:
    """Reading the server's diagnostics or matching psycopg's classes passes like error.sqlstate does."""
    assert_full_points(grade("04.5", source))


def test_server_errors_carry_their_sqlstate_twice() -> None:
    """A check's PostgreSQL error answers error.sqlstate and error.diag.sqlstate, as a real one does."""
    error = part04._server_error("DeadlockDetected", "deadlock detected")
    assert (type(error).__name__, error.sqlstate, error.diag.sqlstate, str(error)) == (
        "DeadlockDetected", "40P01", "40P01", "deadlock detected")


