"""Where the course's files live, and where a learner's progress is kept."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root: the package is installed in editable mode from a clone.
COURSE_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"
SOLUTIONS_DIR = COURSE_ROOT / "solutions"


def state_dir() -> Path:
    """Folder for the learner's progress file; ``DEPIPE_STATE_DIR`` overrides it.

    Tests and nbval runs point it at a temporary folder so that a learner's real
    progress never leaks into stored notebook outputs.
    """
    override = os.environ.get("DEPIPE_STATE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "depipe-course"
