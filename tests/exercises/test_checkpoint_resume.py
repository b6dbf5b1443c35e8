"""Checkpoint resume (the 03.5 reference): a consumer killed anywhere and restarted
ends up with every payment, and reads at most one page twice.

In-process, a crash is an exception raised by the consumer after ``k`` records, for
every ``k`` from 0 to the last record (four pages: 20, 20, 20 and 10); the generator
is then either closed (what Python does when the exception ends the program) or left
suspended (what SIGKILL does: no ``finally`` runs). A few points are also killed for
real: a child process sends itself SIGKILL after ``k`` records, or in the middle of
writing a checkpoint.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from depipe_course.fakes.api import FakePaymentsAPI
from depipe_course.paths import COURSE_ROOT
from solutions.part03 import fetch_with_checkpoint, temporary_twin

SEED = 41
PAGE = 20  # the reference's count=, kept small so that every k can be tried
PAYMENTS = 70  # pages of 20, 20, 20 and 10


class ConsumerDied(Exception):
    """The consumer's own failure, raised between two records."""


@pytest.fixture
def api() -> Iterator[FakePaymentsAPI]:
    with FakePaymentsAPI(seed=SEED, orders=5, payments=PAYMENTS, accounts=5, auth="none") as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fast_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """fsync only makes the in-process runs slow; the subprocess tests keep the real one."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def all_ids(api: FakePaymentsAPI) -> list[str]:
    return [p["payment_id"] for p in api.state.payment_records()]


def run_to_end(api: FakePaymentsAPI, path: Path) -> list[str]:
    with requests.Session() as session:
        return [p["payment_id"] for p in fetch_with_checkpoint(session, api.base_url, path, api.start_date, count=PAGE)]


def crash_after(api: FakePaymentsAPI, path: Path, k: int, *, asks_for_next: bool,
                keep_suspended: list[Any] | None = None) -> list[str]:
    """Process ``k`` records, then die: at once, or while holding record ``k + 1``.

    The generator is then closed (what Python does when the exception ends the
    program) unless ``keep_suspended`` holds on to it (SIGKILL: nothing runs again).
    """
    seen: list[str] = []
    if k == 0 and not asks_for_next:
        return seen  # died before asking for anything
    with requests.Session() as session:
        stream = fetch_with_checkpoint(session, api.base_url, path, api.start_date, count=PAGE)
        try:
            for payment in stream:
                if len(seen) == k and asks_for_next:
                    raise ConsumerDied(k)
                seen.append(payment["payment_id"])
                if len(seen) == k and not asks_for_next:
                    raise ConsumerDied(k)
        except ConsumerDied:
            pass
        if keep_suspended is not None:
            keep_suspended.append(stream)
        else:
            stream.close()
    return seen


def assert_resumed_well(before: list[str], after: list[str], expected: list[str], label: str) -> None:
    union = Counter(before) + Counter(after)
    missing = set(expected) - set(union)
    reread = len(set(before) & set(after))
    assert not missing, f"{label}: {len(missing)} payments lost"
    assert set(union) == set(expected), f"{label}: payments from outside the window"
    assert len(after) == len(set(after)), f"{label}: the resumed run repeats itself"
    assert reread <= PAGE, f"{label}: {reread} payments read twice (more than one page)"


def test_fixture_spans_several_pages(api: FakePaymentsAPI, tmp_path: Path) -> None:
    """The data set takes four requests (20, 20, 20 and 10 payments), so crashes fall on every kind of point."""
    assert run_to_end(api, tmp_path / "checkpoint.json") == all_ids(api)
    assert len(all_ids(api)) == PAYMENTS
    assert [c.params.get("cursor") is None for c in api.calls_to("/payments")] == [True, False, False, False]


@pytest.mark.parametrize(
    ("asks_for_next", "closed"),
    [(False, True), (True, True), (False, False), (True, False)],
    ids=["dies-after-k/closed", "dies-holding-k+1/closed", "dies-after-k/suspended", "dies-holding-k+1/suspended"],
)
def test_crash_after_every_record_then_restart(
    api: FakePaymentsAPI, tmp_path: Path, asks_for_next: bool, closed: bool
) -> None:
    """For every k, a consumer that dies after k records and restarts loses nothing and re-reads at most a page."""
    expected = all_ids(api)
    suspended: list[Any] = []
    last = PAYMENTS - 1 if asks_for_next else PAYMENTS  # asking after the last record ends the stream normally
    for k in range(last + 1):
        path = tmp_path / f"k{k}" / "checkpoint.json"
        path.parent.mkdir()
        before = crash_after(api, path, k, asks_for_next=asks_for_next, keep_suspended=None if closed else suspended)
        assert before == expected[:k]
        after = run_to_end(api, path)
        assert_resumed_well(before, after, expected, f"crash after {k}")
        assert not path.exists() and not temporary_twin(path).exists()


@pytest.mark.parametrize(
    ("k", "asks_for_next", "resumes_at"),
    [(PAGE, False, 0), (PAGE, True, PAGE), (PAGE + 1, False, PAGE),
     (2 * PAGE, False, PAGE), (2 * PAGE, True, 2 * PAGE), (2 * PAGE + 1, False, 2 * PAGE)],
)
def test_crash_at_a_page_boundary_rereads_only_the_page_in_progress(
    api: FakePaymentsAPI, tmp_path: Path, k: int, asks_for_next: bool, resumes_at: int
) -> None:
    """The checkpoint moves to the next page only once the consumer asks for a record past the current page."""
    path = tmp_path / "checkpoint.json"
    crash_after(api, path, k, asks_for_next=asks_for_next)
    assert run_to_end(api, path) == all_ids(api)[resumes_at:]


def test_checkpoint_file_is_complete_json_between_records(api: FakePaymentsAPI, tmp_path: Path) -> None:
    """Whenever the consumer holds a record, the checkpoint is absent or complete JSON naming the next page."""
    path = tmp_path / "checkpoint.json"
    with requests.Session() as session:
        for n, _ in enumerate(fetch_with_checkpoint(session, api.base_url, path, api.start_date, count=PAGE), 1):
            if n <= PAGE:
                assert not path.exists()
            else:
                state = json.loads(path.read_text())
                assert state["from"] == api.start_date and state["cursor"]
    assert not path.exists()


def test_crash_inside_the_rename_keeps_the_previous_checkpoint(
    api: FakePaymentsAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the process fails while replacing the checkpoint, the previous one is intact and resuming works."""
    path = tmp_path / "checkpoint.json"
    real_replace = os.replace
    renames = 0

    def failing_replace(src: Any, dst: Any) -> None:
        nonlocal renames
        renames += 1
        if renames == 2:
            raise OSError("power cut")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    seen: list[str] = []
    with requests.Session() as session, pytest.raises(OSError, match="power cut"):
        for payment in fetch_with_checkpoint(session, api.base_url, path, api.start_date, count=PAGE):
            seen.append(payment["payment_id"])
    monkeypatch.setattr(os, "replace", real_replace)
    assert len(seen) == 2 * PAGE
    assert json.loads(path.read_text())["cursor"]
    assert_resumed_well(seen, run_to_end(api, path), all_ids(api), "failed rename")


