"""03.5: ``fetch_with_checkpoint`` streams cursor pages and keeps the next page's cursor in a checkpoint file.

A consumer that crashes and restarts loses no payment and re-reads at most one page; the
file is written atomically (a temporary file beside it, then os.replace) and removed
once the stream is done.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from depipe_course.checking import expect, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part03._shared import (
    _budget_blown,
    _collect,
    _day_ts,
    _expect_each_once,
    _expect_timeouts,
    _explain_refusal,
    _fake,
    _fresh_budget,
    _ids,
    _n,
    _runaway,
    _session,
)
from depipe_course.exercises.worker_side.part03 import read_state
from depipe_course.judging.judge import learner_module

if TYPE_CHECKING:
    from depipe_course.fakes.api import FakePaymentsAPI

checkpoint = exercise("03.5", "Resume from a checkpoint", ["fetch_with_checkpoint"])

_CP_PAYMENTS = 350
# Names of the C-level calls that can change a file on disk; the checkpoint file is
# inspected around each of them to see every state a crash could leave behind.
_FILE_OPS = frozenset({
    "open", "write", "writelines", "flush", "close", "__exit__", "replace", "rename", "renames",
    "unlink", "remove", "truncate", "ftruncate", "fsync", "fdatasync", "dump", "link", "symlink",
})


def _cp_fake() -> FakePaymentsAPI:
    return _fake(seed=31, orders=5, payments=_CP_PAYMENTS, accounts=5, budget=400)


@contextlib.contextmanager
def _no_fsync() -> Iterator[None]:
    """fsync makes a write durable; it changes nothing a check can observe and costs ~10 ms."""
    with mock.patch.object(os, "fsync", lambda fd: None), mock.patch.object(os, "fdatasync", lambda fd: None):
        yield


@dataclass
class _Run:
    """One uninterrupted run: records, page starts, the file at each yield and around each write."""

    ids: list[Any]
    page_starts: list[int]  # index of the first record of each page
    at_yield: list[bytes | None]  # checkpoint content when record i was handed over
    around_writes: list[tuple[bytes | None, int]]  # (content, records consumed) at file operations
    renames: list[tuple[Path, Path]]  # (source, target) of every os.replace / os.rename

    @property
    def page_size(self) -> int:
        bounds = [*self.page_starts, len(self.ids)]
        return max((b - a for a, b in itertools.pairwise(bounds)), default=0)


def _full_run(fetch_with_checkpoint: Callable[..., Any], api: FakePaymentsAPI, path: Path,
              probe: bool = False) -> _Run:
    """One run; with ``probe``, the checkpoint is also read around each file operation of the learner's
    code (in the learner's process: ``_worker_side.FileWatch``)."""
    import requests

    run = _Run([], [], [], [], [])
    path.parent.mkdir(parents=True, exist_ok=True)
    _fresh_budget(api)
    before = len(api.calls)
    watch = _worker_side().FileWatch(path, sorted(_FILE_OPS)) if probe else None
    with _session() as session, _no_fsync(), _recording_renames(run.renames):
        gen = iter(fetch_with_checkpoint(session, api.base_url, path, api.start_date))
        try:
            records = gen if watch is None else watch.records(gen)
            for record in itertools.islice(records, _CP_PAYMENTS + 300):
                if len(api.calls) - before > len(run.page_starts):
                    run.page_starts.append(len(run.ids))
                run.ids.append(record)
                run.at_yield.append(read_state(path))
        except requests.ConnectionError as exc:
            if _budget_blown(api):
                _runaway(api)
            _explain_refusal(api, before, exc)
            raise
        except NotImplementedError:
            raise
        except Exception as exc:  # learner code may raise anything: look for the cause first
            _explain_refusal(api, before, exc)
            raise
    if watch is not None:
        run.around_writes = [(content, handed_over) for content, handed_over in watch.seen]
    run.ids = _ids(run.ids, "payment_id", "payment")
    return run


def _worker_side() -> Any:
    """``_worker_side`` as the learner's process has it (its docstring says why)."""
    return learner_module("depipe_course.exercises.worker_side.part03")


@contextlib.contextmanager
def _recording_renames(renames: list[tuple[Path, Path]]) -> Iterator[None]:
    """Note where each renamed file came from (``Path.replace`` and ``shutil.move`` end here too)."""
    def recording(real: Callable[..., Any]) -> Callable[..., Any]:
        def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
            renames.append((Path(os.fsdecode(src)), Path(os.fsdecode(dst))))
            return real(src, dst, *args, **kwargs)

        return rename

    with mock.patch.object(os, "replace", recording(os.replace)), \
            mock.patch.object(os, "rename", recording(os.rename)):
        yield


def _resume_ids(fetch_with_checkpoint: Callable[..., Any], api: FakePaymentsAPI, path: Path) -> list[Any]:
    with _session() as session, _no_fsync():
        got = _collect(lambda: fetch_with_checkpoint(session, api.base_url, path, api.start_date), api,
                       _CP_PAYMENTS + 300)
    return _ids(got, "payment_id", "payment")


def _crash_after(fetch_with_checkpoint: Callable[..., Any], api: FakePaymentsAPI, path: Path,
                 k: int) -> list[Any]:
    """A consumer processes ``k`` records and dies while handling record ``k + 1``.

    It has asked for record ``k + 1`` (so the generator ran up to that record's
    ``yield``), but that record never got processed. The generator is then closed,
    as it is when an exception ends the program.
    """
    with _session() as session, _no_fsync():
        got = _collect(lambda: _consume_then_die(
            fetch_with_checkpoint(session, api.base_url, path, api.start_date), k + 1), api, k + 1)
    return _ids(got[:k], "payment_id", "payment")


def _consume_then_die(records: Iterable[Any], k: int) -> Iterator[Any]:
    gen = iter(records)
    try:
        yield from itertools.islice(gen, k)
    finally:
        close = getattr(gen, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class _Restart:
    k: int
    before: list[Any]
    after: list[Any]

    def lost(self, expected: set[Any]) -> int:
        return len(expected - set(self.before) - set(self.after))

    def reread(self) -> int:
        return len(self.after) - len(set(self.after) - set(self.before))


def _restarts(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> tuple[list[_Restart], set[Any], int]:
    """Crash holding a page's first, middle and last record, then restart.

    The first three pages and the last are tried; with pages of 100 that is every page.
    """
    with _cp_fake() as api:
        expected = {p["payment_id"] for p in api.state.payment_records(_day_ts(api.start_date))}
        clean = _full_run(fetch_with_checkpoint, api, tmp_path / "clean" / "checkpoint.json")
        _expect_each_once(clean.ids, list(expected), "payment")
        starts = clean.page_starts
        chosen = [*starts[:3], starts[-1]] if len(starts) > 4 else starts
        points: set[int] = set()
        for i, start in enumerate(starts):
            if start in chosen:
                end = starts[i + 1] if i + 1 < len(starts) else len(clean.ids)
                points |= {start, (start + end) // 2, end - 1}  # holding the first, a middle, the last
        restarts = []
        for k in sorted(p for p in points if 0 <= p < len(clean.ids)):
            path = tmp_path / f"crash-{k}" / "checkpoint.json"
            path.parent.mkdir(parents=True)
            before = _crash_after(fetch_with_checkpoint, api, path, k)
            restarts.append(_Restart(k, before, _resume_ids(fetch_with_checkpoint, api, path)))
    return restarts, expected, clean.page_size


@checkpoint.check("yields every payment exactly once in an uninterrupted run", points=2,
                  hint="Cursor pages as in 03.3 (from, count, cursor); with no checkpoint file, start "
                       "from the first page.")
def _cp_all(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    with _cp_fake() as api:
        expected = [p["payment_id"] for p in api.state.payment_records(_day_ts(api.start_date))]
        run = _full_run(fetch_with_checkpoint, api, tmp_path / "checkpoint.json")
        _expect_each_once(run.ids, expected, "payment")


@checkpoint.check("removes the checkpoint when the stream is done", points=1,
                  hint="After the last page (next_cursor is null) has been yielded, delete the "
                       "checkpoint: the next run starts afresh. Leave no temporary file behind.")
def _cp_removed(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    with _cp_fake() as api:
        _full_run(fetch_with_checkpoint, api, folder / "checkpoint.json")
    left = sorted(p.name for p in folder.iterdir())
    expect(not left, "files were left in the checkpoint's folder after the last record",
           expected="nothing", seen=left)


@checkpoint.check("a consumer that crashes and restarts loses no payment", points=2,
                  hint="Save the cursor of the next page only after every record of the current page "
                       "has been yielded, never before: a crash mid-page must bring that page back.")
def _cp_no_loss(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    restarts, expected, _ = _restarts(fetch_with_checkpoint, tmp_path)
    for r in restarts:
        expect(r.lost(expected) == 0, f"the consumer crashed after {_n(r.k, 'payment')} and restarted: "
               "payments went missing", expected="every payment in one run or the other",
               seen=f"{_n(r.lost(expected), 'payment')} in neither run")


@checkpoint.check("a restart re-reads at most one page", points=2,
                  hint="On start, read the checkpoint and continue from its cursor; save it after "
                       "each page, so a crash costs at most the page in progress.")
def _cp_one_page(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    restarts, _, page = _restarts(fetch_with_checkpoint, tmp_path)
    for r in restarts:
        expect(r.reread() <= page, f"the consumer crashed after {_n(r.k, 'payment')}; the restart "
               f"handed {r.reread()} of them over again", expected=f"at most one page ({page})",
               seen=f"{r.reread()} payments again")


@checkpoint.check("writes the checkpoint atomically: a crash mid-write leaves a usable file", points=2,
                  hint="Write to a temporary file in the same folder, then os.replace(tmp, path). "
                       "Writing the checkpoint in place truncates it first: a crash at that moment "
                       "leaves an empty or half-written file the next run cannot read.")
def _cp_atomic(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    with _cp_fake() as api:
        expected = {p["payment_id"] for p in api.state.payment_records(_day_ts(api.start_date))}
        checkpoint = tmp_path / "watched" / "checkpoint.json"
        run = _full_run(fetch_with_checkpoint, api, checkpoint, probe=True)
        _expect_same_folder(run, checkpoint)
        settled = set(run.at_yield)
        page = run.page_size
        done: dict[bytes | None, list[Any] | str] = {}
        for content, consumed in run.around_writes:
            if content in settled and content is not None:
                continue
            if consumed >= len(run.ids) or (content is None and consumed <= page):
                continue  # every record handed over already; or no file yet during the first page
            if content not in done:
                path = tmp_path / f"resume-{len(done)}" / "checkpoint.json"
                path.parent.mkdir(parents=True)
                if content is not None:
                    path.write_bytes(content)
                try:
                    done[content] = _resume_ids(fetch_with_checkpoint, api, path)
                except NotImplementedError:
                    raise
                except Exception as exc:  # the point of the check: what a resume makes of it
                    done[content] = f"{type(exc).__name__}: {exc}"[:120]
            after = done[content]
            state = "no file" if content is None else repr(content[:60])
            if isinstance(after, str):
                fail(f"a crash during the checkpoint write (after {_n(consumed, 'payment')}) leaves {state}; "
                     "resuming from it fails", expected="the old or the new checkpoint, complete",
                     seen=f"{state} → {after}")
            before = set(run.ids[:consumed])
            lost = len(expected - before - set(after))
            reread = len(after) - len(set(after) - before)
            expect(lost == 0 and reread <= page,
                   f"a crash during the checkpoint write (after {_n(consumed, 'payment')}) leaves {state}; "
                   "resuming from it does not continue where the run stopped",
                   expected=f"no payment lost, at most {page} read again",
                   seen=f"{lost} lost, {reread} read again")


def _expect_same_folder(run: _Run, checkpoint: Path) -> None:
    """The file renamed onto the checkpoint must come from the checkpoint's own folder."""
    folder = checkpoint.parent.resolve()
    strangers = sorted({str(src.parent) for src, dst in run.renames
                        if dst.resolve() == checkpoint.resolve() and src.resolve().parent != folder})
    expect(not strangers, "the temporary file was written outside the checkpoint's folder: os.replace is "
           "atomic only within one file system, and across two (a /tmp on its own disk) it fails",
           expected=f"a temporary file in {checkpoint.parent.name}/, next to the checkpoint",
           seen=f"renamed from {', '.join(strangers)}",
           hint="Create the temporary file in the checkpoint's folder: path.with_name('.' + path.name + "
                "'.tmp'), or tempfile.NamedTemporaryFile(dir=path.parent, delete=False).")


@checkpoint.check("passes a timeout on every request", points=1,
                  hint="session.get(url, params=..., timeout=(3.05, 30)).")
def _cp_timeout(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    with _cp_fake() as api:
        _full_run(fetch_with_checkpoint, api, tmp_path / "checkpoint.json")
        _expect_timeouts(api)
