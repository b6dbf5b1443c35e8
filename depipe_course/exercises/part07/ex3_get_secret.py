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

secret = exercise("07.3", "Secrets from a secret manager", ["get_secret"])

_DB_SECRET = {"username": "etl", "password": "p@ss:w/rd-Q7x", "port": 5432}
_ACCEPTED = (RuntimeError, LookupError, ValueError)
# Libraries that log at DEBUG on their own (botocore logs whole responses): kept quiet while
# the check listens to the learner's log records.
_CHATTY_LOGGERS = ("botocore", "boto3", "moto", "urllib3", "responses", "s3transfer")


def _raised(get_secret: Callable[[Any, str], dict], client: Any, name: str) -> BaseException | None:
    try:
        got = get_secret(client, name)
    except NotImplementedError:
        raise
    except Exception as exc:  # the learner decides the type; the check judges it
        return exc
    fail(f"get_secret(client, {name!r}) returned instead of raising",
         expected="a ConfigurationError naming the secret", seen=got)


class _DeniedClient:
    """A Secrets Manager client that refuses every read, as AWS does for a role without permission."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_secret_value(self, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        error = {"Code": "AccessDeniedException",
                 "Message": "User: arn:aws:sts::123456789012:assumed-role/etl/job is not authorized to "
                            "perform: secretsmanager:GetSecretValue"}
        raise ClientError({"Error": error}, "GetSecretValue")


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
    chatty = {name: logging.getLogger(name).level for name in _CHATTY_LOGGERS}
    root_level = root.level
    out, err = io.StringIO(), io.StringIO()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in chatty:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in chatty.items():
            logging.getLogger(name).setLevel(level)
        said.extend([out.getvalue(), err.getvalue()])


def _is_clear_configuration_error(exc: BaseException, name: str, what: str) -> None:
    from botocore.exceptions import ClientError

    seen = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ClientError):
        fail(f"botocore's {type(exc).__name__} escaped for {what}; its message does not say which "
             "secret", expected="ConfigurationError naming the secret", seen=seen)
    expect(isinstance(exc, _ACCEPTED), f"{what} must raise a configuration error",
           expected="ConfigurationError (a RuntimeError), or a LookupError/ValueError", seen=seen)
    expect(name in str(exc), f"the error for {what} must name the secret",
           expected=f"a message containing {name!r}", seen=seen)


@secret.check("parses the JSON secret into a dict", points=1,
              hint="client.get_secret_value(SecretId=name)['SecretString'] is JSON text: json.loads it.")
def _parses_json(get_secret: Callable[[Any, str], dict]) -> None:
    from depipe_course.fakes.cloud import fake_secrets

    with fake_secrets({"prod/orders-db": _DB_SECRET, "prod/other": {"k": "v"}}) as client:
        got = get_secret(client, "prod/orders-db")
    expect(isinstance(got, dict), "get_secret must return a dict", expected="dict", seen=repr(got))
    expect_equal(got, _DB_SECRET, "get_secret(client, 'prod/orders-db')")


@secret.check("a missing secret raises a configuration error naming it", points=2,
              hint="Catch botocore's ClientError, and when exc.response['Error']['Code'] == "
                   "'ResourceNotFoundException' raise ConfigurationError(f'secret {name!r} ...') "
                   "from exc.")
def _missing_secret(get_secret: Callable[[Any, str], dict]) -> None:
    from botocore.exceptions import ClientError

    from depipe_course.fakes.cloud import fake_secrets

    with fake_secrets({"prod/orders-db": _DB_SECRET}) as client:
        exc = _raised(get_secret, client, "prod/missing-db")
    _is_clear_configuration_error(exc, "prod/missing-db", "a missing secret")
    expect(isinstance(_cause(exc), ClientError),
           "the configuration error hides botocore's error: the traceback no longer shows what AWS said",
           expected="raise ConfigurationError(...) from exc", seen=f"raised from {_cause(exc)!r}",
           hint="Write `raise ConfigurationError(...) from exc` inside the except block; "
                "`from None` throws botocore's details away.")


@secret.check("other AWS errors propagate unchanged", points=1,
              hint="Only ResourceNotFoundException is a missing secret. Re-raise every other "
                   "ClientError (access denied, throttling, a secret marked for deletion) as it "
                   "is: never return {}, and never report it as a missing secret.")
def _other_errors(get_secret: Callable[[Any, str], dict]) -> None:
    from botocore.exceptions import ClientError

    from depipe_course.fakes.cloud import fake_secrets

    with fake_secrets({"prod/retired-db": _DB_SECRET, "prod/orders-db": _DB_SECRET}) as client:
        client.delete_secret(SecretId="prod/retired-db", RecoveryWindowInDays=7)
        cases = [("prod/retired-db", client, "InvalidRequestException", "a secret marked for deletion"),
                 ("prod/orders-db", _DeniedClient(client), "AccessDeniedException", "a read without permission")]
        for name, given, code, what in cases:
            exc = _raised(get_secret, given, name)
            if not isinstance(exc, ClientError):
                fail(f"{what} ({code}) must reach the caller as botocore's ClientError, not be reported as "
                     "something else: a permission problem is not a missing secret",
                     expected=f"ClientError ({code})", seen=f"{type(exc).__name__}: {exc}")
            expect_equal(exc.response.get("Error", {}).get("Code"), code, f"the error code raised for {what}")


@secret.check("the secret's value never appears in logs or printed output", points=1,
              hint="Log the secret's name (and how many keys it has) if you like, never its value: "
                   "logs are read by many more people than the secret manager allows.")
def _value_not_said(get_secret: Callable[[Any, str], dict]) -> None:
    from depipe_course.fakes.cloud import fake_secrets

    said: list[str] = []
    with fake_secrets({"prod/orders-db": _DB_SECRET}) as client, _everything_said(said):
        get_secret(client, "prod/orders-db")
    leaks = [text.strip()[:200] for text in said if _DB_SECRET["password"] in text]
    expect(not leaks, "the secret's password was logged or printed", expected="the name only, never the value",
           seen=leaks)


@secret.check("a secret that is not a JSON object is a clear error naming it", points=1,
              hint="json.loads raises JSONDecodeError without the secret's name, and a JSON list "
                   "is not a dict: raise ConfigurationError naming the secret for both.")
def _not_json_object(get_secret: Callable[[Any, str], dict]) -> None:
    from depipe_course.fakes.cloud import fake_secrets

    with fake_secrets({"prod/plain-text": "hunter2 not json", "prod/a-list": ["a", "b"]}) as client:
        for name in ("prod/plain-text", "prod/a-list"):
            exc = _raised(get_secret, client, name)
            _is_clear_configuration_error(exc, name, f"secret {name!r}, which is not a JSON object")
            expect("hunter2" not in str(exc), "the error message shows the secret's value",
                   expected="the name only", seen=str(exc))
