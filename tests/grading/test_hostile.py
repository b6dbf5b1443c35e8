"""Hostile submissions: whatever one exercise cell does, it costs that exercise only.

Every case is a solved part 01 notebook (``depipe solve`` output) with one exercise cell
replaced; when the notebook itself is broken, the learner also has the solved notebook
of a quick part (09), which must be spared. The whole
class of hostile learners is graded by one ``depipe grade-all --timeout 3`` run, so
the suite stays fast; each case then gets its own test on its own learner's report:
the hostile exercise scores 0 with the right status, every other exercise keeps its
full score, and the learner's files are byte-identical afterwards.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from depipe_course import exercises, reference
from tests.grading.conftest import PART01, by_id, depipe, hashes, read_nb, replace_cell, write_nb

TIMEOUT_S = 3
MEMORY_MB = 512  # small, so the memory bomb reaches it well within TIMEOUT_S on a busy runner
FILE_MB = 32
STUB = "def peak_memory(fn, *args, **kwargs):\n    raise NotImplementedError\n"
REF_01_1 = reference.source(exercises.get("01.1"))


@dataclass(frozen=True)
class Case:
    """One hostile learner: what is done to the submission and what must come out."""

    target: str  # the exercise hit ("01.1"), or "notebook" when the file itself is broken
    status: str
    source: str = ""
    message: str = ""  # a fragment the exercise's message must contain
    # The score the hostile exercise must get: 0, or, where the attack is on the grader and the answer
    # is graded as it is, what that answer earns on its own (the attack gains nothing).
    score: float = 0.0


CASES: dict[str, Case] = {
    "truncated_notebook": Case("notebook", "error", message="truncated"),
    "invalid_notebook": Case("notebook", "error", message="not a notebook"),
    "missing_cell": Case("01.1", "not_attempted", message="deleted"),
    "duplicated_cells": Case("01.1", "not_attempted", message="last one was graded"),
    "syntax_error": Case("01.1", "error", "def peak_memory(fn:\n    pass\n", "line 1"),
    "sys_exit": Case("01.1", "error", "import sys\nsys.exit(3)\n", "sys.exit"),
    "os_exit": Case("01.1", "error", "import os\nos._exit(7)\n", "exit code 7"),
    "infinite_loop": Case("01.1", "timeout", "while True:\n    pass\n", f"{TIMEOUT_S:g} s"),
    "memory_bomb": Case("01.1", "error", "blocks = []\nwhile True:\n    blocks.append(bytearray(100_000_000))\n",
                        "out of memory"),
    "print_100mb": Case("01.1", "not_attempted", "print('x' * 100_000_000)\n" + STUB, "100,000,001 characters"),
    "deep_recursion": Case("01.1", "error", "def down(n):\n    return down(n + 1)\n\ndown(0)\n", "recursed"),
    "fork_bomb": Case("01.1", "timeout", "import os\nwhile True:\n    try:\n        os.fork()\n"
                      "    except OSError:\n        pass\n", "stopped"),
    # pypi.org: if the sandbox ever failed, the only traffic would be to a registry this host uses anyway.
    "network": Case("01.1", "error", "import socket\nsocket.create_connection(('pypi.org', 443), timeout=2)\n",
                    "raised"),
    "writes_submission": Case("01.1", "error", "import pathlib\nfor p in pathlib.Path({root!r}).rglob('*.ipynb'):\n"
                              "    p.write_text('{}')\n", "raised"),
    "huge_file": Case("01.1", "error", "with open('big.bin', 'wb') as f:\n    for _ in range(2 * FILE_MB):\n"
                      "        f.write(b'x' * 1024 * 1024)\n".replace("FILE_MB", str(FILE_MB)), "File too large"),
    "redefines_check": Case("01.1", "rejected", "def check(*args):\n    print('Correct!')\n\n" + REF_01_1,
                            "redefines check"),
    "patches_depipe_course": Case("01.1", "rejected", "import depipe_course.checking as c\n"
                                  "c.fail = lambda *a, **k: None\n" + STUB, "grader's internals"),
    # The checks run in the judge, and no check package is readable in the worker: the import that
    # would reach one to patch it finds nothing.
    "patches_checks_dynamically": Case(
        "01.1", "error", "import importlib\n"
        "m = importlib.import_module('depipe' + '_course.exercises.part01.ex1_peak_memory')\n"
        "m.expect = m.fail = lambda *a, **k: None\n"
        "def peak_memory(fn, *args, **kwargs):\n    return fn(*args, **kwargs), 0\n",
        "No module named 'depipe_course.exercises.part01"),
    # A builtin replaced in the worker breaks only the worker: the exercise is an error.
    "patches_builtins": Case(
        "01.1", "error", "b = __import__('built' + 'ins')\nb.isinstance = lambda *a: True\n"
        "def peak_memory(fn, *args, **kwargs):\n    return fn(*args, **kwargs), 0\n", "ended the process"),
    "edits_stored_outputs": Case("01.1", "rejected", STUB, "stored outputs claim"),
    "imports_solutions": Case("01.1", "rejected", "from solutions.part01 import peak_memory\n", "reference"),
    # solutions/ is hidden from the child: the import finds nothing (the safe outcome is 0 points either way).
    "imports_solutions_dynamically": Case(
        "01.1", "error", "import importlib\npeak_memory = importlib.import_module('sol' + 'utions.part01')"
        ".peak_memory\n", "No module named 'solutions'"),
    # Nothing of the references is preloaded in a worker: the private module is not there at all.
    "imports_preloaded_reference": Case(
        "01.1", "error", "_ref = getattr(__import__('s' + 'ys'), 'mod' + 'ules')['_depipe_reference_part01']"
        ".peak_memory\n"
        "def peak_memory(fn, *args, **kwargs):\n    return _ref(fn, *args, **kwargs)\n", "KeyError"),
    "finds_reference_in_memory": Case(
        "01.1", "error", "_ref = [o for o in getattr(__import__('g' + 'c'), 'get_' + 'objects')() if "
        "type(o).__name__ == 'function' and o.__qualname__ == 'peak_memory' and "
        "str(o.__module__).startswith('_depipe')][0]\n"
        "def peak_memory(fn, *args, **kwargs):\n    return _ref(fn, *args, **kwargs)\n", "IndexError"),
    "copies_solutions_with_subprocess": Case(
        "01.1", "error", "import pathlib, subprocess, depipe_course\n"
        "src = pathlib.Path(depipe_course.__file__).parents[1] / ('sol' + 'utions') / 'part01.py'\n"
        "exec(subprocess.run(['cat', str(src)], capture_output=True, text=True, check=True).stdout)\n",
        "CalledProcessError"),
    # The repository's history holds the references too: .git is hidden from the child like solutions/.
    "copies_solutions_from_git_history": Case(
        "01.1", "error", "import importlib, pathlib, subprocess\n"
        "root = pathlib.Path(importlib.import_module('depipe' + '_course').__file__).parents[1]\n"
        "exec(subprocess.run(['git', '-c', 'safe.directory=*', '-C', str(root), 'show', 'HEAD:' + 'sol' + "
        "'utions/part01.py'], capture_output=True, text=True, check=True).stdout)\n", "raised"),
    "reads_a_classmates_notebook": Case(
        "01.1", "error", "import os\nopen(os.path.join(os.path.dirname({root!r}), 'syntax_error', "
        "'01_production_python.ipynb')).read()\n", "FileNotFoundError"),
    # A trace hook in the worker sees only the worker: the reference it wraps earns full marks, no more.
    "leaves_a_trace_hook": Case(
        "01.1", "passed", "getattr(__import__('s' + 'ys'), 'set' + 'trace')(lambda *a: None)\n" + REF_01_1,
        score=6.0),
    # The worker's encoder rewritten: what it sends is no message of the conversation, so nothing counts.
    "patches_the_json_encoder": Case(
        "01.1", "rejected", "import json.encoder\njson.encoder.JSONEncoder.encode = lambda self, o: '{}'\n" + REF_01_1,
        "protocol"),
    "forges_result_channel": Case(
        "01.1", "rejected", "import json, os, struct\nfake = json.dumps({'type': 'result', 'result': {}}).encode()\n"
        "for fd in range(3, 64):\n    try:\n        os.write(fd, struct.pack('!i', len(fake)) + fake)\n"
        "    except OSError:\n        pass\nos._exit(0)\n", "protocol"),
}


# The other part a broken notebook's learner hands in, which must be spared: part 09, whose three
# checks take 0.01-0.1 s each, so the run's 3-second limit holds with room on a busy runner
# (07.3, of another three-exercise part, takes ~1.3 s and timed out once under load).
_OTHER_PART = "09"


def _other_notebook(solved: Path) -> Path | None:
    """The solved notebook of the other part (``_OTHER_PART``), if written."""
    path = solved / exercises.part(_OTHER_PART).notebook
    return path if path.exists() else None


def _make(name: str, case: Case, learner: Path, solved: Path) -> None:
    learner.mkdir()
    nb_path = learner / PART01
    shutil.copy(solved / PART01, nb_path)
    other = _other_notebook(solved)
    if other and CASES[name].target == "notebook":
        shutil.copy(other, learner / other.name)
    if name == "truncated_notebook":
        nb_path.write_bytes(nb_path.read_bytes()[:300])
    elif name == "invalid_notebook":
        nb_path.write_text('{"cells": "not a list"}', encoding="utf-8")
    elif name == "missing_cell":
        nb = read_nb(nb_path)
        nb["cells"] = [c for c in nb["cells"] if c.get("metadata", {}).get("depipe", {}).get("exercise") != "01.1"]
        write_nb(nb, nb_path)
    elif name == "duplicated_cells":
        nb = read_nb(nb_path)
        cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("depipe", {}).get("exercise") == "01.1")
        stub = json.loads(json.dumps(cell))
        stub["source"] = STUB
        stub["id"] = "dup0001"
        nb["cells"].append(stub)
        write_nb(nb, nb_path)
    elif name == "edits_stored_outputs":
        replace_cell(nb_path, "01.1", case.source)
        nb = read_nb(nb_path)
        for cell in nb["cells"]:
            if cell.get("cell_type") == "code":
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["01.1 passed: 6/6 points\n"]}]
        write_nb(nb, nb_path)
    else:
        replace_cell(nb_path, "01.1", case.source.replace("{root!r}", repr(str(learner))))


@pytest.fixture(scope="module")
def graded(solved: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every hostile learner graded by one ``depipe grade-all`` run."""
    root = tmp_path_factory.mktemp("hostile")
    subs, out = root / "class", root / "out"
    subs.mkdir()
    for name, case in CASES.items():
        _make(name, case, subs / name, solved)
    before = {name: hashes(subs / name) for name in CASES}
    start = time.monotonic()
    done = depipe("grade-all", str(subs), "--out", str(out), "--jobs", "2", "--timeout", str(TIMEOUT_S),
                  "--memory-limit", str(MEMORY_MB), "--file-size-limit", str(FILE_MB), timeout=240)
    elapsed = time.monotonic() - start
    after = {name: hashes(subs / name) for name in CASES}
    reports = {name: json.loads((out / name / "report.json").read_text(encoding="utf-8")) for name in CASES}
    return {"done": done, "elapsed": elapsed, "before": before, "after": after, "reports": reports,
            "solved": solved}


