"""Report writers, one small module per format: each has ``render(report) -> str``.

``write(report, path, render)`` writes UTF-8 with a trailing newline and creates the
parent folder, so ``--junit build/grade/junit.xml`` works in a fresh checkout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from depipe_course.grading.report import Report


def write(report: Report, path: Path, render: Callable[[Report], str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(report)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
