"""The codec carries plain data exactly, refuses look-alikes, and rebuilds only what it trusts."""

from __future__ import annotations

import datetime as dt
import decimal
import pathlib
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from depipe_course.judging.codec import CodecError, Decoder, Encoder, Refused, RemoteError, dumps, loads, raised_as


def _round_trip(value: Any) -> Any:
    handles: list[Any] = []
    encoder = Encoder(lambda obj: handles.append(obj) or ["H", "s", len(handles), "object", "x"])
    decoder = Decoder(lambda rest: ("handle", rest[1]), trusted_exceptions=True)
    return decoder.decode(loads(dumps(encoder.encode(value))))


@pytest.mark.parametrize("value", [
    None, True, 0, -(2**70), 1.5, "ünïcode\u2028", b"\x00\xff", decimal.Decimal("98765432109876.54"),
    [1, [2, (3, 4)]], {"a": {1, 2}, 3: frozenset({"x"})},
    dt.datetime(2024, 3, 31, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.date(2024, 2, 29), dt.timedelta(days=1, microseconds=5),
    uuid.UUID(int=7), pathlib.Path("/tmp/x.parquet"),
])
def test_plain_data_round_trips_exactly(value: Any) -> None:
    """What goes in comes out equal, with the same type."""
    back = _round_trip(value)
    assert back == value and type(back) is type(value)


def test_a_dataframe_crosses_as_arrow() -> None:
    """A DataFrame keeps its values, dtypes and index."""
    frame = pd.DataFrame({"id": [1, 2], "amount": [decimal.Decimal("1.10"), None]}, index=[5, 6])
    back = _round_trip(frame)
    assert back["id"].tolist() == [1, 2] and back.index.tolist() == [5, 6]
    assert back["amount"].tolist()[0] == decimal.Decimal("1.10")


def test_a_dataframe_with_a_column_of_mixed_values_crosses_value_by_value() -> None:
    """A column Arrow has no type for (a test's ``["10.5", 7, None]``) crosses item by item; the others,
    the index and the column order come back as they were."""
    frame = pd.DataFrame({"amount": ["10.5", 7, None], "status": ["placed", "x", None],
                          "at": pd.to_datetime(["2026-03-01"] * 3, utc=True)}, index=[3, 1, 2])
    back = _round_trip(frame)
    assert list(back.columns) == ["amount", "status", "at"] and back.index.tolist() == [3, 1, 2]
    assert back["amount"].dtype == object and back["amount"].tolist() == ["10.5", 7, None]
    assert back["status"].tolist() == frame["status"].tolist() and back["at"].equals(frame["at"])


def test_in_a_mixed_column_what_is_not_data_crosses_as_a_handle() -> None:
    """Value by value follows the codec's rules: an object it cannot carry becomes a handle, never itself."""
    thing = object()
    back = _round_trip(pd.DataFrame({"amount": [1.5, thing]}))
    assert back["amount"].tolist() == [1.5, ("handle", 1)]  # this test's decoder: ("handle", its number)


def test_subclasses_of_builtins_are_refused_and_equal_to_nothing() -> None:
    """An int whose == always agrees is never compared: it arrives as Refused."""

    class Liar(int):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = int.__hash__

    back = _round_trip(Liar(3))
    assert isinstance(back, Refused) and back != 3 and "subclass of int" in back.reason


def test_other_objects_cross_as_handles() -> None:
    """A function or an instance is not data: the receiver gets a handle."""
    assert _round_trip(lambda: 1) == ("handle", 1)


def test_untrusted_exceptions_become_remote_errors_with_their_names() -> None:
    """A learner's exception class is never rebuilt here: its name, message and ancestry are."""

    class PaymentError(ValueError):
        pass

    back = _round_trip(PaymentError("no such payment"))
    assert isinstance(back, RemoteError) and str(back) == "no such payment"
    assert raised_as(back, "ValueError") and type(back).__name__ == "PaymentError"


def test_trusted_exceptions_are_rebuilt_with_their_cause() -> None:
    """requests' and the standard library's exceptions come back as themselves, chain included."""
    import requests

    try:
        try:
            raise KeyError("items")
        except KeyError as inner:
            raise requests.HTTPError("503 Server Error") from inner
    except requests.HTTPError as exc:
        back = _round_trip(exc)
    assert isinstance(back, requests.HTTPError) and isinstance(back.__cause__, KeyError)


@pytest.mark.parametrize("raw", [b"[" * 100_000, b'["Q", 1]', b"NaN", b'["D", 1]', b"\xff"])
def test_malformed_messages_are_codec_errors(raw: bytes) -> None:
    """Nothing the other side sends makes the decoder do more than refuse."""
    decoder = Decoder(lambda rest: None, trusted_exceptions=True)
    with pytest.raises(CodecError):
        decoder.decode(loads(raw))