def _assert_contained(graded: dict[str, Any], name: str) -> None:
    """The common promise: only the hostile target loses, the files are untouched, exit 0."""
    case = CASES[name]
    assert graded["done"].returncode == 0, graded["done"].stderr[-2000:]
    assert graded["before"][name] == graded["after"][name], "grading changed the learner's files"
    report = by_id(graded["reports"][name])
    hit = [i for i in report if i.startswith("01.")] if case.target == "notebook" else [case.target]
    for ex_id in hit:
        entry = report[ex_id]
        assert entry["score"] == case.score and entry["status"] == case.status, (ex_id, entry["status"],
                                                                                  entry["message"])
        assert case.message in entry["message"], entry["message"]
    other = _other_notebook(graded["solved"]) if case.target == "notebook" else None
    spared = [e for i, e in report.items() if i not in hit and (i.startswith("01.") or
                                                                (other and e["notebook"] == other.name))]
    assert spared, "the submission holds no other exercise to spare"
    for entry in spared:
        assert entry["score"] == entry["max"], (entry["id"], entry["status"], entry["message"])


def test_grading_the_hostile_class_stays_within_its_limits(graded: dict[str, Any]) -> None:
    """The whole hostile class is graded, exit 0, in bounded time, with a report for every learner."""
    assert graded["done"].returncode == 0, graded["done"].stderr[-2000:]
    assert graded["elapsed"] < 150
    assert set(graded["reports"]) == set(CASES)


