"""Find the cell a learner left for each exercise: by identity, never by position.

Three ways, strongest first, and the report says which one found the cell:

1. the ``depipe`` metadata (the contract): survives moving, copying and renaming;
2. the nbformat cell ``id`` of the course notebook's exercise cell, for editors that
   drop unknown metadata but keep ids;
3. the one code cell whose top level defines every name the exercise asks for, for
   editors that rewrite both (old nbformat, some converters).

A duplicated cell is graded as "Run All" would leave it: the last one wins. A cell
retyped to markdown, or deleted, is reported precisely rather than crashing anything.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from depipe_course import notebooks
from depipe_course.exercises import Exercise, Part
from depipe_course.grading.screen import python_source
from depipe_course.paths import NOTEBOOKS_DIR

_MAX_PARSED_CHARS = 100_000


@dataclass(frozen=True)
class Located:
    """What was found for one exercise: the code to run, or why there is none."""

    source: str | None
    status: str = ""  # when there is no source: "not_attempted" or "error"
    problem: str = ""
    note: str = ""


@cache
def course_cell_ids(part: Part) -> dict[str, str]:
    """``{exercise id: nbformat cell id}`` in the course's own notebook for ``part``."""
    try:
        nb = notebooks.read(NOTEBOOKS_DIR / part.notebook)
    except (OSError, notebooks.NotebookError):
        return {}
    found: dict[str, str] = {}
    for cell in nb["cells"]:
        ex_id = notebooks.exercise_id(cell) if isinstance(cell, dict) else None
        if ex_id and isinstance(cell.get("id"), str):
            found.setdefault(ex_id, cell["id"])
    return found


def _cells(nb: notebooks.Notebook) -> list[notebooks.Cell]:
    return [c for c in nb.get("cells", []) if isinstance(c, dict)]


def _number(nb: notebooks.Notebook, cell: notebooks.Cell) -> int:
    """The cell's 1-based position: stored by the intake (one pass for 10,000 duplicates), else searched."""
    if isinstance(cell.get("number"), int):
        return int(cell["number"])
    return next(i for i, c in enumerate(nb["cells"], start=1) if c is cell)


def _listed(numbers: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit:,} more" if len(numbers) > limit else "")


def locate(nb: notebooks.Notebook, ex: Exercise) -> Located:
    """Pick the code a learner left for ``ex`` in ``nb``, or explain precisely what is wrong."""
    cells = _cells(nb)
    by_meta = [c for c in cells if notebooks.exercise_id(c) == ex.id]
    if by_meta:
        return _choose(nb, ex, by_meta, "")
    cell_id = course_cell_ids(ex.part).get(ex.id)
    claimed = {c.get("id") for c in cells if notebooks.exercise_id(c)}
    by_id = [c for c in cells if cell_id and c.get("id") == cell_id and cell_id not in claimed - {None}]
    if by_id:
        return _choose(nb, ex, by_id, "found by its cell id (its depipe metadata is missing)")
    by_content = [c for c in cells if c.get("cell_type") == "code" and not notebooks.exercise_id(c)
                  and _defines_all(notebooks.source(c), ex.names)]
    if by_content:
        return _choose(nb, ex, by_content, "found by the names it defines (its depipe metadata and cell id "
                       "are missing, e.g. saved by another editor)")
    names = ", ".join(ex.names)
    return Located(None, "not_attempted", f"no cell carries exercise {ex.id}'s metadata or cell id, and no "
                   f"code cell defines {names}: was the cell deleted?")


def _choose(nb: notebooks.Notebook, ex: Exercise, matches: Sequence[notebooks.Cell], how: str) -> Located:
    code = [c for c in matches if c.get("cell_type") == "code"]
    if not code:
        kind = matches[-1].get("cell_type", "unknown")
        return Located(None, "error", f"the cell for exercise {ex.id} (cell {_number(nb, matches[-1])}) is a "
                       f"{kind} cell, which Jupyter never runs: change it back to a code cell", note=how)
    notes = [how] if how else []
    if len(code) > 1:
        where = _listed([_number(nb, c) for c in code])
        notes.append(f"{len(code):,} cells carry exercise {ex.id} (cells {where}); the last one was graded, "
                     "as Run All would leave it")
    if len(code) < len(matches):
        notes.append(f"{len(matches) - len(code)} non-code cell(s) for {ex.id} were ignored")
    if problem := code[-1].get("problem"):
        return Located(None, "error", f"the cell for exercise {ex.id} (cell {_number(nb, code[-1])}) cannot be "
                       f"graded: {problem}", note="; ".join(notes))
    return Located(notebooks.source(code[-1]), note="; ".join(notes))


def _defines_all(source: str, names: Sequence[str]) -> bool:
    if len(source) > _MAX_PARSED_CHARS:
        return False  # parsed in the grader's own process: only what an exercise cell could be
    try:
        tree = ast.parse(python_source(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    defined: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(stmt.name)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            defined.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            defined.update((a.asname or a.name).split(".")[0] for a in stmt.names)
    return set(names) <= defined


def part_score(nb: notebooks.Notebook, exercises: Sequence[Exercise]) -> int:
    """How many of ``exercises`` can be located in ``nb`` (to recognise a renamed notebook)."""
    return sum(1 for ex in exercises if locate(nb, ex).source is not None)


def exercise_ids(nb: notebooks.Notebook) -> Mapping[str, int]:
    """How many cells carry each exercise id's metadata."""
    counts: dict[str, int] = {}
    for cell in _cells(nb):
        if ex_id := notebooks.exercise_id(cell):
            counts[ex_id] = counts.get(ex_id, 0) + 1
    return counts
