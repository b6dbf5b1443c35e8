"""depipe_course.exercises.part11: the checks clean up after themselves, keep learner output
out of the notebook, and rest on data that really exercises what they claim."""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import math
import tracemalloc
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from depipe_course import exercises, reference
from depipe_course.checking import Result
from depipe_course.exercises import part11
from tests.judged import judged
from tests.wrong_versions import load_all

WRONG11 = [w for w in load_all() if w.exercise_id.startswith("11.")]


def _grade(ex: exercises.Exercise, objects: dict[str, Any]) -> Result:
    merged = {**reference.objects(ex), **objects}
    return judged(ex, merged)


def _logging_state() -> dict[str, tuple[Any, ...]]:
    """Every logger's handlers, filters, level and propagate flag, root included."""
    loggers = {"": logging.getLogger()}
    loggers.update({name: obj for name, obj in logging.Logger.manager.loggerDict.items()
                    if isinstance(obj, logging.Logger)})
    return {name: (tuple(lg.handlers), tuple(lg.filters), lg.level, lg.propagate)
            for name, lg in loggers.items()}


@pytest.mark.parametrize("wrong", [w for w in WRONG11 if w.exercise_id in {"11.2", "11.4"}],
                         ids=lambda w: w.test_id)
def test_wrong_versions_leave_logging_alone_and_print_nothing(wrong: Any) -> None:
    """A failing answer that logs or configures logging changes no logger and writes nothing."""
    ex = exercises.get(wrong.exercise_id)
    _grade(ex, wrong.objects)  # the first run may create the checks' loggers
    before = _logging_state()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        _grade(ex, wrong.objects)
    assert {k: v for k, v in _logging_state().items() if before.get(k) != v} == {}
    assert out.getvalue() == err.getvalue() == ""


@pytest.mark.parametrize("ex", exercises.exercises_of("11"), ids=lambda ex: ex.id)
def test_reference_checks_print_nothing(ex: exercises.Exercise) -> None:
    """The references (11.5's logs a warning about malformed lines) write nothing to the notebook."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert _grade(ex, {}).status == "passed"
    assert out.getvalue() == err.getvalue() == ""


def test_reference_setup_logging_checks_restore_the_root_logger() -> None:
    """The reference replaces the root logger's handlers, and the check puts them back."""
    ex = exercises.get("11.4")
    _grade(ex, {})
    before = _logging_state()
    assert _grade(ex, {}).status == "passed"
    assert {k: v for k, v in _logging_state().items() if before.get(k) != v} == {}


@pytest.mark.parametrize("was_tracing", [False, True])
def test_memory_check_leaves_tracemalloc_as_found(was_tracing: bool) -> None:
    """The constant-memory check of 11.5 starts and stops tracemalloc only if it was off."""
    if was_tracing:
        tracemalloc.start()
    try:
        _grade(exercises.get("11.5"), {})
        assert tracemalloc.is_tracing() is was_tracing
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()


def test_generated_orders_hold_every_kind_of_dirt_the_sum_skips() -> None:
    """The seeded file has malformed lines and every null spelling in amount, so skipping is tested."""
    rows = list(csv.reader(io.StringIO(part11._orders_text(part11._SMALL_ROWS))))
    header, body = rows[0], rows[1:]
    index = header.index("amount")
    assert sum(len(row) != len(header) for row in body) >= 2
    spellings = {row[index] for row in body if len(row) == len(header)}
    assert part11._NULLS <= spellings
    assert any(Decimal(v) < 0 for v in spellings - part11._NULLS)


def test_ledger_amounts_defeat_every_float_summation() -> None:
    """Rounded to cents, float sums of the ledger's amounts (built-in, fsum, numpy) all miss."""
    exact = sum((Decimal(a) for a in part11._LEDGER_AMOUNTS), Decimal(0))
    floats = [float(a) for a in part11._LEDGER_AMOUNTS]
    for total in (sum(floats), math.fsum(floats), float(np.sum(np.array(floats)))):
        assert Decimal(f"{total:.2f}") != exact
        assert Decimal(str(round(total, 2))) != exact


def test_handmade_csv_sum_is_what_the_check_says() -> None:
    """The hand-made file's expected sum follows from its rows and the stated skip rules."""
    rows = list(csv.reader(io.StringIO(part11._HANDMADE)))
    kept = [row[2].strip() for row in rows[1:] if len(row) == 5 and row[2].strip() not in part11._NULLS]
    assert sum((Decimal(v) for v in kept), Decimal(0)) == part11._HANDMADE_SUM
