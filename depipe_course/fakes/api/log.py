"""Every request the fake API saw, and what it did about it.

Checks read this log to judge *how* learner code talks HTTP: which parameters it sent,
which headers, how many requests a pagination loop needed, and whether ``timeout=`` was
passed. ``responses`` hands callbacks only the ``PreparedRequest``, but it attaches the
adapter's keyword arguments as ``request.req_kwargs``; ``requests`` always passes
``timeout`` there, as None when the caller gave none, so "no timeout" is visible.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload
from urllib.parse import urlsplit, urlunsplit

from depipe_course.fakes.api.faults import Fault


@dataclass(frozen=True)
class RecordedCall:
    """One request and its outcome: a status, or the exception the transport raised."""

    number: int
    method: str
    url: str
    route: str
    path: str
    params: Mapping[str, str | list[str]]
    headers: Mapping[str, str]
    body: str | None
    timeout: Any
    status: int | None
    error: BaseException | None = None
    fault: Fault | None = None

    @property
    def timeout_passed(self) -> bool:
        """True when the caller gave ``timeout=`` (a number or a (connect, read) pair)."""
        return self.timeout is not None

    def matches(self, target: str) -> bool:
        """True for a route (``"/orders/{order_id}"``), a path or a URL without query."""
        parts = urlsplit(self.url)
        bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return target in (self.route, self.path, bare)


class CallLog(Sequence[RecordedCall]):
    """An append-only, thread-safe list of ``RecordedCall``s."""

    def __init__(self) -> None:
        self._calls: list[RecordedCall] = []
        self._lock = threading.Lock()

    def next_number(self) -> int:
        return len(self._calls) + 1

    def append(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def to(self, target: str) -> list[RecordedCall]:
        """Calls to a route, a path or a URL; see ``RecordedCall.matches``."""
        return [call for call in self._calls if call.matches(target)]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[RecordedCall]:
        return iter(list(self._calls))

    @overload
    def __getitem__(self, index: int) -> RecordedCall: ...

    @overload
    def __getitem__(self, index: slice) -> list[RecordedCall]: ...

    def __getitem__(self, index: int | slice) -> RecordedCall | list[RecordedCall]:
        return self._calls[index]
