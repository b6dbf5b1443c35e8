"""depipe_course.grading.similarity: near-identical exercise cells are flagged, independent ones are not.

The threshold (``DEFAULT_THRESHOLD``) was chosen from the figures these tests measure
(docs/grading.md, "Similarity flags"): a renamed and reformatted copy of a reference
answer scores 0.9 or more; wrong versions of one exercise that differ in 30% of their
tokens or more stay well below it.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import inspect
import io
import itertools
import json
import logging
import os
import subprocess
import sys
import textwrap
import tokenize
from collections import defaultdict
from typing import Any

import pytest

from depipe_course import exercises
from depipe_course.grading import similarity
from depipe_course.grading.classroom import stub_cells
from depipe_course.paths import COURSE_ROOT
from depipe_course.solve import solved_sources
from tests.wrong_versions import load_all

pytest.importorskip("copydetect")

logger = logging.getLogger(__name__)

LEARNERS = 20


class _Renamer(ast.NodeTransformer):
    """Give every name the cell binds (functions, classes, arguments, variables) a new name."""

    def __init__(self, bound: set[str]) -> None:
        self.names = {name: f"renamed_{i}" for i, name in enumerate(sorted(bound))}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.names.get(node.arg, node.arg)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.name = self.names.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        node.name = self.names.get(node.name, node.name)
        self.generic_visit(node)
        return node


def renamed_copy(source: str) -> str:
    """``source`` with every bound name changed and the layout rewritten (comments gone, quotes changed)."""
    tree = ast.parse(source)
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    bound -= set(dir(builtins)) | {"self", "cls"}
    return ast.unparse(_Renamer(bound).visit(tree)) + "\n"


def references() -> dict[str, str]:
    return {ex_id: src for part in exercises.PARTS for ex_id, src in solved_sources(part.number).items()}


def test_renamed_copies_of_a_reference_answer_are_flagged() -> None:
    """Two learners, one with the reference answer and one with it renamed and reformatted: flagged,
    with the similarity figure, the line ranges and the matching passage of each."""
    refs, stubs = references(), stub_cells()
    flagged, eligible = [], 0
    for ex_id, source in sorted(refs.items()):
        stub = stubs.get(ex_id, "")
        if similarity.fingerprint(source).token_coverage - similarity.fingerprint(stub).token_coverage < 2 * \
                similarity.MIN_CHARS:
            continue  # an answer of a line or two: too short to call anything a copy
        eligible += 1
        copy = renamed_copy(source)
        assert copy != source
        pairs = similarity.similar_pairs(ex_id, {"ada": source, "bob": copy}, stub)
        assert len(pairs) == 1, f"{ex_id}: a renamed copy of the reference was not flagged"
        flagged.append(pairs[0])
    assert eligible >= 30, eligible
    for pair in flagged:
        assert pair.learners == ("ada", "bob") and pair.similarity >= similarity.DEFAULT_THRESHOLD
        assert pair.lines[0] and pair.lines[1] and pair.snippets[0] and pair.snippets[1]
        first, last = pair.lines[0][0]
        assert 1 <= first <= last <= len(refs[pair.exercise_id].splitlines())
    figures = sorted(p.similarity for p in flagged)
    logger.info("renamed copies: %d exercises, similarity min %s, median %s", len(flagged), figures[0],
                figures[len(figures) // 2])


def test_a_copy_of_the_stub_is_never_compared() -> None:
    """Learners who left the stub (renamed or reformatted) share its code with everyone: no flag."""
    stub = stub_cells()["03.2"]
    cells = {"ada": stub, "bob": stub.replace("    ", "  "), "cy": stub + "\n# not started\n"}
    assert similarity.similar_pairs("03.2", cells, stub, threshold=0.01) == []


def _code_of(obj: Any) -> str:
    """The source a learner would hand in: the definition without the test's ``@wrong`` decorator."""
    source = textwrap.dedent(inspect.getsource(obj))
    node = ast.parse(source).body[0]
    return "\n".join(source.splitlines()[node.lineno - 1:]) + "\n"


