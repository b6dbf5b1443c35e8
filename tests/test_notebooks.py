"""depipe_course.notebooks: reading, finding exercise cells by metadata, solving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from depipe_course import notebooks


def _cell(ex_id: str | None, src: str, kind: str = "code") -> dict:
    meta = {"depipe": {"exercise": ex_id}, "tags": ["exercise"]} if ex_id else {}
    cell = {"cell_type": kind, "metadata": meta, "source": src}
    if kind == "code":
        cell |= {"outputs": [], "execution_count": 3}
    return cell


def test_truncated_notebook_raises_a_clear_error(tmp_path: Path) -> None:
    """A truncated file raises NotebookError naming the file and suggesting truncation."""
    path = tmp_path / "02_x.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(notebooks.NotebookError, match="02_x.ipynb is not valid notebook JSON.*truncated"):
        notebooks.read(path)


def test_json_that_is_not_a_notebook(tmp_path: Path) -> None:
    """Valid JSON without a list of cells is rejected."""
    path = tmp_path / "n.ipynb"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(notebooks.NotebookError, match="no list of cells"):
        notebooks.read(path)


def test_exercise_cells_found_by_metadata_not_position() -> None:
    """Cells are keyed by their depipe metadata wherever they sit."""
    nb = {"cells": [_cell(None, "x = 1"), _cell("02.2", "b"), _cell("02.1", "a")]}
    assert {k: [notebooks.source(c) for c in v] for k, v in notebooks.exercise_cells(nb).items()} == {
        "02.2": ["b"], "02.1": ["a"]}


def test_solved_fills_exercise_cells_and_clears_their_outputs() -> None:
    """Solving replaces exercise sources and leaves every other cell alone."""
    nb = {"cells": [_cell(None, "setup"), _cell("02.1", "raise NotImplementedError")]}
    out = notebooks.solved(nb, {"02.1": "def f():\n    return 1\n"})
    assert notebooks.source(out["cells"][1]) == "def f():\n    return 1\n"
    assert out["cells"][1]["execution_count"] is None
    assert out["cells"][0] == nb["cells"][0] and notebooks.source(nb["cells"][1]) == "raise NotImplementedError"


def test_write_uses_jupyters_layout(tmp_path: Path) -> None:
    """Written notebooks are indented by one and sorted like Jupyter saves them."""
    path = tmp_path / "n.ipynb"
    notebooks.write({"cells": [], "metadata": {}}, path)
    expected = json.dumps({"cells": [], "metadata": {}}, indent=1, sort_keys=True) + "\n"
    assert path.read_text(encoding="utf-8") == expected
