"""Part 05 — Structured logging: reference solutions."""

# %% [05.1]
import json
import logging
from datetime import UTC, datetime

# Every attribute a bare LogRecord carries, plus the ones logging adds later
# (`message` and `asctime` while formatting, `taskName` from Python 3.12). Whatever
# else a record has came from the caller's `extra=`.
_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class StructuredFormatter(logging.Formatter):
    """Render each record as one JSON object on one line, ready for a log tool.

    The fixed fields come first; the caller's ``extra=`` fields follow and never
    overwrite a fixed field. Values json cannot encode (Decimal, datetime, Path)
    are written as their ``str``.
    """

    def __init__(self, pipeline_name: str, run_id: str) -> None:
        super().__init__()
        self.pipeline_name = pipeline_name
        self.run_id = run_id

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "pipeline": self.pipeline_name,
            "run_id": self.run_id,
            "logger": record.name,
            "module": record.module,
            "function": record.funcName,
            "line": record.lineno,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRS and not key.startswith("_"):
                entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


# %% [05.2]
import logging
import sys
import uuid
from typing import TextIO


def setup_pipeline_logging(
    pipeline_name: str, level: int | str = "INFO", stream: TextIO | None = None
) -> tuple[logging.Logger, str]:
    """Send the pipeline's logs as JSON lines to ``stream`` (stdout by default).

    Safe to call again (a notebook cell re-run, a second run in the same process):
    the logger's handlers are *replaced*, so no line is written twice, and the new
    run_id is on every line from then on. ``propagate=False`` keeps records away
    from handlers on the root logger, which would print them a second time.
    """
    run_id = str(uuid.uuid4())
    handler = logging.StreamHandler(sys.stdout if stream is None else stream)
    handler.setFormatter(StructuredFormatter(pipeline_name, run_id))

    logger = logging.getLogger(pipeline_name)
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(level.upper() if isinstance(level, str) else level)
    logger.propagate = False
    return logger, run_id


# %% [05.3]
import functools
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def log_timing(
    logger: logging.Logger, *, clock: Callable[[], float] = time.perf_counter
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator factory: log how long each call took, as ``duration_seconds``.

    Success is logged at INFO, failure at ERROR with the traceback, and the
    exception then reaches the caller unchanged. ``clock`` is injectable so tests
    need no real waiting; ``perf_counter`` is monotonic, unlike ``time.time``.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        name = fn.__qualname__

        @functools.wraps(fn)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            start = clock()
            try:
                result = fn(*args, **kwargs)
            except Exception:
                elapsed = round(clock() - start, 6)
                logger.exception(
                    "%s failed after %.3f s", name, elapsed,
                    extra={"timed_function": name, "duration_seconds": elapsed},
                )
                raise
            elapsed = round(clock() - start, 6)
            logger.info(
                "%s succeeded in %.3f s", name, elapsed,
                extra={"timed_function": name, "duration_seconds": elapsed},
            )
            return result

        return timed

    return decorate


# %% [05.4]
import logging
import re
from typing import Any

SECRET_KEY_PARTS = ("password", "token", "api_key", "secret", "authorization")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[REDACTED]"
EMAIL_MASK = "[EMAIL]"

_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def _is_secret_key(key: object) -> bool:
    normal = str(key).lower().replace("-", "_")
    return any(part in normal for part in SECRET_KEY_PARTS)


def _redacted(value: Any) -> Any:
    """A redacted *copy*: the caller's dicts and lists are never modified."""
    if isinstance(value, dict):
        return {k: REDACTED if _is_secret_key(k) else _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_MASK, value)
    return value


class RedactingFilter(logging.Filter):
    """Strip secrets and e-mail addresses from a record before any handler writes it.

    Attach it to the *handler*: a logger's filters do not see records that
    propagate up from child loggers. The message is rendered first (``%``-args
    applied), so an address passed as an argument is caught too; ``args`` is then
    cleared so no formatter can render the original again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = EMAIL.sub(EMAIL_MASK, record.getMessage())
        record.args = ()
        for key in [k for k in record.__dict__ if k not in _RECORD_ATTRS]:
            value = record.__dict__[key]
            record.__dict__[key] = REDACTED if _is_secret_key(key) else _redacted(value)
        return True
