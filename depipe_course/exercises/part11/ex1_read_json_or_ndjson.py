"""11.1: ``read_json_or_ndjson(path)`` reads either format and says which: ``('json' | 'ndjson', records)``.

The first non-blank character decides; blank NDJSON lines are skipped and an empty file is
NDJSON with no records; a broken line or array, a file that is neither, or an item that is
not an object raises ValueError naming the file (and the line where there is one).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part11._shared import _call, _describe, _raised, _write

reader = exercise("11.1", "Read JSON or NDJSON, and say which", ["read_json_or_ndjson"])

_RECORDS = [
    {"order_id": 1001, "amount": "120.50", "status": "placed"},
    {"order_id": 1002, "amount": "75.00", "status": "delivered"},
    {"order_id": 1003, "amount": None, "status": "cancelled"},
]


def _pair(out: Any) -> tuple[Any, Any]:
    expect(isinstance(out, tuple) and len(out) == 2, "read_json_or_ndjson must return a pair",
           expected="('json' or 'ndjson', [records])", seen=type(out).__name__)
    return out


@reader.check("reads a JSON array file (pretty-printed)", points=2,
              hint="A file that starts with '[' is one JSON document: json.load it whole, "
                   "and return ('json', records).")
def _reads_array(read_json_or_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    path = _write(tmp_path, "orders.json", "\n" + json.dumps(_RECORDS, indent=2) + "\n")
    fmt, records = _pair(_call(read_json_or_ndjson, path))
    expect_equal(fmt, "json", "the format reported for a JSON array file")
    expect_equal(records, _RECORDS, "the records read from a JSON array file")


@reader.check("reads an NDJSON file, blank lines skipped", points=2,
              hint="A file that starts with '{' is NDJSON: json.loads each non-blank line on its "
                   "own (json.load of the whole file stops with 'Extra data'); return "
                   "('ndjson', records).")
def _reads_ndjson(read_json_or_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    lines = [json.dumps(r) for r in _RECORDS]
    text = f"{lines[0]}\r\n\r\n{lines[1]}\r\n   \r\n{lines[2]}\r\n\r\n"
    path = _write(tmp_path, "orders.json", text)
    fmt, records = _pair(_call(read_json_or_ndjson, path))
    expect_equal(fmt, "ndjson", "the format reported for an NDJSON file named orders.json")
    expect_equal(records, _RECORDS, "the records read from an NDJSON file")


@reader.check("an empty file is NDJSON with no records", points=1,
              hint="Zero records in NDJSON is an empty file: return ('ndjson', []) rather than "
                   "letting json.load fail on it.")
def _empty(read_json_or_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    for name, text in (("empty.ndjson", ""), ("blank.ndjson", "\n  \n")):
        out = _pair(_call(read_json_or_ndjson, _write(tmp_path, name, text)))
        expect_equal(out, ("ndjson", []), f"the result for a file holding {text!r}")


def _expect_value_error(exc: BaseException | None, path: Path, line: int | None, what: str) -> None:
    expect(isinstance(exc, ValueError), f"{what} must raise ValueError",
           expected="ValueError", seen=_describe(exc))
    message = str(exc)
    expect(path.name in message, f"{what}: the message must name the file",
           expected=f"a message containing {path.name!r}", seen=message)
    if line is not None:
        expect(f"line {line}" in message, f"{what}: the message must name the bad line "
               "(the line of the file, not the position inside one line)",
               expected=f"a message containing 'line {line}'", seen=message)


@reader.check("a broken NDJSON line raises ValueError naming the file and the line", points=2,
              hint="Count lines with enumerate(lines, start=1) and re-raise json's error as "
                   "ValueError(f'{path}: line {number} ...') from it. json.loads on one line "
                   "always says 'line 1'.")
def _broken_ndjson(read_json_or_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    lines = [json.dumps(r) for r in _RECORDS]
    text = "\n".join([lines[0], lines[1], "", lines[2][:20], lines[0]]) + "\n"
    path = _write(tmp_path, "truncated.ndjson", text)
    _expect_value_error(_raised(read_json_or_ndjson, path), path, 4, "a half-written line 4")


@reader.check("a broken JSON array raises ValueError naming the file and the line", points=1,
              hint="json.JSONDecodeError has .lineno: put it, and the file's name, in the ValueError "
                   "you raise.")
def _broken_array(read_json_or_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    text = json.dumps(_RECORDS, indent=2)
    cut = text.splitlines()
    del cut[6]  # the second object's opening brace: the array breaks on line 7
    path = _write(tmp_path, "broken.json", "\n".join(cut) + "\n")
    exc = _raised(read_json_or_ndjson, path)
    _expect_value_error(exc, path, None, "an array with a missing '}'")
    expect("line 7" in str(exc) or "line 8" in str(exc),
           "the message must say where the array breaks", expected="'line 7' (or 8)", seen=str(exc))


@reader.check("a file that is neither raises ValueError naming the file", points=1,
              hint="Decide from the first non-blank character: '[' is a JSON array, '{' is NDJSON, "
                   "anything else (a CSV header, a pretty-printed object) is neither: say so.")
def _neither(read_json_or_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    csv_file = _write(tmp_path, "orders.csv", "order_id,amount\n1001,120.50\n")
    _expect_value_error(_raised(read_json_or_ndjson, csv_file), csv_file, None, "a CSV file")
    pretty = _write(tmp_path, "envelope.json", json.dumps({"items": _RECORDS}, indent=2))
    exc = _raised(read_json_or_ndjson, pretty)
    expect(isinstance(exc, ValueError), "a pretty-printed JSON object (one record? an envelope?) "
           "must be rejected, not guessed at", expected="ValueError", seen=_describe(exc))


@reader.check("an item or a line that is not an object is rejected", points=1,
              hint="Records are JSON objects: check isinstance(item, dict) for every array item "
                   "and every NDJSON line.")
def _not_objects(read_json_or_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    array = _write(tmp_path, "numbers.json", "[1001, 1002]\n")
    _expect_value_error(_raised(read_json_or_ndjson, array), array, None, "an array of numbers (no records)")
    mixed = _write(tmp_path, "mixed.ndjson", json.dumps(_RECORDS[0]) + "\n[1002]\n")
    _expect_value_error(_raised(read_json_or_ndjson, mixed), mixed, 2, "an NDJSON line holding a list")
