"""What two or more of part 05's exercises use: a capturing logger and its JSON output.

``_capture`` gives a real ``logging.Logger`` whose handler writes to a ``StringIO``
through the learner's formatter or filter, exactly where it would sit in a pipeline.
It removes its handlers again when the check ends, also when it fails. Its handler
lets errors from the learner's formatter or filter propagate (logging would otherwise
print ``--- Logging error ---`` to stderr and carry on), so the check reports them.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from depipe_course.checking import fail

# Attributes every LogRecord has (``message``/``asctime`` are added while formatting,
# ``taskName`` from Python 3.12); any other attribute came from ``extra=``.
STANDARD_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_LOGGER_NAME = "depipe.checks.part05"


class _RaisingStreamHandler(logging.StreamHandler):
    """A StreamHandler that re-raises instead of printing ``--- Logging error ---``."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # called from logging's except block: re-raise that error


class _RecordList(logging.Handler):
    """Keeps the records themselves, to compare the output with what was logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class _Captured:
    logger: logging.Logger
    stream: io.StringIO
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@contextlib.contextmanager
def _capture(
    formatter: logging.Formatter | None = None, filters: tuple[Any, ...] = (), name: str = _LOGGER_NAME
) -> Iterator[_Captured]:
    """A DEBUG logger that keeps its records and, given a formatter or filters, also
    writes them to a StringIO through those."""
    logger = logging.getLogger(name)
    stream = io.StringIO()
    handler = _RaisingStreamHandler(stream)
    if formatter is not None:
        handler.setFormatter(formatter)
    for flt in filters:
        handler.addFilter(flt)
    keeper = _RecordList()
    handlers: list[logging.Handler] = [keeper]
    if formatter is not None or filters:
        handlers.append(handler)
    saved = (logger.level, logger.propagate, list(logger.handlers))
    for old in saved[2]:
        logger.removeHandler(old)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    for new in handlers:
        logger.addHandler(new)
    try:
        yield _Captured(logger, stream, keeper.records)
    finally:
        for new in handlers:
            logger.removeHandler(new)
        for old in saved[2]:
            logger.addHandler(old)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _json_lines(text: str, expected_count: int | None = None) -> list[dict[str, Any]]:
    """Parse every line of ``text`` as a JSON object, failing on the first that is not."""
    lines = text.splitlines()
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except ValueError:
            fail(f"line {number} of the output is not a JSON object on its own",
                 expected="one complete JSON object per line", seen=line or "(empty line)")
        if not isinstance(entry, dict):
            fail(f"line {number} is JSON but not an object", expected="{...}", seen=line)
        entries.append(entry)
    if expected_count is not None and len(entries) != expected_count:
        fail(f"{expected_count} records were logged, the output has {len(entries)} lines",
             expected=f"{expected_count} lines", seen=text or "(no output)")
    return entries


def _extras_of(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in STANDARD_RECORD_ATTRS}
