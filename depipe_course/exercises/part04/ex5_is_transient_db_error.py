"""04.5: ``is_transient_db_error(error)`` classifies PostgreSQL errors raised through psycopg.

Serialization failures, deadlocks, lock timeouts, lost connections and a restarting
server are transient; broken constraints, bad data and wrong SQL are permanent. The
answer must come from the error's class or SQLSTATE, not from its message or from
``OperationalError`` alone, and errors psycopg did not raise are not transient.

PostgreSQL errors need a server to happen for real, so the checks build them from
psycopg's classes with the diagnostics a server would send, so that ``error.sqlstate``
and ``error.diag.sqlstate`` both answer; psycopg is imported inside the checks only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from depipe_course.exercises import exercise
from depipe_course.exercises.part04._shared import _classify

db_errors = exercise("04.5", "Transient or permanent? PostgreSQL errors", ["is_transient_db_error"])


def _server_error(name: str, message: str) -> BaseException:
    """The psycopg error PostgreSQL's answer becomes: the class for its SQLSTATE, diagnostics filled in.

    Built by hand (no server), but carrying what a real one carries, so ``error.sqlstate``
    and ``error.diag.sqlstate`` both work.
    """
    import psycopg.errors
    from psycopg.pq import DiagnosticField

    cls = getattr(psycopg.errors, name)
    info = {DiagnosticField.SEVERITY: b"ERROR", DiagnosticField.SEVERITY_NONLOCALIZED: b"ERROR",
            DiagnosticField.SQLSTATE: cls.sqlstate.encode(), DiagnosticField.MESSAGE_PRIMARY: message.encode()}
    return cls(message, info=info)


def _server_errors(cases: dict[str, str]) -> dict[str, BaseException]:
    """``{"ClassName": message}`` -> ``{"ClassName (SQLSTATE)": error}``."""
    errors = {}
    for name, message in cases.items():
        error = _server_error(name, message)
        errors[f"{name} ({getattr(error, 'sqlstate', '?')})"] = error
    return errors


@db_errors.check("serialization failures, deadlocks and lock timeouts are transient", points=2,
                 hint="SQLSTATE 40001 (SerializationFailure), 40P01 (DeadlockDetected) and 55P03 "
                      "(LockNotAvailable): another transaction got in the way, and running yours again from "
                      "the start will work. Compare error.sqlstate with the codes, or use isinstance with "
                      "the psycopg.errors classes.")
def _concurrency(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, _server_errors({
        "SerializationFailure": "could not serialize access due to concurrent update",
        "DeadlockDetected": "deadlock detected",
        "LockNotAvailable": "canceling statement due to lock timeout",
    }), True)


@db_errors.check("a lost connection and a restarting server are transient", points=1,
                 hint="Every class 08 code (connection exception) is transient, and so are 57P01, 57P02 "
                      "and 57P03 (the server is stopping, restarting or starting up). When the connection "
                      "itself fails, psycopg raises an OperationalError whose sqlstate is None: transient too.")
def _connections(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    import psycopg

    _classify(is_transient_db_error, {
        "OperationalError without SQLSTATE (connection dropped)": psycopg.OperationalError(
            "consuming input failed: server closed the connection unexpectedly\n\tThis probably means the "
            "server terminated abnormally\n\tbefore or while processing the request."),
        "OperationalError without SQLSTATE (could not connect)": psycopg.OperationalError(
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: Connection refused'),
        "ConnectionTimeout (no SQLSTATE)": psycopg.errors.ConnectionTimeout("connection timeout expired"),
        **_server_errors({
            "ConnectionFailure": "could not receive data from client: Connection reset by peer",
            "SqlclientUnableToEstablishSqlconnection": "could not connect to the primary server",
            "AdminShutdown": "terminating connection due to administrator command",
            "CrashShutdown": "terminating connection because of crash of another server process",
            "CannotConnectNow": "the database system is starting up",
        }),
    }, True)


@db_errors.check("broken constraints, bad data and wrong SQL are permanent", points=2,
                 hint="Class 23 (IntegrityError: unique, foreign-key, not-null, check violations), class 22 "
                      "(DataError: invalid input, out of range, division by zero) and class 42 "
                      "(ProgrammingError: undefined table, syntax error, permission denied) fail the same "
                      "way on every attempt. Retrying a unique violation loops until the retries run out.")
def _permanent_db(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, _server_errors({
        "UniqueViolation": 'duplicate key value violates unique constraint "payments_pkey"',
        "ForeignKeyViolation": 'insert or update on table "payments" violates foreign key constraint '
                               '"payments_merchant_id_fkey"',
        "NotNullViolation": 'null value in column "currency" of relation "payments" violates not-null constraint',
        "CheckViolation": 'new row for relation "payments" violates check constraint "payments_amount_check"',
        "InvalidTextRepresentation": 'invalid input syntax for type integer: "380.50 INR"',
        "NumericValueOutOfRange": "integer out of range",
        "DivisionByZero": "division by zero",
        "UndefinedTable": 'relation "refunds" does not exist',
        "SyntaxError": 'syntax error at or near "FORM"',
        "InsufficientPrivilege": "permission denied for table payments",
    }), False)


@db_errors.check("an OperationalError is not transient for its class alone", points=1,
                 hint="psycopg files serialization failures and deadlocks under OperationalError, next to "
                      "errors that never clear, such as 54000 program_limit_exceeded (a value too big for an "
                      "index) or 55000 object_not_in_prerequisite_state. Match the SQLSTATE codes (only "
                      "55P03 of class 55), not isinstance(error, psycopg.OperationalError).")
def _operational_permanent(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, _server_errors({
        "ProgramLimitExceeded": 'index row size 2720 exceeds btree version 4 maximum 2704 for index '
                                '"payments_note_idx"',
        "ObjectNotInPrerequisiteState": 'cannot refresh materialized view "public.daily_totals" concurrently',
    }), False)


@db_errors.check("judges by class or SQLSTATE, not by the message", points=1,
                 hint="Messages are translated (lc_messages), reworded between PostgreSQL versions and hold "
                      "your own table and constraint names: 'could not serialize' in str(error) misses the "
                      "same failure reported in German, and 'deadlock' in str(error) retries a unique "
                      "violation on a table called deadlock_reports. Look at error.sqlstate or the "
                      "exception's class.")
def _not_by_message(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, {
        "DeadlockDetected, server messages in German": _server_error(
            "DeadlockDetected", "Verklemmung (Deadlock) entdeckt"),
        "SerializationFailure, server messages in German": _server_error(
            "SerializationFailure", "konnte Zugriff nicht serialisieren wegen gleichzeitiger Aktualisierung"),
    }, True)
    _classify(is_transient_db_error, _server_errors({
        "UniqueViolation": 'duplicate key value violates unique constraint "deadlock_reports_pkey"',
        "CheckViolation": 'new row for relation "connection_log" violates check constraint '
                          '"connection_log_lost_connection_check"',
    }), False)


@db_errors.check("returns False for errors psycopg did not raise", points=1,
                 hint="Start with isinstance(error, psycopg.Error): other exceptions have no sqlstate "
                      "(reading it raises AttributeError), and they are not database errors. Return False "
                      "for them; is_transient from 04.1 judges network and SQLite errors.")
def _not_psycopg(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    import requests

    _classify(is_transient_db_error, {
        "ValueError": ValueError("invalid literal for int() with base 10: '12,50'"),
        "KeyError": KeyError("merchant_id"),
        "sqlite3.OperationalError('database is locked')": sqlite3.OperationalError("database is locked"),
        "requests.ConnectionError": requests.exceptions.ConnectionError("Connection reset by peer"),
        "TimeoutError": TimeoutError("timed out"),
    }, False)
