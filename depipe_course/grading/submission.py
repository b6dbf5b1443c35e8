"""Map a submission (a folder or one ``.ipynb``) onto the course's notebooks.

A notebook is matched by its file name, or, when it was renamed, by the exercise
ids its cells carry. Nothing here runs code or writes to the submission.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from depipe_course import notebooks
from depipe_course.exercises import PARTS, Part


class SubmissionError(ValueError):
    """The submission path itself cannot be used (missing, not a notebook or folder)."""


@dataclass(frozen=True)
class Found:
    """What the submission holds for one part: its cells, or why there are none."""

    part: Part
    path: Path | None
    cells: dict[str, list[notebooks.Cell]] | None = None
    problem: str = ""


def _candidates(submission: Path) -> list[Path]:
    if submission.is_file():
        if submission.suffix != ".ipynb":
            raise SubmissionError(f"{submission} is not a .ipynb notebook")
        return [submission]
    if submission.is_dir():
        return sorted(p for p in submission.glob("*.ipynb") if p.is_file())
    raise SubmissionError(f"{submission} does not exist")


def _part_by_ids(cells: dict[str, list[notebooks.Cell]]) -> Part | None:
    counts = Counter(ex_id[:2] for ex_id in cells)
    if not counts:
        return None
    number = counts.most_common(1)[0][0]
    return next((p for p in PARTS if p.number == number), None)


def collect(submission: Path) -> dict[str, Found]:
    """For every part of the course, what the submission offers for it."""
    by_name = {p.notebook: p for p in PARTS}
    found: dict[str, Found] = {}
    renamed: list[tuple[Path, dict[str, list[notebooks.Cell]]]] = []
    for path in _candidates(submission):
        part = by_name.get(path.name)
        try:
            cells = notebooks.exercise_cells(notebooks.read(path))
        except (OSError, notebooks.NotebookError) as exc:
            if part:
                found[part.number] = Found(part, path, problem=str(exc))
            continue
        if part:
            found[part.number] = Found(part, path, cells)
        else:
            renamed.append((path, cells))
    for path, cells in renamed:
        part = _part_by_ids(cells)
        if part and part.number not in found:
            found[part.number] = Found(part, path, cells)
    for part in PARTS:
        found.setdefault(part.number, Found(part, None, problem=f"{part.notebook} is not in the submission"))
    return found
