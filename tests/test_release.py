"""``depipe release``: a learner edition that gives no answer away and in which check() still works.

The release is built once per module. The leak and quiz scans below are written out
here rather than borrowed from ``depipe_course.release.verify``, so that a bug in the
build's own verification cannot hide a leak from this test.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml

from depipe_course import exercises, notebooks, reference
from depipe_course.cli import main
from depipe_course.paths import COURSE_ROOT
from depipe_course.release import MANIFEST, ReleaseError, build

QUIZZES = ("01.2", "11.7")


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("learner-edition")
    build(out)
    return out


def _texts(root: Path) -> dict[str, str]:
    """Every file's text; a notebook as the sources and text outputs of its cells."""
    texts = {}
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            text = "\n".join([notebooks.source(c) for c in cells] + [
                "".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])])
        texts[path.relative_to(root).as_posix()] = text
    return texts


def _code(text: str) -> list[str]:
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


def _answer_lines(section: str, stub: str) -> list[str]:
    """Lines of code of a reference section the stub does not show: not blank, comments, imports,
    short lines, or the text inside a multi-line string (docstrings, SQL the notebooks teach)."""
    lines = section.splitlines()
    inside: set[int] = set()
    for node in ast.walk(ast.parse(section)):
        if isinstance(node, ast.Constant | ast.JoinedStr) and node.end_lineno and node.end_lineno > node.lineno:
            first = node.lineno if not lines[node.lineno - 1][:node.col_offset].strip() else node.lineno + 1
            inside.update(range(first, node.end_lineno + 1))
    shown = set(_code(stub))
    code = _code("\n".join(line for number, line in enumerate(lines, start=1) if number not in inside))
    return [line for line in code
            if len(line) >= 16 and not line.startswith(("import ", "from ")) and line not in shown]


def _stub(root: Path, ex: exercises.Exercise) -> str:
    (cell,) = notebooks.exercise_cells(notebooks.read(root / "notebooks" / ex.part.notebook))[ex.id]
    return notebooks.source(cell)


