"""05.2: ``setup_pipeline_logging(pipeline_name, level, stream)`` configures the run's logger once.

It returns the pipeline's logger and a new ``run_id``, writes JSON lines (stdout by
default) at the given level, keeps records away from the root logger, and a second
call starts a new run on its new stream without duplicating lines. The loggers and
streams checked are those of the learner's process (``learner_module``).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises._remote import instance_of
from depipe_course.exercises.part05._shared import _json_lines, learner_side
from depipe_course.judging.channel import Remote
from depipe_course.judging.judge import learner_module

setup = exercise("05.2", "Set up logging once per run", ["setup_pipeline_logging"], uses=["05.1"])

_SETUP_PIPELINE = "depipe_check_orders"


def _logging() -> Any:
    """The ``logging`` module the learner's code configures."""
    return learner_module("logging")


def _new_stream() -> Any:
    """A StringIO where the learner's handlers write."""
    return learner_module("io").StringIO()


def _type_name(value: Any) -> str:
    """The class name of ``value``, also of one in the learner's process."""
    if isinstance(value, Remote):
        return value.remote_name.removesuffix(" object")
    return type(value).__name__


class _Setups:
    """Calls the learner's setup and remembers every logger it returned, to clean up."""

    def __init__(self, setup_pipeline_logging: Callable[..., Any]) -> None:
        self._setup = setup_pipeline_logging
        self._as_found = learner_side().LoggersAsFound(_SETUP_PIPELINE)

    def __call__(self, stream: Any, **kwargs: Any) -> tuple[Any, Any]:
        out = self._setup(_SETUP_PIPELINE, stream=stream, **kwargs)
        expect(isinstance(out, tuple) and len(out) == 2,
               "setup_pipeline_logging must return a pair", expected="(logger, run_id)", seen=out)
        logger, run_id = out
        expect(hasattr(logger, "info"), "the first item must be the logger",
               expected="logging.Logger", seen=_type_name(logger))
        self._as_found.touched(logger)
        return logger, run_id

    def root_configured(self) -> bool:
        """Whether the set-up changed the root logger's handlers."""
        return bool(self._as_found.root_changed())

    def reset(self) -> None:
        self._as_found.reset()


@contextlib.contextmanager
def _setups(setup_pipeline_logging: Callable[..., Any]) -> Iterator[_Setups]:
    setups = _Setups(setup_pipeline_logging)
    try:
        yield setups
    finally:
        setups.reset()


@setup.check("returns the pipeline's logger and a run_id string", points=1,
             hint="return logging.getLogger(pipeline_name), run_id — with run_id = "
                  "str(uuid.uuid4()).")
