"""Wrong answers for part 05: the syllabus's mistakes and the other likely ones."""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from solutions.part05 import (
    EMAIL,
    EMAIL_MASK,
    REDACTED,
    RedactingFilter,
    StructuredFormatter,
    _is_secret_key,
    _redacted,
)
from tests.wrong_versions import wrong

_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName",
}

# ---------------------------------------------------------------- 05.1 StructuredFormatter


class _Base(logging.Formatter):
    """The reference's shape, with one hook per field so each wrong version is small."""

    def __init__(self, pipeline_name: str, run_id: str) -> None:
        super().__init__()
        self.pipeline_name = pipeline_name
        self.run_id = run_id

    def timestamp(self, record: logging.LogRecord) -> str:
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat()

    def message(self, record: logging.LogRecord) -> str:
        return record.getMessage()

    def extras(self, record: logging.LogRecord) -> dict[str, Any]:
        return {k: v for k, v in record.__dict__.items() if k not in _RECORD_ATTRS}

    def dumps(self, entry: dict[str, Any]) -> str:
        return json.dumps(entry, default=str)

    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "timestamp": self.timestamp(record), "level": record.levelname,
            "pipeline": self.pipeline_name, "run_id": self.run_id, "logger": record.name,
            "module": record.module, "function": record.funcName, "line": record.lineno,
            "message": self.message(record),
        }
        for key, value in self.extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return entry

    def format(self, record: logging.LogRecord) -> str:
        return self.dumps(self.entry(record))


@wrong("05.1", "copies every LogRecord attribute (class __dict__ as the filter)",
       catches="does not copy LogRecord internals")
class CopiesEverything(_Base):
    def extras(self, record: logging.LogRecord) -> dict[str, Any]:
        return {k: v for k, v in record.__dict__.items()
                if k not in logging.LogRecord.__dict__ and not k.startswith("_")}


@wrong("05.1", "record.msg instead of getMessage()", catches="message has its arguments applied")
class TemplateMessage(_Base):
    def message(self, record: logging.LogRecord) -> str:
        return str(record.msg)


@wrong("05.1", "drops the extra fields", catches="includes the caller's extra fields")
class NoExtras(_Base):
    def extras(self, record: logging.LogRecord) -> dict[str, Any]:
        return {}


