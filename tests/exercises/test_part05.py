"""depipe_course.exercises.part05: the logging checks clean up after themselves and grade
timing code fairly whichever clock it reads."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import time
from collections.abc import Callable
from time import perf_counter as aliased_perf_counter
from typing import Any

import pytest

from depipe_course import exercises, reference
from depipe_course.checking import Result
from tests.judged import judged
from tests.wrong_versions import load_all

PART05 = exercises.exercises_of("05")
WRONG05 = [w for w in load_all() if w.exercise_id.startswith("05.")]


def _logging_state() -> dict[str, tuple[Any, ...]]:
    """Every logger's handlers, filters, level and propagate flag, root included."""
    loggers = {"": logging.getLogger()}
    loggers.update({name: obj for name, obj in logging.Logger.manager.loggerDict.items()
                    if isinstance(obj, logging.Logger)})
    return {name: (tuple(lg.handlers), tuple(lg.filters), lg.level, lg.propagate)
            for name, lg in loggers.items()}


def _grade(ex: exercises.Exercise, objects: dict[str, Any]) -> Result:
    merged = {**reference.objects(ex), **objects}
    return judged(ex, merged)


@pytest.mark.parametrize("ex", PART05, ids=lambda ex: ex.id)
def test_reference_checks_leave_logging_as_they_found_it(ex: exercises.Exercise) -> None:
    """After a check run no logger keeps a handler, filter, level or flag the check set."""
    _grade(ex, {})  # the first run may create the check's loggers
    before = _logging_state()
    _grade(ex, {})
    after = _logging_state()
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}


@pytest.mark.parametrize("wrong", WRONG05, ids=[w.test_id for w in WRONG05])
def test_wrong_versions_leave_no_handlers_and_print_nothing(wrong: Any) -> None:
    """Even a failing answer leaves no handler behind and writes nothing to stdout or stderr."""
    ex = exercises.get(wrong.exercise_id)
    _grade(ex, wrong.objects)
    before = _logging_state()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        _grade(ex, wrong.objects)
    changed = {k: v for k, v in _logging_state().items() if before.get(k) != v}
    assert changed == {}
    assert err.getvalue() == ""
    assert out.getvalue() == ""


def _timing_without_clock(read: Callable[[], float]) -> Callable[..., Any]:
    """A correct log_timing that has no clock parameter and reads ``read`` directly."""

    def log_timing(logger: logging.Logger) -> Callable[..., Any]:
        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(fn)
            def timed(*args: Any, **kwargs: Any) -> Any:
                start = read()
                try:
                    result = fn(*args, **kwargs)
                except Exception:
                    logger.exception("%s failed", fn.__name__,
                                     extra={"duration_seconds": read() - start})
                    raise
                logger.info("%s done", fn.__name__, extra={"duration_seconds": read() - start})
                return result

            return timed

        return decorate

    return log_timing


@pytest.mark.parametrize("read", [lambda: time.monotonic(), lambda: time.time()],
                         ids=["time.monotonic", "time.time"])
def test_timing_without_a_clock_parameter_is_measured_on_the_patched_clock(
    read: Callable[[], float],
) -> None:
    """A learner who ignores clock= and calls the time module directly still gets full points."""
    result = _grade(exercises.get("05.3"), {"log_timing": _timing_without_clock(read)})
    assert result.status == "passed", str(result)


def test_timing_with_an_unpatchable_clock_is_graded_fairly() -> None:
    """A clock imported by name (not patchable) is accepted when it gives a small real time."""
    result = _grade(exercises.get("05.3"),
                    {"log_timing": _timing_without_clock(aliased_perf_counter)})
    assert result.status == "passed", str(result)


def test_formatter_errors_reach_the_check_instead_of_stderr() -> None:
    """A formatter that raises fails its sub-checks with the error, printing nothing."""

    class Broken(logging.Formatter):
        def __init__(self, pipeline_name: str, run_id: str) -> None:
            super().__init__()

        def format(self, record: logging.LogRecord) -> str:
            raise ValueError("formatter exploded")

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result = _grade(exercises.get("05.1"), {"StructuredFormatter": Broken})
    assert err.getvalue() == ""
    assert result.status == "failed"
    assert all("formatter exploded" in c.message for c in result.checks)
