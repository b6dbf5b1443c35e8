"""depipe_course.grading.screen: cells that go after the grader are refused before they run."""

from __future__ import annotations

import pytest

from depipe_course import exercises, notebooks, reference
from depipe_course.grading.screen import screen
from depipe_course.paths import NOTEBOOKS_DIR

BAD = {
    "import solutions.part01": "imports the reference",
    "from solutions.part01 import peak_memory": "imports the reference",
    "from depipe_course import exercises": "grader's internals",
    "import depipe_course.checking": "grader's internals",
    "from depipe_course.grading import runner": "grader's internals",
    "def check(*a):\n    pass": "redefines check",
    "check = print": "redefines check",
    "import pprint as check": "redefines check",
    "from pprint import pprint as progress": "redefines progress",
    "if True:\n    progress = None": "redefines progress",
    "def f():\n    global check\n    check = 1": "global",
    "__builtins__['len'] = None": "__builtins__",
    "import builtins": "builtins",
    "import ctypes": "ctypes",
    "import sys\nm = sys.modules": "sys.modules",
    "import gc\ngc.get_referrers(print)": "get_referrers",
    "def f():\n    return f.__globals__": "__globals__",
    "import sys\nsys._getframe(1)": "_getframe",
    "import importlib\nimportlib.import_module('solutions.part01')": "course module",
    "exec(open('solutions/part01.py').read())": "reference solutions",
}
GOOD = [
    "from depipe_course import check, progress",
    "from depipe_course import db",
    "from depipe_course.fakes.cloud import moto_server",
    "import depipe_course",
    "def f():\n    check = True\n    return check",
    "import gc\ngc.collect()",
    "import sys\nprint(sys.version)",
    "x = 'solutions are in the back of the book'",
    "def broken(:",  # a syntax error is reported when the cell runs, with its line
]


@pytest.mark.parametrize(("source", "reason"), BAD.items(), ids=list(BAD))
def test_refused(source: str, reason: str) -> None:
    """Each way of reaching the grader or the reference is refused with a reason naming the line."""
    found = screen(source)
    assert found and any(reason in r for r in found), found
    assert all(r.startswith("line ") for r in found)


@pytest.mark.parametrize("source", GOOD)
def test_allowed(source: str) -> None:
    """Ordinary code, including a local variable called check, is not refused."""
    assert screen(source) == []


def test_every_reference_passes_the_screen() -> None:
    """No reference solution would be refused: the screen has no false positive on the course's own code."""
    for ex in exercises.all_exercises():
        try:
            source = reference.source(ex)
        except KeyError:
            continue  # a part whose references are still being written
        assert screen(source) == [], ex.id


def test_every_shipped_stub_passes_the_screen() -> None:
    """No stub cell of the shipped notebooks would be refused."""
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        for ex_id, cells in notebooks.exercise_cells(notebooks.read(path)).items():
            for cell in cells:
                assert screen(notebooks.source(cell)) == [], (path.name, ex_id)
