"""Read and write notebooks, find exercise cells by their metadata, fill them in.

Plain JSON on purpose: ``nbformat`` costs over a second to import (its schema
validation), and the grader only needs cells, sources and metadata.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

Notebook = dict[str, Any]
Cell = dict[str, Any]


class NotebookError(ValueError):
    """A file that cannot be read as a notebook; the message says why."""


def read(path: Path) -> Notebook:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path.name} is not UTF-8 text: {exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{path.name} is not valid notebook JSON (line {exc.lineno}: {exc.msg}); "
            "was it truncated?"
        ) from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path.name} has no list of cells: it is not a notebook")
    return nb


def write(nb: Notebook, path: Path) -> None:
    """Write in Jupyter's own layout (indent 1, trailing newline) to keep diffs small."""
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def source(cell: Cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def exercise_id(cell: Cell) -> str | None:
    meta = cell.get("metadata")
    tag = meta.get("depipe") if isinstance(meta, dict) else None
    value = tag.get("exercise") if isinstance(tag, dict) else None
    return value if isinstance(value, str) else None


def exercise_cells(nb: Notebook) -> dict[str, list[Cell]]:
    """Every exercise cell, by id, in notebook order (a list: cells may be duplicated)."""
    found: dict[str, list[Cell]] = {}
    for cell in nb["cells"]:
        if isinstance(cell, dict) and (ex_id := exercise_id(cell)):
            found.setdefault(ex_id, []).append(cell)
    return found


def solved(nb: Notebook, sources: Mapping[str, str]) -> Notebook:
    """A copy of ``nb`` with each exercise cell's source replaced from ``sources``."""
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        ex_id = exercise_id(cell)
        if ex_id in sources and cell.get("cell_type") == "code":
            cell["source"] = sources[ex_id].splitlines(keepends=True)
            cell["outputs"] = []
            cell["execution_count"] = None
    return out
