"""Prove a built release fit to hand out: no answer to read, quiz keys hashed, notebooks whole.

What counts as "an answer to read" is measured against ``solutions/``: a section's
*distinctive* lines are its lines of code that a stub does not already show (not blank,
not a comment, not an import, not the text inside a multi-line string such as a
docstring or a SQL statement, at least 16 characters). A file gives an answer away when it holds half
of a section's distinctive lines (at least three), or four of them in a row. Lone idioms
(``response.raise_for_status()``) that demos and library code share with an answer are
not a leak; a copied function is.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from pathlib import Path

from depipe_course.release.manifest import Manifest

_TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".txt", ".yml", ".yaml", ".toml", ".json", ".cfg", ".csv", ".ini", ""}
MIN_LENGTH = 16
RUN = 4


def problems(root: Path, manifest: Manifest, *, course: Path) -> list[str]:
    """Everything that makes the release in ``root`` unfit to hand out (empty when it is fine)."""
    texts = release_texts(root)
    return [*_forbidden(root, manifest), *leaks(course, texts, manifest), *quiz_problems(texts, manifest),
            *notebook_problems(root)]


def release_texts(root: Path) -> dict[str, str]:
    """Every text file of the release by relative path; a notebook as its cells' sources and text outputs."""
    texts = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in _TEXT_SUFFIXES:
            continue
        name = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        texts[name] = _notebook_text(text) if path.suffix == ".ipynb" else text
    return texts