def test_unreadable_checkpoint_from_another_window_is_refused(api: FakePaymentsAPI, tmp_path: Path) -> None:
    """A checkpoint saved for another start date raises instead of silently skipping or repeating data."""
    path = tmp_path / "checkpoint.json"
    crash_after(api, path, PAGE + 1, asks_for_next=False)
    with requests.Session() as session, pytest.raises(ValueError, match="belongs to a run from"):
        next(fetch_with_checkpoint(session, api.base_url, path, "2026-03-15", count=PAGE))


# ---------------------------------------------------------------- real SIGKILL in a child process

CHILD = textwrap.dedent(
    """
    import json, os, signal, sys
    from pathlib import Path

    import requests

    from depipe_course.fakes.api import FakePaymentsAPI
    from solutions.part03 import fetch_with_checkpoint

    checkpoint, out, kill_after, kill_in = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    saves = 0


    def die():
        os.kill(os.getpid(), signal.SIGKILL)


    if kill_in == "rename":  # the temporary file is complete, the rename never happens
        real_replace = os.replace

        def replace(src, dst):
            global saves
            saves += 1
            if saves == 2:
                die()
            real_replace(src, dst)

        os.replace = replace
    elif kill_in == "temp-write":  # half of the new checkpoint is on disk when the process dies
        real_dump = json.dump

        def dump(obj, fp, **kwargs):
            global saves
            saves += 1
            if saves == 2:
                text = json.dumps(obj)
                fp.write(text[: len(text) // 2])
                fp.flush()
                die()
            real_dump(obj, fp, **kwargs)

        json.dump = dump

    with FakePaymentsAPI(seed={seed}, orders=5, payments={payments}, accounts=5, auth="none") as api, \\
            open(out, "w", buffering=1) as sink, requests.Session() as session:
        for n, payment in enumerate(fetch_with_checkpoint(session, api.base_url, checkpoint, api.start_date,
                                                              count={page}), 1):
            sink.write(payment["payment_id"] + "\\n")
            sink.flush()
            if n == kill_after:
                die()
    """
).format(seed=SEED, payments=PAYMENTS, page=PAGE)


def killed_child(tmp_path: Path, kill_after: int, kill_in: str = "consumer") -> tuple[Path, list[str]]:
    path, out = tmp_path / "checkpoint.json", tmp_path / "processed.txt"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(out), str(kill_after), kill_in],
        cwd=COURSE_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return path, out.read_text().split()


@pytest.mark.parametrize("kill_after", [1, PAGE, PAGE + 1, 2 * PAGE + PAGE // 2])
def test_sigkill_after_k_records_then_restart(api: FakePaymentsAPI, tmp_path: Path, kill_after: int) -> None:
    """A consumer process killed with SIGKILL after k records restarts from its checkpoint with nothing lost."""
    path, before = killed_child(tmp_path, kill_after)
    assert len(before) == kill_after
    assert_resumed_well(before, run_to_end(api, path), all_ids(api), f"SIGKILL after {kill_after}")


@pytest.mark.parametrize("kill_in", ["temp-write", "rename"])
def test_sigkill_while_writing_the_checkpoint(api: FakePaymentsAPI, tmp_path: Path, kill_in: str) -> None:
    """SIGKILL in the middle of saving the second checkpoint leaves the first one whole, and resuming works."""
    path, before = killed_child(tmp_path, kill_after=10 * PAYMENTS, kill_in=kill_in)
    assert len(before) == 2 * PAGE  # killed when asking for the record after page 2
    assert json.loads(path.read_text())["cursor"]  # the first checkpoint, complete
    after = run_to_end(api, path)
    assert after == all_ids(api)[PAGE:]  # page 2 again, then page 3
    assert_resumed_well(before, after, all_ids(api), f"SIGKILL during {kill_in}")
    assert not path.exists() and not temporary_twin(path).exists()