def test_holds_the_learner_files_and_nothing_of_the_instructors(release: Path) -> None:
    """Stub notebooks, library, data, README, Makefile, workflow: no solutions, tests or wrong versions."""
    for wanted in ("README.md", "Makefile", "pyproject.toml", "environment.yml", ".github/workflows/grade.yml",
                   "data/orders_sample.csv", "depipe_course/edition.py", "depipe_course/_edition.json",
                   "notebooks/01_production_python.ipynb"):
        assert (release / wanted).is_file(), wanted
    names = {p.relative_to(release).as_posix() for p in release.rglob("*")}
    assert not [n for n in names if re.search(r"(^|/)(solutions|tests|wrong_versions|benchmarks)(/|$)", n)]
    assert not [n for n in names if n.startswith("depipe_course/release")]
    setuptools = tomllib.loads((release / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["packages"]["find"]["include"] == ["depipe_course*"]
    assert "_edition.json" in setuptools["package-data"]["depipe_course"]
    workflow = (release / ".github/workflows/grade.yml").read_text(encoding="utf-8")
    assert "depipe grade" in workflow and "fail-under" not in workflow and "gradescope" not in workflow
    assert yaml.safe_load(workflow)["jobs"]
    marker = json.loads((release / "depipe_course/_edition.json").read_text(encoding="utf-8"))
    assert marker["edition"] == "learner" and marker["expected"]


def test_no_file_gives_a_reference_answer_away(release: Path) -> None:
    """No file holds half of a section's distinctive lines (3 at least), or 4 of them in a row.

    A lone idiom (``response.raise_for_status()``) that demos share with an answer is not a
    leak; half an answer, or a run of its lines, is."""
    files = {name: _code(text) for name, text in _texts(release).items()}
    sets = {name: set(lines) for name, lines in files.items()}
    leaks = []
    for ex in exercises.all_exercises():
        answer = _answer_lines(reference.source(ex), _stub(COURSE_ROOT, ex))  # the course's stub, as shipped
        if len(answer) < 3:
            continue
        runs = {tuple(answer[i:i + 4]) for i in range(len(answer) - 3)}
        for name, lines in files.items():
            if ex.id in MANIFEST.exposed and name.startswith("depipe_course/"):
                continue  # declared and explained in the manifest
            half = sum(line in sets[name] for line in answer) * 2 >= len(answer)
            run = any(tuple(lines[i:i + 4]) in runs for i in range(len(lines) - 3))
            if half or run:
                leaks.append(f"{name}: {ex.id}")
    assert not leaks
    assert set(MANIFEST.exposed) <= {"01.1"}, "a new exposure needs a reason in the manifest and a review"


def test_instructor_only_bodies_are_stripped(release: Path) -> None:
    """Part 08's correct versions (the mutants' baseline) keep only their signature and docstring."""
    part08 = release / "depipe_course/exercises/part08"
    for module, name in (("ex2_clean_orders_tests", "_clean_orders_variant"), ("ex3_fetch_order", "_fetch_variant")):
        text = (part08 / f"{module}.py").read_text(encoding="utf-8")
        body = text[text.index(f"def {name}("):].split("\n\n\n")[0]
        assert 'raise NotRun("' in body and "drop_duplicates" not in body and "raise_for_status" not in body


def test_quiz_answers_are_not_in_plain_text(release: Path) -> None:
    """No quiz answer, quoted, follows its question anywhere; the keys are digests."""
    texts = _texts(release)
    found = []
    for quiz_id in QUIZZES:
        (answers,) = reference.objects(exercises.get(quiz_id)).values()
        for question, answer in answers.items():
            quoted = re.compile(rf"""["']{re.escape(answer)}["']""", re.IGNORECASE)
            for name, text in texts.items():
                for match in re.finditer(re.escape(question), text):
                    if quoted.search(text, match.end(), match.end() + 300):
                        found.append(f"{name}: {quiz_id} {question[:30]}")
    assert not found


def test_notebooks_open_with_every_exercise_cell(release: Path) -> None:
    """Every notebook is a valid notebook; every exercise has its one stub cell; none imports solutions."""
    import nbformat

    for path in sorted((release / "notebooks").glob("*.ipynb")):
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(nb)
        assert not any(re.search(r"^\s*(from|import) solutions", c.source, re.MULTILINE) for c in nb.cells), path
    for ex in exercises.all_exercises():
        stub = _stub(release, ex)
        assert "NotImplementedError" in stub or "YOUR ANSWER HERE" in stub, ex.id


_PROBE = textwrap.dedent("""
    import importlib.util, json, sys
    release = sys.argv[1]
    sys.path.insert(0, release)
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]  # the course's install

    import depipe_course
    from depipe_course import check, edition
    from depipe_course.grading.child import Job, grade_in_this_process

    assert depipe_course.__file__.startswith(release), depipe_course.__file__
    assert importlib.util.find_spec("solutions") is None
    assert edition.is_learner_edition()
    cases = json.load(sys.stdin)
    for name, exercise_id, cells in cases["check"]:
        namespace = {"__name__": "__main__"}
        for cell in cells:
            exec(cell, namespace)
        result = check(exercise_id, namespace)
        print(json.dumps([name, result.to_dict(), str(result)]))
    for name, exercise_id, cell, uses in cases["grade"]:
        result = grade_in_this_process(Job(exercise_id, cell, "<cell>", uses=tuple(map(tuple, uses))))
        print(json.dumps([name, result.to_dict(), str(result)]))
    payment = edition.own("Payment")  # part 10 loads 09.3 from the saved notebook (here the stub)
    print(json.dumps(["own", {"status": type(payment).__name__}, ""]))
""")


def test_check_runs_in_the_release_without_the_course(release: Path, tmp_path: Path) -> None:
    """Stub: not attempted; solved: passed; uses: the learner's own, said once; mutation: not run."""
    src = {ex.id: reference.source(ex) for ex in exercises.all_exercises()}
    wrong_quiz = src["01.2"].replace('": "generators"', '": "testable code"')
    cases = {
        "check": [
            ("stub", "02.1", [_stub(release, exercises.get("02.1"))]),
            ("solved", "02.1", [src["02.1"]]),
            ("uses", "02.2", [src["02.1"], src["02.2"]]),
            ("quiz", "01.2", [src["01.2"]]),
            ("quiz wrong", "01.2", [wrong_quiz]),
            ("precomputed", "06.5", [src[i] for i in ("06.1", "06.2", "06.3", "06.4", "06.5")]),
            ("own model", "10.3", [src["09.3"], src["10.3"]]),
            ("mutation", "08.2", [src["08.1"], src["08.2"]]),
            ("partly mutation", "08.3", [src["08.3"]]),
        ],
        "grade": [("graded uses", "02.2", src["02.2"], [("<02.1>", src["02.1"])])],
    }
    done = subprocess.run([sys.executable, "-I", "-c", _PROBE, str(release)], input=json.dumps(cases),
                          capture_output=True, text=True, cwd=release, timeout=120,
                          env={**os.environ, "DEPIPE_STATE_DIR": str(tmp_path)}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    got = {name: (result, text) for name, result, text in map(json.loads, done.stdout.splitlines())}
    status = {name: result["status"] for name, (result, _) in got.items()}
    assert status == {"stub": "not_attempted", "solved": "passed", "uses": "passed", "quiz": "passed",
                      "quiz wrong": "partial", "precomputed": "passed", "own model": "passed",
                      "mutation": "not_run", "partly mutation": "passed", "graded uses": "passed",
                      "own": "ModelMetaclass"}, {k: v[1] for k, v in got.items() if v[1]}
    assert "ran with your own clean_chunk (02.1)" in got["uses"][0]["message"]
    assert "ran with your own clean_chunk (02.1)" in got["graded uses"][0]["message"]
    wrong = [c for c in got["quiz wrong"][0]["checks"] if c["status"] == "failed"]
    assert [c["name"] for c in wrong] == ["A list built from 200 million rows exhausted memory before the first write"]
    assert "Graded by the instructor" in got["mutation"][1]
    partly = got["partly mutation"][0]
    assert {c["status"] for c in partly["checks"]} == {"passed", "not_run"}
    assert "graded by the instructor" in got["partly mutation"][1].splitlines()[0]


def test_cli_builds_only_into_a_new_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`depipe release` refuses a folder that holds files, and says why."""
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["release", "--out", str(tmp_path)]) == 1
    assert "is not empty" in capsys.readouterr().err
    with pytest.raises(ReleaseError):
        build(tmp_path)
