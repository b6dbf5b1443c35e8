"""Stored outputs that claim a result the code cannot have earned.

The grader never scores stored outputs: it re-runs the code. But outputs that say an
exercise passed, stored under an exercise whose re-run is *not attempted* (the stub is
still there), can only have been written by hand: that exercise is ``rejected`` with
the reason, rather than quietly scored 0. An honest notebook never shows this: a stub
cannot print a passing check.
"""

from __future__ import annotations

import re
from typing import Any

from depipe_course import notebooks

_SUCCESS = re.compile(r"\b(Correct|Partly correct|passed|[1-9][\d.]*\s*/\s*\d+(\.\d+)?\s*points)\b")


def _output_text(output: dict[str, Any]) -> str:
    text = output.get("text")
    if text is None:
        text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


def claimed_ids(nb: notebooks.Notebook | None, ids: list[str]) -> set[str]:
    """Exercise ids whose success some stored output in ``nb`` claims."""
    if nb is None:
        return set()
    claimed: set[str] = set()
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs") or []:
            if not isinstance(output, dict):
                continue
            for line in _output_text(output).splitlines():
                if _SUCCESS.search(line) and "Not attempted" not in line:
                    claimed.update(ex_id for ex_id in ids if re.search(rf"\b{re.escape(ex_id)}\b", line))
    return claimed
