"""Flag pairs of learners whose code for one exercise is near-identical.

The comparison is copydetect's (a published implementation of MOSS-style
fingerprinting): pygments tokenises the cell, every name becomes ``V``/``F``/``O``,
every string ``S``, whitespace and comments go, and two cells are compared by the
k-grams of what is left. Renaming variables or re-commenting copied code changes
nothing; reformatting it changes little (a renamed copy rewritten by ``ast.unparse``
still scores 0.9 or more). Two choices are ours:

* k-grams are hashed with a fixed polynomial hash instead of Python's ``hash()``,
  which changes with every process (``PYTHONHASHSEED``): the same class must give the
  same ``similarity.json`` whether it was graded in one run or merged from shards.
* only pairs whose shared fingerprints make a match possible are handed to
  copydetect's ``compare_files``; the shortlist comes from one matrix product per
  exercise, so 500 learners (125,000 pairs per exercise) stay cheap.

Only the exercise cells are compared; the stub's own k-grams are boilerplate (the
signature and docstring every learner starts from never count), and a cell that is
still the stub up to names, strings and whitespace takes no part. A flag is evidence
for a person to read, never a change of score.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: `depipe --help` stays quick
    import numpy as np

#: Shortest run of matching (filtered) characters that counts: copydetect's default
#: noise threshold. Every k-gram is kept (window 1): exercise cells are small.
K = 25
#: Flag a pair when each learner's cell is at least this share copied from the other's.
#: Chosen from measured figures: see docs/grading.md ("Similarity flags").
DEFAULT_THRESHOLD = 0.8
#: A cell with fewer filtered characters than this beyond the stub is not compared:
#: a two-line answer can only be written a few ways, so its matches mean nothing.
MIN_CHARS = 60
_BASE = 1_000_003
_SNIPPET_LINES = 20
_BLOCK = 8192  # fingerprints per block of the learners x fingerprints matrix


@dataclass(frozen=True)
class Fingerprint:
    """One cell, tokenised and fingerprinted: the attributes ``copydetect.compare_files`` reads."""

    raw_code: str
    filtered_code: str
    offsets: np.ndarray
    hashes: set[int]
    hash_idx: dict[int, list[int]]
    k: int
    token_coverage: float


@dataclass(frozen=True)
class Pair:
    """Two learners whose cells for one exercise are near-identical, with the evidence."""

    exercise_id: str
    learners: tuple[str, str]
    similarities: tuple[float, float]  # share of each learner's cell found in the other's
    lines: tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]  # matching line ranges, 1-based
    snippets: tuple[str, str]  # the longest matching passage of each cell

    @property
    def similarity(self) -> float:
        return min(self.similarities)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise_id,
            "learner_a": self.learners[0],
            "learner_b": self.learners[1],
            "similarity": self.similarity,
            "similarity_a": self.similarities[0],
            "similarity_b": self.similarities[1],
            "lines_a": [list(r) for r in self.lines[0]],
            "lines_b": [list(r) for r in self.lines[1]],
            "snippet_a": self.snippets[0],
            "snippet_b": self.snippets[1],
        }


def kgram_hashes(text: str, k: int = K) -> np.ndarray:
    """Hash every k-character window of ``text`` the same way in every process."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):  # arrays wrap modulo 2**64 silently: that is the hash
        h = h * np.uint64(_BASE) + codes[j:j + n]
    return h.view(np.int64)


def filtered(code: str) -> tuple[str, np.ndarray]:
    """copydetect's tokenised form of ``code`` (names -> V/F/O, strings -> S, no whitespace or comments)."""
    from copydetect.utils import filter_code

    return filter_code(code, "cell.py", "python")  # type: ignore[no-any-return]


def fingerprint(code: str, boilerplate: np.ndarray | None = None) -> Fingerprint:
    """Fingerprint ``code``, leaving out every k-gram that is also in ``boilerplate``."""
    import numpy as np
    from copydetect.utils import get_token_coverage

    text, offsets = filtered(code)
    hashes = kgram_hashes(text)
    idx = np.arange(len(hashes))
    if boilerplate is not None and len(boilerplate):
        keep = ~np.isin(hashes, boilerplate)
        hashes, idx = hashes[keep], idx[keep]
    hash_idx: dict[int, list[int]] = {}
    for value, i in zip(hashes.tolist(), idx.tolist(), strict=True):
        hash_idx.setdefault(value, []).append(i)
    coverage = float(get_token_coverage(hash_idx, K, len(text)))
    return Fingerprint(code, text, offsets, set(hash_idx), hash_idx, K, coverage)


def _line_ranges(code: str, slices: np.ndarray) -> tuple[tuple[int, int], ...]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return ()
    ranges: list[tuple[int, int]] = []
    for start, end in zip(slices[0].tolist(), slices[1].tolist(), strict=True):
        first = code.count("\n", 0, start) + 1
        last = code.count("\n", 0, max(start, end - 1)) + 1
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(last, ranges[-1][1]))
        else:
            ranges.append((first, last))
    return tuple(ranges)


def _snippet(code: str, ranges: tuple[tuple[int, int], ...]) -> str:
    if not ranges:
        return ""
    first, last = max(ranges, key=lambda r: (r[1] - r[0], -r[0]))
    lines = code.splitlines()[first - 1:last]
    if len(lines) > _SNIPPET_LINES:
        lines = [*lines[:_SNIPPET_LINES], f"... ({len(lines) - _SNIPPET_LINES} more lines)"]
    return "\n".join(lines)


