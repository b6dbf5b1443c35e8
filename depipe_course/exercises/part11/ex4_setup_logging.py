"""11.4: ``setup_logging(level, stream=None)`` configures the root logger so nothing is dropped.

A library's INFO record reaches the stream once, with its level and logger named, also
after an earlier log call or two set-ups; no stream means sys.stdout; the level is
honoured. Every logger is saved and restored around each check, in the learner's process.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable
from typing import Any

from depipe_course.checking import expect
from depipe_course.exercises import exercise
from depipe_course.exercises.part11._shared import _worker_side
from depipe_course.exercises.worker_side.part11 import CHILD as _CHILD
from depipe_course.judging.judge import learner_module

log_setup = exercise("11.4", "Configure logging so nothing is dropped", ["setup_logging"])


def _logging_state(earlier: Any = None) -> Any:
    """The clean logging set-up of one check, restored afterwards (``_worker_side.logging_state``),
    made where the learner's code runs: ``setup_logging`` configures the logging of its own process."""
    return _worker_side().logging_state(earlier)


def _stream() -> Any:
    """A ``StringIO`` where the learner's code runs, for its handler to write to."""
    return learner_module("io").StringIO()


def _lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


@log_setup.check("a library's INFO record reaches the stream", points=2,
                 hint="Put the handler on the root logger (logging.getLogger()) and set the root "
                      "logger's level too: the default WARNING drops INFO before any handler sees it. "
                      "Records from 'depipe_check_lib.client' only reach the root by propagation.")
def _reaches(setup_logging: Callable[..., Any]) -> None:
    stream = _stream()
    with _logging_state() as child:
        setup_logging(stream=stream)
        child.info("fetched page %d", 3)
    found = _lines_with(stream.getvalue(), "fetched page 3")
    expect(len(found) == 1, "an INFO record from the logger 'depipe_check_lib.client' did not "
           "arrive exactly once", expected="1 line with 'fetched page 3'", seen=stream.getvalue() or "nothing")


@log_setup.check("each line names the level and the logger", points=1,
                 hint="A format such as '%(asctime)s %(levelname)s %(name)s: %(message)s'.")
def _format(setup_logging: Callable[..., Any]) -> None:
    stream = _stream()
    with _logging_state() as child:
        setup_logging(stream=stream)
        child.warning("retrying after a timeout")
    found = _lines_with(stream.getvalue(), "retrying after a timeout")
    expect(found, "the WARNING record is missing", expected="a line", seen=stream.getvalue() or "nothing")
    expect("WARNING" in found[0] and _CHILD in found[0], "the line does not say which level and "
           "which logger", expected=f"'WARNING' and {_CHILD!r} in the line", seen=found[0])


@log_setup.check("works when something logged before it ran", points=2,
                 hint="A logging.warning(...) before set-up installs a root handler, and then "
                      "logging.basicConfig(...) silently does nothing. Replace the root logger's "
                      "handlers (or basicConfig(..., force=True)).")
def _after_early_log(setup_logging: Callable[..., Any]) -> None:
    stream = _stream()
    with _logging_state(earlier=_stream()) as child:
        setup_logging(stream=stream)
        child.info("run started")
    expect(_lines_with(stream.getvalue(), "run started"),
           "after an earlier log call had configured logging, the INFO record never reached the "
           "stream", expected="1 line with 'run started'", seen=stream.getvalue() or "nothing")


@log_setup.check("each record is written once, also after two calls", points=1,
                 hint="Remove the root logger's existing handlers before adding yours: every handler "
                      "left there writes the record again.")
def _once(setup_logging: Callable[..., Any]) -> None:
    stream = _stream()
    with _logging_state(earlier=stream) as child:
        setup_logging(stream=stream)
        setup_logging(stream=stream)
        child.warning("slow response")
    found = _lines_with(stream.getvalue(), "slow response")
    expect(len(found) == 1, "one WARNING was written several times (an earlier handler on the same "
           "stream, or one handler per call)", expected="1 line", seen=found or "nothing")


@log_setup.check("writes to sys.stdout when no stream is given", points=1,
                 hint="stream=None means sys.stdout, looked up when setup_logging runs: "
                      "logging.StreamHandler(stream) with stream None writes to sys.stderr instead.")
def _default_stream(setup_logging: Callable[..., Any]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with _logging_state() as child, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        setup_logging()
        child.info("loaded batch 7")
    found = {name: _lines_with(text.getvalue(), "loaded batch 7") for name, text in (("stdout", out), ("stderr", err))}
    expect(len(found["stdout"]) == 1, "with stream=None the INFO record did not reach sys.stdout once",
           expected="1 line on stdout", seen=found)


@log_setup.check("honours the level", points=1,
                 hint="root.setLevel(level): with 'WARNING' an INFO record is dropped; with 'DEBUG' "
                      "(or logging.DEBUG) a DEBUG record is written.")
def _level(setup_logging: Callable[..., Any]) -> None:
    seen = {}
    for level in ("DEBUG", logging.DEBUG, "WARNING"):
        stream = _stream()
        with _logging_state() as child:
            setup_logging(level, stream=stream)
            child.debug("debug record")
            child.info("info record")
            child.warning("warning record")
        text = stream.getvalue()
        seen[repr(level)] = [m for m in ("debug record", "info record", "warning record") if m in text]
    wanted = {"'DEBUG'": ["debug record", "info record", "warning record"],
              "10": ["debug record", "info record", "warning record"], "'WARNING'": ["warning record"]}
    expect(seen == wanted, "the records written do not follow the level", expected=wanted, seen=seen)
