"""Build solved notebooks: the learner notebooks with every exercise cell filled from
``solutions/``, the one source of truth for reference code."""

from __future__ import annotations

from pathlib import Path

from depipe_course import exercises, notebooks, reference
from depipe_course.paths import NOTEBOOKS_DIR


def solved_sources(part_number: str) -> dict[str, str]:
    return {ex.id: reference.source(ex) for ex in exercises.exercises_of(part_number)}


def write_solved(out_dir: Path, *, source_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Write a solved copy of every course notebook found in ``source_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for part in exercises.PARTS:
        src = source_dir / part.notebook
        if not src.exists():
            continue
        nb = notebooks.solved(notebooks.read(src), solved_sources(part.number))
        dest = out_dir / part.notebook
        notebooks.write(nb, dest)
        written.append(dest)
    return written
