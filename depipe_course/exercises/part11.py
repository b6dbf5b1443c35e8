"""Part 11 — Interview preparation and the error library.

Exercises 11.1–11.5 are the error library: each asks for the function that cannot
fail the way the error shows. 11.6–11.8 turn three of the five interview questions
into auto-checked tasks (the other two are answered by 11.5 and by part 08).

Checks that expect an error call the learner's code through ``_raised``, which hands
``NotImplementedError`` on (so a stub stays *not attempted*) and returns any other
exception for inspection. Log records are kept away from the notebook while checks
run; the logging checks (11.4) save and restore the root logger around each call.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import logging
import math
import random
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from depipe_course.checking import NotAttempted, expect, expect_equal, fail
from depipe_course.exercises import _quiz, exercise

if TYPE_CHECKING:
    import requests

# ---------------------------------------------------------------- shared helpers




def _describe(exc: BaseException | None) -> str:
    return "no exception" if exc is None else f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def _silent_logs() -> Iterator[None]:
    """Keep the learner's log records out of the notebook while a check runs."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = [logging.NullHandler()]
    try:
        yield
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with the learner's log records kept out of the notebook."""
    with _silent_logs():
        return fn(*args, **kwargs)


def _raised(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> BaseException | None:
    """The exception ``fn(*args)`` raised (None if it returned); a stub's is passed on."""
    try:
        with _silent_logs():
            result = fn(*args, **kwargs)
            if isinstance(result, Iterator):  # a generator only runs when consumed
                list(itertools.islice(result, 10_000))
    except NotImplementedError:
        raise
    except Exception as exc:
        return exc
    return None


# ---------------------------------------------------------------- 11.1 read_json_or_ndjson

reader = exercise("11.1", "Read JSON or NDJSON, and say which", ["read_json_or_ndjson"])

_RECORDS = [
    {"order_id": 1001, "amount": "120.50", "status": "placed"},
    {"order_id": 1002, "amount": "75.00", "status": "delivered"},
    {"order_id": 1003, "amount": None, "status": "cancelled"},
]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


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


# ---------------------------------------------------------------- 11.2 parse_json_response

responses_ex = exercise("11.2", "Decode an HTTP body, or fail clearly", ["parse_json_response"])

# No status code hides in its digits, so "200" found in a message is the status, not the URL.
_URL = "https://api.example.test/v1/payments?from=1772409600&count=50"


def _response(status: int, body: str | bytes, content_type: str = "application/json") -> requests.Response:
    """A real ``requests.Response`` as the transport would hand it over."""
    import requests

    response = requests.Response()
    response.status_code = status
    response.reason = _phrase(status)
    response.url = _URL
    response.headers["Content-Type"] = content_type
    response._content = body.encode("utf-8") if isinstance(body, str) else body
    response.encoding = "utf-8"
    response.request = requests.Request("GET", _URL).prepare()
    return response


def _phrase(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def _html(status: int) -> str:
    from depipe_course.fakes.api.server import html_page

    return html_page(status)


@responses_ex.check("returns the JSON object of a 2xx response", points=1,
                    hint="Any status below 400 with a JSON object body: return response.json(). "
                         "201 Created is a success too.")
def _returns_json(parse_json_response: Callable[..., Any]) -> None:
    body = {"items": [{"payment_id": "p_1", "amount": 38050}], "next_cursor": None}
    for status in (200, 201):
        got = _call(parse_json_response, _response(status, json.dumps(body)))
        expect_equal(got, body, f"the value returned for a {status} with a JSON body")


@responses_ex.check("a 5xx HTML page raises HTTPError with the status, the URL and the start of the body",
                    points=2,
                    hint="Check the status before decoding: for status >= 400 raise "
                         "requests.HTTPError(f'HTTP {status} from {url}: {snippet!r}', response=response) "
                         "where url is response.url and snippet the first ~200 characters of response.text.")
def _html_5xx(parse_json_response: Callable[..., Any]) -> None:
    import requests

    exc = _raised(parse_json_response, _response(502, _html(502), "text/html"))
    expect(isinstance(exc, requests.HTTPError), "a 502 from a proxy must raise requests.HTTPError "
           "(retry code recognises it), not a JSON decoding error",
           expected="requests.HTTPError", seen=_describe(exc))
    message = str(exc)
    expect("502" in message, "the message must give the status", expected="'502' in the message",
           seen=message)
    expect(_URL in message, "the message must give the URL, so the reader knows which call failed",
           expected=f"{_URL!r} (response.url) in the message", seen=message)
    expect("<title>502 Bad Gateway</title>" in message,
           "the message must quote the start of the body, so the reader sees it was an HTML page",
           expected="the body's '<title>502 Bad Gateway</title>' in the message", seen=message)


@responses_ex.check("a 4xx or 5xx with a JSON error body still raises", points=2,
                    hint="A JSON body does not make a 503 or a 404 a success: test "
                         "response.status_code >= 400 first, whatever the body is.")
def _json_errors(parse_json_response: Callable[..., Any]) -> None:
    import requests

    for status, code in ((503, "service_unavailable"), (404, "not_found")):
        body = json.dumps({"error": code, "message": _phrase(status)})
        exc = _raised(parse_json_response, _response(status, body))
        expect(isinstance(exc, requests.HTTPError), f"a {status} with a JSON error body was not raised",
               expected="requests.HTTPError", seen=_describe(exc))
        expect(str(status) in str(exc) and code in str(exc),
               "the message must give the status and the start of the body",
               expected=f"'{status}' and '{code}' in the message", seen=str(exc))


@responses_ex.check("the HTTPError carries the response", points=1,
                    hint="Pass response=response to requests.HTTPError, so callers (part 04's "
                         "is_transient) can read error.response.status_code.")
def _carries_response(parse_json_response: Callable[..., Any]) -> None:
    import requests

    response = _response(504, _html(504), "text/html")
    exc = _raised(parse_json_response, response)
    expect(isinstance(exc, requests.HTTPError), "a 504 must raise requests.HTTPError",
           expected="requests.HTTPError", seen=_describe(exc))
    attached = getattr(exc, "response", None)
    expect(attached is response, "the error's .response is not the response that failed",
           expected="error.response is the response", seen=repr(attached))


@responses_ex.check("a 200 that is not JSON raises ValueError with the status, the Content-Type and the body",
                    points=2,
                    hint="Wrap response.json() in try/except requests.exceptions.JSONDecodeError "
                         "and raise ValueError naming the status, the Content-Type and the start of "
                         "the body: 'Expecting value: line 1 column 1' alone tells nobody anything.")
def _html_200(parse_json_response: Callable[..., Any]) -> None:
    cases = (("a maintenance page", _html(200), "text/html", "<title>Scheduled maintenance</title>"),
             ("an empty body", "", "application/json", None))
    for what, body, content_type, marker in cases:
        exc = _raised(parse_json_response, _response(200, body, content_type))
        expect(isinstance(exc, ValueError), f"a 200 with {what} must raise ValueError",
               expected="ValueError", seen=_describe(exc))
        message = str(exc)
        expect("200" in message, f"a 200 with {what}: the message must give the status",
               expected="'200' in the message", seen=message)
        expect(content_type in message, f"a 200 with {what}: the message must give the Content-Type "
               "(an HTML page where JSON was expected says 'wrong endpoint or an error page')",
               expected=f"{content_type!r} in the message", seen=message)
        if marker:
            expect(marker in message, f"a 200 with {what}: the message must quote the body",
                   expected=f"{marker!r} in the message", seen=message)


@responses_ex.check("quotes a snippet of a large body, not all of it", points=1,
                    hint="Cut the body to a few hundred characters (response.text[:200]) before "
                         "putting it in the message.")
def _snippet(parse_json_response: Callable[..., Any]) -> None:
    page = "<html><body>" + "<p>upstream trace line</p>\n" * 40_000 + "</body></html>"
    for status in (500, 200):
        exc = _raised(parse_json_response, _response(status, page, "text/html"))
        expect(exc is not None, f"a {status} with a 1 MB HTML page must raise",
               expected="an exception", seen="a return value")
        size = len(str(exc))
        expect(size <= 1_000, f"a {status} with a 1 MB body: the message quotes too much of it",
               expected="a message of at most 1,000 characters", seen=f"{size:,} characters")


@responses_ex.check("a JSON body that is not an object raises ValueError", points=1,
                    hint="The API always answers with an object: raise ValueError when "
                         "response.json() gives a list, a number or None.")
def _not_object(parse_json_response: Callable[..., Any]) -> None:
    for body in ("[1, 2, 3]", "null"):
        exc = _raised(parse_json_response, _response(200, body))
        expect(isinstance(exc, ValueError), f"a 200 whose body is {body} must raise ValueError",
               expected="ValueError", seen=_describe(exc))


# ---------------------------------------------------------------- 11.3 first_match_per_group

firsts = exercise("11.3", "The first match of each group, in a generator", ["first_match_per_group"])


def _is_delivered(order: Any) -> bool:
    return isinstance(order, dict) and order.get("status") == "delivered"


def _orders(*statuses: str, start: int = 1) -> list[dict[str, Any]]:
    return [{"order_id": start + i, "status": s} for i, s in enumerate(statuses)]


def _collect(first_match_per_group: Callable[..., Any], groups: Iterable[Any],
             predicate: Callable[[Any], bool]) -> list[Any]:
    with _silent_logs():
        out = first_match_per_group(groups, predicate)
        expect(isinstance(out, Iterable), "first_match_per_group must return an iterator (write it "
               "as a generator)", expected="a generator", seen=type(out).__name__)
        return list(itertools.islice(out, 1_000))


@firsts.check("yields the first match of each group, in order", points=2,
              hint="for group in groups: for item in group: if predicate(item): yield item; break")
def _first_of_each(first_match_per_group: Callable[..., Any]) -> None:
    groups = [_orders("placed", "delivered", "delivered", start=1),
              _orders("delivered", start=10),
              _orders("cancelled", "placed", "delivered", start=20)]
    got = _collect(first_match_per_group, groups, _is_delivered)
    expect_equal([o.get("order_id") for o in got], [2, 10, 22], "the order_ids yielded")


@firsts.check("a group without a match is skipped and the next groups are still read", points=3,
              hint="next(...) without a default raises StopIteration when nothing matches; inside a "
                   "generator Python turns it into RuntimeError (PEP 479), and catching it to "
                   "`return` ends the whole generator. Use a for loop with break, or next(it, sentinel).")
def _no_match(first_match_per_group: Callable[..., Any]) -> None:
    groups = [_orders("placed", "delivered", start=1), _orders("cancelled", "placed", start=10), [],
              _orders("delivered", start=20), _orders("placed", start=30), _orders("delivered", start=40)]
    got = _collect(first_match_per_group, iter(groups), _is_delivered)
    expect_equal([o.get("order_id") for o in got], [2, 20, 40],
                 "the order_ids yielded when groups 2, 3 and 5 have no delivered order")


@firsts.check("a match that is falsy or None is still yielded", points=1,
              hint="Test for 'no match' with a sentinel (`missing = object()`; "
                   "`next(it, missing) is not missing`) or a for/break loop, not with "
                   "`if match:` or `is not None`: 0, '' and None can be real items.")
def _falsy(first_match_per_group: Callable[..., Any]) -> None:
    groups = [[5, 0, 7], [3, 9], ["", "x"], [None, 4]]
    got = _collect(first_match_per_group, groups, lambda x: not x)
    expect_equal(got, [0, "", None], "the items yielded for the predicate `not x`")


class _CountingGroup:
    """A group that counts how many of its items were pulled."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.pulled = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.pulled += 1
            yield item


@firsts.check("stops reading a group at its first match", points=1,
              hint="Break out of the group as soon as an item matches: the rest of a group may be "
                   "a whole file. No list of every match.")
def _stops_early(first_match_per_group: Callable[..., Any]) -> None:
    group = _CountingGroup(_orders("placed", "delivered", *["delivered"] * 998))
    got = _collect(first_match_per_group, [group], _is_delivered)
    expect_equal([o.get("order_id") for o in got], [2], "the order_ids yielded")
    expect(group.pulled == 2, "the group was read past its first match",
           expected="2 items pulled", seen=f"{group.pulled} items pulled")


@firsts.check("lazy: one group read per item wanted", points=1,
              hint="Loop over groups directly; no list(groups), which never ends on a stream.")
def _lazy(first_match_per_group: Callable[..., Any]) -> None:
    pulled = 0

    def endless() -> Iterator[list[dict[str, Any]]]:
        nonlocal pulled
        for n in itertools.count():
            pulled += 1
            if pulled > 1_000:
                raise RuntimeError("read 1,000 groups from an endless stream")
            yield _orders("delivered", start=n)

    with _silent_logs():
        got = list(itertools.islice(first_match_per_group(endless(), _is_delivered), 3))
    expect_equal([o.get("order_id") for o in got], [0, 1, 2], "the first three items of an endless stream")
    expect(pulled <= 4, "more groups were read than the items asked for needed",
           expected="at most 4 groups read for 3 items", seen=f"{pulled} groups read")


# ---------------------------------------------------------------- 11.4 setup_logging

log_setup = exercise("11.4", "Configure logging so nothing is dropped", ["setup_logging"])

_LIBRARY = "depipe_check_lib"
_CHILD = f"{_LIBRARY}.client"


_LoggerState = tuple[list[logging.Handler], list[Any], int, bool]


def _snapshot() -> tuple[dict[str, _LoggerState], int]:
    """Every logger's handlers, filters, level and propagate flag (root included), and
    ``logging.disable``'s level."""
    loggers: dict[str, logging.Logger] = {"": logging.getLogger()}
    loggers.update({name: obj for name, obj in logging.Logger.manager.loggerDict.items()
                    if isinstance(obj, logging.Logger)})
    states = {name: (lg.handlers[:], lg.filters[:], lg.level, lg.propagate) for name, lg in loggers.items()}
    return states, logging.root.manager.disable


def _restore(snapshot: tuple[dict[str, _LoggerState], int]) -> None:
    """Put every logger back as the snapshot found it; loggers created since get defaults."""
    states, disabled = snapshot
    logging.disable(disabled)
    current = {"": logging.getLogger()}
    current.update({name: obj for name, obj in logging.Logger.manager.loggerDict.items()
                    if isinstance(obj, logging.Logger)})
    for name, logger in current.items():
        handlers, filters, level, propagate = states.get(name, ([], [], logging.NOTSET, True))
        logger.handlers, logger.filters, logger.propagate = handlers[:], filters[:], propagate
        logger.setLevel(level)


@contextlib.contextmanager
def _logging_state(earlier: io.StringIO | None = None) -> Iterator[logging.Logger]:
    """A clean logging set-up for one check; every logger is restored afterwards.

    The root logger starts as Python leaves it (no handler, WARNING), or with
    ``earlier``, as if ``logging.warning(...)`` had run before any configuration:
    the implicit ``basicConfig`` leaves a stream handler there and the level at
    WARNING. The library logger has a ``NullHandler``, as well-behaved libraries do.
    """
    snapshot = _snapshot()
    root = logging.getLogger()
    library, child = logging.getLogger(_LIBRARY), logging.getLogger(_CHILD)
    root.handlers, root.filters = [], []
    root.setLevel(logging.WARNING)
    if earlier is not None:
        root.addHandler(logging.StreamHandler(earlier))
    library.handlers = [logging.NullHandler()]
    try:
        yield child
    finally:
        _restore(snapshot)


def _lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


@log_setup.check("a library's INFO record reaches the stream", points=2,
                 hint="Put the handler on the root logger (logging.getLogger()) and set the root "
                      "logger's level too: the default WARNING drops INFO before any handler sees it. "
                      "Records from 'depipe_check_lib.client' only reach the root by propagation.")
def _reaches(setup_logging: Callable[..., Any]) -> None:
    stream = io.StringIO()
    with _logging_state() as child:
        setup_logging(stream=stream)
        child.info("fetched page %d", 3)
    found = _lines_with(stream.getvalue(), "fetched page 3")
    expect(len(found) == 1, "an INFO record from the logger 'depipe_check_lib.client' did not "
           "arrive exactly once", expected="1 line with 'fetched page 3'", seen=stream.getvalue() or "nothing")


@log_setup.check("each line names the level and the logger", points=1,
                 hint="A format such as '%(asctime)s %(levelname)s %(name)s: %(message)s'.")
def _format(setup_logging: Callable[..., Any]) -> None:
    stream = io.StringIO()
    with _logging_state() as child:
        setup_logging(stream=stream)
        child.warning("retrying after a timeout")
    found = _lines_with(stream.getvalue(), "retrying after a timeout")
    expect(found, "the WARNING record is missing", expected="a line", seen=stream.getvalue() or "nothing")
    expect("WARNING" in found[0] and _CHILD in found[0], "the line does not say which level and "
           "which logger", expected=f"'WARNING' and {_CHILD!r} in the line", seen=found[0])


@log_setup.check("works when something logged before it ran", points=2,
                 hint="A logging.warning(...) before set-up installs a root handler, and then "
                      "logging.basicConfig(...) silently does nothing. Replace the root logger's "
                      "handlers (or basicConfig(..., force=True)).")
def _after_early_log(setup_logging: Callable[..., Any]) -> None:
    stream = io.StringIO()
    with _logging_state(earlier=io.StringIO()) as child:
        setup_logging(stream=stream)
        child.info("run started")
    expect(_lines_with(stream.getvalue(), "run started"),
           "after an earlier log call had configured logging, the INFO record never reached the "
           "stream", expected="1 line with 'run started'", seen=stream.getvalue() or "nothing")


@log_setup.check("each record is written once, also after two calls", points=1,
                 hint="Remove the root logger's existing handlers before adding yours: every handler "
                      "left there writes the record again.")
def _once(setup_logging: Callable[..., Any]) -> None:
    stream = io.StringIO()
    with _logging_state(earlier=stream) as child:
        setup_logging(stream=stream)
        setup_logging(stream=stream)
        child.warning("slow response")
    found = _lines_with(stream.getvalue(), "slow response")
    expect(len(found) == 1, "one WARNING was written several times (an earlier handler on the same "
           "stream, or one handler per call)", expected="1 line", seen=found or "nothing")


@log_setup.check("writes to sys.stdout when no stream is given", points=1,
                 hint="stream=None means sys.stdout, looked up when setup_logging runs: "
                      "logging.StreamHandler(stream) with stream None writes to sys.stderr instead.")
def _default_stream(setup_logging: Callable[..., Any]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with _logging_state() as child, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        setup_logging()
        child.info("loaded batch 7")
    found = {name: _lines_with(text.getvalue(), "loaded batch 7") for name, text in (("stdout", out), ("stderr", err))}
    expect(len(found["stdout"]) == 1, "with stream=None the INFO record did not reach sys.stdout once",
           expected="1 line on stdout", seen=found)


@log_setup.check("honours the level", points=1,
                 hint="root.setLevel(level): with 'WARNING' an INFO record is dropped; with 'DEBUG' "
                      "(or logging.DEBUG) a DEBUG record is written.")
def _level(setup_logging: Callable[..., Any]) -> None:
    seen = {}
    for level in ("DEBUG", logging.DEBUG, "WARNING"):
        stream = io.StringIO()
        with _logging_state() as child:
            setup_logging(level, stream=stream)
            child.debug("debug record")
            child.info("info record")
            child.warning("warning record")
        text = stream.getvalue()
        seen[repr(level)] = [m for m in ("debug record", "info record", "warning record") if m in text]
    wanted = {"'DEBUG'": ["debug record", "info record", "warning record"],
              "10": ["debug record", "info record", "warning record"], "'WARNING'": ["warning record"]}
    expect(seen == wanted, "the records written do not follow the level", expected=wanted, seen=seen)


# ---------------------------------------------------------------- 11.5 sum_column

summing = exercise("11.5", "Sum a column of a file too big for memory", ["sum_column"])

_NULLS = frozenset({"", "NULL", "N/A", "n/a", "-"})
_SMALL_ROWS = 2_000
_FACTOR = 10

_HANDMADE = (
    "order_id,customer_id,amount,status,created_at\n"
    "1,10,120.50,placed,2026-03-01T09:00:00Z\n"
    "2,11,,placed,2026-03-01T09:05:00Z\n"
    "3,12,NULL,placed,2026-03-01T09:10:00Z\n"
    "4,13,N/A,delivered,2026-03-01T09:15:00Z\n"
    "5,14,n/a,delivered,2026-03-01T09:20:00Z\n"
    "6,15,-,confirmed,2026-03-01T09:25:00Z\n"
    "7,16,1,234.50,placed,2026-03-01T09:30:00Z\n"
    "8,17,0.00,confirmed,2026-03-01T09:35:00Z\n"
    "9,18,-20.25,cancelled,2026-03-01T09:40:00Z\n"
    "10,19,99.99,delivered,2026-03-01T09:45:00Z\n"
    "10,19,99.99,delivered,2026-03-01T09:45:00Z\n"
    "11,20, 7.5 ,placed,2026-03-01T09:50:00Z\n"
    "12,21,2,500.00,confirmed,2026-03-01T09:55:00Z\n"
)
_HANDMADE_SUM = Decimal("307.73")  # 120.50 + 0.00 - 20.25 + 99.99 + 99.99 + 7.5

# Six amounts near 10**13-10**14: every float summation rounds the total to .75.
_LEDGER_AMOUNTS = ("37666263469906.87", "64636064807551.61", "21049248045033.53",
                   "24611682329190.13", "82104077165337.32", "65116046488003.32")


@cache
def _orders_text(rows: int) -> str:
    """A messy orders CSV from the course's generator (seeded: the same every time)."""
    import tempfile

    from depipe_course.data import write_orders_csv

    with tempfile.TemporaryDirectory(prefix="depipe-11-") as scratch:
        path = Path(scratch) / "orders.csv"
        write_orders_csv(path, rows, seed=11)
        return path.read_text(encoding="utf-8")


def _orders_file(tmp_path: Path, repeat: int = 1) -> Path:
    header, body = _orders_text(_SMALL_ROWS).split("\n", 1)
    path = tmp_path / f"orders-x{repeat}.csv"
    path.write_text(header + "\n" + body * repeat, encoding="utf-8")
    return path


@cache
def _expected_orders_sum() -> Decimal:
    rows = csv.reader(io.StringIO(_orders_text(_SMALL_ROWS)))
    header = next(rows)
    index = header.index("amount")
    return sum((Decimal(row[index]) for row in rows
                if len(row) == len(header) and row[index].strip() not in _NULLS), Decimal(0))


def _sum(sum_column: Callable[..., Any], path: Path, column: str = "amount") -> Any:
    return _call(sum_column, path, column)


def _expect_exact(got: Any, want: Decimal, what: str) -> None:
    expect(isinstance(got, Decimal), f"{what}: the sum must be a Decimal (floats lose cents)",
           expected="Decimal", seen=f"{type(got).__name__}: {got!r}")
    expect(got == want, f"{what}: the sum is not exact", expected=str(want), seen=str(got))


@summing.check("returns the exact Decimal sum of a messy generated file", points=2,
               hint="Read every field as text, skip empty cells, null spellings and malformed lines, "
                    "and add Decimal(cell): a float column rounds, and pd.read_csv stops at the "
                    "first malformed line unless told what to do with it.")
def _exact_generated(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    _expect_exact(_sum(sum_column, _orders_file(tmp_path)), _expected_orders_sum(),
                  f"the {_SMALL_ROWS:,}-row orders file")


@summing.check("skips null spellings and malformed lines, keeps zero and negative amounts",
               points=2,
               hint="Skip '', 'NULL', 'N/A', 'n/a' and '-'; skip a row whose field count differs "
                    "from the header's (an unquoted '1,234.50' splits it); add everything else, "
                    "0.00 and -20.25 included.")
def _skips(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    path = _write(tmp_path, "handmade.csv", _HANDMADE)
    _expect_exact(_sum(sum_column, path), _HANDMADE_SUM,
                  "120.50 + 0.00 - 20.25 + 99.99 + 99.99 + 7.5 (five nulls and two malformed lines skipped)")


@summing.check("exact to the cent for large totals", points=1,
               hint="round(float_total, 2) does not give the cents back: at 10**14 a float's "
                    "spacing is 1/64. Parse each cell with Decimal(cell).")
def _large(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    lines = ["merchant_id,amount"] + [f"m{i},{a}" for i, a in enumerate(_LEDGER_AMOUNTS, start=1)]
    path = _write(tmp_path, "ledger.csv", "\n".join(lines) + "\n")
    want = sum((Decimal(a) for a in _LEDGER_AMOUNTS), Decimal(0))
    _expect_exact(_sum(sum_column, path), want, "six amounts near 10**14")


@summing.check("reads quoted fields", points=1,
               hint="Use the csv module (or pandas): line.split(',') keeps the quotes of a field "
                    "written as \"120.50\".")
def _quoted(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in csv.reader(io.StringIO(_HANDMADE)):
        if len(row) == 5:
            writer.writerow(row)
    path = _write(tmp_path, "quoted.csv", buffer.getvalue())
    _expect_exact(_sum(sum_column, path), _HANDMADE_SUM, "a file with every field quoted")


@summing.check("sums any column; a missing column or a non-number raises ValueError", points=1,
               hint="Find the column's position in the header (a clear error when it is absent); "
                    "Decimal('abc') raises decimal.InvalidOperation, which is not a ValueError: "
                    "catch it and raise ValueError naming the line (or at least the value).")
def _column_and_errors(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    path = _write(tmp_path, "handmade.csv", _HANDMADE)
    ids = _sum(sum_column, path, "customer_id")
    expect(ids == Decimal(168), "the sum of customer_id (its well-formed rows) is wrong",
           expected="168", seen=repr(ids))
    missing = _raised(sum_column, path, "price")
    expect(isinstance(missing, ValueError | KeyError) and "price" in str(missing),
           "a column the file does not have must raise an error naming it",
           expected="ValueError or KeyError mentioning 'price'", seen=_describe(missing))
    bad = _write(tmp_path, "bad.csv", _HANDMADE.replace("99.99,delivered", "ninety,delivered", 1))
    exc = _raised(sum_column, bad, "amount")
    expect(isinstance(exc, ValueError) and ("line 11" in str(exc) or "ninety" in str(exc)),
           "a cell that is not a number (line 11 holds 'ninety') must raise ValueError naming its "
           "line or the value, not be skipped or summed",
           expected="ValueError mentioning 'line 11' or 'ninety'", seen=_describe(exc))


@summing.check("constant memory: 10x the rows, about the same peak", points=3,
               hint="Hold a row (or a chunk of at most 1,000 rows) at a time: csv.reader, or "
                    "pd.read_csv(..., chunksize=1_000). Reading the whole file, with pandas or "
                    "list(reader), makes the peak grow with the file.")
def _constant_memory(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.exercises._memory import measure_peak

    want = _expected_orders_sum()
    peaks = []
    for repeat in (1, _FACTOR):
        path = _orders_file(tmp_path, repeat)
        got, peak = measure_peak(_sum, sum_column, path)
        _expect_exact(got, want * repeat, f"the file repeated {repeat}x")
        peaks.append(peak)
    small, large = peaks
    expect(large.total <= 2 * small.total + 64 * 1024,
           f"the peak grew with the file: {_FACTOR}x the rows ({_SMALL_ROWS * _FACTOR:,}) should need "
           f"about the same memory as {_SMALL_ROWS:,}",
           expected=f"at most 2x the small file's {small.total // 1024:,} KiB",
           seen=f"{large.total // 1024:,} KiB ({large.total / max(small.total, 1):.1f}x)")


# ---------------------------------------------------------------- 11.6 backoff_schedule

backoff = exercise("11.6", "Interview: exponential backoff with jitter", ["backoff_schedule"])


def _close(got: Any, want: list[float]) -> bool:
    if not isinstance(got, list) or len(got) != len(want):
        return False
    return all(isinstance(g, int | float) and math.isclose(g, w, rel_tol=1e-9)
               for g, w in zip(got, want, strict=True))


@backoff.check("one wait before each retry: max_attempts - 1 waits", points=1,
               hint="Five attempts have four gaps between them: no wait before the first attempt "
                    "or after the last.")
def _count(backoff_schedule: Callable[..., Any]) -> None:
    seen = {n: len(backoff_schedule(n, 1.0, 2.0, 60.0)) for n in (1, 2, 5)}
    expect(seen == {1: 0, 2: 1, 5: 4}, "the number of waits is off",
           expected={1: 0, 2: 1, 5: 4}, seen=seen)


@backoff.check("grows from base_s by factor", points=2,
               hint="The first retry waits base_s, the second base_s * factor, the k-th "
                    "base_s * factor**(k-1).")
def _grows(backoff_schedule: Callable[..., Any]) -> None:
    for args, want in (((5, 1.0, 2.0, 60.0), [1.0, 2.0, 4.0, 8.0]), ((4, 0.5, 3.0, 100.0), [0.5, 1.5, 4.5])):
        got = backoff_schedule(*args)
        expect(_close(got, want), f"backoff_schedule{args} is wrong", expected=want, seen=got)


@backoff.check("never waits longer than cap_s", points=1,
               hint="min(delay, cap_s): without a cap, retry 10 waits 8.5 minutes and retry 20 six days.")
def _capped(backoff_schedule: Callable[..., Any]) -> None:
    for args, want in (((8, 1.0, 2.0, 10.0), [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]),
                       ((4, 5.0, 2.0, 2.0), [2.0, 2.0, 2.0])):  # a cap below base_s caps the first wait too
        got = backoff_schedule(*args)
        expect(_close(got, want), f"backoff_schedule{args} is wrong", expected=want, seen=got)


@backoff.check("a long schedule stays at the cap (no overflow)", points=1,
               hint="2.0 ** 1100 overflows a float (OverflowError): multiply the previous delay and "
                    "stop growing once it reaches the cap.")
def _long(backoff_schedule: Callable[..., Any]) -> None:
    got = backoff_schedule(1_200, 1.0, 2.0, 30.0)
    expect(isinstance(got, list) and len(got) == 1_199, "a schedule for 1,200 attempts",
           expected="1,199 waits", seen=f"{len(got) if isinstance(got, list) else got!r}")
    expect(_close(got[:6], [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]) and _close(got[-3:], [30.0] * 3),
           "the long schedule does not stay at the cap", expected="1, 2, 4, 8, 16, 30, ..., 30",
           seen=f"{got[:6]} ... {got[-3:]}")


def _jittered(backoff_schedule: Callable[..., Any], args: tuple[Any, ...], seed: int) -> list[float]:
    got = backoff_schedule(*args, jitter=True, rng=random.Random(seed))
    expect(isinstance(got, list), "backoff_schedule must return a list", expected="list",
           seen=type(got).__name__)
    return got


@backoff.check("with jitter, each wait lies in [d/2, d]", points=1,
               hint="rng.uniform(d / 2, d), where d is the wait without jitter.")
def _bounds(backoff_schedule: Callable[..., Any]) -> None:
    plain = [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0, 20.0]
    for seed in range(20):
        got = _jittered(backoff_schedule, (10, 1.0, 2.0, 20.0), seed)
        inside = len(got) == len(plain) and all(d / 2 <= g <= d for g, d in zip(got, plain, strict=True))
        expect(inside, f"with rng=random.Random({seed}) a wait fell outside [d/2, d]",
               expected=[f"{d / 2:g}..{d:g}" for d in plain], seen=[round(g, 3) for g in got])
    expect(not _close(got, plain), "jitter=True gave the plain schedule",
           expected="random waits", seen=got)


@backoff.check("jitter still spreads the waits at the cap", points=1,
               hint="Cap first, then jitter: min(uniform(d/2, d), cap) is the cap itself once d/2 "
                    "passes it, and every client waits exactly cap_s again.")
def _spread_at_cap(backoff_schedule: Callable[..., Any]) -> None:
    got = _jittered(backoff_schedule, (12, 1.0, 2.0, 5.0), 7)
    capped = got[4:]
    expect(len(set(capped)) > 1 and all(2.5 <= g <= 5.0 for g in capped),
           "the waits at the cap are all the same (or outside [cap/2, cap])",
           expected="different waits between 2.5 and 5", seen=capped)


@backoff.check("draws jitter from the rng it is given", points=1,
               hint="Call rng.uniform(...), not random.uniform(...): tests (and this check) pass a "
                    "seeded random.Random to get the same schedule every time.")
def _rng(backoff_schedule: Callable[..., Any]) -> None:
    args = (8, 1.0, 2.0, 60.0)
    first, again = (_jittered(backoff_schedule, args, 42) for _ in range(2))
    other = _jittered(backoff_schedule, args, 43)
    expect(first == again, "the same seed gave two different schedules", expected=first, seen=again)
    expect(first != other, "different seeds gave the same schedule", expected="different waits",
           seen=other)


@backoff.check("without an rng, jitter draws from a fresh random.Random()", points=1,
               hint="rng=None is the normal call in production: draw = rng if rng is not None else "
                    "random.Random(). A fixed seed there (random.Random(0)) gives every client the same "
                    "'random' waits, which is no jitter at all.")
def _no_rng(backoff_schedule: Callable[..., Any]) -> None:
    plain = [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0, 20.0]
    runs = [backoff_schedule(10, 1.0, 2.0, 20.0, jitter=True) for _ in range(2)]
    for got in runs:
        inside = (isinstance(got, list) and len(got) == len(plain)
                  and all(d / 2 <= g <= d for g, d in zip(got, plain, strict=True)))
        expect(inside, "with jitter=True and no rng, a wait fell outside [d/2, d]",
               expected=[f"{d / 2:g}..{d:g}" for d in plain], seen=got)
    expect(runs[0] != runs[1], "two calls with jitter=True and no rng gave the same waits",
           expected="different waits on each call", seen=runs[0])


@backoff.check("rejects max_attempts < 1", points=1,
               hint="raise ValueError: a call must be tried at least once.")
def _rejects(backoff_schedule: Callable[..., Any]) -> None:
    for bad in (0, -3):
        exc = _raised(backoff_schedule, bad, 1.0, 2.0, 60.0)
        expect(isinstance(exc, ValueError), f"max_attempts={bad} must raise ValueError",
               expected="ValueError", seen=_describe(exc))


# ---------------------------------------------------------------- 11.7 log levels quiz

levels = exercise("11.7", "Interview: which level for which event?", ["log_levels"])

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# {event: (salted digest of the level it belongs at, hint)}: see _quiz.py. A hint explains the
# level without naming it, so the key cannot be read from the hints either.
_LEVEL_ANSWERS = {
    "Requesting page 48 of payments with cursor c_8f2a":
        ("b81defdc57c0f7d0aec571c216f5bd6c", "One line per page is detail for the person debugging, not for "
         "every run's log."),
    "Run started for the payments window 2026-03-17":
        ("d70980a7e948336f7b6920f37984050f", "A normal milestone of a run, worth a line in every run's log."),
    "Run finished: 42,118 payments loaded, 12 dead-lettered":
        ("ba1adc055424ffec06a646c8a205dece", "The run did its job; the dead-lettered records were each "
         "reported when they happened. The summary of a normal run is a milestone, like its start."),
    "429 Too Many Requests: waiting 15 seconds before retry 2 of 5":
        ("8512ea487663bc94df07d191fa73ba94", "Something went wrong and the pipeline is handling it: worth "
         "noticing, nobody has to act."),
    "Reconciliation: window 2026-03-17 is 3 payments short, re-fetching it":
        ("bb97ccdc0eab4d3a6a9c613aa1cec072", "Unexpected, but the pipeline has a recovery: worth noticing, "
         "nobody has to act yet."),
    "Database unreachable after 5 attempts: run aborted, nothing loaded":
        ("1ea22a5e6bd63addd58944da698cef19", "The run failed at its job: someone must act."),
    "Window 2026-03-17 still 3 payments short after the re-fetch":
        ("5367aabfc286f317c970b405528bb3c3", "The recovery did not work and the data is incomplete: someone must act."),
}


def _level_check(event: str, key: str, hint: str) -> None:
    @levels.check(event, points=1, hint=hint)
    def _one(log_levels: Any) -> None:
        if not isinstance(log_levels, dict):
            fail("log_levels must be a dict", expected="dict", seen=type(log_levels).__name__)
        if all(v is None for v in log_levels.values()):
            raise NotAttempted("Not attempted yet: every answer is still None.")
        if event not in log_levels:
            fail("this event is missing from your dict (keep the keys as given)",
                 expected=repr(event), seen=sorted(log_levels))
        given = log_levels[event]
        name = logging.getLevelName(given) if isinstance(given, int) else given
        if not isinstance(name, str) or name.strip().upper() not in LEVELS:
            fail("answer with one of the four levels", expected=", ".join(LEVELS), seen=given)
        expect(_quiz.is_answer(key, "11.7", event, name.strip().upper()), "another level fits this event better",
               expected="a different level (see the hint)", seen=given)


for _event, (_key, _hint) in _LEVEL_ANSWERS.items():
    _level_check(_event, _key, _hint)


# ---------------------------------------------------------------- 11.8 reconcile_windows

reconcile = exercise("11.8", "Interview: reconcile a load against the source's summary", ["reconcile_windows"])

_DAY = 86_400
_T0 = 1_773_705_600  # 2026-03-17T00:00:00Z


def _windows(n: int) -> list[tuple[int, int]]:
    return [(_T0 + i * _DAY, _T0 + (i + 1) * _DAY) for i in range(n)]


def _verdict(reconcile_windows: Callable[..., Any], summary: dict[Any, int], loaded: dict[Any, int],
             dead: dict[Any, int]) -> dict[str, Any]:
    out = _call(reconcile_windows, dict(summary), dict(loaded), dict(dead))
    expect(isinstance(out, dict) and set(out) == {"complete", "missing", "surplus"},
           "reconcile_windows must return a dict with the keys complete, missing and surplus",
           expected="{'complete': [...], 'missing': [...], 'surplus': [...]}", seen=out)
    return {key: list(value) for key, value in out.items()}


@reconcile.check("windows whose counts match are complete", points=1,
                 hint="loaded + dead-lettered == the summary's count: the window is complete.")
def _complete(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98, w[2]: 0}, {w[0]: 120, w[1]: 98, w[2]: 0}, {})
    expect_equal(got, {"complete": w, "missing": [], "surplus": []}, "the verdict")


@reconcile.check("dead-lettered records count as accounted for", points=2,
                 hint="An invalid record went to the dead-letter queue: it was received, so it "
                      "counts towards the summary. Compare loaded + dead_lettered with the summary.")
def _dead_letters(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(2)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98}, {w[0]: 117, w[1]: 98}, {w[0]: 3})
    expect_equal(got, {"complete": w, "missing": [], "surplus": []},
                 "the verdict when window 1 has 117 loaded and 3 dead-lettered of 120")


@reconcile.check("a window short of records is missing", points=1,
                 hint="Fewer accounted for than the summary says: put the window in 'missing' "
                      "(re-fetch it; the upsert makes that safe).")
def _missing(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98, w[2]: 40},
                   {w[0]: 120, w[1]: 95, w[2]: 40}, {w[1]: 1})
    expect_equal(got, {"complete": [w[0], w[2]], "missing": [w[1]], "surplus": []}, "the verdict")


@reconcile.check("a window never loaded is missing", points=1,
                 hint="A window absent from loaded_counts loaded nothing: use .get(window, 0), "
                      "and go through the summary's windows, not the loaded ones.")
def _never_loaded(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98, w[2]: 40}, {w[0]: 120, w[2]: 40}, {})
    expect_equal(got, {"complete": [w[0], w[2]], "missing": [w[1]], "surplus": []},
                 "the verdict when window 2 is absent from the loaded counts")


@reconcile.check("more records than the source reports is a surplus, not complete", points=2,
                 hint="'at least the summary' is not complete: more rows than the source holds means "
                      "duplicates or overlapping windows. Put it in 'surplus'.")
def _surplus(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(2)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98}, {w[0]: 121, w[1]: 97}, {w[1]: 1})
    expect_equal(got, {"complete": [w[1]], "missing": [], "surplus": [w[0]]}, "the verdict")


@reconcile.check("each list is sorted by window start", points=1,
                 hint="sorted(summary_counts) gives the windows in time order.")
def _sorted(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(6)
    order = [w[4], w[1], w[5], w[0], w[3], w[2]]
    summary = {window: 10 for window in order}
    loaded = {w[0]: 10, w[1]: 9, w[2]: 11, w[3]: 10, w[4]: 8, w[5]: 12}
    got = _verdict(reconcile_windows, summary, loaded, {})
    expect_equal(got, {"complete": [w[0], w[3]], "missing": [w[1], w[4]], "surplus": [w[2], w[5]]},
                 "the verdict (lists in window order)")


@reconcile.check("counts for a window without a summary raise ValueError", points=1,
                 hint="A window you loaded but have no summary for cannot be checked: raise "
                      "ValueError instead of leaving it out of the verdict.")
def _no_summary(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    exc = _raised(reconcile_windows, {w[0]: 10, w[1]: 10}, {w[0]: 10, w[1]: 10, w[2]: 7}, {})
    expect(isinstance(exc, ValueError), "window 3 was loaded but has no summary",
           expected="ValueError", seen=_describe(exc))
    exc = _raised(reconcile_windows, {w[0]: 10, w[1]: 10}, {w[0]: 10, w[1]: 8}, {w[1]: 2, w[2]: 1})
    expect(isinstance(exc, ValueError), "window 3 has a dead-lettered record but no summary",
           expected="ValueError", seen=_describe(exc))
