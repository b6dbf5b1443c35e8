"""Map a submission (a folder, a learner's clone of the course, or one ``.ipynb``) onto
the course's notebooks.

A notebook is matched by its file name or, when it was renamed, by the exercises that
can be located in it (metadata, cell ids or definitions: see ``cells``). A folder
without notebooks at its top but with a ``notebooks/`` folder (a learner's clone of
the course repository) is read from there. Nothing here runs code or writes to the
submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from depipe_course import notebooks
from depipe_course.exercises import PARTS, Part, exercises_of
from depipe_course.grading.cells import part_score
from depipe_course.grading.intake import read_untrusted, regular_file


class SubmissionError(ValueError):
    """The submission path itself cannot be used (missing, not a notebook or folder)."""


@dataclass(frozen=True)
class Found:
    """What the submission holds for one part: the notebook, or why there is none."""

    part: Part
    path: Path | None
    notebook: notebooks.Notebook | None = None
    problem: str = ""

    @property
    def note(self) -> str:
        if self.path is not None and self.notebook is not None and self.path.name != self.part.notebook:
            return f"graded from {self.path.name} (recognised by its exercise cells)"
        return ""


def _candidates(submission: Path) -> list[Path]:
    """Every ``*.ipynb`` entry, links and special files included, so that they are reported."""
    if submission.is_file():
        if submission.suffix != ".ipynb":
            raise SubmissionError(f"{submission} is not a .ipynb notebook")
        return [submission]
    if not submission.is_dir():
        raise SubmissionError(f"{submission} does not exist")
    found = sorted(submission.glob("*.ipynb"))
    names = {p.notebook for p in PARTS}
    nested = submission / "notebooks"
    if not any(p.name in names for p in found) and nested.is_dir() and not nested.is_symlink():
        found += sorted(nested.glob("*.ipynb"))
    return found


def notebook_files(submission: Path) -> list[Path]:
    """The regular notebook files grading reads (what must stay byte-identical)."""
    return [p for p in _candidates(submission) if not regular_file(p)]


def collect(submission: Path) -> dict[str, Found]:
    """For every part of the course, what the submission offers for it."""
    by_name = {p.notebook: p for p in PARTS}
    found: dict[str, Found] = {}
    renamed: list[tuple[Path, notebooks.Notebook]] = []
    for path in _candidates(submission):
        part = by_name.get(path.name)
        if part and part.number in found:
            continue  # the top-level copy wins over notebooks/
        try:
            nb = read_untrusted(path)
        except (OSError, notebooks.NotebookError) as exc:
            if part:
                found[part.number] = Found(part, path, problem=str(exc))
            continue
        if part:
            found[part.number] = Found(part, path, nb)
        else:
            renamed.append((path, nb))
    for path, nb in renamed:
        open_parts = [p for p in PARTS if p.number not in found]
        scored = [(part_score(nb, exercises_of(p.number)), p) for p in open_parts]
        best = max(scored, key=lambda s: s[0], default=(0, None))
        if best[1] is not None and best[0] > 0:
            found[best[1].number] = Found(best[1], path, nb)
    for part in PARTS:
        found.setdefault(part.number, Found(part, None, problem=f"{part.notebook} is not in the submission"))
    return found