def compare(exercise_id: str, a: tuple[str, Fingerprint], b: tuple[str, Fingerprint]) -> Pair:
    """copydetect's comparison of two fingerprinted cells, as a ``Pair`` with line ranges."""
    from copydetect import compare_files

    _, sims, slices = compare_files(a[1], b[1])
    lines = (_line_ranges(a[1].raw_code, slices[0]), _line_ranges(b[1].raw_code, slices[1]))
    return Pair(exercise_id, (a[0], b[0]), (round(float(sims[0]), 3), round(float(sims[1]), 3)), lines,
                (_snippet(a[1].raw_code, lines[0]), _snippet(b[1].raw_code, lines[1])))


def _shortlist(prints: list[Fingerprint], threshold: float) -> list[tuple[int, int]]:
    """Pairs whose share of common fingerprints is high enough that copydetect could reach ``threshold``.

    copydetect's figure follows the share of a cell's fingerprints found in the other
    cell closely (measured on 7,000 pairs: never below 0.77 times it), so candidates
    at half the threshold leave a wide margin; the rest of the n*(n-1)/2 pairs cost
    one matrix product, not a comparison each.
    """
    import numpy as np

    if len(prints) < 2:
        return []
    sets = [np.fromiter(p.hashes, dtype=np.int64, count=len(p.hashes)) for p in prints]
    sizes = np.array([max(1, len(s)) for s in sets], dtype=np.float64)
    owner = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    _, column, counts = np.unique(np.concatenate(sets), return_inverse=True, return_counts=True)
    shared = counts[column] > 1  # a fingerprint only one learner has cannot make a pair
    owner, column = owner[shared], np.unique(column[shared], return_inverse=True)[1]
    common = np.zeros((len(sets), len(sets)), dtype=np.float64)
    for start in range(0, int(column.max(initial=-1)) + 1, _BLOCK):  # bounded memory however large the class
        here = (column >= start) & (column < start + _BLOCK)
        block = np.zeros((len(sets), _BLOCK), dtype=np.float32)
        block[owner[here], column[here] - start] = 1.0
        common += block @ block.T
    share = np.minimum(common / sizes[:, None], common / sizes[None, :])
    rows, cols = np.nonzero(np.triu(share >= threshold / 2, k=1))
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def similar_pairs(exercise_id: str, cells: Mapping[str, str], stub: str = "", *,
                  threshold: float = DEFAULT_THRESHOLD) -> list[Pair]:
    """Pairs of learners (``cells``: learner -> source) whose code for ``exercise_id`` matches
    at ``threshold`` or above, in both directions."""
    import numpy as np

    stub_text = filtered(stub)[0] if stub else None
    boilerplate = np.unique(kgram_hashes(stub_text)) if stub_text else None
    names: list[str] = []
    prints: list[Fingerprint] = []
    for learner in sorted(cells):
        code = cells[learner]
        if not code.strip():
            continue
        fp = fingerprint(code, boilerplate)
        if fp.filtered_code == stub_text or fp.token_coverage < MIN_CHARS:
            continue
        names.append(learner)
        prints.append(fp)
    found = []
    for i, j in _shortlist(prints, threshold):
        pair = compare(exercise_id, (names[i], prints[i]), (names[j], prints[j]))
        if pair.similarity >= threshold:
            found.append(pair)
    return found


def class_pairs(sources: Mapping[str, Mapping[str, str]], stubs: Mapping[str, str], exercise_ids: list[str], *,
                threshold: float = DEFAULT_THRESHOLD) -> list[Pair]:
    """Every flagged pair of a class (``sources``: learner -> exercise id -> cell source), by exercise."""
    found: list[Pair] = []
    for ex_id in exercise_ids:
        cells = {learner: by_ex[ex_id] for learner, by_ex in sources.items() if ex_id in by_ex}
        found.extend(similar_pairs(ex_id, cells, stubs.get(ex_id, ""), threshold=threshold))
    return found


def write(pairs: list[Pair], folder: Path, threshold: float) -> tuple[Path, Path]:
    """``similarity.json`` (everything, with snippets) and ``similarity.csv`` (one line per pair)."""
    doc = {
        "threshold": threshold,
        "method": f"copydetect fingerprints of the exercise cells (k={K}, every k-gram), names, strings, "
                  "whitespace and comments ignored, the stub's k-grams left out; similarity = the smaller "
                  "of the two shares of each cell found in the other",
        "min_chars": MIN_CHARS,
        "pairs": [p.to_dict() for p in pairs],
    }
    json_path, csv_path = folder / "similarity.json", folder / "similarity.csv"
    json_path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["exercise", "learner_a", "learner_b", "similarity", "similarity_a", "similarity_b",
                      "lines_a", "lines_b"])
        for p in pairs:
            out.writerow([p.exercise_id, *p.learners, f"{p.similarity:g}", f"{p.similarities[0]:g}",
                          f"{p.similarities[1]:g}", _ranges_text(p.lines[0]), _ranges_text(p.lines[1])])
    return json_path, csv_path


def _ranges_text(ranges: tuple[tuple[int, int], ...]) -> str:
    return " ".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)
