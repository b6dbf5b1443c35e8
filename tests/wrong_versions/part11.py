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

from solutions.part11 import LOG_FORMAT
from solutions.part11 import backoff_schedule as _right_backoff
from solutions.part11 import first_match_per_group as _right_first
from solutions.part11 import log_levels as _right_levels
from solutions.part11 import read_json_or_ndjson as _right_reader
from solutions.part11 import reconcile_windows as _right_reconcile
from solutions.part11 import sum_column as _right_sum
from tests.wrong_versions import wrong

NULLS = ("", "NULL", "N/A", "n/a", "-")

# ---------------------------------------------------------------- 11.1 read_json_or_ndjson

ARRAY = "reads a JSON array file (pretty-printed)"
NDJSON = "reads an NDJSON file, blank lines skipped"
BROKEN_LINE = "a broken NDJSON line raises ValueError naming the file and the line"
_ONE_PER_LINE = "one object per line gives ('ndjson', records)"
_LINE_NAMED = "a line that does not parse raises ValueError naming the file and its line in the file"


@wrong("11.1", "json.load on every file", requirement=_ONE_PER_LINE, catches=NDJSON)
def read_json_load(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        return "json", json.load(handle)


@wrong("11.1", "line by line on every file", requirement="a JSON array of objects gives ('json', records)",
       catches=ARRAY)
def read_lines_always(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        return "ndjson", [json.loads(line) for line in handle if line.strip()]


def _lines(path: str | Path, lines: Iterable[tuple[int, str]]) -> list[Any]:
    """Each (number, line) parsed as one JSON object; a ValueError naming the file and line otherwise."""
    records = []
    for number, line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {number}: {exc.msg}") from exc
        if not isinstance(record, dict):
            raise ValueError(f"{path}: line {number} is not a JSON object")
        records.append(record)
    return records


@wrong("11.1", "blank lines not skipped", requirement="blank lines in NDJSON are skipped", catches=NDJSON)
def read_blank_lines(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip() or text.lstrip().startswith("["):
        return _right_reader(path)
    return "ndjson", _lines(path, enumerate(text.splitlines(), start=1))


@wrong("11.1", "json.load on every file, errors named", requirement=_ONE_PER_LINE, catches=NDJSON)
def read_one_document(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip() or not text.lstrip().startswith(("[", "{")):
        return _right_reader(path)
    from solutions.part11 import _json_array

    return "json", _json_array(Path(path))


@wrong("11.1", "every file read line by line, errors named",
       requirement="a JSON array of objects gives ('json', records)", catches=ARRAY)
def read_line_by_line(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.lstrip().startswith("["):
        return _right_reader(path)
    return "ndjson", _lines(path, ((n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()))


@wrong("11.1", "the file name decides", requirement="the first non-blank character decides, not the file name",
       catches=NDJSON)
def read_by_suffix(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    path = Path(path)
    if path.suffix in (".ndjson", ".jsonl") or not path.read_text(encoding="utf-8").strip():
        return _right_reader(path)
    from solutions.part11 import _json_array

    return "json", _json_array(path)


@wrong("11.1", "an empty file is an error", requirement="an empty or blank file gives ('ndjson', [])",
       catches="an empty file is NDJSON with no records")
def read_empty_fails(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    if not Path(path).read_text(encoding="utf-8").strip():
        raise ValueError(f"{path}: the file is empty")
    return _right_reader(path)


@wrong("11.1", "try json.load, fall back to lines, raw errors", requirement=_LINE_NAMED, catches=BROKEN_LINE)
def read_fallback_raw_errors(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip():
        return "ndjson", []
    try:
        return "json", json.loads(text)
    except json.JSONDecodeError:
        return "ndjson", [json.loads(line) for line in text.splitlines() if line.strip()]


@wrong("11.1", "bad lines skipped silently", requirement=_LINE_NAMED, catches=BROKEN_LINE)
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


@wrong("11.1", "json's own line number: always line 1", requirement=_LINE_NAMED, catches=BROKEN_LINE)
def read_json_line_number(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.lstrip().startswith("{"):
        return _right_reader(path)
    records = []
    for line in text.splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    return "ndjson", records


@wrong("11.1", "pandas read_json(lines=True)", requirement=_ONE_PER_LINE, catches=NDJSON)
def read_with_pandas(path: str | Path) -> Any:
    import pandas as pd

    return pd.read_json(path, lines=True)


@wrong("11.1", "a broken array reported without its line",
       requirement="a JSON array that does not parse raises ValueError naming the file and the line",
       catches="a broken JSON array raises ValueError naming the file and the line")
def read_array_error_without_line(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not a valid JSON array") from exc
    return _right_reader(path)


@wrong("11.1", "'neither' error without the file name",
       requirement="a file that starts with anything else raises ValueError naming the file",
       catches="a file that is neither raises ValueError naming the file")
def read_neither_unnamed(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    first = Path(path).read_text(encoding="utf-8").lstrip()[:1]
    if first not in ("", "[", "{"):
        raise ValueError(f"neither a JSON array nor NDJSON: starts with {first!r}")
    return _right_reader(path)


@wrong("11.1", "accepts items that are not objects",
       requirement="an array item or a line that is not a JSON object raises ValueError naming the file",
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


@wrong("11.1", "an array item that is not an object: error without the file name",
       requirement="an array item or a line that is not a JSON object raises ValueError naming the file",
       catches="an item or a line that is not an object is rejected")
def read_item_error_unnamed(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    text = Path(path).read_text(encoding="utf-8")
    if not text.lstrip().startswith("["):
        return _right_reader(path)
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        return _right_reader(path)  # its error names the file and the line
    if not all(isinstance(item, dict) for item in items):
        raise ValueError("an item of the array is not a JSON object")
    return "json", items


@wrong("11.1", "a single JSON object taken as one record",
       requirement="a pretty-printed single object is rejected, not taken as one record",
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

HTML_5XX = "a 5xx HTML page raises HTTPError with the status, the URL and the start of the body"
JSON_ERRORS = "a 4xx or 5xx with a JSON error body still raises"
NOT_JSON_200 = "a 200 that is not JSON raises ValueError with the status, the Content-Type and the body"
_RAISES = "status 400 or more raises requests.HTTPError, whatever the body holds"
_NOT_JSON = ("a body that is not JSON raises ValueError giving the status, the Content-Type "
             "and the start of the body")


def _parse(
    response: requests.Response,
    *,
    error_status: Callable[[int], bool] = lambda status: status >= 400,
    http_message: Callable[[requests.Response], str] | None = None,
    attach: bool = True,
    decode_message: Callable[[requests.Response], str] | None = None,
    objects_only: bool = True,
) -> Any:
    """A correct parse_json_response, each of whose parts a wrong version can swap out."""
    if http_message is None:
        def http_message(r: requests.Response) -> str:
            return f"HTTP {r.status_code} from {r.url}: {r.text[:200]!r}"
    if decode_message is None:
        def decode_message(r: requests.Response) -> str:
            return f"HTTP {r.status_code} ({r.headers.get('Content-Type')}) is not JSON: {r.text[:200]!r}"
    if error_status(response.status_code):
        raise requests.HTTPError(http_message(response), response=response if attach else None)
    try:
        data = response.json()
    except ValueError as exc:
        raise ValueError(decode_message(response)) from exc
    if objects_only and not isinstance(data, dict):
        raise ValueError(f"HTTP {response.status_code}: expected a JSON object, got {type(data).__name__}")
    return data


@wrong("11.2", "response.json() without a status check", requirement=_RAISES, catches=HTML_5XX)
def parse_json_only(response: requests.Response) -> dict[str, Any]:
    return response.json()


@wrong("11.2", "response.json() accepts a 503 with a JSON body", requirement=_RAISES, catches=JSON_ERRORS)
def parse_json_only_again(response: requests.Response) -> dict[str, Any]:
    return response.json()


@wrong("11.2", "only 5xx statuses raise: a 404 is returned", requirement=_RAISES, catches=JSON_ERRORS)
def parse_server_errors_only(response: requests.Response) -> dict[str, Any]:
    return _parse(response, error_status=lambda status: status >= 500)


@wrong("11.2", "RuntimeError instead of HTTPError", requirement=_RAISES, catches=HTML_5XX)
def parse_runtime_error(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"HTTP {response.status_code} from {response.url}: {response.text[:200]}")
    return _parse(response)


@wrong("11.2", "raise_for_status then json: no body in the message",
       requirement="the HTTPError's message gives the status, the URL and the start of the body", catches=HTML_5XX)
def parse_raise_for_status(response: requests.Response) -> dict[str, Any]:
    response.raise_for_status()
    return _parse(response)


@wrong("11.2", "HTTPError message without the URL",
       requirement="the HTTPError's message gives the status, the URL and the start of the body", catches=HTML_5XX)
def parse_no_url(response: requests.Response) -> dict[str, Any]:
    return _parse(response, http_message=lambda r: f"HTTP {r.status_code}: {r.text[:200]!r}")


@wrong("11.2", "raise_for_status then json: a 200 page gives 'Expecting value'", requirement=_NOT_JSON,
       catches=NOT_JSON_200)
def parse_raise_for_status_200(response: requests.Response) -> dict[str, Any]:
    response.raise_for_status()
    return response.json()


_log = logging.getLogger("wrong.part11")


@wrong("11.2", "log the body, re-raise the decode error", requirement=_NOT_JSON, catches=NOT_JSON_200)
def parse_log_and_reraise(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        return _parse(response)
    try:
        return response.json()
    except ValueError:
        _log.error("Non-JSON response: %s", response.text[:500])
        raise


@wrong("11.2", "decode error without the Content-Type", requirement=_NOT_JSON, catches=NOT_JSON_200)
def parse_no_content_type(response: requests.Response) -> dict[str, Any]:
    return _parse(response, decode_message=lambda r: f"HTTP {r.status_code} is not JSON: {r.text[:200]!r}")


@wrong("11.2", "a non-JSON 200 becomes {}", requirement=_NOT_JSON, catches=NOT_JSON_200)
def parse_swallow(response: requests.Response) -> dict[str, Any]:
    try:
        return _parse(response)
    except requests.HTTPError:
        raise
    except ValueError:
        return {}


@wrong("11.2", "whole body in the message", requirement="messages quote at most a few hundred characters of the body",
       catches="quotes a snippet of a large body, not all of it")
def parse_whole_body(response: requests.Response) -> dict[str, Any]:
    return _parse(response,
                  http_message=lambda r: f"HTTP {r.status_code} from {r.url}: {r.text}",
                  decode_message=lambda r: f"HTTP {r.status_code} ({r.headers.get('Content-Type')}): {r.text}")


@wrong("11.2", "HTTPError without the response", requirement="the HTTPError carries the response (response=response)",
       catches="the HTTPError carries the response")
def parse_no_response_attached(response: requests.Response) -> dict[str, Any]:
    return _parse(response, attach=False)


@wrong("11.2", "status != 200 is an error", requirement="a status below 400 with a JSON object body returns the object",
       catches="returns the JSON object of a 2xx response")
def parse_only_200(response: requests.Response) -> dict[str, Any]:
    return _parse(response, error_status=lambda status: status != 200)


@wrong("11.2", "a JSON list returned as is", requirement="a JSON body that is not an object raises ValueError",
       catches="a JSON body that is not an object raises ValueError")
def parse_any_json(response: requests.Response) -> Any:
    return _parse(response, objects_only=False)


# ---------------------------------------------------------------- 11.3 first_match_per_group

GAP = "a group without a match is skipped and the next groups are still read"
FALSY = "a match that is falsy or None is still yielded"
_GAP = "a group without a match yields nothing, and the groups after it are still read"
_ANY_MATCH = "a match is yielded whatever it is: 0, '' and None included"


@wrong("11.3", "bare next() inside the generator (RuntimeError)", requirement=_GAP, catches=GAP)
def first_bare_next(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        yield next(item for item in group if predicate(item))


@wrong("11.3", "except StopIteration: return", requirement=_GAP, catches=GAP)
def first_stops_at_gap(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        try:
            yield next(item for item in group if predicate(item))
        except StopIteration:
            return


@wrong("11.3", "map() with next(): ends silently at the first gap", requirement=_GAP, catches=GAP)
def first_with_map(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    return map(lambda group: next(item for item in group if predicate(item)), groups)


@wrong("11.3", "no break: every match yielded", requirement="yields the first match of each group, in group order",
       catches="yields the first match of each group, in order")
def first_without_break(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        for item in group:
            if predicate(item):
                yield item


@wrong("11.3", "next(..., None) then `is not None`", requirement=_ANY_MATCH, catches=FALSY)
def first_none_default(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        match = next((item for item in group if predicate(item)), None)
        if match is not None:
            yield match


@wrong("11.3", "next(..., None) then `if match:`", requirement=_ANY_MATCH, catches=FALSY)
def first_truthy(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        match = next((item for item in group if predicate(item)), None)
        if match:
            yield match


@wrong("11.3", "list of every match per group", requirement="each group is read only up to its first match",
       catches="stops reading a group at its first match")
def first_of_all_matches(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in groups:
        matches = [item for item in group if predicate(item)]
        if matches:
            yield matches[0]


@wrong("11.3", "list(groups) first", requirement="a generator: lazy, one group read at a time",
       catches="lazy: one group read per item wanted")
def first_eager_groups(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Iterator[Any]:
    for group in list(groups):
        for item in group:
            if predicate(item):
                yield item
                break


@wrong("11.3", "returns a list, not a generator", requirement="a generator: lazy, one group read at a time",
       catches="lazy: one group read per item wanted")
def first_as_list(groups: Iterable[Iterable[Any]], predicate: Callable[[Any], bool]) -> Any:
    return list(_right_first(groups, predicate))


# ---------------------------------------------------------------- 11.4 setup_logging

_REACH = "records at the level and above from every logger, libraries' included, reach the stream"
_LEVEL = "honours the level, given as a name ('DEBUG') or a number (logging.DEBUG)"


@wrong("11.4", "basicConfig without force",
       requirement="works when some code logged (and so configured logging) before it ran",
       catches="works when something logged before it ran")
def setup_basic_config(level: str | int = "INFO", stream: Any = None) -> None:
    logging.basicConfig(level=level, stream=stream or sys.stdout, format=LOG_FORMAT)


@wrong("11.4", "handler on the pipeline's own logger only", requirement=_REACH,
       catches="a library's INFO record reaches the stream")
def setup_named_logger(level: str | int = "INFO", stream: Any = None) -> None:
    logger = logging.getLogger("pipeline")
    logger.handlers = [logging.StreamHandler(stream or sys.stdout)]
    logger.setLevel(level)


@wrong("11.4", "handler level set, root left at WARNING", requirement=_REACH,
       catches="a library's INFO record reaches the stream")
def setup_handler_level_only(level: str | int = "INFO", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]


@wrong("11.4", "StreamHandler(stream): None means stderr", requirement="stream=None means sys.stdout",
       catches="writes to sys.stdout when no stream is given")
def setup_stderr_default(level: str | int = "INFO", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)


@wrong("11.4", "adds a handler on every call",
       requirement="each record is written once, also when setup_logging runs twice",
       catches="each record is written once, also after two calls")
def setup_adds_handlers(level: str | int = "INFO", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)


@wrong("11.4", "message-only format", requirement="one line per record, naming the level, the logger and the message",
       catches="each line names the level and the logger")
def setup_message_only(level: str | int = "INFO", stream: Any = None) -> None:
    logging.basicConfig(level=level, stream=stream or sys.stdout, format="%(message)s", force=True)


@wrong("11.4", "level ignored", requirement=_LEVEL, catches="honours the level")
def setup_fixed_level(level: str | int = "INFO", stream: Any = None) -> None:
    logging.basicConfig(level=logging.INFO, stream=stream or sys.stdout, format=LOG_FORMAT, force=True)


@wrong("11.4", "handler fixed at INFO drops DEBUG", requirement=_LEVEL, catches="honours the level")
def setup_handler_at_info(level: str | int = "INFO", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)


# ---------------------------------------------------------------- 11.5 sum_column

EXACT_SUM = "returns the exact Decimal sum of a messy generated file"
MEMORY = "constant memory: 10x the rows, about the same peak"
SKIPS = "skips null spellings and malformed lines, keeps zero and negative amounts"
COLUMN = "sums any column; a missing column or a non-number raises ValueError"
_EXACT = "the sum is an exact Decimal: each cell parsed with Decimal, never through float"
_BOUNDED = "memory does not grow with the file: one row, or a chunk of at most 1,000 rows, at a time"


@wrong("11.5", "pd.read_csv(path)[column].sum()", requirement=_EXACT, catches=EXACT_SUM)
def sum_pandas_one_liner(csv_path: str | Path, column: str) -> Any:
    import pandas as pd

    return pd.read_csv(csv_path)[column].sum()


@wrong("11.5", "float sum, bad lines skipped", requirement=_EXACT, catches=EXACT_SUM)
def sum_pandas_float(csv_path: str | Path, column: str) -> Any:
    import pandas as pd

    frame = pd.read_csv(csv_path, on_bad_lines="skip", na_values=list(NULLS))
    return frame[column].sum()


@wrong("11.5", "chunked float sum, rounded back to a Decimal", requirement=_EXACT,
       catches="exact to the cent for large totals")
def sum_chunked_rounded(csv_path: str | Path, column: str) -> Decimal:
    import pandas as pd

    total = 0.0
    with pd.read_csv(csv_path, on_bad_lines="skip", na_values=list(NULLS), chunksize=1_000) as chunks:
        for chunk in chunks:
            total += float(chunk[column].sum())
    return Decimal(str(round(total, 2)))


@wrong("11.5", "whole-file read_csv, exact sum", requirement=_BOUNDED, catches=MEMORY)
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


def _sum_rows(rows: Iterable[list[str]], header: list[str], column: str, *, check_width: bool = True,
              nulls: Iterable[str] = NULLS, keep: Callable[[Decimal], bool] = lambda value: True) -> Decimal:
    if column not in header:
        raise ValueError(f"no column {column!r}")
    index = header.index(column)
    total = Decimal(0)
    for number, row in enumerate(rows, start=2):
        if check_width and len(row) != len(header):
            continue
        cell = row[index].strip()
        if cell in nulls:
            continue
        try:
            value = Decimal(cell)
        except ArithmeticError as exc:
            raise ValueError(f"line {number}: {cell!r} is not a number") from exc
        if keep(value):
            total += value
    return total


def _streamed(csv_path: str | Path, column: str, **options: Any) -> Decimal:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        return _sum_rows(reader, next(reader), column, **options)


@wrong("11.5", "list(csv.reader(f)) first", requirement=_BOUNDED, catches=MEMORY)
def sum_list_of_rows(csv_path: str | Path, column: str) -> Decimal:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return _sum_rows(rows[1:], rows[0], column)


@wrong("11.5", "malformed lines summed",
       requirement="malformed lines, whose number of fields differs from the header's, are skipped", catches=SKIPS)
def sum_malformed_too(csv_path: str | Path, column: str) -> Decimal:
    return _streamed(csv_path, column, check_width=False)


@wrong("11.5", "only '' and 'NULL' taken as nulls",
       requirement="empty cells and the null spellings NULL, N/A, n/a and - are skipped", catches=SKIPS)
def sum_few_nulls(csv_path: str | Path, column: str) -> Decimal:
    return _streamed(csv_path, column, nulls=("", "NULL"))


@wrong("11.5", "line.split(',')", requirement="quoted fields are read as CSV", catches="reads quoted fields")
def sum_split_lines(csv_path: str | Path, column: str) -> Decimal:
    with open(csv_path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(",")
        return _sum_rows((line.rstrip("\n").split(",") for line in handle), header, column)


@wrong("11.5", "only positive amounts", requirement="zero and negative values and repeated rows are summed as they are",
       catches=SKIPS)
def sum_positive_only(csv_path: str | Path, column: str) -> Decimal:
    return _streamed(csv_path, column, keep=lambda value: value > 0)


@wrong("11.5", "a repeated row skipped",
       requirement="zero and negative values and repeated rows are summed as they are", catches=SKIPS)
def sum_without_repeats(csv_path: str | Path, column: str) -> Decimal:
    def new_rows(rows: Iterable[list[str]]) -> Iterator[list[str]]:
        previous = None
        for row in rows:
            if row != previous:
                yield row
            previous = row

    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        return _sum_rows(new_rows(reader), next(reader), column)


@wrong("11.5", "unparseable cells skipped silently",
       requirement="a cell that is not a number raises ValueError naming its line (or the value)", catches=COLUMN)
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


@wrong("11.5", "a missing column sums to 0",
       requirement="sums the column it is given; a column the header lacks raises an error naming it", catches=COLUMN)
def sum_missing_column_zero(csv_path: str | Path, column: str) -> Decimal:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    return _right_sum(csv_path, column) if column in header else Decimal(0)


# ---------------------------------------------------------------- 11.6 backoff_schedule

BOUNDS = "with jitter, each wait lies in [d/2, d]"
_FRESH = "rng=None means a new random.Random()"


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


@wrong("11.6", "no cap", requirement="no wait is longer than cap_s", catches="never waits longer than cap_s")
def backoff_no_cap(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                   jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: base_s * factor ** (k - 1) if k < 60 else float("inf"), max_attempts, jitter, rng)


@wrong("11.6", "the cap applied from the second retry on", requirement="no wait is longer than cap_s",
       catches="never waits longer than cap_s")
def backoff_first_uncapped(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                           jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    draw = rng or random.Random()
    waits, delay = [], base_s
    for _ in range(max_attempts - 1):
        waits.append(draw.uniform(delay / 2, delay) if jitter else delay)
        delay = min(delay * factor, cap_s)
    return waits


@wrong("11.6", "max_attempts waits instead of max_attempts - 1",
       requirement="max_attempts - 1 waits: none before the first attempt, none after the last",
       catches="one wait before each retry: max_attempts - 1 waits")
def backoff_one_too_many(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                         jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s) if k < 60 else cap_s, max_attempts, jitter,
                     rng, count=lambda n: n)


@wrong("11.6", "first wait is base * factor", requirement="retry k waits base_s * factor**(k-1)",
       catches="grows from base_s by factor")
def backoff_starts_late(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                        jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** k, cap_s) if k < 60 else cap_s, max_attempts, jitter, rng)


@wrong("11.6", "float power overflows", requirement="a schedule of thousands of attempts stays at the cap",
       catches="a long schedule stays at the cap (no overflow)")
def backoff_power(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                  jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _schedule(lambda k: min(base_s * factor ** (k - 1), cap_s), max_attempts, jitter, rng)


@wrong("11.6", "full jitter [0, d]", requirement="with jitter=True each wait is drawn from [d/2, d]", catches=BOUNDS)
def backoff_full_jitter(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                        jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    plain = _right_backoff(max_attempts, base_s, factor, cap_s)
    draw = rng or random.Random()
    return [draw.uniform(0, d) for d in plain] if jitter else plain


@wrong("11.6", "jitter ignored", requirement="with jitter=True each wait is drawn from [d/2, d]", catches=BOUNDS)
def backoff_no_jitter(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                      jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _right_backoff(max_attempts, base_s, factor, cap_s)


@wrong("11.6", "jitter before the cap",
       requirement="jitter is drawn around the capped wait, so waits at the cap still differ",
       catches="jitter still spreads the waits at the cap")
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


@wrong("11.6", "global random instead of rng", requirement="jitter is drawn with rng.uniform",
       catches="draws jitter from the rng it is given")
def backoff_global_random(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                          jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    plain = _right_backoff(max_attempts, base_s, factor, cap_s)
    return [random.uniform(d / 2, d) for d in plain] if jitter else plain


@wrong("11.6", "rng.uniform on rng=None", requirement=_FRESH,
       catches="without an rng, jitter draws from a fresh random.Random()")
def backoff_needs_rng(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                      jitter: bool = False, rng: Any = None) -> list[float]:
    plain = _right_backoff(max_attempts, base_s, factor, cap_s)
    return [rng.uniform(d / 2, d) for d in plain] if jitter else plain


@wrong("11.6", "a fixed seed when no rng is given", requirement=_FRESH,
       catches="without an rng, jitter draws from a fresh random.Random()")
def backoff_fixed_seed(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                       jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _right_backoff(max_attempts, base_s, factor, cap_s, jitter=jitter, rng=rng or random.Random(0))


@wrong("11.6", "max_attempts 0 gives []", requirement="max_attempts < 1 raises ValueError",
       catches="rejects max_attempts < 1")
def backoff_no_validation(max_attempts: int, base_s: float = 1.0, factor: float = 2.0, cap_s: float = 60.0, *,
                          jitter: bool = False, rng: random.Random | None = None) -> list[float]:
    return _right_backoff(max(max_attempts, 1), base_s, factor, cap_s, jitter=jitter, rng=rng)


# ---------------------------------------------------------------- 11.7 log levels

_LEVEL_MISTAKES = (
    ("row-level detail at INFO", "Requesting page 48 of payments with cursor c_8f2a", "INFO",
     "a request for one page is detail: DEBUG"),
    ("the start of a run at DEBUG", "Run started for the payments window 2026-03-17", "DEBUG",
     "the start of a run is a milestone: INFO"),
    ("a run with dead letters summed up as a WARNING", "Run finished: 42,118 payments loaded, 12 dead-lettered",
     "WARNING", "the summary of a run that did its job is INFO"),
    ("a handled 429 as an ERROR", "429 Too Many Requests: waiting 15 seconds before retry 2 of 5", "ERROR",
     "a 429 that will be retried is WARNING"),
    ("a gap being re-fetched at INFO", "Reconciliation: window 2026-03-17 is 3 payments short, re-fetching it",
     "INFO", "a reconciliation gap being re-fetched is WARNING"),
    ("an aborted run as a WARNING", "Database unreachable after 5 attempts: run aborted, nothing loaded", "WARNING",
     "a run aborted with nothing loaded is ERROR"),
    ("a gap left after the re-fetch as a WARNING", "Window 2026-03-17 still 3 payments short after the re-fetch",
     "WARNING", "a gap still there after the re-fetch is ERROR"),
)
for _description, _event, _given, _requirement in _LEVEL_MISTAKES:
    wrong("11.7", _description, requirement=_requirement, catches=_event)({**_right_levels, _event: _given})


# ---------------------------------------------------------------- 11.8 reconcile_windows

Window = tuple[int, int]
NO_SUMMARY = "counts for a window without a summary raise ValueError"


def _verdict(summary: Mapping[Window, int], accounted: Callable[[Window], int],
             judge: Callable[[int, int], str], *counted: Mapping[Window, int]) -> dict[str, list[Window]]:
    """The verdict per window; ``counted`` (loaded, dead-lettered) must have a summary for every window."""
    unchecked = set().union(*counted) - set(summary)
    if unchecked:
        raise ValueError(f"no summary for {sorted(unchecked)}")
    out: dict[str, list[Window]] = {"complete": [], "missing": [], "surplus": []}
    for window in sorted(summary):
        out[judge(accounted(window), summary[window])].append(window)
    return out


def _exact(got: int, want: int) -> str:
    return "complete" if got == want else ("missing" if got < want else "surplus")


@wrong("11.8", "dead letters not counted", requirement="accounted = rows loaded + records dead-lettered",
       catches="dead-lettered records count as accounted for")
def reconcile_loaded_only(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                          dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0), _exact, loaded_counts, dead_lettered_counts)


@wrong("11.8", "at least the summary is complete",
       requirement="surplus when more were accounted for than the summary says",
       catches="more records than the source reports is a surplus, not complete")
def reconcile_at_least(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                       dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0) + dead_lettered_counts.get(w, 0),
                    lambda got, want: "complete" if got >= want else "missing", loaded_counts, dead_lettered_counts)


@wrong("11.8", "a shortfall under 5% taken for late data",
       requirement="missing when fewer were accounted for than the summary says",
       catches="a window short of records is missing")
def reconcile_tolerant(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                       dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    def judge(got: int, want: int) -> str:
        return "complete" if want * 0.95 <= got <= want else _exact(got, want)

    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0) + dead_lettered_counts.get(w, 0), judge,
                    loaded_counts, dead_lettered_counts)


@wrong("11.8", "loops over the loaded windows",
       requirement="a window absent from loaded_counts or dead_lettered_counts counts 0 there",
       catches="a window never loaded is missing")
def reconcile_loaded_windows(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                             dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict({w: summary_counts[w] for w in loaded_counts if w in summary_counts},
                    lambda w: loaded_counts[w] + dead_lettered_counts.get(w, 0), _exact)


@wrong("11.8", "windows with a summary of 0 left out",
       requirement="every window of the summary is complete when accounted equals its count",
       catches="windows whose counts match are complete")
def reconcile_skips_empty(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                          dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    verdict = _right_reconcile(summary_counts, loaded_counts, dead_lettered_counts)
    return {key: [w for w in windows if summary_counts[w]] for key, windows in verdict.items()}


@wrong("11.8", "lists in dict order", requirement="each list is sorted", catches="each list is sorted by window start")
def reconcile_unsorted(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                       dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    _verdict(summary_counts, lambda w: 0, _exact, loaded_counts, dead_lettered_counts)  # raises like the reference
    out: dict[str, list[Window]] = {"complete": [], "missing": [], "surplus": []}
    for window, want in summary_counts.items():
        got = loaded_counts.get(window, 0) + dead_lettered_counts.get(window, 0)
        out[_exact(got, want)].append(window)
    return out


@wrong("11.8", "windows without a summary ignored",
       requirement="counts for a window the summary does not have raise ValueError", catches=NO_SUMMARY)
def reconcile_ignores_unsummarised(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                                   dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0) + dead_lettered_counts.get(w, 0), _exact)


@wrong("11.8", "only loaded windows checked for a summary",
       requirement="counts for a window the summary does not have raise ValueError", catches=NO_SUMMARY)
def reconcile_checks_loaded_only(summary_counts: Mapping[Window, int], loaded_counts: Mapping[Window, int],
                                 dead_lettered_counts: Mapping[Window, int]) -> dict[str, list[Window]]:
    return _verdict(summary_counts, lambda w: loaded_counts.get(w, 0) + dead_lettered_counts.get(w, 0), _exact,
                    loaded_counts)
