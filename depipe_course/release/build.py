"""Carry out the manifest: copy, write, transform, precompute, then verify the result.

Each transformation is a small function named in ``TRANSFORMS``; the manifest says
which run and why. A transformation that finds the course not as it expects (a
multi-line ``from solutions`` import, an ``@instructor_only`` function without a
docstring) raises ``ReleaseError`` rather than guessing.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depipe_course import __version__
from depipe_course.paths import COURSE_ROOT
from depipe_course.release.manifest import MANIFEST, Manifest

TEMPLATES = Path(__file__).with_name("templates")


class ReleaseError(RuntimeError):
    """The release cannot be built as declared, or it would leak an answer."""


@dataclass
class Release:
    """A built learner edition: where it is and, one line each, what was done."""

    root: Path
    done: list[str] = field(default_factory=list)


def build(out: Path, *, course: Path = COURSE_ROOT, manifest: Manifest = MANIFEST) -> Release:
    """Build the learner edition of ``course`` into ``out`` (absent or empty) and verify it."""
    from depipe_course.release import verify

    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty: give a new folder (a release is never built over files)")
    if out.resolve().is_relative_to(course.resolve()) and not out.resolve().is_relative_to(course.resolve() / "build"):
        raise ReleaseError(f"{out} is inside the course: build the release outside it (or under build/)")
    release = Release(out)
    out.mkdir(parents=True, exist_ok=True)
    for item in manifest.copy:
        count = _copy(course / item.path, out / item.path, item.leave_out)
        release.done.append(f"copied   {item.path} ({count} files): {item.why}")
    for item in manifest.write:
        target = out / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATES / item.template, target)
        release.done.append(f"wrote    {item.path}: {item.why}")
    for item in manifest.transform:
        for line in TRANSFORMS[item.name](out, course, manifest):
            release.done.append(f"{item.name}: {line}")
    problems = verify.problems(out, manifest, course=course)
    if problems:
        listed = "\n  ".join(problems)
        raise ReleaseError(f"the release in {out} is not fit to hand out (left there to inspect):\n  {listed}")
    release.done.append("verified: no reference answer, no quiz key in plain text, every notebook and exercise "
                        "cell in place")
    return release


def _copy(source: Path, target: Path, leave_out: tuple[str, ...]) -> int:
    if not source.exists():
        raise ReleaseError(f"the manifest copies {source}, which the course does not have")
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return 1
    count = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in leave_out):
            continue
        if path.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
            count += 1
    return count


# ---------------------------------------------------------------- transformations


def learner_pyproject(out: Path, course: Path, manifest: Manifest) -> list[str]:
    """The course's pyproject.toml, packaging ``depipe_course`` only, with its edition marker."""
    text = (course / "pyproject.toml").read_text(encoding="utf-8")
    text, found = re.subn(r"^include = \[[^\]]*\]$", 'include = ["depipe_course*"]', text, flags=re.MULTILINE)
    text, marked = re.subn(r'^(depipe_course = \[[^\]]*)\]', r'\1, "_edition.json"]', text, flags=re.MULTILINE)
    if found != 1 or marked != 1:
        raise ReleaseError("pyproject.toml no longer has one `include = [...]` under packages.find and one "
                           "`depipe_course = [...]` under package-data: update learner_pyproject")
    setuptools = tomllib.loads(text)["tool"]["setuptools"]
    assert setuptools["packages"]["find"]["include"] == ["depipe_course*"]
    (out / "pyproject.toml").write_text(text, encoding="utf-8")
    return ["pyproject.toml packages depipe_course only (no solutions), and ships depipe_course/_edition.json"]


def strip_instructor_only(out: Path, course: Path, manifest: Manifest) -> list[str]:
    """Keep only the signature and docstring of every ``@instructor_only`` function (part packages included)."""
    done = []
    for path in sorted((out / "depipe_course" / "exercises").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        stripped, names = strip_source(text, str(path.relative_to(out)))
        if names:
            path.write_text(stripped, encoding="utf-8")
            done.append(f"{path.relative_to(out)}: {', '.join(names)}")
    return done or ["no @instructor_only function found"]


def _is_marker(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "instructor_only") or (
        isinstance(target, ast.Attribute) and target.attr == "instructor_only")


def strip_source(text: str, filename: str) -> tuple[str, list[str]]:
    """``text`` with the bodies of its ``@instructor_only`` functions replaced by ``raise NotRun``."""
    tree = ast.parse(text, filename)
    marked = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
              and any(_is_marker(d) for d in node.decorator_list)]
    lines = text.splitlines(keepends=True)
    for node in sorted(marked, key=lambda n: n.lineno, reverse=True):
        first = node.body[0]
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            raise ReleaseError(f"{filename}: @instructor_only {node.name} needs a docstring (it is all that stays)")
        indent = " " * first.col_offset
        body = (f"{indent}from depipe_course.checking import NotRun\n\n"
                f'{indent}raise NotRun("{node.name} holds an answer: it stays with the instructor")\n')
        assert first.end_lineno is not None and node.end_lineno is not None
        lines[first.end_lineno:node.end_lineno] = [body]
    result = "".join(lines)
    compile(result, filename, "exec")
    return result, sorted(node.name for node in marked)


