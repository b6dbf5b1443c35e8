"""Wrong answers for part 05: the mistakes a learner is likely to make, one per version."""

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
       catches="does not copy LogRecord internals",
       requirement="the record's standard attributes are not copied into the output")
class CopiesEverything(_Base):
    def extras(self, record: logging.LogRecord) -> dict[str, Any]:
        return {k: v for k, v in record.__dict__.items()
                if k not in logging.LogRecord.__dict__ and not k.startswith("_")}


@wrong("05.1", "record.msg instead of getMessage()", catches="message has its arguments applied",
       requirement="message: record.getMessage(), its arguments applied")
class TemplateMessage(_Base):
    def message(self, record: logging.LogRecord) -> str:
        return str(record.msg)


@wrong("05.1", "drops the extra fields", catches="includes the caller's extra fields",
       requirement="every extra= field under its own name, with its value")
class NoExtras(_Base):
    def extras(self, record: logging.LogRecord) -> dict[str, Any]:
        return {}


@wrong("05.1", "no traceback", catches="includes the traceback when there is one",
       requirement="the traceback, when the record has exc_info")
class NoTraceback(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry = super().entry(record)
        entry.pop("exception", None)
        return entry


@wrong("05.1", "json.dumps without default", catches="does not crash on values json cannot encode",
       requirement="values json cannot encode do not crash it")
class NoDefault(_Base):
    def dumps(self, entry: dict[str, Any]) -> str:
        return json.dumps(entry)


@wrong("05.1", "stamps the formatting time", catches="timestamp is the record's creation time",
       requirement="timestamp: the record's creation time")
class FormattingTime(_Base):
    def timestamp(self, record: logging.LogRecord) -> str:
        return datetime.now(UTC).isoformat()


@wrong("05.1", "naive local time", catches="timestamp is ISO-8601 in UTC",
       requirement="timestamp: ISO-8601 in UTC, on a machine in any time zone")
class NaiveLocalTime(_Base):
    def timestamp(self, record: logging.LogRecord) -> str:
        return datetime.fromtimestamp(record.created).isoformat()


@wrong("05.1", "default formatTime", catches="timestamp is ISO-8601 in UTC",
       requirement="timestamp: ISO-8601 in UTC, on a machine in any time zone")
class DefaultFormatTime(_Base):
    def timestamp(self, record: logging.LogRecord) -> str:
        return self.formatTime(record)


@wrong("05.1", "no logger field", catches="has the required fields with the record's values",
       requirement="level, pipeline, run_id, logger, module, function and line with the record's values")
class NoLoggerField(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry = super().entry(record)
        del entry["logger"]
        return entry


@wrong("05.1", "line as a string", catches="has the required fields with the record's values",
       requirement="level, pipeline, run_id, logger, module, function and line with the record's values")
class LineAsString(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        return {**super().entry(record), "line": str(record.lineno)}


@wrong("05.1", "pretty-printed JSON", catches="writes one JSON object per line",
       requirement="one JSON object on one line per record")
class PrettyPrinted(_Base):
    def dumps(self, entry: dict[str, Any]) -> str:
        return json.dumps(entry, default=str, indent=2)


@wrong("05.1", "local time with its offset (astimezone())", catches="timestamp is ISO-8601 in UTC",
       requirement="timestamp: ISO-8601 in UTC, on a machine in any time zone")
class LocalAwareTime(_Base):
    def timestamp(self, record: logging.LogRecord) -> str:
        return datetime.fromtimestamp(record.created).astimezone().isoformat()


@wrong("05.1", "extras nested under one 'extra' key", catches="includes the caller's extra fields",
       requirement="every extra= field under its own name, with its value")
class ExtrasUnderOneKey(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry = {k: v for k, v in super().entry(record).items() if k not in self.extras(record)}
        return {**entry, "extra": self.extras(record)}


@wrong("05.1", "only the exception's message, no traceback",
       catches="includes the traceback when there is one",
       requirement="the traceback, when the record has exc_info")
class ExceptionMessageOnly(_Base):
    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry = super().entry(record)
        if record.exc_info:
            entry["exception"] = f"{record.exc_info[0].__name__}: {record.exc_info[1]}"
        return entry


# ---------------------------------------------------------------- 05.2 setup_pipeline_logging


def _handler(pipeline_name: str, run_id: str, stream: TextIO | None) -> logging.Handler:
    handler = logging.StreamHandler(sys.stdout if stream is None else stream)
    handler.setFormatter(StructuredFormatter(pipeline_name, run_id))
    return handler


@wrong("05.2", "appends a handler on every call", catches="calling it twice does not duplicate lines",
       requirement="calling it again does not duplicate lines")
def setup_appends(pipeline_name: str, level: int | str = "INFO",
                  stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "adds a handler only if there is none",
       catches="a second call starts a new run: new run_id, new stream",
       requirement="calling it again starts a new run: new run_id, new stream")
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
       catches="a second call starts a new run: new run_id, new stream",
       requirement="calling it again starts a new run: new run_id, new stream")
def setup_fixed_run_id(pipeline_name: str, level: int | str = "INFO",
                       stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, _FIXED_RUN_ID, stream))
    logger.setLevel(level)
    logger.propagate = False
    return logger, _FIXED_RUN_ID


@wrong("05.2", "propagates to the root logger", catches="does not pass records on to the root logger",
       requirement="records do not propagate to the root logger")
def setup_propagates(pipeline_name: str, level: int | str = "INFO",
                     stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    return logger, run_id


@wrong("05.2", "always DEBUG", catches="honours the level",
       requirement="the logger is at level, given as a name or a number")
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
       catches="writes JSON lines with the pipeline and run_id to the stream (stdout by default)",
       requirement="one handler writing StructuredFormatter(pipeline_name, run_id) lines to stream")
def setup_ignores_stream(pipeline_name: str, level: int | str = "INFO",
                         stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, None))
    logger.setLevel(level)
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "returns (run_id, logger)", catches="returns the pipeline's logger and a run_id string",
       requirement="returns (logger, run_id)")
