"""Malformed and hostile notebooks are input, not a crash: each costs its own exercises, with a reason.

Nothing here runs learner code: these notebooks are refused or narrowed before the
grader's own process does anything with them, which is why they are graded directly
(``grade``) in the test process, fast.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depipe_course.grading import grade
from depipe_course.grading.intake import MAX_CELLS
from tests.grading.conftest import PART01, exercise_cell, read_nb

COURSE_NB = Path("notebooks") / PART01


def _graded(folder: Path) -> dict[str, tuple[str, str]]:
    report = grade(folder)
    return {g.result.exercise_id: (g.result.status, g.result.message) for g in report.exercises}


def _submit(tmp_path: Path, change: Callable[[dict[str, Any]], None] | None = None, text: str | None = None) -> Path:
    """A submission of the stub part-01 notebook with ``change`` applied, or the raw ``text``."""
    nb = read_nb(COURSE_NB)
    if change:
        change(nb)
    (tmp_path / PART01).write_text(text if text is not None else json.dumps(nb), encoding="utf-8")
    return tmp_path


def test_json_nested_100000_deep_is_an_error_with_a_reason(tmp_path: Path) -> None:
    """Metadata nested far past any notebook's depth is refused, not a RecursionError in the grader."""
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    text = COURSE_NB.read_text(encoding="utf-8").replace('"metadata": {', f'"metadata": {{"x": {deep},', 1)
    graded = _graded(_submit(tmp_path, text=text))
    assert graded["01.1"][0] == "error" and "deeper than any notebook" in graded["01.1"][1]
    assert graded["02.1"][0] == "not_attempted"  # the other parts are untouched


def test_a_non_text_entry_in_a_cells_source_costs_that_exercise(tmp_path: Path) -> None:
    """A source list holding a number errors its own exercise; the notebook's other exercises are graded."""
    graded = _graded(_submit(tmp_path, lambda nb: exercise_cell(nb, "01.1").update(source=["x = 1\n", 3])))
    assert graded["01.1"][0] == "error" and "source is not text" in graded["01.1"][1]
    assert graded["01.2"][0] == "not_attempted"


def test_stored_output_whose_data_is_a_string_is_ignored(tmp_path: Path) -> None:
    """Outputs of the wrong shape never reach the claims screening as anything but text."""
    def odd_outputs(nb: dict[str, Any]) -> None:
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"] = [{"output_type": "display_data", "data": "01.1 Correct", "metadata": {}}, 7]

    graded = _graded(_submit(tmp_path, odd_outputs))
    assert graded["01.1"][0] == "not_attempted" and graded["01.2"][0] == "not_attempted"


def test_a_pathological_expression_is_rejected_not_parsed_into_a_crash(tmp_path: Path) -> None:
    """100 KB of nested unary minus cannot exhaust the grader's parser; the exercise is rejected."""
    source = "x = " + "-" * 100_000 + "1\n"
    graded = _graded(_submit(tmp_path, lambda nb: exercise_cell(nb, "01.1").update(source=source)))
    assert graded["01.1"][0] == "rejected" and "deeper than Python's parser allows" in graded["01.1"][1]


def test_duplicated_cells_are_handled_in_linear_time(tmp_path: Path) -> None:
    """9,000 copies of an exercise cell grade in well under a second each way, and the message stays short."""
    def duplicate(nb: dict[str, Any]) -> None:
        cell = exercise_cell(nb, "01.1")
        nb["cells"] += [dict(cell, id=f"copy{i}") for i in range(9_000)]

    started = time.monotonic()
    graded = _graded(_submit(tmp_path, duplicate))
    assert time.monotonic() - started < 10  # was quadratic: 19 s for 40,000 copies
    assert "9,001 cells carry exercise 01.1" in graded["01.1"][1] and len(graded["01.1"][1]) < 300


def test_too_many_cells_is_an_error_with_a_reason(tmp_path: Path) -> None:
    """Beyond the cell limit the notebook is not read at all, and the reason says why."""
    def bloat(nb: dict[str, Any]) -> None:
        nb["cells"] += [{"cell_type": "markdown", "metadata": {}, "source": ""}] * (MAX_CELLS + 1)

    graded = _graded(_submit(tmp_path, bloat))
    assert graded["01.1"][0] == "error" and "cells" in graded["01.1"][1]


@pytest.mark.parametrize("kind", ["symlink_to_dev_zero", "symlink_to_classmate", "fifo"])
def test_links_and_special_files_are_not_followed(tmp_path: Path, kind: str) -> None:
    """A *.ipynb that is a link or a FIFO is reported, never opened (no hang, no classmate's notebook)."""
    sub = tmp_path / "learner"
    sub.mkdir()
    target = sub / PART01
    if kind == "symlink_to_dev_zero":
        target.symlink_to("/dev/zero")
    elif kind == "symlink_to_classmate":
        classmate = tmp_path / "classmate.ipynb"
        classmate.write_text(COURSE_NB.read_text(encoding="utf-8"), encoding="utf-8")
        target.symlink_to(classmate)
    else:
        os.mkfifo(target)
    graded = _graded(sub)
    expected = "symbolic link: not followed" if kind.startswith("symlink") else "not a regular file"
    assert graded["01.1"][0] == "error" and expected in graded["01.1"][1]