_FROM_SOLUTIONS = re.compile(r"^(?P<indent>\s*)from solutions(\.part\d\d)? import (?P<names>.+)$")
_OWN_COMMENT = ("# This edition of the course has no reference answers: the names below are your own,\n"
                "# from the exercise cells of your saved notebooks (save them first).\n")


def own_instead_of_reference(out: Path, course: Path, manifest: Manifest) -> list[str]:
    """Turn each ``from solutions.partNN import a, b as c`` of a notebook into the learner's own."""
    from depipe_course import notebooks

    done = []
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        nb = notebooks.read(path)
        changed = 0
        for number, cell in enumerate(nb["cells"], start=1):
            if cell.get("cell_type") != "code":
                continue
            source = notebooks.source(cell)
            new = rewrite_imports(source, f"{path.name} cell {number}") if "solutions" in source else source
            if new != source and notebooks.exercise_id(cell):
                raise ReleaseError(f"{path.name} cell {number}: an exercise cell imports the reference")
            if new != source:
                cell["source"] = new.splitlines(keepends=True)
                changed += 1
        if changed:
            notebooks.write(nb, path)
            done.append(f"notebooks/{path.name}: {changed} cell(s)")
    return done or ["no notebook imports the reference"]


def rewrite_imports(source: str, where: str) -> str:
    """``source`` with its reference imports replaced by ``own(...)`` calls (see ``edition.own``)."""
    out: list[str] = []
    said = False
    for line in source.splitlines(keepends=True):
        match = _FROM_SOLUTIONS.match(line.rstrip("\n"))
        if not match:
            if re.search(r"\b(import solutions|from solutions)\b", line):
                raise ReleaseError(f"{where}: cannot rewrite this reference import: {line.strip()}")
            out.append(line)
            continue
        names = match.group("names").strip()
        if names.startswith("(") or names.endswith("\\"):
            raise ReleaseError(f"{where}: write the reference import on one line so the release can rewrite it")
        (statement,) = ast.parse(f"from x import {names}").body
        assert isinstance(statement, ast.ImportFrom)
        indent = match.group("indent")
        if not said:
            out.extend(f"{indent}{text}\n" for text in _OWN_COMMENT.splitlines())
            out.append(f"{indent}from depipe_course.edition import own\n")
            said = True
        bound = ", ".join(alias.asname or alias.name for alias in statement.names)
        wanted = ", ".join(json.dumps(alias.name) for alias in statement.names)
        out.append(f"{indent}{bound} = own({wanted})\n")
    return "".join(out)


def edition_marker(out: Path, course: Path, manifest: Manifest) -> list[str]:
    """Write ``depipe_course/_edition.json``: the marker, and the precomputed expectations."""
    expected = precompute(manifest, course)
    marker = {"edition": "learner", "course_version": __version__, "built_from": _commit(course),
              "expected": expected}
    path = out / "depipe_course" / "_edition.json"
    path.write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return [f"depipe_course/_edition.json: {len(expected)} expectation(s) for {', '.join(manifest.precompute)}"]


def precompute(manifest: Manifest, course: Path) -> dict[str, Any]:
    """Run each listed exercise's checks on the reference, recording the values they compare against."""
    from depipe_course import edition, exercises, reference
    from depipe_course.checking import bind_references, run_checks

    checks = course / "depipe_course" / "exercises"
    owners = {p: p.relative_to(checks).parts[0].removesuffix(".py") for p in checks.rglob("*.py")}  # partNN(.py)
    callers = {owner for p, owner in owners.items()
               if owner.startswith("part") and "edition.expected(" in p.read_text(encoding="utf-8")}
    listed = {f"part{exercise_id[:2]}" for exercise_id in manifest.precompute}
    if callers - listed:
        raise ReleaseError(f"{', '.join(sorted(callers - listed))} call edition.expected, but no exercise of "
                           "theirs is in the manifest's precompute list")
    with edition.recording() as store:
        for exercise_id in manifest.precompute:
            ex = exercises.get(exercise_id)
            result = run_checks(ex, bind_references(reference.objects(ex), reference.objects_used_by(ex)))
            if result.status != "passed":
                raise ReleaseError(f"the reference of {exercise_id} does not pass its own checks:\n{result}")
    return dict(sorted(store.items()))


def _commit(course: Path) -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=course, capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


TRANSFORMS: dict[str, Callable[[Path, Path, Manifest], list[str]]] = {
    "learner pyproject": learner_pyproject,
    "strip instructor-only bodies": strip_instructor_only,
    "own instead of reference": own_instead_of_reference,
    "edition marker": edition_marker,
}