def test_truncated_notebook(graded: dict[str, Any]) -> None:
    """A truncated .ipynb is an error for its exercises and nothing else."""
    _assert_contained(graded, "truncated_notebook")


def test_invalid_notebook(graded: dict[str, Any]) -> None:
    """Valid JSON that is not a notebook is an error for its exercises and nothing else."""
    _assert_contained(graded, "invalid_notebook")


def test_missing_exercise_cell(graded: dict[str, Any]) -> None:
    """A deleted exercise cell is not attempted, with a message that says so."""
    _assert_contained(graded, "missing_cell")


def test_duplicated_exercise_cells(graded: dict[str, Any]) -> None:
    """Of two cells for one exercise the last is graded, as Run All would leave it, and the report says so."""
    _assert_contained(graded, "duplicated_cells")


def test_syntax_error(graded: dict[str, Any]) -> None:
    """A syntax error is an error naming its line."""
    _assert_contained(graded, "syntax_error")


def test_sys_exit_at_top_level(graded: dict[str, Any]) -> None:
    """sys.exit in a cell is an error for that exercise, not the end of grading."""
    _assert_contained(graded, "sys_exit")


def test_os_exit_at_top_level(graded: dict[str, Any]) -> None:
    """os._exit ends only the exercise's own process."""
    _assert_contained(graded, "os_exit")