def _notebook_text(raw: str) -> str:
    try:
        nb = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    parts = []
    for cell in nb.get("cells", []):
        parts.append(_joined(cell.get("source", "")))
        for output in cell.get("outputs", []):
            parts.append(_joined(output.get("text", "")))
            parts.extend(_joined(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def _joined(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def code_lines(text: str) -> list[str]:
    """Stripped lines that are neither blank nor comments."""
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


def text_lines(source: str) -> set[int]:
    """Numbers of the lines that hold only the text of a multi-line string (docstrings, SQL)."""
    found: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant | ast.JoinedStr) and node.end_lineno and node.end_lineno > node.lineno:
            starts_line = not source.splitlines()[node.lineno - 1][:node.col_offset].strip()
            found.update(range(node.lineno if starts_line else node.lineno + 1, node.end_lineno + 1))
    return found


def distinctive_lines(section: str, stub: str) -> list[str]:
    """The lines of code of a reference section that say something its stub does not."""
    shown = set(code_lines(stub))
    text = text_lines(section)
    code = "\n".join(line for number, line in enumerate(section.splitlines(), start=1) if number not in text)
    return [line for line in code_lines(code)
            if len(line) >= MIN_LENGTH and not line.startswith(("import ", "from ")) and line not in shown]


class Scanned:
    """A file's code lines, as a set and as runs of ``RUN``, to test many answers against it."""

    def __init__(self, text: str) -> None:
        lines = code_lines(text)
        self.lines = set(lines)
        self.runs = {tuple(lines[i:i + RUN]) for i in range(len(lines) - RUN + 1)}


def gives_away(answer: list[str], scanned: Scanned) -> bool:
    """Whether the file holds half of ``answer``'s lines (three at least), or ``RUN`` of them in a row."""
    if len(answer) < 3:
        return False
    if sum(line in scanned.lines for line in answer) * 2 >= len(answer):
        return True
    return any(tuple(answer[i:i + RUN]) in scanned.runs for i in range(len(answer) - RUN + 1))


def stubs(root: Path) -> dict[str, str]:
    """``{exercise id: stub source}`` from the notebooks in ``root``."""
    from depipe_course import notebooks

    found = {}
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for exercise_id, cells in notebooks.exercise_cells(notebooks.read(path)).items():
            found[exercise_id] = notebooks.source(cells[-1])
    return found


def leaks(course: Path, texts: dict[str, str], manifest: Manifest) -> list[str]:
    """Files of the release that give a reference answer away, judged against the course's stubs."""
    from depipe_course import exercises, reference

    shipped = stubs(course)
    scanned = {name: Scanned(text) for name, text in texts.items()}
    found = []
    for ex in exercises.all_exercises():
        answer = distinctive_lines(reference.source(ex), shipped.get(ex.id, ""))
        for name, lines in scanned.items():
            if ex.id in manifest.exposed and name.startswith("depipe_course/"):
                continue
            if gives_away(answer, lines):
                found.append(f"{name} gives away the reference answer of {ex.id}")
    return found


def quiz_problems(texts: dict[str, str], manifest: Manifest) -> list[str]:
    """Each quiz's key matches the reference, no answer sits next to its question, no quiz is unlisted."""
    from depipe_course import exercises, reference
    from depipe_course.checking import run_checks

    found = []
    for ex in exercises.all_exercises():
        objects = reference.objects(ex)
        quiz_like = all(isinstance(v, dict) and all(isinstance(a, str) for a in v.values()) for v in objects.values())
        if quiz_like and ex.id not in manifest.quizzes:
            found.append(f"{ex.id} looks like a quiz (its answer maps questions to strings) but is not in the "
                         "manifest's quizzes: keep its key as digests (exercises/_quiz.py) and list it")
    for quiz_id in manifest.quizzes:
        ex = exercises.get(quiz_id)
        result = run_checks(ex, reference.objects(ex))
        if result.status != "passed":
            found.append(f"the key of quiz {quiz_id} does not accept the reference answers: regenerate it with "
                         "exercises._quiz.key")
        for answers in reference.objects(ex).values():
            found.extend(f"{name} holds the answer to {quiz_id}'s {question[:40]!r}"
                         for question, answer in answers.items() for name in plain_answers(texts, question, answer))
    return found


def plain_answers(texts: dict[str, str], question: str, answer: str, window: int = 300) -> Iterable[str]:
    """Files in which ``answer``, quoted, follows ``question`` within ``window`` characters."""
    quoted = re.compile(rf"""["']{re.escape(answer)}["']""", re.IGNORECASE)
    for name, text in texts.items():
        start = text.find(question)
        while start != -1:
            if quoted.search(text, start + len(question), start + len(question) + window):
                yield name
                break
            start = text.find(question, start + 1)


def notebook_problems(root: Path) -> list[str]:
    """Every notebook valid; every exercise has one stub cell; no code cell imports the reference."""
    import nbformat

    from depipe_course import exercises, notebooks

    found = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        try:
            nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
        except Exception as exc:  # noqa: BLE001 - any reason a notebook will not open is a problem
            found.append(f"notebooks/{path.name} is not a valid notebook: {type(exc).__name__}: {exc}"[:300])
            continue
        for cell in notebooks.read(path)["cells"]:
            if cell.get("cell_type") == "code" and re.search(r"^\s*(from|import) solutions\b",
                                                             notebooks.source(cell), re.MULTILINE):
                found.append(f"notebooks/{path.name} still imports the reference")
    for part in exercises.PARTS:
        wanted = exercises.exercises_of(part.number)
        if not wanted:
            continue
        path = root / "notebooks" / part.notebook
        cells = notebooks.exercise_cells(notebooks.read(path)) if path.is_file() else {}
        for ex in wanted:
            mine = cells.get(ex.id, [])
            if len(mine) != 1 or mine[0].get("cell_type") != "code":
                found.append(f"{part.notebook} must have exactly one code cell for {ex.id}, has {len(mine)}")
            elif not re.search(r"NotImplementedError|YOUR ANSWER HERE", notebooks.source(mine[0])):
                found.append(f"{part.notebook}: the cell of {ex.id} is not a stub")
    return found


def _forbidden(root: Path, manifest: Manifest) -> list[str]:
    found = [f"{name} must not be in a release" for name in manifest.never if (root / name).exists()]
    found += [f"{p.relative_to(root)} must not be in a release" for p in root.rglob("*")
              if p.name in {"solutions", "wrong_versions"}]
    return found
