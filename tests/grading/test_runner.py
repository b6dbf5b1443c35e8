"""depipe_course.grading.runner: learner code runs in a child; whatever it does costs
that exercise only."""

from __future__ import annotations

import pytest

from depipe_course import reference
from depipe_course.exercises import get
from depipe_course.grading.runner import Job, run

REFERENCE = reference.source(get("01.1"))


def _run(source: str, timeout_s: float = 20):  # type: ignore[no-untyped-def]
    return run(Job("01.1", source, "<test cell>"), timeout_s)


def test_reference_passes_in_a_child() -> None:
    """The reference cell, run in a child process, earns full points."""
    result = _run(REFERENCE)
    assert result.status == "passed" and result.score == get("01.1").max_points


def test_infinite_loop_times_out() -> None:
    """A cell that never finishes is stopped at the limit with status timeout."""
    result = _run("while True:\n    pass\n", timeout_s=1.5)
    assert result.status == "timeout" and result.score == 0 and "1.5 s" in result.message


def test_syntax_error_is_reported_with_its_line() -> None:
    """A syntax error gives status error and the line number."""
    result = _run("x = 1\ndef broken(:\n")
    assert result.status == "error" and "line 2" in result.message


@pytest.mark.parametrize("source", ["import sys\nsys.exit(3)\n", "raise SystemExit\n"])
def test_sys_exit_at_top_level(source: str) -> None:
    """sys.exit in a cell is an error for that exercise, not the end of grading."""
    result = _run(source)
    assert result.status == "error" and "sys.exit" in result.message


def test_os_exit_kills_only_the_child() -> None:
    """os._exit ends the child; the parent reports it."""
    result = _run("import os\nos._exit(7)\n")
    assert result.status == "error" and "exit code 7" in result.message


def test_exception_at_top_level() -> None:
    """An exception while running the cell is reported by name."""
    result = _run("raise KeyError('order_id')\n")
    assert result.status == "error" and "KeyError" in result.message


def test_ipython_magics_are_understood() -> None:
    """Cell magics and shell escapes in a cell do not count as syntax errors."""
    result = _run("%%capture\n" + REFERENCE)
    assert result.status != "error" or "syntax" not in result.message