def setup_swapped(pipeline_name: str, level: int | str = "INFO",
                  stream: TextIO | None = None) -> tuple[Any, Any]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    logger.propagate = False
    return run_id, logger


@wrong("05.2", "configures the module's logger, not the pipeline's",
       catches="returns the pipeline's logger and a run_id string",
       requirement="the logger is logging.getLogger(pipeline_name)")
def setup_module_logger(pipeline_name: str, level: int | str = "INFO",
                        stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger("depipe.tests.setup_module")  # getLogger(__name__) in a module
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(level)
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "StreamHandler(None) writes to stderr",
       catches="writes JSON lines with the pipeline and run_id to the stream (stdout by default)",
       requirement="standard output when stream is None")
def setup_stderr_default(pipeline_name: str, level: int | str = "INFO",
                         stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(StructuredFormatter(pipeline_name, run_id))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "level names only: getattr(logging, level.upper())", catches="honours the level",
       requirement="the logger is at level, given as a name or a number")
def setup_level_names_only(pipeline_name: str, level: int | str = "INFO",
                           stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logger = logging.getLogger(pipeline_name)
    logger.handlers.clear()
    logger.addHandler(_handler(pipeline_name, run_id, stream))
    logger.setLevel(getattr(logging, level.upper()))  # type: ignore[union-attr]
    logger.propagate = False
    return logger, run_id


@wrong("05.2", "logging.basicConfig(force=True) on the root logger",
       catches="does not pass records on to the root logger",
       requirement="records do not propagate to the root logger")
def setup_basic_config(pipeline_name: str, level: int | str = "INFO",
                       stream: TextIO | None = None) -> tuple[logging.Logger, str]:
    run_id = str(uuid.uuid4())
    logging.basicConfig(level=level, handlers=[_handler(pipeline_name, run_id, stream)], force=True)
    return logging.getLogger(pipeline_name), run_id


# ---------------------------------------------------------------- 05.3 log_timing


@wrong("05.3", "a plain decorator, not a factory",
       catches="returns a decorator that passes arguments and the result through",
       requirement="a decorator factory: @log_timing(logger)")
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
            measure_after: bool = True, use_logger: bool = True, traceback: bool = True,
            success_in_finally: bool = False, keep_result: bool = True) -> Callable[..., Any]:
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
                        target.error("%s failed", label, exc_info=traceback)
                    else:
                        target.log(error_level, "%s failed after %.3f s", label, elapsed,
                                   extra=fields(elapsed), exc_info=traceback)
                    if on_error == "swallow":
                        return None
                    if on_error == "wrap":
                        raise RuntimeError(f"{label} failed") from exc
                    raise
                finally:
                    if success_in_finally:
                        elapsed = clock() - start
                        target.info("%s finished in %.3f s", label, elapsed, extra=fields(elapsed))
                elapsed = clock() - start if measure_after else elapsed
                if not success_in_finally:
                    target.info("%s succeeded in %.3f s", label, elapsed, extra=fields(elapsed))
                return result if keep_result else None

            return functools.wraps(fn)(timed) if wraps else timed

        return decorate

    return log_timing


def _register_timing(description: str, catches: str, requirement: str, **wrongness: Any) -> None:
    wrong("05.3", description, catches=catches, requirement=requirement)(_timing(**wrongness))


_register_timing("no functools.wraps", "keeps the function's name and docstring",
                 "the wrapped function keeps its name and docstring", wraps=False)
_register_timing("returns None instead of the result",
                 "returns a decorator that passes arguments and the result through",
                 "the wrapped function keeps its arguments and return value", keep_result=False)
_register_timing("swallows the exception", "re-raises the same exception",
                 "on failure: the same exception reaches the caller", on_error="swallow")
_register_timing("raises a new exception", "re-raises the same exception",
                 "on failure: the same exception reaches the caller", on_error="wrap")
_register_timing("duration only in the message",
                 "logs INFO with a numeric duration_seconds on success",
                 "on success: one INFO record with a numeric duration_seconds", duration="message")