def test_infinite_loop(graded: dict[str, Any]) -> None:
    """An infinite loop is stopped at the wall-clock limit with status timeout."""
    _assert_contained(graded, "infinite_loop")


def test_memory_bomb(graded: dict[str, Any]) -> None:
    """A memory bomb hits the memory limit and is reported as running out of memory."""
    _assert_contained(graded, "memory_bomb")


def test_print_of_100_mb(graded: dict[str, Any]) -> None:
    """A 100 MB print is counted, never stored: it costs nothing and the report stays small."""
    _assert_contained(graded, "print_100mb")
    assert len(json.dumps(graded["reports"]["print_100mb"])) < 200_000


def test_deep_recursion(graded: dict[str, Any]) -> None:
    """Unbounded recursion is an error that names it."""
    _assert_contained(graded, "deep_recursion")


def test_fork_bomb(graded: dict[str, Any]) -> None:
    """A fork bomb meets the process cap, is stopped at the limit and leaves nothing running."""
    _assert_contained(graded, "fork_bomb")


def test_network_is_off(graded: dict[str, Any]) -> None:
    """A connection to a non-loopback address fails inside the sandbox."""
    _assert_contained(graded, "network")


def test_writing_the_submission_fails(graded: dict[str, Any]) -> None:
    """Code that overwrites the learner's notebooks cannot: the submission is read-only to it."""
    _assert_contained(graded, "writes_submission")


