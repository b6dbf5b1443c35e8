"""03.5's watch on the checkpoint file, kept in the learner's process.

The atomic-write check looks at the checkpoint around every C-level file operation
the learner's code makes (``open``, ``write``, ``replace``, ...): each state a crash
could leave behind. A profile function sees the calls of the process it is set in,
and under the judge the learner's generator runs in the worker, so the watch runs
there too: the checks reach this module with ``learner_module`` (in the same process,
it is simply this module) and read back the states seen, as data.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def read_state(path: Path) -> bytes | None:
    """The file's bytes now: None when there is none, ``b"<unreadable>"`` when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:  # e.g. a directory where the file should be: treat as unreadable
        return b"<unreadable>"


class FileWatch:
    """The states of ``path`` around each call named in ``operations`` while a stream is drawn.

    ``seen`` holds (content, records handed over so far) pairs, in order.
    """

    def __init__(self, path: str | Path, operations: Iterable[str]) -> None:
        self.path = Path(path)
        self.operations = frozenset(operations)
        self.handed_over = 0
        self.seen: list[tuple[bytes | None, int]] = []

    def _watch(self, frame: Any, event: str, arg: Any) -> None:
        if event in ("c_call", "c_return") and getattr(arg, "__name__", None) in self.operations:
            self.seen.append((read_state(self.path), self.handed_over))

    def records(self, records: Iterable[Any]) -> Iterator[Any]:
        """The items of ``records``, each drawn with the watch on."""
        items = iter(records)
        while True:
            previous = sys.getprofile()
            sys.setprofile(self._watch)
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                sys.setprofile(previous)
            self.handed_over += 1
            yield item
