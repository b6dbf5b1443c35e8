"""depipe_course.grading.classroom: ``depipe grade-all`` grades a class into a gradebook."""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from depipe_course import exercises
from depipe_course.grading.shards import Learner, Shard, ShardError, read_roster
from depipe_course.paths import NOTEBOOKS_DIR
from tests.grading.conftest import PART01, depipe, exercise_cell, read_nb, replace_cell


def test_grade_all_writes_a_gradebook_and_reports(solved: Path, tmp_path: Path) -> None:
    """Every learner folder gets a full gradebook row and its own reports, also an empty one."""
    class_dir, out = tmp_path / "class", tmp_path / "out"
    for name in ("ada", "grace"):
        (class_dir / name).mkdir(parents=True)
        shutil.copy(solved / PART01, class_dir / name / PART01)
    replace_cell(class_dir / "grace" / PART01, "01.1", "def peak_memory(fn, *a, **k):\n    raise NotImplementedError\n")
    (class_dir / "linus").mkdir()  # handed in nothing
    done = depipe("grade-all", str(class_dir), "--out", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids = [ex.id for ex in exercises.all_exercises()]
    assert [r["learner"] for r in rows] == ["ada", "grace", "linus"]
    assert all(set(ids) <= set(r) and all(r[i] != "" for i in ids) for r in rows)
    part01 = [i for i in ids if i.startswith("01.")]
    full = sum(ex.max_points for ex in exercises.exercises_of("01"))
    assert float(rows[0]["total"]) == full == sum(float(rows[0][i]) for i in part01)
    assert float(rows[1]["01.1"]) == 0 and float(rows[2]["total"]) == 0
    for name in ("ada", "grace", "linus"):
        assert {p.name for p in (out / name).iterdir()} == {"report.json", "report.md", "junit.xml", "cells.json"}
    assert json.loads((out / "ada" / "cells.json").read_text(encoding="utf-8")).keys() == {"01.1", "01.2"}
    assert {p.name for p in out.iterdir()} >= {"gradebook.csv", "shard.json", "similarity.json", "similarity.csv"}
    flagged = json.loads((out / "similarity.json").read_text(encoding="utf-8"))["pairs"]
    assert flagged == []  # the same 01.2 answer, but it is the stub's mapping filled in: too little own code


def test_a_learner_folder_that_links_to_a_classmate_is_not_graded(solved: Path, tmp_path: Path) -> None:
    """A symbolic link in the class folder would copy a classmate's marks: it gets zeros and the reason."""
    from depipe_course.grading.classroom import grade_all

    class_dir = tmp_path / "class"
    (class_dir / "ada").mkdir(parents=True)
    shutil.copy(solved / PART01, class_dir / "ada" / PART01)
    (class_dir / "copycat").symlink_to(class_dir / "ada")
    book = grade_all(class_dir, tmp_path / "out", jobs=2)
    rows = {row.learner: row for row in book.rows}
    assert rows["ada"].total > 0
    assert rows["copycat"].total == 0 and "symbolic link: not followed" in rows["copycat"].problem


def test_grade_all_refuses_a_missing_folder(tmp_path: Path) -> None:
    """A SUBMISSIONS_DIR that does not exist is the grader failing to run: exit 2."""
    done = depipe("grade-all", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "not a folder" in done.stderr


# ---------------------------------------------------------------- shards and merge

CLASS_SIZE = 20
SHARDS = 4


def _rename_locals(source: str) -> str:
    """The cell with every local variable renamed and the layout rewritten: a disguised copy."""
    tree = ast.parse(source)
    bound = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)})
    names = {name: f"my_{i}" for i, name in enumerate(bound)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            node.id = names.get(node.id, node.id)
    return ast.unparse(tree) + "\n"


@pytest.fixture(scope="module")
def small_class(solved: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 small submissions (part 01 only, two exercises each, so the class grades in seconds):
    solved, half solved, the stub, an empty folder, and a renamed copy of the solution."""
    class_dir = tmp_path_factory.mktemp("class")
    source = "".join(exercise_cell(read_nb(solved / PART01), "01.1")["source"])
    for i in range(CLASS_SIZE):
        learner = class_dir / f"learner{i:02d}"
        learner.mkdir()
        kind = i % 5
        if kind == 4:
            continue  # handed in nothing
        shutil.copy(NOTEBOOKS_DIR / PART01 if kind == 2 else solved / PART01, learner / PART01)
        if kind == 1:
            replace_cell(learner / PART01, "01.1", "def peak_memory(fn, *a, **k):\n    raise NotImplementedError\n")
        elif kind == 3:
            replace_cell(learner / PART01, "01.1", _rename_locals(source))
    return class_dir


def _reports(folder: Path) -> dict[str, Any]:
    """Every learner's report.json without the one field that is a time (duration_s)."""
    found = {}
    for path in sorted(folder.glob("*/report.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        for ex in report["exercises"]:
            ex.pop("duration_s")
        found[path.parent.name] = report
    return found


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "report.json"}


def test_shards_merge_into_what_one_run_writes(small_class: Path, tmp_path: Path) -> None:
    """20 learners in 4 shards, merged: gradebook.csv byte-identical to one unsharded run, every
    report.json equal apart from durations, every other file byte-identical (similarity included)."""
    whole, shards, merged = tmp_path / "whole", tmp_path / "shards", tmp_path / "merged"
    done = depipe("grade-all", str(small_class), "--out", str(whole), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    seen: list[str] = []
    for k in range(1, SHARDS + 1):
        done = depipe("grade-all", str(small_class), "--out", str(shards / f"shard-{k}"), "--shard", f"{k}/{SHARDS}")
        assert done.returncode == 0, done.stderr
        assert f"shard {k}/{SHARDS}: 5 of {CLASS_SIZE} learners" in done.stdout
        doc = json.loads((shards / f"shard-{k}" / "shard.json").read_text(encoding="utf-8"))
        assert doc["learners"] == [f"learner{i:02d}" for i in range(k - 1, CLASS_SIZE, SHARDS)]  # round-robin
        assert not (shards / f"shard-{k}" / "similarity.json").exists()  # pairs cross shards: the merge's job
        seen += doc["learners"]
    assert sorted(seen) == sorted(p.name for p in small_class.iterdir())
    done = depipe("merge-grades", *(str(shards / f"shard-{k}") for k in (3, 1, 4, 2)), "--out", str(merged))
    assert done.returncode == 0, done.stderr
    assert (merged / "gradebook.csv").read_bytes() == (whole / "gradebook.csv").read_bytes()
    assert _reports(merged) == _reports(whole) and len(_reports(whole)) == CLASS_SIZE
    assert _files(merged) == _files(whole)
    with (whole / "gradebook.csv").open(encoding="utf-8") as f:
        rows = {r["learner"]: r for r in csv.DictReader(f)}
    assert len(rows) == CLASS_SIZE and rows["learner00"]["total"] == rows["learner03"]["total"] == "12"
    pairs = json.loads((whole / "similarity.json").read_text(encoding="utf-8"))["pairs"]
    copies = {(p["learner_a"], p["learner_b"]) for p in pairs if p["exercise"] == "01.1"}
    assert ("learner00", "learner03") in copies and ("learner03", "learner05") in copies  # the renamed copies
    assert all(p["similarity"] >= 0.8 and p["lines_a"] and p["snippet_a"] for p in pairs)
    assert not any("learner02" in (p["learner_a"], p["learner_b"]) for p in pairs)  # the stub is never compared


def _empty_shard(tmp_path: Path, names: list[str], shard: str) -> Path:
    """The --out folder of one shard of a class of empty learner folders (nothing runs: quick)."""
    class_dir = tmp_path / ("class-" + "-".join(names))
    for name in names:
        (class_dir / name).mkdir(parents=True, exist_ok=True)
    folder = tmp_path / f"{class_dir.name}-{shard.replace('/', 'of')}"
    done = depipe("grade-all", str(class_dir), "--out", str(folder), "--shard", shard)
    assert done.returncode == 0, done.stderr
    return folder


def test_merge_refuses_missing_overlapping_and_mismatched_shards(tmp_path: Path) -> None:
    """A missing shard, a shard given twice, or shards of different splits or classes: exit 2, a message
    naming the shard, and nothing written."""
    names = ["ann", "ben", "cat", "dov"]
    one, two, three = (_empty_shard(tmp_path, names, f"{k}/3") for k in (1, 2, 3))
    out = tmp_path / "merged"
    cases = {
        "missing shard(s) 2/3 of 3": [one, three],
        "overlapping shards: 2/3 in": [one, two, two, three],
        "a different number of shards": [one, two, three, _empty_shard(tmp_path, names, "1/2")],
        "a different class list": [one, two, _empty_shard(tmp_path, names[:3], "3/3")],
    }
    for message, folders in cases.items():
        done = depipe("merge-grades", *map(str, folders), "--out", str(out))
        assert done.returncode == 2 and message in done.stderr, (message, done.stderr)
        assert not out.exists()
    done = depipe("merge-grades", str(one), str(tmp_path), "--out", str(out))
    assert done.returncode == 2 and "holds no shard.json" in done.stderr
    done = depipe("merge-grades", str(one), str(two), str(three), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "gradebook.csv").read_text(encoding="utf-8").count("\n") == 5


def test_grade_all_refuses_a_bad_shard(tmp_path: Path) -> None:
    """--shard is K/N with 1 <= K <= N: anything else is exit 2 with the expected form."""
    for bad in ("0/4", "5/4", "2", "a/b"):
        done = depipe("grade-all", str(tmp_path), "--out", str(tmp_path / "out"), "--shard", bad)
        assert done.returncode == 2 and ("takes K/N" in done.stderr or "between 1 and N" in done.stderr), done.stderr


def test_a_roster_names_the_class_and_its_missing_learners(tmp_path: Path) -> None:
    """With --roster the class is the roster's: a learner whose folder is missing gets a row of zeros,
    a folder that is not on the roster is not graded; `depipe roster` lists a shard's repositories."""
    roster = tmp_path / "roster.txt"
    roster.write_text("# the class\norg/hw-ann\norg/hw-ben ben  # named\nhttps://github.com/org/hw-cat.git cat\n",
                      encoding="utf-8")
    class_dir = tmp_path / "class"
    for name in ("hw-ann", "ben", "stranger"):
        (class_dir / name).mkdir(parents=True)
    done = depipe("grade-all", str(class_dir), "--out", str(tmp_path / "out"), "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "out" / "shard.json").read_text(encoding="utf-8"))
    assert doc["class"] == ["ben", "cat", "hw-ann"]
    assert [r["problem"] for r in doc["rows"]] == ["", "no folder cat/ in the class folder: not cloned or not "
                                                   "handed in", ""]
    assert not (tmp_path / "out" / "stranger").exists()
    listed = depipe("roster", str(roster), "--shard", "2/2")
    assert listed.returncode == 0 and listed.stdout == "cat\torg/hw-cat\n"
    assert depipe("roster", str(roster)).stdout.splitlines() == ["ben\torg/hw-ben", "cat\torg/hw-cat",
                                                                 "hw-ann\torg/hw-ann"]


def test_roster_files(tmp_path: Path) -> None:
    """Text and CSV rosters read the same; duplicates and unsafe names are refused with the line."""
    csv_roster = tmp_path / "grades.csv"
    csv_roster.write_text("assignment_name,github_username,student_repository_url\n"
                          "hw,ann,https://github.com/org/hw-ann\nhw,ben,https://github.com/org/hw-ben\n",
                          encoding="utf-8")
    assert read_roster(csv_roster) == [Learner("ann", "org/hw-ann"), Learner("ben", "org/hw-ben")]
    for text, message in (("org/a x\norg/b x\n", "appears twice"), ("org/a ../x\n", "not a usable folder name"),
                          ("not-a-repo\n", "is not OWNER/REPO"), ("org/a b c\n", "expected OWNER/REPO [NAME]"),
                          ("# nobody\n", "lists no learner")):
        path = tmp_path / "roster.txt"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ShardError, match=re.escape(message)):
            read_roster(path)
    assert Shard.parse("2/4").select([f"n{i}" for i in range(10)]) == ["n1", "n5", "n9"]