_register_timing("duration as a string", "logs INFO with a numeric duration_seconds on success",
                 "on success: one INFO record with a numeric duration_seconds", duration="string")
_register_timing("logs to another logger", "logs INFO with a numeric duration_seconds on success",
                 "records go to the logger given to log_timing", use_logger=False)
_register_timing("measures before calling", "duration_seconds measures the call",
                 "duration_seconds measures the call", measure_after=False)
_register_timing("failure logged as WARNING", "logs ERROR with duration_seconds on failure",
                 "on failure: one ERROR record with duration_seconds, and no success record",
                 error_level=logging.WARNING)
_register_timing("failure logged at INFO, like a success",
                 "logs ERROR with duration_seconds on failure",
                 "on failure: one ERROR record with duration_seconds, and no success record",
                 error_level=logging.INFO)
_register_timing("failure logged without duration", "logs ERROR with duration_seconds on failure",
                 "on failure: one ERROR record with duration_seconds, and no success record",
                 on_error="no_duration")
_register_timing("success logged in finally, also after a failure",
                 "logs ERROR with duration_seconds on failure",
                 "on failure: one ERROR record with duration_seconds, and no success record",
                 success_in_finally=True)
_register_timing("logger.error without exc_info", "the ERROR record carries the traceback",
                 "on failure: the traceback (logger.exception adds it)", traceback=False)
_register_timing("does not say which function", "the record names the timed function",
                 "the function's name is in the record", name_in_message=False)


# ---------------------------------------------------------------- 05.4 RedactingFilter


@wrong("05.4", "forgets to return True", catches="keeps every record (the filter returns True)",
       requirement="filter returns True, so the record is kept")
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


@wrong("05.4", "exact key names, case-sensitive", catches="redacts secret extras, whatever their case",
       requirement="extras whose key contains password, token, api_key, secret or authorization, in any case")
class ExactKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        keys = {"password", "token", "api_key", "secret", "authorization"}
        _redact_extras(record, lambda k: k in keys, _redacted)
        return True


@wrong("05.4", "password only", catches="redacts secret extras, whatever their case",
       requirement="extras whose key contains password, token, api_key, secret or authorization, in any case")
class PasswordOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, lambda k: "password" in k.lower(), lambda v: v)
        return True


@wrong("05.4", "top level only", catches="redacts secrets inside nested dicts",
       requirement="secret keys inside nested dicts too")
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


@wrong("05.4", "redacts the caller's dict in place", catches="leaves the caller's dicts unchanged",
       requirement="the caller's dicts are not modified")
class InPlace(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, _is_secret_key, _mutate_in_place)
        return True


@wrong("05.4", "no e-mail redaction", catches="removes e-mail addresses written into the message",
       requirement="e-mail addresses written into the message are replaced")
class NoEmails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "redacts the template, not the arguments",
       catches="removes e-mail addresses passed as %-arguments",
       requirement="e-mail addresses passed as %-arguments are replaced")
class TemplateOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = EMAIL.sub(EMAIL_MASK, str(record.msg))
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "replaces msg but keeps args", catches="removes e-mail addresses passed as %-arguments",
       requirement="e-mail addresses passed as %-arguments are replaced")
class KeepsArgs(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = EMAIL.sub(EMAIL_MASK, record.getMessage())
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "redacts the whole message", catches="keeps what is not secret",
       requirement="everything else is kept")
class WholeMessage(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if EMAIL.search(record.getMessage()):
            record.msg, record.args = REDACTED, ()
        _redact_extras(record, _is_secret_key, _redacted)
        return True


@wrong("05.4", "redacts every extra", catches="keeps what is not secret",
       requirement="everything else is kept")
class EveryExtra(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, lambda k: True, lambda v: v)
        return True


@wrong("05.4", "key parts matched case-sensitively", catches="redacts secret extras, whatever their case",
       requirement="extras whose key contains password, token, api_key, secret or authorization, in any case")
class CaseSensitiveParts(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        parts = ("password", "token", "api_key", "secret", "authorization")
        _redact_extras(record, lambda k: any(p in k for p in parts), _redacted)
        return True


def _recurse_first(value: Any) -> Any:
    if isinstance(value, dict):  # recurses before asking whether the key is secret
        return {k: _recurse_first(v) if isinstance(v, dict) else REDACTED if _is_secret_key(k) else v
                for k, v in value.items()}
    return value


@wrong("05.4", "recurses into a dict under a secret key instead of replacing it",
       catches="redacts secrets inside nested dicts",
       requirement="a secret key's value is replaced whatever it is: a number, a dict")
class RecursesFirst(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        _redact_extras(record, _is_secret_key, _recurse_first)
        return True


@wrong("05.4", "redacts string values only", catches="redacts secret extras, whatever their case",
       requirement="a secret key's value is replaced whatever it is: a number, a dict")
class StringsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        for key in [k for k in record.__dict__ if k not in _RECORD_ATTRS]:
            value = record.__dict__[key]
            secret = _is_secret_key(key) and isinstance(value, str)
            record.__dict__[key] = REDACTED if secret else _redacted(value)
        return True
