"""Read a learner's notebook as untrusted input: bounded, regular files only, strict shape.

Everything the grader does before learner code runs happens in the grader's own
process, so a malformed file must never reach it as anything but a clear reason: a
symbolic link or a device is not opened (a link could point at a classmate's notebook,
``/dev/zero`` never ends), JSON nested past any notebook's depth or a file larger than
any notebook is refused, and what is kept is rebuilt into plain, shallow cells: type,
id, exercise tag, source text, stored output text. Code downstream (cell location,
claims, screening) then never meets a list where it expects a string.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from depipe_course.notebooks import Notebook, NotebookError

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # a course notebook is well under 1 MB
MAX_CELLS = 10_000  # a course notebook has under 200
MAX_CELL_CHARS = 1_000_000  # source of one cell; the longest reference is under 10,000


def regular_file(path: Path) -> str:
    """Why ``path`` is not a regular file the grader may open, or "" when it is."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"{path.name} cannot be read ({exc.strerror})"
    if stat.S_ISLNK(mode):
        return f"{path.name} is a symbolic link: not followed (hand in the notebook itself)"
    if not stat.S_ISREG(mode):
        return f"{path.name} is not a regular file: not read"
    return ""


def read_untrusted(path: Path) -> Notebook:
    """The notebook at ``path`` in the grader's strict shape; ``NotebookError`` says why not."""
    raw = _read_bounded(path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path.name} is not UTF-8 text: {exc.reason}") from exc
    except (RecursionError, MemoryError):
        raise NotebookError(f"{path.name} nests its JSON deeper than any notebook: not read") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{path.name} is not valid notebook JSON (line {exc.lineno}: {exc.msg}); was it truncated?"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(f"{path.name} has no list of cells: it is not a notebook")
    if len(data["cells"]) > MAX_CELLS:
        raise NotebookError(f"{path.name} has {len(data['cells']):,} cells (a course notebook has under 200, "
                            f"the grader reads at most {MAX_CELLS:,}): not read")
    return {"cells": [_cell(c, number) for number, c in enumerate(data["cells"], start=1)]}


def _read_bounded(path: Path) -> bytes:
    """Open without following links or blocking on FIFOs; read at most the size limit."""
    if problem := regular_file(path):
        raise NotebookError(problem)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise NotebookError(f"{path.name} cannot be read ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped after the lstat
            raise NotebookError(f"{path.name} is not a regular file: not read")
        raw = handle.read(MAX_NOTEBOOK_BYTES + 1)
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB: not read "
                            "(clear its outputs)")
    return raw


def _text(value: Any) -> str | None:
    """Notebook text: a string or a list of strings; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    return None


def _cell(cell: Any, number: int) -> dict[str, Any]:
    if not isinstance(cell, dict):
        return {"cell_type": "invalid", "source": "", "metadata": {}, "outputs": [], "number": number}
    out: dict[str, Any] = {
        "cell_type": cell.get("cell_type") if isinstance(cell.get("cell_type"), str) else "invalid",
        "number": number,
        "metadata": {},
        "outputs": _outputs(cell.get("outputs")),
    }
    if isinstance(cell.get("id"), str):
        out["id"] = cell["id"]
    meta = cell.get("metadata")
    tag = meta.get("depipe") if isinstance(meta, dict) else None
    exercise = tag.get("exercise") if isinstance(tag, dict) else None
    if isinstance(exercise, str):
        out["metadata"] = {"depipe": {"exercise": exercise[:20]}}
    source = _text(cell.get("source", ""))
    if source is None:
        out["source"], out["problem"] = "", "its source is not text (a list holding something other than strings)"
    elif len(source) > MAX_CELL_CHARS:
        out["source"], out["problem"] = "", f"its source has {len(source):,} characters (at most {MAX_CELL_CHARS:,})"
    else:
        out["source"] = source
    return out


def _outputs(outputs: Any) -> list[dict[str, str]]:
    """Stored outputs reduced to their text (all the claims screening reads)."""
    if not isinstance(outputs, list):
        return []
    kept = []
    for output in outputs:
        if not isinstance(output, dict):
            continue
        text = _text(output.get("text"))
        data = output.get("data")
        if text is None and isinstance(data, dict):
            text = _text(data.get("text/plain"))
        if text:
            kept.append({"output_type": "stream", "text": text[:MAX_CELL_CHARS]})
    return kept