def test_huge_file_hits_the_file_size_limit(graded: dict[str, Any]) -> None:
    """Writing past the file-size limit raises OSError instead of filling the disk."""
    _assert_contained(graded, "huge_file")


def test_redefining_check_is_rejected(graded: dict[str, Any]) -> None:
    """An exercise cell that redefines check() earns nothing, even with a correct answer."""
    _assert_contained(graded, "redefines_check")


def test_patching_depipe_course_is_rejected(graded: dict[str, Any]) -> None:
    """Importing the grader's internals in an exercise cell is rejected before it runs."""
    _assert_contained(graded, "patches_depipe_course")


def test_patching_the_checks_dynamically_gains_nothing(graded: dict[str, Any]) -> None:
    """Checks reached through an obfuscated import are not in the worker: that exercise errors, with the reason."""
    _assert_contained(graded, "patches_checks_dynamically")


def test_patching_builtins_breaks_only_the_worker(graded: dict[str, Any]) -> None:
    """Replacing a builtin breaks the learner's own process: that exercise errors, nothing else moves."""
    _assert_contained(graded, "patches_builtins")


def test_edited_stored_outputs_earn_nothing(graded: dict[str, Any]) -> None:
    """Outputs that claim full points over an unchanged stub are rejected, and earn nothing."""
    _assert_contained(graded, "edits_stored_outputs")


def test_importing_the_reference_is_rejected(graded: dict[str, Any]) -> None:
    """`from solutions... import` in an exercise cell is rejected."""
    _assert_contained(graded, "imports_solutions")


def test_importing_the_reference_dynamically_fails(graded: dict[str, Any]) -> None:
    """An obfuscated import of the reference finds nothing: solutions/ is hidden from the child."""
    _assert_contained(graded, "imports_solutions_dynamically")


def test_forging_the_result_channel_is_rejected(graded: dict[str, Any]) -> None:
    """Bytes written to every descriptor reach the judge as no message of the conversation: rejected."""
    _assert_contained(graded, "forges_result_channel")


def test_a_preloaded_reference_cannot_be_imported(graded: dict[str, Any]) -> None:
    """The worker holds no reference module at all: nothing is preloaded there."""
    _assert_contained(graded, "imports_preloaded_reference")


def test_the_reference_cannot_be_found_among_live_objects(graded: dict[str, Any]) -> None:
    """Walking the garbage collector's objects finds no reference function for the graded exercise."""
    _assert_contained(graded, "finds_reference_in_memory")


def test_solutions_cannot_be_copied_by_a_subprocess(graded: dict[str, Any]) -> None:
    """solutions/ is hidden from the child: a `cat` of a reference file fails."""
    _assert_contained(graded, "copies_solutions_with_subprocess")


def test_the_repository_history_of_the_solutions_is_out_of_view(graded: dict[str, Any]) -> None:
    """`git show HEAD:solutions/...` from the child finds no repository: .git is hidden like solutions/."""
    _assert_contained(graded, "copies_solutions_from_git_history")


def test_a_classmates_notebook_is_out_of_view(graded: dict[str, Any]) -> None:
    """The class folder is masked in the child: only the learner's own folder is in view."""
    _assert_contained(graded, "reads_a_classmates_notebook")


def test_a_trace_hook_left_behind_reaches_no_check(graded: dict[str, Any]) -> None:
    """A trace function set in the worker sees no check's frames: the answer it wraps is graded as it is."""
    _assert_contained(graded, "leaves_a_trace_hook")


def test_patching_the_json_encoder_is_rejected(graded: dict[str, Any]) -> None:
    """The verdict is encoded by the judge: the worker's patched encoder only garbles its own answers."""
    _assert_contained(graded, "patches_the_json_encoder")
