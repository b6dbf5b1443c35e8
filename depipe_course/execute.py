"""Re-run a notebook in a fresh kernel and store its outputs (for instructors).

The stored outputs are what ``pytest --nbval`` compares a later run against, so the
environment here matches the test run's: a throw-away progress folder and a fixed
hash seed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from depipe_course import notebooks

KERNEL_ENV = {"PYTHONHASHSEED": "0", "DEPIPE_NBVAL": "1"}


def execute_in_place(path: Path, timeout_s: int = 900) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="depipe-state-") as state:
        saved = dict(os.environ)
        os.environ.update(KERNEL_ENV, DEPIPE_STATE_DIR=state)
        try:
            NotebookClient(
                nb, timeout=timeout_s, kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    nbformat.validate(nb)
    notebooks.write(dict(nb), path)
