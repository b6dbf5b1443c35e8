"""07.3: ``get_secret(client, secret_name)`` reads a JSON secret from AWS Secrets Manager.

The secret comes back as a dict; a missing secret, or one that is not a JSON object,
raises a clear configuration error naming it; other AWS errors propagate unchanged; and
the secret's value never appears in logs or printed output.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.judging.codec import raised_as
from depipe_course.judging.judge import learner_module

secret = exercise("07.3", "Secrets from a secret manager", ["get_secret"])

_DB_SECRET = {"username": "etl", "password": "p@ss:w/rd-Q7x", "port": 5432}
_ACCEPTED = ("builtins.RuntimeError", "builtins.LookupError", "builtins.ValueError")
_CLIENT_ERROR = "botocore.exceptions.ClientError"
# Libraries that log at DEBUG on their own (botocore logs whole responses): kept quiet while
# the check listens to the learner's log records.
_CHATTY_LOGGERS = ("botocore", "boto3", "moto", "urllib3", "responses", "s3transfer")


def _raised(get_secret: Callable[[Any, str], dict], client: Any, name: str) -> BaseException:
    try:
        got = get_secret(client, name)
    except NotImplementedError:
        raise
    except Exception as exc:  # the learner decides the type; the check judges it
        return exc
    fail(f"get_secret(client, {name!r}) returned instead of raising",
         expected="a ConfigurationError naming the secret", seen=got)


@contextlib.contextmanager
def _secrets(secrets: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """``secrets`` stored in a fake Secrets Manager: (a client of the learner's process, its helpers).

    The learner's ``get_secret`` gets a client built where it runs, so botocore's errors
    reach its ``except`` clauses as botocore's own classes.
    """
    from depipe_course.fakes.cloud import fake_secrets

    with fake_secrets(secrets):
        helpers = learner_module("depipe_course.exercises.worker_side.part07")
        yield helpers.secrets_client(), helpers


def _cause(exc: BaseException) -> BaseException | None:
    """The exception ``exc`` was raised from, as a traceback would show it."""
    if exc.__cause__ is not None:
        return exc.__cause__
    return None if exc.__suppress_context__ else exc.__context__


@contextlib.contextmanager
def _everything_said(said: list[str]) -> Iterator[None]:
    """Collect every log message (all levels) and everything printed while the block runs."""
    import io
    import logging

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    root = logging.getLogger()
    handler = Collect(logging.DEBUG)
    wanted = {"": logging.DEBUG, **dict.fromkeys(_CHATTY_LOGGERS, logging.WARNING)}
    # The levels decide which records are made at all: set them where the learner's code logs too.
    sides = {id(side): side for side in (logging, learner_module("logging"))}.values()
    saved = [(side, _set_levels(side, wanted)) for side in sides]
    out, err = io.StringIO(), io.StringIO()
    root.addHandler(handler)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield
    finally:
        root.removeHandler(handler)
        for side, levels in saved:
            _set_levels(side, levels)
        said.extend([out.getvalue(), err.getvalue()])


def _set_levels(logging_module: Any, levels: dict[str, int]) -> dict[str, int]:
    """Set each named logger's level (``""`` is the root) in ``logging_module``; return the old levels."""
    before = {}
    for name, level in levels.items():
        logger = logging_module.getLogger(name)
        before[name] = logger.level
        logger.setLevel(level)
    return before


def _is_clear_configuration_error(exc: BaseException, name: str, what: str) -> None:
    seen = f"{type(exc).__name__}: {exc}"
    if raised_as(exc, _CLIENT_ERROR):
        fail(f"botocore's {type(exc).__name__} escaped for {what}; its message does not say which "
             "secret", expected="ConfigurationError naming the secret", seen=seen)
    expect(raised_as(exc, *_ACCEPTED), f"{what} must raise a configuration error",
           expected="ConfigurationError (a RuntimeError), or a LookupError/ValueError", seen=seen)
    expect(name in str(exc), f"the error for {what} must name the secret",
           expected=f"a message containing {name!r}", seen=seen)


@secret.check("parses the JSON secret into a dict", points=1,
              hint="client.get_secret_value(SecretId=name)['SecretString'] is JSON text: json.loads it.")
def _parses_json(get_secret: Callable[[Any, str], dict]) -> None:
    with _secrets({"prod/orders-db": _DB_SECRET, "prod/other": {"k": "v"}}) as (client, _):
        got = get_secret(client, "prod/orders-db")
    expect(isinstance(got, dict), "get_secret must return a dict", expected="dict", seen=repr(got))
    expect_equal(got, _DB_SECRET, "get_secret(client, 'prod/orders-db')")


@secret.check("a missing secret raises a configuration error naming it", points=2,
              hint="Catch botocore's ClientError, and when exc.response['Error']['Code'] == "
                   "'ResourceNotFoundException' raise ConfigurationError(f'secret {name!r} ...') "
                   "from exc.")
def _missing_secret(get_secret: Callable[[Any, str], dict]) -> None:
    with _secrets({"prod/orders-db": _DB_SECRET}) as (client, _):
        exc = _raised(get_secret, client, "prod/missing-db")
    _is_clear_configuration_error(exc, "prod/missing-db", "a missing secret")
    cause = _cause(exc)
    expect(cause is not None and raised_as(cause, _CLIENT_ERROR),
           "the configuration error hides botocore's error: the traceback no longer shows what AWS said",
           expected="raise ConfigurationError(...) from exc", seen=f"raised from {_cause(exc)!r}",
           hint="Write `raise ConfigurationError(...) from exc` inside the except block; "
                "`from None` throws botocore's details away.")


@secret.check("other AWS errors propagate unchanged", points=1,
              hint="Only ResourceNotFoundException is a missing secret. Re-raise every other "
                   "ClientError (access denied, throttling, a secret marked for deletion) as it "
                   "is: never return {}, and never report it as a missing secret.")
def _other_errors(get_secret: Callable[[Any, str], dict]) -> None:
    with _secrets({"prod/retired-db": _DB_SECRET, "prod/orders-db": _DB_SECRET}) as (client, helpers):
        client.delete_secret(SecretId="prod/retired-db", RecoveryWindowInDays=7)
        denied = helpers.DeniedClient(client)
        cases = [("prod/retired-db", client, "InvalidRequestException", "a secret marked for deletion"),
                 ("prod/orders-db", denied, "AccessDeniedException", "a read without permission")]
        for name, given, code, what in cases:
            exc = _raised(get_secret, given, name)
            if not raised_as(exc, _CLIENT_ERROR):
                fail(f"{what} ({code}) must reach the caller as botocore's ClientError, not be reported as "
                     "something else: a permission problem is not a missing secret",
                     expected=f"ClientError ({code})", seen=f"{type(exc).__name__}: {exc}")
            response = getattr(exc, "response", {})  # botocore's ClientError carries what AWS answered
            expect_equal(response.get("Error", {}).get("Code"), code, f"the error code raised for {what}")


@secret.check("the secret's value never appears in logs or printed output", points=1,
              hint="Log the secret's name (and how many keys it has) if you like, never its value: "
                   "logs are read by many more people than the secret manager allows.")
def _value_not_said(get_secret: Callable[[Any, str], dict]) -> None:
    said: list[str] = []
    with _secrets({"prod/orders-db": _DB_SECRET}) as (client, _), _everything_said(said):
        get_secret(client, "prod/orders-db")
    leaks = [text.strip()[:200] for text in said if _DB_SECRET["password"] in text]
    expect(not leaks, "the secret's password was logged or printed", expected="the name only, never the value",
           seen=leaks)


@secret.check("a secret that is not a JSON object is a clear error naming it", points=1,
              hint="json.loads raises JSONDecodeError without the secret's name, and a JSON list "
                   "is not a dict: raise ConfigurationError naming the secret for both.")
def _not_json_object(get_secret: Callable[[Any, str], dict]) -> None:
    with _secrets({"prod/plain-text": "hunter2 not json", "prod/a-list": ["a", "b"]}) as (client, _):
        for name in ("prod/plain-text", "prod/a-list"):
            exc = _raised(get_secret, client, name)
            _is_clear_configuration_error(exc, name, f"secret {name!r}, which is not a JSON object")
            expect("hunter2" not in str(exc), "the error message shows the secret's value",
                   expected="the name only", seen=str(exc))
