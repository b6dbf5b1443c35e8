"""Part 11 — Interview preparation and the error library: reference solutions."""

# %% [11.1]
import json
from pathlib import Path
from typing import Any


def read_json_or_ndjson(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    """Read a file of records that is either a JSON array or NDJSON; say which it was.

    The first non-blank character decides, without reading the whole file: ``[``
    means one JSON document, an array of objects (``"json"``); ``{`` means NDJSON,
    one object per line, blank lines skipped (``"ndjson"``). An empty file is NDJSON
    with no records. Anything else, a line or an item that is not a JSON object
    included, raises ``ValueError`` naming the file and the line: when the format is
    in doubt, a bad line more likely means a wrong guess than one broken record.
    """
    path = Path(path)
    first = _first_character(path)
    if first == "":
        return "ndjson", []
    if first == "[":
        return "json", _json_array(path)
    if first == "{":
        return "ndjson", _ndjson(path)
    raise ValueError(
        f"{path}: starts with {first!r}, so it is neither a JSON array (starts with '[') "
        "nor NDJSON (one object per line, starts with '{')"
    )


def _first_character(path: Path) -> str:
    """The first non-whitespace character of the file ('' for an empty file)."""
    with open(path, encoding="utf-8-sig") as lines:
        for line in lines:
            stripped = line.lstrip()
            if stripped:
                return stripped[0]
    return ""


def _json_array(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8-sig") as handle:
        try:
            items = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{path}: not a valid JSON array: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from exc
    if not isinstance(items, list):
        raise ValueError(f"{path}: the JSON document is a {type(items).__name__}, not an array of objects")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"{path}: item {index} of the array is a {type(item).__name__}, not an object")
    return items


def _ndjson(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    with open(path, encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"{path}: line {number} is not a complete JSON object ({exc.msg}); the file "
                    "starts with '{', so it was read as NDJSON, one object per line"
                ) from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}: line {number} is a {type(record).__name__}, not a JSON object")
            records.append(record)
    return records


# %% [11.2]
from typing import Any

import requests

SNIPPET_CHARS = 200


def body_snippet(response: requests.Response, limit: int = SNIPPET_CHARS) -> str:
    """The start of the body on one line: enough to recognise an HTML error page."""
    text = " ".join(response.text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def parse_json_response(response: requests.Response) -> dict[str, Any]:
    """The JSON object in a successful response; a clear error for anything else.

    A 4xx/5xx raises ``requests.HTTPError`` (with ``response=``, so retry code can
    still read the status) whose message gives the status, the URL and the start of
    the body. A 2xx whose body is not a JSON object (a maintenance page, an empty
    body, a bare list) raises ``ValueError`` with the same details, instead of
    ``Expecting value: line 1 column 1 (char 0)``.
    """
    status = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
    if response.status_code >= 400:
        raise requests.HTTPError(
            f"{status} from {response.url}: {body_snippet(response)!r}", response=response
        )
    content_type = response.headers.get("Content-Type", "no Content-Type")
    try:
        data = response.json()
    except requests.exceptions.JSONDecodeError as exc:
        shown = body_snippet(response) or "(empty body)"
        raise ValueError(
            f"{status} from {response.url} is not JSON ({content_type}): {shown!r}"
        ) from exc
    if not isinstance(data, dict):
        raise ValueError(
            f"{status} from {response.url}: expected a JSON object, got a {type(data).__name__}: "
            f"{body_snippet(response)!r}"
        )
    return data


# %% [11.3]
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def first_match_per_group(
    groups: Iterable[Iterable[T]], predicate: Callable[[T], bool]
) -> Iterator[T]:
    """Yield, for each group in turn, its first item for which ``predicate`` is true.

    Lazy: one group is read at a time, and only up to its first match. A group
    without a match yields nothing and the next group is read. A ``for`` loop with
    ``break`` does this without ``next()``, so no ``StopIteration`` can escape into
    the generator (where Python turns it into ``RuntimeError``) and a falsy or
    ``None`` match is yielded like any other.
    """
    for group in groups:
        for item in group:
            if predicate(item):
                yield item
                break


# %% [11.4]
import logging
import sys
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: str | int = "INFO", stream: TextIO | None = None) -> None:
    """Send every logger's records at ``level`` and above to ``stream``, once each.

    The handler goes on the root logger, where the records of every library's
    loggers arrive by propagation. Whatever handlers the root logger already had (an
    earlier call, or the one ``logging.warning(...)`` installs when it runs before
    any configuration) are removed first, so no record is written twice and the
    level set here is the one in force. ``basicConfig`` without ``force=True`` would
    silently do nothing in that case.
    """
    handler = logging.StreamHandler(sys.stdout if stream is None else stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)


# %% [11.5]
import csv
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path

logger = logging.getLogger(__name__)

NULL_SPELLINGS = frozenset({"", "NULL", "N/A", "n/a", "-"})


def sum_column(csv_path: str | Path, column: str) -> Decimal:
    """The exact sum of ``column`` over a CSV file of any size, in constant memory.

    Rows are read one at a time with the ``csv`` module (quoting handled), so memory
    does not depend on the file. Skipped: empty cells and the null spellings ``NULL``,
    ``N/A``, ``n/a``, ``-``; malformed lines whose field count differs from the
    header's (an unquoted ``1,234.50`` splits the row, so no field can be trusted).
    Summed as they are: zero and negative values, and repeated rows. Any other value
    that is not a finite decimal number raises ``ValueError`` naming its line.
    """
    total = Decimal(0)
    malformed = 0
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if column not in header:
            raise ValueError(f"{csv_path}: no column {column!r}; the header has {header}")
        index = header.index(column)
        for row in reader:
            if len(row) != len(header):
                malformed += 1
                continue
            cell = row[index].strip()
            if cell in NULL_SPELLINGS:
                continue
            total += _decimal(cell, csv_path, reader.line_num)
    if malformed:
        logger.warning("%s: skipped %d malformed lines", csv_path, malformed)
    return total


def _decimal(cell: str, csv_path: str | Path, line: int) -> Decimal:
    try:
        value = Decimal(cell)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(f"{csv_path}, line {line}: {cell!r} is not a decimal number")
    return value


# %% [11.6]
import random


def backoff_schedule(
    max_attempts: int,
    base_s: float = 1.0,
    factor: float = 2.0,
    cap_s: float = 60.0,
    *,
    jitter: bool = False,
    rng: random.Random | None = None,
) -> list[float]:
    """The waits, in seconds, before each retry of a call tried at most ``max_attempts`` times.

    Retry k (1, 2, ...) waits ``d = min(base_s * factor**(k-1), cap_s)``; with
    ``jitter`` a uniform draw from ``[d/2, d]`` made with ``rng`` (a fresh
    ``random.Random()`` when None). Jitter comes after the cap, so clients that all
    reached the cap still spread out. The delay grows by multiplication and stops
    growing at the cap, so a schedule of thousands of retries cannot overflow.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    if base_s < 0 or cap_s < 0 or factor < 1:
        raise ValueError(f"need base_s >= 0, cap_s >= 0 and factor >= 1, got {base_s}, {cap_s}, {factor}")
    draw = rng if rng is not None else random.Random()
    waits: list[float] = []
    delay = min(base_s, cap_s)
    for _ in range(max_attempts - 1):
        waits.append(draw.uniform(delay / 2, delay) if jitter else delay)
        delay = min(delay * factor, cap_s)
    return waits


# %% [11.7]
# Give each event the level a production pipeline should log it at:
# "DEBUG", "INFO", "WARNING" or "ERROR".
log_levels = {
    "Requesting page 48 of payments with cursor c_8f2a": "DEBUG",
    "Run started for the payments window 2026-03-17": "INFO",
    "Run finished: 42,118 payments loaded, 12 dead-lettered": "INFO",
    "429 Too Many Requests: waiting 15 seconds before retry 2 of 5": "WARNING",
    "Reconciliation: window 2026-03-17 is 3 payments short, re-fetching it": "WARNING",
    "Database unreachable after 5 attempts: run aborted, nothing loaded": "ERROR",
    "Window 2026-03-17 still 3 payments short after the re-fetch": "ERROR",
}


# %% [11.8]
from collections.abc import Mapping

Window = tuple[int, int]


def reconcile_windows(
    summary_counts: Mapping[Window, int],
    loaded_counts: Mapping[Window, int],
    dead_lettered_counts: Mapping[Window, int],
) -> dict[str, list[Window]]:
    """Sort each window ``(from_ts, to_ts)`` into complete, missing or surplus.

    The source's summary is the authority. A window is *complete* when the rows
    loaded plus the records dead-lettered equal its summary count (an invalid record
    is accounted for, not lost); *missing* when fewer arrived (re-fetch it; the load
    is an idempotent upsert); *surplus* when more did (duplicates or overlapping
    windows: re-fetching cannot fix that, a person must look). A window absent from
    the loaded or dead-lettered counts counts zero there. A window with counts but
    no summary raises ``ValueError``: it cannot be checked. Each list is sorted.
    """
    unchecked = (set(loaded_counts) | set(dead_lettered_counts)) - set(summary_counts)
    if unchecked:
        raise ValueError(f"no summary for windows {sorted(unchecked)}: they cannot be reconciled")
    result: dict[str, list[Window]] = {"complete": [], "missing": [], "surplus": []}
    for window in sorted(summary_counts):
        accounted = loaded_counts.get(window, 0) + dead_lettered_counts.get(window, 0)
        expected = summary_counts[window]
        if accounted == expected:
            result["complete"].append(window)
        elif accounted < expected:
            result["missing"].append(window)
        else:
            result["surplus"].append(window)
    return result
