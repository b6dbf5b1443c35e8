"""What two or more of part 05's exercises use: a capturing logger and its JSON output.

``_capture`` gives a real ``logging.Logger`` whose handler writes to a ``StringIO``
through the learner's formatter or filter, exactly where it would sit in a pipeline.
Logger, handlers and stream live where the learner's code runs (``_worker_side``
says why); the check reads back the text written and copies of the records. The
logger is given back as it was when the check ends, also when it fails. Its handler
lets errors from the learner's formatter or filter propagate (logging would otherwise
print ``--- Logging error ---`` to stderr and carry on), so the check reports them.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from depipe_course.checking import fail
from depipe_course.judging.judge import learner_module

_LOGGER_NAME = "depipe.checks.part05"


def learner_side() -> Any:
    """``_worker_side`` as the learner's process has it (its docstring says why)."""
    return learner_module("depipe_course.exercises.worker_side.part05")


@dataclass
class _Captured:
    logger: logging.Logger  # where the learner's code runs
    capture: Any  # the _worker_side.Capture behind it

    @property
    def text(self) -> str:
        return str(self.capture.text)

    @property
    def records(self) -> list[logging.LogRecord]:
        """The records logged so far, rebuilt here from their attributes."""
        return [logging.makeLogRecord(fields) for fields in self.capture.records()]


@contextlib.contextmanager
def _capture(
    formatter: logging.Formatter | None = None, filters: tuple[Any, ...] = (), name: str = _LOGGER_NAME
) -> Iterator[_Captured]:
    """A DEBUG logger that keeps its records and, given a formatter or filters, also
    writes them to a StringIO through those."""
    capture = learner_side().Capture(name, formatter, tuple(filters))
    try:
        yield _Captured(capture.logger, capture)
    finally:
        capture.undo()


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
