"""The kernel's view of the learner's process, as the judge reads it from /proc."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from depipe_course.judging.proc import descriptors_on, learner_process


def test_descriptors_on_counts_what_is_open_on_the_file_and_nothing_else(tmp_path: Path) -> None:
    """Two handles on the file count 2, a handle on another file counts nothing, closing brings it to 0."""
    target, other = tmp_path / "orders.ndjson", tmp_path / "other.ndjson"
    target.write_text("{}\n")
    other.write_text("{}\n")
    with open(target) as first, open(other), open(str(target)) as second:
        assert descriptors_on(os.getpid(), target) == 2
        first.close()
        assert descriptors_on(os.getpid(), target) == 1
        second.close()
    assert descriptors_on(os.getpid(), target) == 0


def test_descriptors_on_follows_the_file_not_its_name(tmp_path: Path) -> None:
    """A descriptor opened through a symlink is on the same file (device and inode compared)."""
    target = tmp_path / "orders.ndjson"
    target.write_text("{}\n")
    (tmp_path / "link").symlink_to(target)
    with open(tmp_path / "link"):
        assert descriptors_on(os.getpid(), target) == 1


def test_learner_process_is_the_forked_process_without_a_pid_namespace() -> None:
    """With no namespace in between, the forked pid runs the learner's code."""
    assert learner_process(1234, behind_pid_namespace=False) == 1234


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_learner_process_behind_a_pid_namespace_is_the_grandchild() -> None:
    """Relay → process 1 → worker: the judge finds the worker two generations below what it forked."""
    relay = subprocess.Popen(["sh", "-c", "sh -c 'sleep 30; :'; :"])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                worker = learner_process(relay.pid, behind_pid_namespace=True)
                break
            except LookupError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        assert _parent(_parent(worker)) == relay.pid
    finally:
        relay.kill()
        relay.wait()


def test_learner_process_says_so_when_there_is_none() -> None:
    """A process with no grandchild is no place to read learner code from: LookupError, not a guess."""
    lonely = subprocess.Popen(["sleep", "30"])
    try:
        with pytest.raises(LookupError, match="no process runs the learner's code"):
            learner_process(lonely.pid, behind_pid_namespace=True)
    finally:
        lonely.kill()
        lonely.wait()