@wrong("05.1", "no traceback", catches="includes the traceback when there is one")
class NoTraceback(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry = super().entry(record)
        entry.pop("exception", None)
        return entry


@wrong("05.1", "json.dumps without default", catches="does not crash on values json cannot encode")
class NoDefault(_Base):
    def dumps(self, entry: dict[str, Any]) -> str:
        return json.dumps(entry)


@wrong("05.1", "stamps the formatting time", catches="timestamp is the record's creation time")
class FormattingTime(_Base):
    def timestamp(self, record: logging.LogRecord) -> str:
        return datetime.now(UTC).isoformat()


@wrong("05.1", "naive local time", catches="timestamp is ISO-8601 in UTC")
class NaiveLocalTime(_Base):
    def timestamp(self, record: logging.LogRecord) -> str:
        return datetime.fromtimestamp(record.created).isoformat()


@wrong("05.1", "default formatTime", catches="timestamp is ISO-8601 in UTC")
class DefaultFormatTime(_Base):
    def timestamp(self, record: logging.LogRecord) -> str:
        return self.formatTime(record)


@wrong("05.1", "no logger field (as in the syllabus)",
       catches="has the required fields with the record's values")
class NoLoggerField(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry = super().entry(record)
        del entry["logger"]
        return entry


@wrong("05.1", "line as a string", catches="has the required fields with the record's values")
class LineAsString(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        return {**super().entry(record), "line": str(record.lineno)}


@wrong("05.1", "pretty-printed JSON", catches="writes one JSON object per line")
class PrettyPrinted(_Base):
    def dumps(self, entry: dict[str, Any]) -> str:
        return json.dumps(entry, default=str, indent=2)


# ---------------------------------------------------------------- 05.2 setup_pipeline_logging


def _handler(pipeline_name: str, run_id: str, stream: TextIO | None) -> logging.Handler:
    handler = logging.StreamHandler(sys.stdout if stream is None else stream)
    handler.setFormatter(StructuredFormatter(pipeline_name, run_id))
    return handler


@wrong("05.2", "appends a handler on every call", catches="calling it twice does not duplicate lines")
def setup_appends(pipeline_name: str, level: int | str = "INFO",
                  stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "adds a handler only if there is none",
       catches="a second call starts a new run: new run_id, new stream")
def setup_guarded(pipeline_name: str, level: int | str = "INFO",
                  stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    if not logger.handlers:
        logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    logger.propagate = False
    return logger, run_id


_FIXED_RUN_ID = str(uuid.UUID(int=7))


@wrong("05.2", "one run_id for the whole process",
       catches="a second call starts a new run: new run_id, new stream")
def setup_fixed_run_id(pipeline_name: str, level: int | str = "INFO",
                       stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, _FIXED_RUN_ID, stream))
    logger.setLevel(level)
    logger.propagate = False
    return logger, _FIXED_RUN_ID


@wrong("05.2", "propagates to the root logger", catches="does not pass records on to the root logger")
def setup_propagates(pipeline_name: str, level: int | str = "INFO",
                     stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    return logger, run_id


@wrong("05.2", "always DEBUG (as in the syllabus)", catches="honours the level")
def setup_ignores_level(pipeline_name: str, level: int | str = "INFO",
                        stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "always writes to stdout",
       catches="writes JSON lines with the pipeline and run_id to the stream")
def setup_ignores_stream(pipeline_name: str, level: int | str = "INFO",
                         stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, None))
    logger.setLevel(level)
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "returns (run_id, logger)", catches="returns the logger and a run_id string")
def setup_swapped(pipeline_name: str, level: int | str = "INFO",
                  stream: TextIO | None = None) -> tuple[Any, Any]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    logger.propagate = False
    return run_id, logger


# ---------------------------------------------------------------- 05.3 log_timing


@wrong("05.3", "a plain decorator, not a factory (as in the syllabus)",
       catches="returns a decorator that passes arguments and the result through")
def log_timing_not_a_factory(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        result = func(*args, **kwargs)
        logging.getLogger(__name__).info("%s done", func.__name__,
                                         extra={"duration_seconds": time.monotonic() - start})
        return result

    return wrapper


_elsewhere = logging.getLogger("depipe.tests.elsewhere")
_elsewhere.addHandler(logging.NullHandler())  # swallowed quietly, not printed by lastResort
_elsewhere.propagate = False


def _timing(*, wraps: bool = True, on_error: str = "reraise", duration: str = "extra",
            error_level: int = logging.ERROR, name_in_message: bool = True,
            measure_after: bool = True, use_logger: bool = True) -> Callable[..., Any]:
    """Build a log_timing with exactly one thing wrong."""

    def log_timing(logger: logging.Logger, *,
                   clock: Callable[[], float] = time.perf_counter) -> Callable[..., Any]:
        target = logger if use_logger else _elsewhere

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            label = fn.__name__ if name_in_message else "call"

            def fields(elapsed: float) -> dict[str, Any]:
                if duration == "extra":
                    return {"duration_seconds": elapsed}
                if duration == "string":
                    return {"duration_seconds": f"{elapsed:.3f}s"}
                return {}

            def timed(*args: Any, **kwargs: Any) -> Any:
                start = clock()
                if not measure_after:
                    elapsed = clock() - start
                try:
                    result = fn(*args, **kwargs)
                except Exception as exc:
                    elapsed = clock() - start if measure_after else elapsed
                    if on_error == "no_duration":
                        target.error("%s failed", label)
                    else:
                        target.log(error_level, "%s failed after %.3f s", label, elapsed,
                                   extra=fields(elapsed))
                    if on_error == "swallow":
                        return None
                    if on_error == "wrap":
                        raise RuntimeError(f"{label} failed") from exc
                    raise
                elapsed = clock() - start if measure_after else elapsed
                target.info("%s succeeded in %.3f s", label, elapsed, extra=fields(elapsed))
                return result

            return functools.wraps(fn)(timed) if wraps else timed

        return decorate

    return log_timing


wrong("05.3", "no functools.wraps", catches="keeps the function's name and docstring")(
    _timing(wraps=False))
wrong("05.3", "swallows the exception", catches="re-raises the same exception")(
    _timing(on_error="swallow"))
wrong("05.3", "raises a new exception", catches="re-raises the same exception")(
    _timing(on_error="wrap"))
wrong("05.3", "duration only in the message",
      catches="logs INFO with a numeric duration_seconds on success")(_timing(duration="message"))
wrong("05.3", "duration as a string",
      catches="logs INFO with a numeric duration_seconds on success")(_timing(duration="string"))
wrong("05.3", "logs to another logger",
      catches="logs INFO with a numeric duration_seconds on success")(_timing(use_logger=False))
wrong("05.3", "measures before calling", catches="duration_seconds measures the call")(
    _timing(measure_after=False))
wrong("05.3", "failure logged as WARNING", catches="logs ERROR with duration_seconds on failure")(
    _timing(error_level=logging.WARNING))
wrong("05.3", "failure logged without duration",
      catches="logs ERROR with duration_seconds on failure")(_timing(on_error="no_duration"))
wrong("05.3", "does not say which function", catches="the record names the timed function")(
    _timing(name_in_message=False))


# ---------------------------------------------------------------- 05.4 RedactingFilter


@wrong("05.4", "forgets to return True", catches="keeps every record (the filter returns True)")
class ForgetsReturn(RedactingFilter):
    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        return None  # type: ignore[return-value]


def _redact_extras(record: logging.LogRecord, is_secret: Callable[[str], bool],
                   nested: Callable[[Any], Any]) -> None:
    for key in [k for k in record.__dict__ if k not in _RECORD_ATTRS]:
        value = record.__dict__[key]
        record.__dict__[key] = REDACTED if is_secret(key) else nested(value)


def _redact_message(record: logging.LogRecord) -> None:
    record.msg = EMAIL.sub(EMAIL_MASK, record.getMessage())
    record.args = ()


@wrong("05.4", "exact key names, case-sensitive", catches="redacts secret extras, whatever their case")
class ExactKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        keys = {"password", "token", "api_key", "secret", "authorization"}
        _redact_extras(record, lambda k: k in keys, _redacted)
        return True


@wrong("05.4", "password only", catches="redacts secret extras, whatever their case")
class PasswordOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, lambda k: "password" in k.lower(), lambda v: v)
        return True


@wrong("05.4", "top level only", catches="redacts secrets inside nested dicts")
class TopLevelOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, _is_secret_key, lambda v: v)
        return True


def _mutate_in_place(value: Any) -> Any:
    if isinstance(value, dict):
        for key in value:
            value[key] = REDACTED if _is_secret_key(key) else _mutate_in_place(value[key])
    return value


@wrong("05.4", "redacts the caller's dict in place", catches="leaves the caller's dicts unchanged")
class InPlace(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, _is_secret_key, _mutate_in_place)
        return True


@wrong("05.4", "no e-mail redaction", catches="removes e-mail addresses written into the message")
class NoEmails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "redacts the template, not the arguments",
       catches="removes e-mail addresses passed as %-arguments")
class TemplateOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = EMAIL.sub(EMAIL_MASK, str(record.msg))
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "replaces msg but keeps args", catches="removes e-mail addresses passed as %-arguments")
class KeepsArgs(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = EMAIL.sub(EMAIL_MASK, record.getMessage())
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "redacts the whole message", catches="keeps what is not secret")
class WholeMessage(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if EMAIL.search(record.getMessage()):
            record.msg, record.args = REDACTED, ()
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "redacts every extra", catches="keeps what is not secret")
class EveryExtra(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, lambda k: True, lambda v: v)
        return True

