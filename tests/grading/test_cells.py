"""depipe_course.grading.cells: exercise cells are found by identity, never by position.

Each test edits the solved part 01 notebook the way a learner or another editor might,
grades it, and checks that every exercise is graded as precisely as the contract
allows, with a message that says what was found.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depipe_course import exercises
from depipe_course.grading import grade
from depipe_course.grading.cells import course_cell_ids, locate
from tests.grading.conftest import PART01, exercise_cell, read_nb, write_nb

IDS = [ex.id for ex in exercises.exercises_of("01")]
WRONG_01_1 = "def peak_memory(fn, *args, **kwargs):\n    return fn(*args, **kwargs), 0\n"


def _edit(make: Callable[[], Path], change: Callable[[dict[str, Any]], None], name: str = PART01) -> Path:
    sub = make()
    nb = read_nb(sub / PART01)
    change(nb)
    (sub / PART01).unlink()
    write_nb(nb, sub / name)
    return sub


def _results(sub: Path) -> dict[str, Any]:
    report = grade(sub, limits=None)
    return {g.result.exercise_id: g.result for g in report.exercises if g.result.exercise_id.startswith("01.")}


def _full(result: Any) -> bool:
    return result.status == "passed" and result.score == result.max_score


def _strip_metadata(nb: dict[str, Any]) -> None:
    for cell in nb["cells"]:
        cell["metadata"] = {}


def _new_ids(nb: dict[str, Any]) -> None:
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"other-editor-{i}"


def test_moved_cell_is_graded(part01_only: Callable[[], Path]) -> None:
    """An exercise cell moved to the end of the notebook is found by its metadata and graded fully."""
    def move(nb: dict[str, Any]) -> None:
        cell = exercise_cell(nb, "01.1")
        nb["cells"].remove(cell)
        nb["cells"].append(cell)

    results = _results(_edit(part01_only, move))
    assert all(_full(results[i]) for i in IDS)


def test_duplicated_cell_last_one_wins(part01_only: Callable[[], Path]) -> None:
    """Of two cells for one exercise the last is graded, as Run All leaves it, and the message says so."""
    def duplicate(nb: dict[str, Any]) -> None:
        twin = copy.deepcopy(exercise_cell(nb, "01.1"))
        twin["source"], twin["id"] = WRONG_01_1, "twin"
        nb["cells"].append(twin)

    results = _results(_edit(part01_only, duplicate))
    assert results["01.1"].status in {"partial", "failed"} and "last one was graded" in results["01.1"].message
    assert all(_full(results[i]) for i in IDS if i != "01.1")


def test_retyped_to_markdown(part01_only: Callable[[], Path]) -> None:
    """An exercise cell retyped to markdown is an error saying so; the other exercises are untouched."""
    results = _results(_edit(part01_only, lambda nb: exercise_cell(nb, "01.1").update(cell_type="markdown")))
    assert results["01.1"].status == "error" and "markdown cell" in results["01.1"].message
    assert results["01.1"].score == 0
    assert all(_full(results[i]) for i in IDS if i != "01.1")


def test_markdown_copy_beside_the_code_cell(part01_only: Callable[[], Path]) -> None:
    """A markdown copy of an exercise cell is ignored when a code cell for it remains."""
    def add_markdown_copy(nb: dict[str, Any]) -> None:
        twin = copy.deepcopy(exercise_cell(nb, "01.1"))
        twin.update(cell_type="markdown", id="notes")
        twin.pop("outputs", None)
        twin.pop("execution_count", None)
        nb["cells"].append(twin)

    results = _results(_edit(part01_only, add_markdown_copy))
    assert _full(results["01.1"]) and "ignored" in results["01.1"].message


def test_deleted_cell(part01_only: Callable[[], Path]) -> None:
    """A deleted exercise cell is not attempted, with a message that names what was looked for."""
    def delete(nb: dict[str, Any]) -> None:
        nb["cells"].remove(exercise_cell(nb, "01.1"))

    results = _results(_edit(part01_only, delete))
    assert results["01.1"].status == "not_attempted" and "deleted" in results["01.1"].message
    assert all(_full(results[i]) for i in IDS if i != "01.1")


def test_metadata_stripped_cells_found_by_id(part01_only: Callable[[], Path]) -> None:
    """An editor that drops cell metadata but keeps ids: cells are found by their nbformat id."""
    results = _results(_edit(part01_only, _strip_metadata))
    assert all(_full(results[i]) and "cell id" in results[i].message for i in IDS)


def test_cell_ids_changed_metadata_kept(part01_only: Callable[[], Path]) -> None:
    """New cell ids change nothing while the depipe metadata is there."""
    results = _results(_edit(part01_only, _new_ids))
    assert all(_full(results[i]) and not results[i].message for i in IDS)


def test_saved_by_another_editor(part01_only: Callable[[], Path]) -> None:
    """Metadata stripped and ids rewritten: each cell is found by the names it defines and graded fully."""
    def other_editor(nb: dict[str, Any]) -> None:
        _strip_metadata(nb)
        _new_ids(nb)

    results = _results(_edit(part01_only, other_editor))
    assert all(_full(results[i]) and "names it defines" in results[i].message for i in IDS)


def test_renamed_and_stripped_notebook(part01_only: Callable[[], Path]) -> None:
    """A renamed notebook without metadata is still recognised as part 01 by its cell ids."""
    results = _results(_edit(part01_only, _strip_metadata, name="my copy (1).ipynb"))
    assert all(_full(results[i]) and "my copy (1).ipynb" in results[i].message for i in IDS)


def test_locate_never_raises_on_odd_cells() -> None:
    """Cells with odd shapes (no type, numbers as source, lists of junk) are located or explained."""
    ex = exercises.get("01.1")
    nb = {"cells": [{"metadata": {"depipe": {"exercise": "01.1"}}, "source": 5}, "junk", {"cell_type": "code"}]}
    found = locate(nb, ex)
    assert found.source is None and found.status == "error" and "unknown cell" in found.problem


def test_course_cell_ids_come_from_the_course_notebook() -> None:
    """Every exercise of part 01 has a cell id in the course notebook to fall back on."""
    ids = course_cell_ids(exercises.part("01"))
    assert set(IDS) <= set(ids)


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_folder_without_part01(solved: Path, tmp_path: Path, kind: str) -> None:
    """A part missing from the submission is not attempted, whatever else is there."""
    sub = tmp_path / "sub"
    sub.mkdir()
    if kind == "empty":
        (sub / "notes.ipynb").write_text('{"cells": []}', encoding="utf-8")
    else:
        shutil.copy(solved / PART01, sub / "other.txt")
    results = _results(sub)
    assert {r.status for r in results.values()} == {"not_attempted"}
