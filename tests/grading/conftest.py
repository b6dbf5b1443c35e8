"""Shared helpers for the grading tests: solved notebooks, cell surgery, the CLI."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depipe_course import exercises
from depipe_course.solve import write_solved

DEPIPE = str(Path(sys.executable).with_name("depipe"))
PART01 = exercises.PARTS[0].notebook


def depipe(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real ``depipe`` command line."""
    return subprocess.run([DEPIPE, *args], capture_output=True, text=True, timeout=timeout)


def read_nb(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write_nb(nb: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def exercise_cell(nb: dict[str, Any], ex_id: str) -> dict[str, Any]:
    return next(c for c in nb["cells"] if c.get("metadata", {}).get("depipe", {}).get("exercise") == ex_id)


def replace_cell(path: Path, ex_id: str, source: str) -> None:
    """Put ``source`` in exercise ``ex_id``'s cell of the notebook at ``path``."""
    nb = read_nb(path)
    exercise_cell(nb, ex_id)["source"] = source.splitlines(keepends=True)
    write_nb(nb, path)


def hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256 (to prove grading changed nothing)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in report["exercises"]}


@pytest.fixture(scope="session")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Solved copies of every course notebook (what ``depipe solve`` writes)."""
    out = tmp_path_factory.mktemp("solved")
    write_solved(out)
    return out


@pytest.fixture
def part01_only(solved: Path, tmp_path: Path) -> Callable[[], Path]:
    """A factory: a fresh submission folder holding only the solved part 01 notebook."""

    def make() -> Path:
        sub = tmp_path / f"sub{len(list(tmp_path.iterdir()))}"
        sub.mkdir()
        shutil.copy(solved / PART01, sub / PART01)
        return sub

    return make