def _returns(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        logger, run_id = setup_logging(_new_stream())
        expect(instance_of(logger, _logging().Logger), "the first item must be a logging.Logger",
               expected="logging.Logger", seen=_type_name(logger))
        expect(isinstance(run_id, str) and run_id.strip(), "the second item must be the run_id",
               expected="a non-empty str such as str(uuid.uuid4())", seen=run_id)
        expect(logger is _logging().getLogger(_SETUP_PIPELINE),
               "the logger is not the one named after the pipeline, so the records of its "
               f"modules' loggers ('{_SETUP_PIPELINE}.extract', ...) never reach its handler",
               expected=f"logging.getLogger({_SETUP_PIPELINE!r})",
               seen=f"a logger named {logger.name!r}",
               hint="Configure logging.getLogger(pipeline_name), not getLogger(__name__) or a "
                    "new logging.Logger(...): only the logger registered under that name is "
                    "the parent of the pipeline's other loggers.")


def _one_line(stream_text: str, run_id: str, where: str) -> None:
    (entry,) = _json_lines(stream_text, 1)
    seen = {k: entry.get(k) for k in ("pipeline", "run_id", "message")}
    wanted = {"pipeline": _SETUP_PIPELINE, "run_id": run_id, "message": "Pipeline started"}
    expect(seen == wanted, f"the line {where} does not carry the pipeline and the returned run_id",
           expected=wanted, seen=seen)


@setup.check("writes JSON lines with the pipeline and run_id to the stream (stdout by default)",
             points=1,
             hint="logging.StreamHandler(stream) with StructuredFormatter(pipeline_name, run_id).")
def _writes_to_stream(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        stream = _new_stream()
        logger, run_id = setup_logging(stream)
        logger.info("Pipeline started")
        _one_line(stream.getvalue(), run_id, "written to the stream")
    out, err = io.StringIO(), io.StringIO()
    with (contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
          _setups(setup_pipeline_logging) as setup_logging):
        logger, run_id = setup_logging(None)
        logger.info("Pipeline started")
    expect(out.getvalue(), "with stream=None nothing was written to standard output",
           expected="one JSON line on sys.stdout",
           seen=f"on stderr: {err.getvalue().strip()!r}" if err.getvalue() else "nothing",
           hint="logging.StreamHandler() without an argument writes to sys.stderr: pass "
                "sys.stdout when stream is None (log collectors and notebooks read stdout).")
    _one_line(out.getvalue(), run_id, "written to standard output")


@setup.check("honours the level", points=1,
             hint="logger.setLevel(level) takes a name or a number: with the default 'INFO' a "
                  "DEBUG line is dropped; with 'WARNING' an INFO line; with logging.ERROR a "
                  "WARNING line.")
def _level(setup_pipeline_logging: Callable[..., Any]) -> None:
    seen = {}
    with _setups(setup_pipeline_logging) as setup_logging:
        levels = {"default": None, "WARNING": "WARNING", "DEBUG": "DEBUG",
                  "logging.ERROR": logging.ERROR}
        for label, level in levels.items():
            stream = _new_stream()
            logger, _ = setup_logging(stream, **({} if level is None else {"level": level}))
            logger.debug("debug line")
            logger.info("info line")
            logger.warning("warning line")
            logger.error("error line")
            seen[label] = [e.get("message") for e in _json_lines(stream.getvalue())]
    wanted = {"default": ["info line", "warning line", "error line"],
              "WARNING": ["warning line", "error line"],
              "DEBUG": ["debug line", "info line", "warning line", "error line"],
              "logging.ERROR": ["error line"]}
    wrong = [label for label in wanted if seen[label] != wanted[label]]
    expect(not wrong, f"the lines written do not follow the level: wrong for level "
           f"{', '.join(wrong)} (a name, or a number such as logging.ERROR == 40)",
           expected={label: wanted[label] for label in wrong[:2]},
           seen={label: seen[label] for label in wrong[:2]})


@setup.check("calling it twice does not duplicate lines", points=2,
             hint="Remove the logger's existing handlers before adding the new one "
                  "(logging.getLogger(name) returns the same logger on every call).")
def _no_duplicates(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        stream = _new_stream()
        setup_logging(stream)
        logger, _ = setup_logging(stream)
        logger.info("Pipeline started")
    lines = stream.getvalue().splitlines()
    expect(len(lines) == 1, "after two calls, one log call wrote several lines",
           expected="1 line", seen=lines)


@setup.check("a second call starts a new run: new run_id, new stream", points=1,
             hint="Make a new run_id on every call and *replace* the handler: a guard such as "
                  "`if not logger.handlers:` keeps the first run's stream and run_id.")
def _second_run(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        first, second = _new_stream(), _new_stream()
        _, first_id = setup_logging(first)
        logger, second_id = setup_logging(second)
        expect(first_id != second_id, "both calls returned the same run_id",
               expected="a new run_id per call", seen=[first_id, second_id])
        logger.info("Second run started")
    expect(first.getvalue() == "", "the second run still writes to the first run's stream",
           expected="nothing more on the first stream", seen=first.getvalue())
    (entry,) = _json_lines(second.getvalue(), 1)
    expect_equal(entry.get("run_id"), second_id, "the run_id in the second run's line")


@setup.check("does not pass records on to the root logger", points=1,
             hint="logger.propagate = False: otherwise a handler on the root logger (Jupyter, "
                  "Airflow, basicConfig) prints every line a second time.")
def _no_propagation(setup_pipeline_logging: Callable[..., Any]) -> None:
    root = _logging().getLogger()
    at_root = learner_side().RecordList()
    with _setups(setup_pipeline_logging) as setup_logging:
        logger, _ = setup_logging(_new_stream())
        configured_root = setup_logging.root_configured()
        root.addHandler(at_root)  # after the set-up, as a platform's handler would be there
        try:
            logger.warning("Disk almost full")
        finally:
            root.removeHandler(at_root)
    seen = [message for message in at_root.messages() if message == "Disk almost full"]
    expect(not seen, "the record also reached a handler on the root logger",
           expected="no record at the root", seen=seen,
           hint=None if not configured_root else
           "Configure the pipeline's own logger, not the root logger: logging.basicConfig "
           "changes the handlers of every library in the process, and your records still go "
           "to any handler added to the root later. Set logger.propagate = False.")
