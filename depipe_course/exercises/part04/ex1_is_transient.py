"""04.1: ``is_transient(error)`` tells an error worth retrying from one that is not.

Network failures, HTTP 429/500/502/503/504 and a locked SQLite database must come back
transient; other HTTP statuses, other SQLite errors, bad data, missing files and any
error the function does not know must come back permanent (not retried).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.exercises import exercise
from depipe_course.exercises.part04._shared import _classify, _http_error, _sqlite_errors, _validation_error

transient = exercise("04.1", "Transient or permanent?", ["is_transient"])


def _missing_file(folder: Path) -> FileNotFoundError:
    try:
        (folder / "does-not-exist.csv").open(encoding="utf-8")
    except FileNotFoundError as exc:
        return exc
    raise AssertionError("a missing file opened")  # pragma: no cover


@transient.check("network failures are transient", points=2,
                 hint="requests has its own ConnectionError, Timeout (ReadTimeout, ConnectTimeout) and "
                      "ChunkedEncodingError in requests.exceptions. They are not the built-in "
                      "ConnectionError and TimeoutError, so isinstance against those misses them.")
def _network(is_transient: Callable[[BaseException], Any]) -> None:
    import requests

    _classify(is_transient, {
        "requests.ConnectionError": requests.exceptions.ConnectionError("Connection reset by peer"),
        "requests.ReadTimeout": requests.exceptions.ReadTimeout("Read timed out. (read timeout=10)"),
        "requests.ConnectTimeout": requests.exceptions.ConnectTimeout("Connection to api timed out"),
        "requests.ChunkedEncodingError": requests.exceptions.ChunkedEncodingError(
            "Connection broken: IncompleteRead(512 bytes read, 1536 more expected)"),
    }, True)


@transient.check("HTTP 429, 500, 502, 503 and 504 are transient", points=2,
                 hint="An HTTPError from raise_for_status carries the response: look at "
                      "error.response.status_code.")
def _retryable_statuses(is_transient: Callable[[BaseException], Any]) -> None:
    _classify(is_transient, {f"HTTPError {s}": _http_error(s) for s in (429, 500, 502, 503, 504)}, True)


@transient.check("other HTTP error statuses are permanent", points=2,
                 hint="400, 401, 403, 404, 409 and 422 mean the request itself is wrong: sending it "
                      "again gives the same answer. Do not treat every RequestException as transient. "
                      "Only the five listed statuses are transient: not every status >= 500 (a 501 Not "
                      "Implemented stays unimplemented).")
def _client_errors(is_transient: Callable[[BaseException], Any]) -> None:
    _classify(is_transient, {f"HTTPError {s}": _http_error(s) for s in (400, 401, 403, 404, 409, 422)}, False,
              hint="400, 401, 403, 404, 409 and 422 mean the request itself is wrong: sending it again gives "
                   "the same answer. Do not treat every RequestException (or every HTTPError) as transient.")
    _classify(is_transient, {f"HTTPError {s}": _http_error(s) for s in (501, 505)}, False,
              hint="Only 500, 502, 503 and 504 of the 5xx are transient: list them rather than testing "
                   "status >= 500. 501 Not Implemented and 505 HTTP Version Not Supported answer the same "
                   "way every time.")


@transient.check("a locked SQLite database is transient, other SQLite errors are not", points=2,
                 hint="sqlite3.OperationalError covers both 'database is locked' (another writer, "
                      "try again) and 'no such table' (never works): look at the message. "
                      "IntegrityError is a bad record.")
def _sqlite(is_transient: Callable[[BaseException], Any], tmp_path: Path) -> None:
    errors = _sqlite_errors(tmp_path)
    locked = "OperationalError('database is locked')"
    _classify(is_transient, {locked: errors[locked]}, True)
    _classify(is_transient, {k: v for k, v in errors.items() if k != locked}, False)


@transient.check("bad data and missing things are permanent", points=2,
                 hint="ValueError (pydantic's ValidationError is one), KeyError, FileNotFoundError and "
                      "PermissionError fail the same way on every attempt. Careful: FileNotFoundError and "
                      "PermissionError are OSErrors, like the network errors.")
def _permanent(is_transient: Callable[[BaseException], Any], tmp_path: Path) -> None:
    _classify(is_transient, {
        "ValueError": ValueError("invalid literal for int() with base 10: '12,50'"),
        "pydantic.ValidationError": _validation_error(),
        "KeyError": KeyError("customer_id"),
        "FileNotFoundError": _missing_file(tmp_path),
        "PermissionError": PermissionError(13, "Permission denied", "/data/exports/orders.csv"),
    }, False)


@transient.check("an error it does not know is not retried", points=1,
                 hint="List what is known to be transient and return False for everything else; "
                      "retrying an error nobody understood only repeats it. An HTTPError raised by hand has "
                      "error.response None: check for None before reading status_code.")
def _unknown(is_transient: Callable[[BaseException], Any]) -> None:
    import requests

    class VendorSDKError(Exception):
        pass

    _classify(is_transient, {
        "RuntimeError": RuntimeError("unexpected state"),
        "VendorSDKError (a custom Exception)": VendorSDKError("boom"),
    }, False)
    _classify(is_transient, {
        "requests.TooManyRedirects": requests.exceptions.TooManyRedirects("Exceeded 30 redirects."),
        "requests.InvalidURL": requests.exceptions.InvalidURL("Invalid URL 'https://api.example.test:99999/v1'"),
    }, False, hint="Of the requests exceptions that are not HTTPErrors, only ConnectionError, Timeout and "
                   "ChunkedEncodingError mean the transport failed. A redirect loop or a malformed URL fails "
                   "the same way every time: do not call every RequestException transient.")
    _classify(is_transient, {"HTTPError without a response": requests.exceptions.HTTPError("503 Server Error")},
              False, hint="An HTTPError raised by hand has error.response None: no status, so not known to be "
                          "transient. Check `error.response is not None` before reading status_code.")