def _statements(source: str) -> int:
    return sum(isinstance(n, ast.stmt) for n in ast.walk(ast.parse(source))) - 1


def _tokens(source: str) -> list[str]:
    """Python's own tokens, names and literals as written; layout and comments left out."""
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENDMARKER}
    return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skip]


def _alike(a: str, b: str) -> float:
    """How alike two definitions are token by token (names and strings count, unlike in the detector)."""
    return difflib.SequenceMatcher(None, _tokens(a), _tokens(b), autojunk=False).ratio()


def independent_wrong_versions() -> dict[str, list[str]]:
    """Per exercise, wrong versions that are implementations of their own (three statements or more,
    not a one-line call into a shared helper) and differ from each other in at least 30% of their
    tokens (names and strings included): written separately, not one edit apart."""
    pool: dict[str, dict[str, None]] = defaultdict(dict)
    for wrong in load_all():
        for obj in wrong.objects.values():
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and "<" not in obj.__qualname__:
                try:
                    pool[wrong.exercise_id].setdefault(_code_of(obj))
                except (OSError, SyntaxError):
                    continue
    chosen: dict[str, list[str]] = {}
    for ex_id, sources in sorted(pool.items()):
        picked: list[str] = []
        for source in sorted(sources):
            if _statements(source) >= 3 and all(_alike(source, other) < 0.7 for other in picked):
                picked.append(source)
        if len(picked) > 1:
            chosen[ex_id] = picked
    return chosen


def test_independent_wrong_versions_are_not_flagged() -> None:
    """20 learners whose cells are independent wrong versions (inspect.getsource) of the course's
    exercises: no pair reaches the default threshold. The figures are logged (--log-cli-level=INFO)."""
    versions = independent_wrong_versions()
    sources: dict[str, dict[str, str]] = {f"learner{i:02d}": {} for i in range(LEARNERS)}
    seat = 0
    for ex_id, picked in versions.items():  # deal each exercise's versions to different learners
        for i, source in enumerate(picked[:LEARNERS]):
            sources[f"learner{(seat + i) % LEARNERS:02d}"][ex_id] = source
        seat += len(picked)
    assert all(sources.values()) and sum(len(v) for v in versions.values()) >= 100
    stubs = stub_cells()
    all_pairs = similarity.class_pairs(sources, stubs, sorted(versions), threshold=0.0001)
    compared = sum(len(list(itertools.combinations(range(min(len(v), LEARNERS)), 2))) for v in versions.values())
    flagged = [p for p in all_pairs if p.similarity >= similarity.DEFAULT_THRESHOLD]
    figures = sorted((p.similarity for p in all_pairs), reverse=True)
    logger.info("independent wrong versions: %d cells, %d pairs, %d share any code; highest %s",
                sum(len(v) for v in versions.values()), compared, len(all_pairs), figures[:5])
    assert not flagged, [(p.exercise_id, p.similarities, p.snippets) for p in flagged]


def test_figures_are_the_same_in_every_process() -> None:
    """Python's own hash() changes with PYTHONHASHSEED; the k-gram hash must not, or a merged class
    and a one-run class would disagree."""
    script = (
        "import json; from depipe_course.grading import similarity as s; "
        "a = 'def f(x):\\n    total = 0\\n    for v in x:\\n        total += v * 2\\n    return total\\n'; "
        "b = a.replace('total', 'acc').replace('v', 'item'); "
        "print(json.dumps({'pairs': [p.to_dict() for p in s.similar_pairs('01.1', {'a': a * 3, 'b': b * 3})], "
        "'hashes': s.kgram_hashes('x' * 30)[:3].tolist()}))"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=COURSE_ROOT,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1, outputs
    pairs = json.loads(outputs.pop())["pairs"]
    assert pairs and pairs[0]["similarity"] == 1.0
