"""Part 05's loggers, handlers and streams, set up in the learner's process.

The learner's formatter, filter and decorator run where the learner's code runs (under
the judge, in the worker), and a record carries what it needs only there: the caller's
frame, the exception being handled. So the logger a check writes through, its handlers
and the stream they write to are made here too. The checks reach this module with
``learner_module`` (in the same process, it is simply this module) and read back data:
the text written, and each record's attributes (``Capture.records``) to rebuild it with
``logging.makeLogRecord``.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from depipe_course.checking import fail

# Attributes every LogRecord has (``message``/``asctime`` are added while formatting,
# ``taskName`` from Python 3.12); any other attribute came from ``extra=``.
STANDARD_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def extras_of(record: logging.LogRecord) -> dict[str, Any]:
    """The attributes of ``record`` that came from ``extra=``."""
    return {k: v for k, v in record.__dict__.items() if k not in STANDARD_RECORD_ATTRS}


class RaisingStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that re-raises instead of printing ``--- Logging error ---``."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # called from logging's except block: re-raise that error


class RecordList(logging.Handler):
    """Keeps the records themselves, to compare the output with what was logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def fields(self) -> list[dict[str, Any]]:
        """Every record's attributes, in the order logged (``logging.makeLogRecord`` rebuilds each)."""
        return [dict(vars(record)) for record in self.records]

    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


class Capture:
    """A DEBUG logger that keeps its records and, given a formatter or filters, also
    writes them to a StringIO through those; ``undo`` gives the logger back as it was.

    Its handler lets errors from the learner's formatter or filter propagate (logging
    would otherwise print ``--- Logging error ---`` to stderr and carry on).
    """

    def __init__(self, name: str, formatter: logging.Formatter | None = None, filters: tuple[Any, ...] = ()) -> None:
        self.logger = logging.getLogger(name)
        self.stream = io.StringIO()
        self.keeper = RecordList()
        self.handlers: list[logging.Handler] = [self.keeper]
        if formatter is not None or filters:
            handler = RaisingStreamHandler(self.stream)
            if formatter is not None:
                handler.setFormatter(formatter)
            for flt in filters:
                handler.addFilter(flt)
            self.handlers.append(handler)
        self.saved = (self.logger.level, self.logger.propagate, list(self.logger.handlers))
        for old in self.saved[2]:
            self.logger.removeHandler(old)
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        for new in self.handlers:
            self.logger.addHandler(new)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return self.keeper.fields()

    def undo(self) -> None:
        level, propagate, handlers = self.saved
        for new in self.handlers:
            self.logger.removeHandler(new)
        for old in handlers:
            self.logger.addHandler(old)
        self.logger.setLevel(level)
        self.logger.propagate = propagate


def log_exception(logger: logging.Logger, message: str, error: BaseException) -> None:
    """Raise ``error`` here and log it with ``logger.exception``: the record carries its traceback."""
    try:
        raise error
    except type(error):
        logger.exception(message)


class LoggersAsFound:
    """05.2's set-ups, undone where they happened, so no handler leaves the learner's process:
    remembers the root logger's handlers and level and every logger touched (``name`` first),
    and gives them back as they were."""

    def __init__(self, name: str) -> None:
        root = logging.getLogger()  # logging.basicConfig(force=True) would replace its handlers
        self.root_state = (root.level, list(root.handlers))
        self.loggers: list[Any] = [logging.getLogger(name)]

    def touched(self, logger: Any) -> None:
        self.loggers.append(getattr(logger, "logger", logger))  # a LoggerAdapter's logger

    def root_changed(self) -> bool:
        return list(logging.getLogger().handlers) != self.root_state[1]

    def reset(self) -> None:
        """Every logger touched: no handlers, default level; the root logger its own
        handlers and level."""
        root = logging.getLogger()
        level, handlers = self.root_state
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        for handler in [h for h in handlers if h not in root.handlers]:
            root.addHandler(handler)
        root.setLevel(level)
        for logger in self.loggers:
            if not isinstance(logger, logging.Logger):
                continue
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.filters.clear()
            logger.setLevel(logging.NOTSET)
            logger.propagate = True


class EverythingFormatter(logging.Formatter):
    """05.4's formatter: writes the rendered message, the raw ``msg`` and ``args``, and every extra field.

    A redacting filter must make the *record* safe, whatever formatter comes after it,
    so this one formats in the learner's process, next to the filter.
    """

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception as exc:  # a filter that replaced msg but kept args
            fail("after your filter ran, record.getMessage() fails",
                 expected="a record whose msg and args still render",
                 seen=f"{type(exc).__name__}: {exc} (clear record.args when you replace "
                      "record.msg with the finished message)")
        entry = {"message": message, "msg": str(record.msg), "args": record.args,
                 **extras_of(record)}
        return json.dumps(entry, default=repr)
