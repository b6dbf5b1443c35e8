"""05.4: ``RedactingFilter`` keeps secrets and e-mail addresses out of every log line.

It keeps every record, redacts secret ``extra=`` fields whatever their case (also inside
nested dicts), removes e-mail addresses from the message and its %-arguments, leaves
what is not secret alone, and never changes the caller's own dicts.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from typing import Any

from depipe_course.checking import expect, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part05._shared import _capture, _json_lines, learner_side
from depipe_course.judging.judge import fetch, in_worker

redact = exercise("05.4", "Keep secrets and e-mails out of the logs", ["RedactingFilter"])
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_SECRETS = {
    "password": "hunter2-pw-5521",
    "DB_PASSWORD": "pg-pw-8807",
    "access_token": "tok-4fa9e1c2",
    "Api_Key": "ak-live-99c2d1",
    "client_secret": "cs-0b7d6e55",
    "Authorization": "Bearer eyJhbGciOi-auth-73",
    "pin_secret": 48151623,  # not a string: its value goes all the same
}
_NESTED = {
    "db": {"host": "db-prod-01", "user": "etl_loader", "password": "nested-pw-3141"},
    "http": {"headers": {"Accept": "application/json", "X-Auth-Token": "nested-tok-2718"}},
    "vendor": {"API_KEY": "nested-ak-1618", "region": "eu-west-1"},
    # a secret key whose value is itself a dict: the whole value goes, keys and all
    "warehouse": {"client_secret": {"key_id": "nested-kid-4669", "value": "nested-cs-1414"}},
}
_NESTED_SECRETS = ("nested-pw-3141", "nested-tok-2718", "nested-ak-1618", "nested-kid-4669",
                   "nested-cs-1414")
_EMAILS = ("ann.lee+orders@example.com", "ops-team@corp.example.org", "J.Doe@mail.example.co.uk")


def _everything_formatter() -> logging.Formatter:
    """An ``EverythingFormatter`` made where the learner's filter runs."""
    return learner_side().EverythingFormatter()


def _filtered(RedactingFilter: type, emit: Callable[[logging.Logger], None],
              count: int) -> tuple[list[dict[str, Any]], str]:
    with _capture(_everything_formatter(), (RedactingFilter(),)) as cap:
        emit(cap.logger)
        text = cap.text
    return _json_lines(text, count), text


def _leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    return [s for s in secrets if s in text]


def _line_with(text: str, secret: str) -> str:
    return next((line for line in text.splitlines() if secret in line), "")


def _log_everything(logger: logging.Logger) -> None:
    logger.info("Connecting to the warehouse", extra={**_SECRETS, "rows": 120, "user": "etl"})
    logger.info("Loaded config", extra={"config": copy.deepcopy(_NESTED)})
    logger.warning("Reminder to %s bounced", _EMAILS[0])
    logger.error(f"Escalate to {_EMAILS[1]} and {_EMAILS[2]} now")


@redact.check("keeps every record (the filter returns True)", points=1,
              hint="filter() must return True (a truthy value) to keep the record; returning "
                   "None, as a method without return does, drops it silently.")
def _keeps_records(RedactingFilter: type) -> None:
    _filtered(RedactingFilter, _log_everything, 4)


@redact.check("redacts secret extras, whatever their case", points=2,
              hint="A key is secret when key.lower() *contains* password, token, api_key, "
                   "secret or authorization (access_token, DB_PASSWORD, Api_Key, ...).")
def _secret_extras(RedactingFilter: type) -> None:
    _, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = {k: v for k, v in _SECRETS.items() if str(v) in text}
    expect(not leaked, f"the value of {', '.join(leaked)} reached the output",
           expected="no secret value in any line", seen=f"found in the output: {leaked}",
           hint="Replace the value of every secret key, whatever its type: a number or a dict "
                "under 'pin_secret' is as secret as a string." if list(leaked) == ["pin_secret"]
           else None)


@redact.check("redacts secrets inside nested dicts", points=1,
              hint="Walk dict values recursively and redact secret keys at every depth.")
