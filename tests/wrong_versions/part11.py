"""Wrong answers for part 11: the error library's classic mistakes, and the interview tasks'."""

from __future__ import annotations

import csv
import json
import logging
import random
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from solutions.part11 import log_levels as _right_levels
from tests.wrong_versions import wrong

NULLS = ("", "NULL", "N/A", "n/a", "-")

# ---------------------------------------------------------------- 11.1 read_json_or_ndjson


@wrong("11.1", "json.load on every file", catches="reads an NDJSON file, blank lines skipped")
def read_json_load(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        return "json", json.load(handle)


@wrong("11.1", "line by line on every file", catches="reads a JSON array file (pretty-printed)")
def read_lines_always(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        return "ndjson", [json.loads(line) for line in handle if line.strip()]


@wrong("11.1", "blank lines not skipped", catches="reads an NDJSON file, blank lines skipped")
def read_blank_lines(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return "json", json.loads(text)
    return "ndjson", [json.loads(line) for line in text.splitlines()] if text.strip() else []


@wrong("11.1", "try json.load, fall back to lines, raw errors",
       catches="a broken NDJSON line raises ValueError naming the file and the line")
def read_fallback_raw_errors(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip():
        return "ndjson", []
    try:
        return "json", json.loads(text)
    except json.JSONDecodeError:
        return "ndjson", [json.loads(line) for line in text.splitlines() if line.strip()]


@wrong("11.1", "bad lines skipped silently",
       catches="a broken NDJSON line raises ValueError naming the file and the line")
def read_skipping_bad_lines(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return "json", json.loads(text)
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return "ndjson", records


@wrong("11.1", "pandas read_json(lines=True)", catches="reads an NDJSON file, blank lines skipped")
def read_with_pandas(path: str | Path) -> Any:
    import pandas as pd

    return pd.read_json(path, lines=True)


@wrong("11.1", "accepts items that are not objects",
       catches="an item or a line that is not an object is rejected")
def read_any_json_values(path: str | Path) -> tuple[str, list[Any]]:
    text = Path(path).read_text(encoding="utf-8")
    start = text.lstrip()[:1]
    if not start:
        return "ndjson", []
    if start == "[":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
        return "json", items
    if start != "{":
        raise ValueError(f"{path}: neither JSON nor NDJSON")
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {number}: {exc.msg}") from exc
    return "ndjson", records


@wrong("11.1", "a single JSON object taken as one record",
       catches="a file that is neither raises ValueError naming the file")
def read_object_as_record(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip():
        return "ndjson", []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise ValueError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as inner:
                    raise ValueError(f"{path}: line {number}: {inner.msg}") from inner
        return "ndjson", records
    return "json", document if isinstance(document, list) else [document]


# ---------------------------------------------------------------- 11.2 parse_json_response


@wrong("11.2", "response.json() without a status check",
       catches="a 5xx HTML page raises HTTPError with the status and the start of the body")
def parse_json_only(response: requests.Response) -> dict[str, Any]:
    return response.json()


@wrong("11.2", "response.json() accepts a 503 with a JSON body", catches="a 5xx with a JSON error body still raises")
def parse_json_only_again(response: requests.Response) -> dict[str, Any]:
    return response.json()


@wrong("11.2", "raise_for_status then json: no body in the message",
       catches="a 5xx HTML page raises HTTPError with the status and the start of the body")
def parse_raise_for_status(response: requests.Response) -> dict[str, Any]:
    response.raise_for_status()
    return response.json()


@wrong("11.2", "raise_for_status then json: a 200 page gives 'Expecting value'",
       catches="a 200 that is not JSON raises ValueError with the status and the body")
def parse_raise_for_status_200(response: requests.Response) -> dict[str, Any]:
    response.raise_for_status()
    return response.json()


_log = logging.getLogger("wrong.part11")


@wrong("11.2", "the syllabus's fix: log the body, re-raise the decode error",
       catches="a 200 that is not JSON raises ValueError with the status and the body")
def parse_log_and_reraise(response: requests.Response) -> dict[str, Any]:
    response.raise_for_status()
    try:
        return response.json()
    except ValueError:
        _log.error("Non-JSON response: %s", response.text[:500])
        raise


@wrong("11.2", "whole body in the message", catches="quotes a snippet of a large body, not all of it")
def parse_whole_body(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise requests.HTTPError(f"HTTP {response.status_code}: {response.text}", response=response)
    try:
        data = response.json()
    except ValueError as exc:
        raise ValueError(f"HTTP {response.status_code}: {response.text}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"HTTP {response.status_code}: not an object")
    return data


@wrong("11.2", "HTTPError without the response", catches="the HTTPError carries the response")
def parse_no_response_attached(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise requests.HTTPError(f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        data = response.json()
    except ValueError as exc:
        raise ValueError(f"HTTP {response.status_code}: {response.text[:200]}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"HTTP {response.status_code}: not an object")
    return data


@wrong("11.2", "RuntimeError instead of HTTPError",
       catches="a 5xx HTML page raises HTTPError with the status and the start of the body")
def parse_runtime_error(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
    return response.json()


@wrong("11.2", "status != 200 is an error", catches="returns the JSON object of a 2xx response")
def parse_only_200(response: requests.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise requests.HTTPError(f"HTTP {response.status_code}: {response.text[:200]}", response=response)
    return response.json()


@wrong("11.2", "a non-JSON 200 becomes {}",
       catches="a 200 that is not JSON raises ValueError with the status and the body")
def parse_swallow(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise requests.HTTPError(f"HTTP {response.status_code}: {response.text[:200]}", response=response)
    try:
        return response.json()
    except ValueError:
        return {}


@wrong("11.2", "a JSON list returned as is", catches="a JSON body that is not an object raises ValueError")
def parse_any_json(response: requests.Response) -> Any:
    if response.status_code >= 400:
        raise requests.HTTPError(f"HTTP {response.status_code}: {response.text[:200]}", response=response)
    try:
        return response.json()
    except ValueError as exc:
        raise ValueError(f"HTTP {response.status_code}: {response.text[:200]}") from exc


# ---------------------------------------------------------------- 11.3 first_match_per_group


@wrong("11.3", "bare next() inside the generator (RuntimeError)",
       catches="a group without a match is skipped and the next groups are still read")
def first_bare_next(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        yield next(item for item in group if predicate(item))


@wrong("11.3", "except StopIteration: return",
       catches="a group without a match is skipped and the next groups are still read")
def first_stops_at_gap(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        try:
            yield next(item for item in group if predicate(item))
        except StopIteration:
            return


@wrong("11.3", "map() with next(): ends silently at the first gap",
       catches="a group without a match is skipped and the next groups are still read")
def first_with_map(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    return map(lambda group: next(item for item in group if predicate(item)), groups)


@wrong("11.3", "next(..., None) then `is not None`", catches="a match that is falsy or None is still yielded")
def first_none_default(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        match = next((item for item in group if predicate(item)), None)
        if match is not None:
            yield match


@wrong("11.3", "next(..., None) then `if match:`", catches="a match that is falsy or None is still yielded")
def first_truthy(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        match = next((item for item in group if predicate(item)), None)
        if match:
            yield match


@wrong("11.3", "list of every match per group", catches="stops reading a group at its first match")
def first_of_all_matches(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        matches = [item for item in group if predicate(item)]
        if matches:
            yield matches[0]


@wrong("11.3", "list(groups) first", catches="lazy: one group read per item wanted")
def first_eager_groups(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in list(groups):
        for item in group:
            if predicate(item):
                yield item
                break


# ---------------------------------------------------------------- 11.4 setup_logging


@wrong("11.4", "basicConfig without force", catches="works when something logged before it ran")
def setup_basic_config(level: str | int = "INFO", stream: Any = None) -> None:
    logging.basicConfig(level=level, stream=stream or sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@wrong("11.4", "handler on the pipeline's own logger only", catches="a library's INFO record reaches the stream")
def setup_named_logger(level: str | int = "INFO", stream: Any = None) -> None:
    logger = logging.getLogger("pipeline")
    logger.handlers = [logging.StreamHandler(stream or sys.stdout)]
    logger.setLevel(level)


@wrong("11.4", "handler level set, root left at WARNING", catches="a library's INFO record reaches the stream")
def setup_handler_level_only(level: str | int = "INFO", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]


@wrong("11.4", "adds a handler on every call", catches="each record is written once, also after two calls")
def setup_adds_handlers(level: str | int = "INFO", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)


@wrong("11.4", "message-only format", catches="each line names the level and the logger")
def setup_message_only(level: str | int = "INFO", stream: Any = None) -> None:
    logging.basicConfig(level=level, stream=stream or sys.stdout, format="%(message)s", force=True)


@wrong("11.4", "level ignored", catches="honours the level")
def setup_fixed_level(level: str | int = "INFO", stream: Any = None) -> None:
    logging.basicConfig(level=logging.INFO, stream=stream or sys.stdout,
                        format="%(levelname)s %(name)s: %(message)s", force=True)


# ---------------------------------------------------------------- 11.5 sum_column


@wrong("11.5", "pd.read_csv(path)[column].sum()", catches="returns the exact Decimal sum of a messy generated file")
def sum_pandas_one_liner(csv_path: str | Path, column: str) -> Any:
    import pandas as pd

    return pd.read_csv(csv_path)[column].sum()


@wrong("11.5", "float sum, bad lines skipped", catches="returns the exact Decimal sum of a messy generated file")
def sum_pandas_float(csv_path: str | Path, column: str) -> Any:
    import pandas as pd

    frame = pd.read_csv(csv_path, on_bad_lines="skip", na_values=list(NULLS))
    return frame[column].sum()


@wrong("11.5", "chunked float sum, rounded back to a Decimal", catches="exact to the cent for large totals")
def sum_chunked_rounded(csv_path: str | Path, column: str) -> Decimal:
    import pandas as pd

    total = 0.0
    with pd.read_csv(csv_path, on_bad_lines="skip", na_values=list(NULLS), chunksize=1_000) as chunks:
        for chunk in chunks:
            total += float(chunk[column].sum())
    return Decimal(str(round(total, 2)))


@wrong("11.5", "whole-file read_csv, exact sum", catches="constant memory: 10x the rows, about the same peak")
def sum_whole_file_exact(csv_path: str | Path, column: str) -> Decimal:
    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, on_bad_lines="skip")
    if column not in frame.columns:
        raise ValueError(f"no column {column!r}")
    total = Decimal(0)
    for number, cell in enumerate(frame[column], start=2):
        cell = cell.strip()
        if cell in NULLS:
            continue
        try:
            total += Decimal(cell)
        except ArithmeticError as exc:
            raise ValueError(f"line {number}: {cell!r}") from exc
    return total


def _sum_rows(rows: Iterable[list[str]], header: list[str], column: str, *, check_width: bool = True) -> Decimal:
    if column not in header:
        raise ValueError(f"no column {column!r}")
    index = header.index(column)
    total = Decimal(0)
    for number, row in enumerate(rows, start=2):
        if check_width and len(row) != len(header):
            continue
        cell = row[index].strip()
        if cell in NULLS:
            continue
        try:
            total += Decimal(cell)
        except ArithmeticError as exc:
            raise ValueError(f"line {number}: {cell!r} is not a number") from exc
    return total


@wrong("11.5", "list(csv.reader(f)) first", catches="constant memory: 10x the rows, about the same peak")
def sum_list_of_rows(csv_path: str | Path, column: str) -> Decimal:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return _sum_rows(rows[1:], rows[0], column)


@wrong("11.5", "malformed lines summed",
       catches="skips null spellings and malformed lines, keeps zero and negative amounts")
def sum_malformed_too(csv_path: str | Path, column: str) -> Decimal:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        return _sum_rows(reader, next(reader), column, check_width=False)


@wrong("11.5", "line.split(',')", catches="reads quoted fields")
def sum_split_lines(csv_path: str | Path, column: str) -> Decimal:
    with open(csv_path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(",")
        return _sum_rows((line.rstrip("\n").split(",") for line in handle), header, column)


@wrong("11.5", "only positive amounts",
       catches="skips null spellings and malformed lines, keeps zero and negative amounts")
def sum_positive_only(csv_path: str | Path, column: str) -> Decimal:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        index = header.index(column)
        return sum((Decimal(row[index]) for row in reader
                    if len(row) == len(header) and row[index].strip() not in NULLS
                    and Decimal(row[index]) > 0), Decimal(0))


@wrong("11.5", "unparseable cells skipped silently",
       catches="sums any column; a missing column or a non-number raises ValueError")
def sum_skipping_garbage(csv_path: str | Path, column: str) -> Decimal:
    total = Decimal(0)
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        index = header.index(column)
        for row in reader:
            if len(row) == len(header) and row[index].strip() not in NULLS:
                try:
                    total += Decimal(row[index])
                except ArithmeticError:
                    continue
    return total


# ---------------------------------------------------------------- 11.6 backoff_schedule


def _schedule(waits: Callable[[int], float], max_attempts: int, jitter: bool, rng: random.Random | None,
              count: Callable[[int], int] = lambda n: n - 1) -> list[float]:
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    draw = rng or random.Random()
    out = []
    for k in range(1, count(max_attempts) + 1):
        d = waits(k)
        out.append(draw.uniform(d / 2, d) if jitter else d)
    return out


@wrong("11.6", "no cap", catches="never waits longer than cap_s")
def backoff_no_cap(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                   jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: base_s * factor ** (k - 1) if k < 60 else float("inf"), max_attempts, jitter, rng)


@wrong("11.6", "max_attempts waits instead of max_attempts - 1",
       catches="one wait before each retry: max_attempts - 1 waits")
def backoff_one_too_many(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                         jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s) if k < 60 else cap_s, max_attempts, jitter,
                     rng, count=lambda n: n)


@wrong("11.6", "first wait is base * factor", catches="grows from base_s by factor")
def backoff_starts_late(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                        jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** k, cap_s) if k < 60 else cap_s, max_attempts, jitter, rng)


@wrong("11.6", "float power overflows", catches="a long schedule stays at the cap (no overflow)")
def backoff_power(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                  jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s), max_attempts, jitter, rng)


@wrong("11.6", "full jitter [0, d]", catches="with jitter, each wait lies in [d/2, d]")
def backoff_full_jitter(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                        jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    plain = _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s) if k < 60 else cap_s, max_attempts, False, None)
    draw = rng or random.Random()
    return [draw.uniform(0, d) for d in plain] if jitter else plain


@wrong("11.6", "jitter ignored", catches="with jitter, each wait lies in [d/2, d]")
def backoff_no_jitter(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                      jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s) if k < 60 else cap_s, max_attempts, False, rng)


@wrong("11.6", "jitter before the cap", catches="jitter still spreads the waits at the cap")
def backoff_jitter_then_cap(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                            jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    draw = rng or random.Random()
    out = []
    for k in range(1, max_attempts):
        d = base_s * factor ** (k - 1) if k < 60 else cap_s * 4
        out.append(min(draw.uniform(d / 2, d) if jitter else d, cap_s))
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    return out


@wrong("11.6", "global random instead of rng", catches="draws jitter from the rng it is given")
def backoff_global_random(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                          jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    plain = _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s) if k < 60 else cap_s, max_attempts, False, None)
    return [random.uniform(d / 2, d) for d in plain] if jitter else plain


@wrong("11.6", "max_attempts 0 gives []", catches="rejects max_attempts < 1")
def backoff_no_validation(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                          jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s) if k < 60 else cap_s, max(max_attempts, 1),
                     jitter, rng)


# ---------------------------------------------------------------- 11.7 log levels

_first_event = next(iter(_right_levels))
wrong("11.7", "row-level detail at INFO", catches=_first_event)({**_right_levels, _first_event: "INFO"})

_aborted = "Database unreachable after 5 attempts: run aborted, nothing loaded"
wrong("11.7", "an aborted run as a WARNING", catches=_aborted)({**_right_levels, _aborted: "WARNING"})


# ---------------------------------------------------------------- 11.8 reconcile_windows

Window = tuple[int, int]


def _verdict(summary: Mapping[Window, int], accounted: Callable[[Window], int],
             judge: Callable[[int, int], str]) -> dict[str, list[Window]]:
    out: dict[str, list[Window]] = {"complete": [], "missing": [], "surplus": []}
    for window in sorted(summary):
        out[judge(accounted(window), summary[window])].append(window)
    return out


def _exact(got: int, want: int) -> str:
    return "complete" if got == want else ("missing" if got < want else "surplus")


@wrong("11.8", "dead letters not counted", catches="dead-lettered records count as accounted for")
def reconcile_loaded_only(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                          dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0), _exact)


@wrong("11.8", "at least the summary is complete",
       catches="more records than the source reports is a surplus, not complete")
def reconcile_at_least(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                       dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0) + dead_lettered_counts.get(w, 0),
                    lambda got, want: "complete" if got >= want else "missing")


@wrong("11.8", "loops over the loaded windows", catches="a window never loaded is missing")
def reconcile_loaded_windows(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                             dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict({w: summary_counts[w] for w in loaded_counts},
                    lambda w: loaded_counts[w] + dead_lettered_counts.get(w, 0), _exact)


@wrong("11.8", "lists in dict order", catches="each list is sorted by window start")
def reconcile_unsorted(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                       dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    out: dict[str, list[Window]] = {"complete": [], "missing": [], "surplus": []}
    for window, want in summary_counts.items():
        got = loaded_counts.get(window, 0) + dead_lettered_counts.get(window, 0)
        out[_exact(got, want)].append(window)
    return out


@wrong("11.8", "windows without a summary ignored", catches="counts for a window without a summary raise ValueError")
def reconcile_ignores_unsummarised(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                                   dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0) + dead_lettered_counts.get(w, 0), _exact)
