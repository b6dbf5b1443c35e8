"""What 08.1's purity checks set up around the learner's ``clean_orders``, in the learner's process.

Under the judge ``clean_orders`` runs in the worker: a file opened there, a warning
raised there, happen there, so that is where they must be refused and recorded. Each
attempt and each warning is reported to the check through ``note`` (a function of the
check's, called with one line of text) as it happens. The checks reach this module
with ``learner_module`` (in the same process, it is simply this module).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any


class IOAttempt(Exception):
    """Raised in place of a file, database or network call while purity is checked."""


@contextlib.contextmanager
def io_refused(note: Callable[[str], Any]) -> Iterator[None]:
    """Make pandas' readers and writers, ``open``, sqlite3 and requests refuse, and ``note`` who asked."""
    import builtins
    import io
    import sqlite3
    from unittest import mock

    import pandas as pd
    import requests

    def refuse(name: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            note(name)
            raise IOAttempt(f"{name} is I/O")
        return refused

    targets: list[tuple[Any, str, str]] = [(builtins, "open", "open()"), (io, "open", "open()"),
                                           (sqlite3, "connect", "sqlite3.connect"),
                                           (requests.Session, "request", "an HTTP request")]
    targets += [(pd, name, f"pd.{name}") for name in ("read_csv", "read_parquet", "read_json", "read_sql",
                                                      "read_sql_query", "read_sql_table", "read_excel")]
    targets += [(pd.DataFrame, name, f"DataFrame.{name}") for name in ("to_csv", "to_parquet", "to_json",
                                                                       "to_sql", "to_excel", "to_pickle")]
    with contextlib.ExitStack() as stack:
        for owner, attribute, name in targets:
            stack.enter_context(mock.patch.object(owner, attribute, refuse(name)))
        yield


@contextlib.contextmanager
def warnings_noted(note: Callable[[str], Any]) -> Iterator[None]:
    """Every warning raised in the block (none filtered out), ``note``d as ``Category: first line``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for warning in caught:
                note(f"{warning.category.__name__}: {(str(warning.message).splitlines() or [''])[0]}")
