"""Split a class into shards that grade on separate machines, and check shards before a merge.

A class is the sorted list of learner names (the roster's, or the class folder's
sub-folders). Shard ``K/N`` (K from 1 to N) takes every N-th learner of that list,
starting with the K-th: round-robin, so shards differ in size by at most one learner
and a learner's shard depends only on the class list, never on the machine, the
order folders were cloned in, or what the other shards hold. ``depipe grade-all
--shard K/N`` grades one shard; ``depipe merge-grades`` puts the shards back together
and refuses a set that overlaps or misses a shard.

A roster names the learners and where their work is:

* a text file, one learner per line: ``OWNER/REPO [NAME]`` (NAME defaults to REPO's
  name; ``#`` starts a comment);
* a CSV with a header naming the repository (``student_repository_url``,
  ``repository`` or ``repo``) and optionally the learner (``github_username``,
  ``name`` or ``learner``), e.g. the grades export of a GitHub Classroom assignment.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")
_REPO_COLUMNS = ("student_repository_url", "repository", "repo")
_NAME_COLUMNS = ("github_username", "name", "learner")
FORMAT = 1  # version of shard.json's layout


class ShardError(ValueError):
    """Shards that cannot be merged, a malformed ``K/N`` or roster; the message says which and why."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as written on the command line: ``2/4``)."""

    index: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHARD.fullmatch(text)
        if not match:
            raise ShardError(f"--shard takes K/N, e.g. 2/4 (shard 2 of 4); got {text!r}")
        index, count = int(match[1]), int(match[2])
        if count < 1 or not 1 <= index <= count:
            raise ShardError(f"--shard {text}: K must be between 1 and N (N >= 1); shards are numbered 1/{count} "
                             f"to {count}/{count}")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def select(self, names: Sequence[str]) -> list[str]:
        """This shard's learners: every ``count``-th name of the sorted list, from the ``index``-th."""
        return sorted(names)[self.index - 1::self.count]


WHOLE_CLASS = Shard(1, 1)


@dataclass(frozen=True)
class Learner:
    name: str  # the folder the learner's work is cloned into, and the gradebook's row
    repo: str  # OWNER/REPO


def _repo_of(text: str) -> str:
    text = text.strip().removesuffix(".git").rstrip("/")
    if "://" in text:
        text = "/".join(text.split("/")[-2:])
    return text


def _checked(learners: list[Learner], path: Path) -> list[Learner]:
    seen: dict[str, str] = {}
    for learner in learners:
        if not _REPO.fullmatch(learner.repo):
            raise ShardError(f"{path}: {learner.repo!r} is not OWNER/REPO")
        if not _NAME.fullmatch(learner.name):
            raise ShardError(f"{path}: learner name {learner.name!r} is not a usable folder name "
                             "(letters, digits, '.', '_', '-'; not starting with '.')")
        if learner.name in seen:
            raise ShardError(f"{path}: learner {learner.name!r} appears twice ({seen[learner.name]} and "
                             f"{learner.repo}): give one of them a NAME")
        seen[learner.name] = learner.repo
    if not learners:
        raise ShardError(f"{path} lists no learner")
    return sorted(learners, key=lambda learner: learner.name)


def _pick(row: Mapping[str, str | None], columns: Sequence[str]) -> str:
    return next((row[c] or "" for c in columns if row.get(c)), "")


def read_roster(path: Path) -> list[Learner]:
    """The learners a roster lists, sorted by name; ``ShardError`` says what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ShardError(f"cannot read the roster {path}: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        header = [h.strip() for h in reader.fieldnames or []]
        if not set(header) & set(_REPO_COLUMNS):
            raise ShardError(f"{path}: no repository column; expected one of {', '.join(_REPO_COLUMNS)}, "
                             f"found {', '.join(header) or 'no header'}")
        learners = []
        for row in reader:
            clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            repo = _repo_of(_pick(clean, _REPO_COLUMNS))
            if repo:
                learners.append(Learner(_pick(clean, _NAME_COLUMNS) or repo.split("/")[-1], repo))
        return _checked(learners, path)
    learners = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) > 2:
            raise ShardError(f"{path}: {line.strip()!r}: expected OWNER/REPO [NAME]")
        repo = _repo_of(fields[0])
        learners.append(Learner(fields[1] if len(fields) == 2 else repo.split("/")[-1], repo))
    return _checked(learners, path)


def check_mergeable(docs: Sequence[tuple[Path, Mapping[str, Any]]]) -> None:
    """Refuse shards that were cut differently, graded differently, overlap, or leave a shard out."""
    if not docs:
        raise ShardError("no shard folder given")
    first_path, first = docs[0]
    for path, doc in docs:
        if doc.get("format") != FORMAT:
            raise ShardError(f"{path}: shard file format {doc.get('format')!r}, this grader reads {FORMAT}")
        for key, what in (("count", "a different number of shards"), ("class", "a different class list"),
                          ("exercise_ids", "a different set of exercises"), ("grader", "a different grader "
                                                                                   "version or limits")):
            if doc[key] != first[key]:
                raise ShardError(f"{path} and {first_path} were graded with {what} ({key}: {doc[key]!r} vs "
                                 f"{first[key]!r}): re-grade them together")
    count = first["count"]
    by_index: dict[int, list[Path]] = {}
    for path, doc in docs:
        by_index.setdefault(doc["index"], []).append(path)
    twice = {i: paths for i, paths in by_index.items() if len(paths) > 1}
    if twice:
        said = "; ".join(f"{i}/{count} in {', '.join(map(str, paths))}" for i, paths in sorted(twice.items()))
        raise ShardError(f"overlapping shards: {said}. Give each shard once.")
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in by_index]
    if missing:
        raise ShardError(f"missing shard(s) {', '.join(missing)} of {count}: every shard must be graded "
                         "before the merge (a failed shard job leaves no shard folder)")
    owner: dict[str, Path] = {}
    for path, doc in docs:
        expected = Shard(doc["index"], count).select(doc["class"])
        if doc["learners"] != expected:
            raise ShardError(f"{path}: its learners are not shard {doc['index']}/{count} of its class list "
                             "(was shard.json edited?)")
        for name in doc["learners"]:
            if name in owner:
                raise ShardError(f"overlapping shards: {name} is graded in {owner[name]} and in {path}")
            owner[name] = path
