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
import logging
from typing import Any


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