def _nested(RedactingFilter: type) -> None:
    entries, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = _leaks(text, _NESTED_SECRETS)
    under_secret_key = [s for s in leaked if s in ("nested-kid-4669", "nested-cs-1414")]
    if under_secret_key and len(under_secret_key) == len(leaked):
        fail("a dict stored under a secret key ('client_secret': {...}) was searched for "
             "secret keys instead of being replaced whole",
             expected={"warehouse": {"client_secret": "[REDACTED]"}},
             seen={"warehouse": _dig(entries[1], "config", "warehouse")},
             hint="Test the key before you recurse: when the key is secret, replace its value "
                  "whatever it is (a string, a number, a dict); recurse only into the values "
                  "of keys that are not secret.")
    expect(not leaked, "a secret nested inside a dict extra reached the output",
           expected="no secret value in any line",
           seen=f"found {leaked} in: {_line_with(text, leaked[0])}" if leaked else None)


@redact.check("removes e-mail addresses written into the message", points=1,
              hint="Replace every match of an e-mail regex in the message, e.g. "
                   r"re.compile(r'[\w.+-]+@[\w-]+(?:\.[\w-]+)+').")
def _emails_in_message(RedactingFilter: type) -> None:
    _, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = _leaks(text, _EMAILS[1:])
    expect(not leaked, "an e-mail address in the message reached the output",
           expected="no e-mail address in any line",
           seen=_line_with(text, leaked[0]) if leaked else None)


@redact.check("removes e-mail addresses passed as %-arguments", points=1,
              hint="Redact record.getMessage() (arguments applied), store it in record.msg and "
                   "set record.args = () so nothing renders the original again.")
def _emails_in_args(RedactingFilter: type) -> None:
    _, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = _leaks(text, _EMAILS[:1])
    expect(not leaked, "an e-mail address passed as an argument reached the output "
           "(in the message, msg or args)", expected="no e-mail address in any line",
           seen=_line_with(text, leaked[0]) if leaked else None)
    others = EMAIL.findall(text)
    expect(not others, "an e-mail address reached the output", expected="none", seen=others)


def _dig(entry: dict[str, Any], *path: str) -> Any:
    value: Any = entry
    for key in path:
        value = value.get(key, "(missing)") if isinstance(value, dict) else "(missing)"
    return value


@redact.check("keeps what is not secret", points=1,
              hint="Redact only the secret values and the addresses themselves: the rest of "
                   "the message and the other fields are what makes the log useful.")
def _keeps_the_rest(RedactingFilter: type) -> None:
    first, second, third, fourth = _filtered(RedactingFilter, _log_everything, 4)[0]
    seen = {
        "rows": _dig(first, "rows"),
        "user": _dig(first, "user"),
        "config.db.host": _dig(second, "config", "db", "host"),
        "config.vendor.region": _dig(second, "config", "vendor", "region"),
        "message 3": str(third.get("message")),
        "message 4": str(fourth.get("message")),
    }
    kept = {
        **{k: v for k, v in seen.items() if not k.startswith("message")},
        "message 3": seen["message 3"].startswith("Reminder to ")
        and seen["message 3"].endswith(" bounced"),
        "message 4": seen["message 4"].startswith("Escalate to ") and seen["message 4"].endswith(" now"),
    }
    wanted = {"rows": 120, "user": "etl", "config.db.host": "db-prod-01",
              "config.vendor.region": "eu-west-1", "message 3": True, "message 4": True}
    expect(kept == wanted, "something that is not a secret was removed or changed",
           expected={**wanted, "message 3": "Reminder to <address> bounced",
                     "message 4": "Escalate to <address> and <address> now"},
           seen=seen)


@redact.check("leaves the caller's dicts unchanged", points=1,
              hint="Build redacted copies; writing '[REDACTED]' into the nested dict changes "
                   "the caller's real config (the next connection then fails).")
def _no_mutation(RedactingFilter: type) -> None:
    config = in_worker(copy.deepcopy(_NESTED))  # the caller's dict, in the learner's process

    def emit(logger: logging.Logger) -> None:
        logger.info("Loaded config", extra={"config": config})

    _filtered(RedactingFilter, emit, 1)
    changed = _changed_paths(_NESTED, fetch(config))
    expect(not changed, "logging the config changed the caller's dict",
           expected={path: before for path, before, _ in changed},
           seen={path: after for path, _, after in changed})


def _changed_paths(before: Any, after: Any, path: str = "config") -> list[tuple[str, Any, Any]]:
    """Every leaf whose value differs, as (dotted path, before, after)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in before.keys() | after.keys():
            found += _changed_paths(before.get(key, "(missing)"), after.get(key, "(missing)"),
                                    f"{path}.{key}")
        return sorted(found)
    return [] if before == after else [(path, before, after)]
