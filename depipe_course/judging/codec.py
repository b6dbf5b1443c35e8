"""The only things that cross between the judge and the worker: plain data and handles.

A value is *data* when its type is exactly one the judge can rebuild without running
code from the other side: None, bool, int, float, str, bytes, Decimal, dates and times,
UUID, paths, lists, tuples, sets, dicts, DataFrames, Series and Arrow tables (as Arrow
IPC), exceptions (by type name, message, data attributes and cause). A subclass of a
built-in type is never data: its ``==`` or ``__iter__`` could be the learner's, so it is
carried as ``Refused`` and compares equal to nothing. Anything else crosses as a
*handle*: the receiver gets a proxy whose every use is a request back to the owner.

The wire format is JSON whose containers are tagged lists (``["L", ...]``), so a
decoder never has to guess, and whose depth and size are bounded.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import enum
import importlib
import json
import math
import pathlib
import uuid
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 60
MAX_MESSAGE = 256 * 1024 * 1024
_SCALARS = (type(None), bool, int, str)
# Standard-library containers whose behaviour is the library's, never the learner's: sent as plain ones.
_PLAIN_DICTS = (OrderedDict, defaultdict, Counter)
# Exceptions the judge rebuilds as their real class (modules it trusts); others become RemoteError.
_TRUSTED_EXCEPTION_MODULES = ("builtins", "requests", "urllib3", "json", "decimal", "sqlite3", "psycopg",
                              "botocore", "socket", "ssl", "http", "concurrent", "zoneinfo", "pyarrow",
                              "pandas", "depipe_course.fakes", "depipe_course.checking", "depipe_course.judging",
                              "subprocess", "csv",
                              "binascii", "unicodedata", "asyncio", "pickle", "io", "os", "pydantic",
                              "pydantic_core", "pydantic_settings")


@dataclass(frozen=True)
class ByHandle:
    """Send ``obj`` as a handle even if it is data (an input the receiver should keep, not copy)."""

    obj: Any


class CodecError(ValueError):
    """A message that is not what this codec writes (too deep, too big, an unknown tag)."""


@dataclass(frozen=True)
class Refused:
    """A value the codec would not carry: shown in feedback, equal to nothing."""

    type_name: str
    reason: str

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return hash((self.type_name, self.reason))

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.reason}>"


@dataclass(frozen=True, eq=False)
class RemoteEnum:
    """A member of an enum the other side defined: its name and value, equal to its value."""

    type_name: str
    name: str
    value: Any

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RemoteEnum):
            return (self.type_name, self.value) == (other.type_name, other.value)
        if isinstance(other, enum.Enum):
            return bool(self.value == other.value)
        return bool(self.value == other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __str__(self) -> str:
        return str(self.value) if isinstance(self.value, str) else f"{self.type_name}.{self.name}"

    def __repr__(self) -> str:
        return f"<{self.type_name}.{self.name}: {self.value!r}>"


class RemoteError(Exception):
    """An exception raised on the other side whose class the judge does not rebuild.

    ``remote_types`` lists the qualified names of its class and bases, so a check can
    ask whether it was, say, a ``pydantic_core.ValidationError``.
    """

    remote_types: tuple[str, ...] = ()
    remote_where: tuple[tuple[str, int], ...] = ()

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_REMOTE_CLASSES: dict[tuple[str, tuple[str, ...]], type[RemoteError]] = {}


def remote_types(exc: BaseException) -> tuple[str, ...]:
    """The qualified class names an exception had where it was raised (its own, here)."""
    found = getattr(exc, "remote_types", ())
    if found:
        return tuple(found)
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__)


def raised_as(exc: BaseException, *names: str) -> bool:
    """Whether ``exc`` was, where it was raised, an instance of a class named in ``names``.

    A name may be qualified (``pydantic_core._pydantic_core.ValidationError``) or bare (``ValidationError``).
    """
    for full in remote_types(exc):
        if full in names or full.rsplit(".", 1)[-1] in names:
            return True
    return False


# ------------------------------------------------------------------------------------ encoding


def _arrow_bytes(table: Any) -> str:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode()


def _arrow_table(text: str) -> Any:
    import pyarrow as pa

    return pa.ipc.open_stream(pa.py_buffer(base64.b64decode(text))).read_all()


def _tz(value: dt.tzinfo | None) -> Any:
    if value is None:
        return None
    key = getattr(value, "key", None)
    if isinstance(key, str):
        return ["Z", key]
    if value is dt.UTC:
        return ["U"]
    offset = value.utcoffset(None)
    if offset is None:
        raise TypeError(f"a timezone without a fixed offset ({type(value).__name__})")
    return ["O", offset.total_seconds(), value.tzname(None)]


def _untz(data: Any) -> dt.tzinfo | None:
    if data is None:
        return None
    if data[0] == "Z":
        from zoneinfo import ZoneInfo

        return ZoneInfo(str(data[1]))
    if data[0] == "U":
        return dt.UTC
    return dt.timezone(dt.timedelta(seconds=float(data[1])), str(data[2]) if data[2] is not None else None)


class Encoder:
    """Turns a value into tagged JSON data; ``handle`` names what is not data."""

    def __init__(self, handle: Callable[[Any], list[Any]]) -> None:
        self.handle = handle

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return ["R", type(value).__name__, "nested too deeply to send"]
        kind = type(value)
        if kind in _SCALARS:
            return value
        if kind is float:
            return value if math.isfinite(value) else ["F", repr(value)]
        if kind in (list, tuple, set, frozenset):
            tag = {list: "L", tuple: "T", set: "S", frozenset: "FS"}[kind]
            return [tag, *(self.encode(v, depth + 1) for v in value)]
        if kind is dict or kind in _PLAIN_DICTS:
            out: list[Any] = ["D"]
            for k, v in dict.items(value):
                out += [self.encode(k, depth + 1), self.encode(v, depth + 1)]
            return out
        if kind is ByHandle:
            return self.handle(value.obj)
        special = self._special(value, kind, depth)
        if special is not None:
            return special
        if isinstance(value, BaseException):
            return self.exception(value, depth)
        if isinstance(value, enum.Enum):
            return ["EN", f"{kind.__module__}.{kind.__qualname__}", value.name, self.encode(value.value, depth + 1)]
        if isinstance(value, (int, float, str, bytes, list, tuple, dict, set, frozenset, decimal.Decimal)):
            return ["R", kind.__qualname__, f"a subclass of {kind.__mro__[1].__name__}: the grader compares "
                    "only plain values"]
        return self.handle(value)

    def _special(self, value: Any, kind: type, depth: int) -> Any:
        if kind is bytes:
            return ["B", base64.b64encode(value).decode()]
        if kind is decimal.Decimal:
            return ["N", str(value)]
        if kind is dt.datetime:
            return ["DT", value.replace(tzinfo=None).isoformat(), _tz(value.tzinfo), value.fold]
        if kind is dt.date:
            return ["DA", value.isoformat()]
        if kind is dt.time:
            return ["TI", value.replace(tzinfo=None).isoformat(), _tz(value.tzinfo)]
        if kind is dt.timedelta:
            return ["TD", value.days, value.seconds, value.microseconds]
        if kind is uuid.UUID:
            return ["UU", str(value)]
        if kind in (pathlib.PosixPath, pathlib.PurePosixPath):
            return ["P", str(value)]
        if isinstance(value, dt.tzinfo) and _tz_or_none(value) is not None:
            return ["TZ", _tz(value)]
        module = kind.__module__
        if module.startswith(("pandas", "numpy", "pyarrow", "requests")):
            return _library_value(self, value, kind, depth)
        return None

    def exception(self, exc: BaseException, depth: int = 0) -> list[Any]:
        origin = getattr(exc, "_remote_origin", None)
        if type(origin) is int:  # it came from the other side: it goes back as itself
            return ["E", "", "", [], "", ["L"], ["D"], None, None, False, [], ["H", "r", origin]]
        kind = type(exc)
        try:
            message = str(exc)
        except Exception:  # noqa: BLE001 - a learner's __str__ may raise
            message = f"<{kind.__name__} whose str() raised>"
        attrs: list[Any] = ["D"]
        for name, value in list(getattr(exc, "__dict__", {}).items())[:20]:
            if isinstance(name, str) and not name.startswith("_"):
                attrs += [name, self.encode(value, depth + 1)]
        if kind.__module__.startswith("pydantic_core") and hasattr(exc, "errors"):
            try:  # rebuilt on the other side with from_exception_data: same errors, same str()
                errors = exc.errors(include_url=False)
                hidden = bool(errors) and "input_value=" not in message  # hide_input_in_errors
                attrs += ["pydantic", self.encode([exc.title, errors, hidden], depth + 1)]
            except Exception:  # noqa: BLE001
                pass
        diag = getattr(exc, "diag", None) if kind.__module__.startswith("psycopg") else None
        if diag is not None:  # what the server said, so error.diag.* answers on the other side too
            fields = {name: getattr(diag, name, None) for name in _PSYCOPG_DIAG}
            attrs += ["psycopg", self.encode({k: v for k, v in fields.items() if type(v) is str}, depth + 1)]
        chain = []
        for linked in (exc.__cause__, exc.__context__):
            chain.append(self.exception(linked, depth + 1) if isinstance(linked, BaseException)
                         and depth < 8 else None)
        try:
            args = self.encode(list(exc.args), depth + 1)
        except Exception:  # noqa: BLE001
            args = ["L"]
        return ["E", kind.__module__, kind.__qualname__,
                [f"{c.__module__}.{c.__qualname__}" for c in kind.__mro__][:30], message[:4000], args, attrs,
                *chain, bool(exc.__suppress_context__), _where(exc), self.handle(exc)]


def _tz_or_none(value: dt.tzinfo) -> Any:
    try:
        return _tz(value)
    except TypeError:
        return None


def _where(exc: BaseException) -> list[list[Any]]:
    """(file, line) of each frame the exception passed through, innermost last (for "line N of your code")."""
    import traceback

    given = getattr(exc, "remote_where", None)
    if given:
        return [[f, n] for f, n in given]
    try:
        return [[f.filename, f.lineno or 0] for f in traceback.extract_tb(exc.__traceback__)][-30:]
    except Exception:  # noqa: BLE001
        return []


# A frame with a column of mixed Python values (a test's ``[10.5, "abc", None]``) has no Arrow
# type: such a column crosses value by value, the others still as Arrow. Bounded: it is slow.
_MAX_FRAME_VALUES = 100_000


def _frame_by_columns(encoder: Encoder, frame: Any, depth: int) -> list[Any]:
    """``frame`` as its index (Arrow) and one entry per column: Arrow, or its values one by one."""
    import pandas as pd
    import pyarrow as pa

    columns = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position].reset_index(drop=True)
        try:
            columns.append(["A", _arrow_bytes(pa.Table.from_pandas(column.to_frame(name="c"),
                                                                    preserve_index=False))])
        except (pa.ArrowException, TypeError, ValueError):
            if column.dtype != object:
                raise
            columns.append(["V", [encoder.encode(item, depth + 2) for item in column.tolist()]])
    index = _arrow_bytes(pa.Table.from_pandas(pd.DataFrame(index=frame.index), preserve_index=True))
    return ["DFC", index, encoder.encode(list(frame.columns), depth + 1), columns]


def _library_value(encoder: Encoder, value: Any, kind: type, depth: int) -> Any:
    """pandas, NumPy, Arrow and requests values the checks compare or learners return."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if kind is pd.DataFrame:
        try:
            return ["DF", _arrow_bytes(pa.Table.from_pandas(value, preserve_index=True))]
        except (pa.ArrowException, TypeError, ValueError) as exc:
            if value.size <= _MAX_FRAME_VALUES and value.columns.is_unique:
                with contextlib.suppress(pa.ArrowException, TypeError, ValueError, CodecError):
                    return _frame_by_columns(encoder, value, depth)
            return ["R", "DataFrame", f"a DataFrame Arrow cannot hold ({type(exc).__name__}: {str(exc)[:200]})"]
    if kind is pd.Series:
        try:
            frame = value.to_frame(name="__series__")
            return ["SE", _arrow_bytes(pa.Table.from_pandas(frame, preserve_index=True)),
                    encoder.encode(value.name, depth + 1)]
        except (pa.ArrowException, TypeError, ValueError) as exc:
            return ["R", "Series", f"a Series Arrow cannot hold ({type(exc).__name__})"]
    if kind is pa.Table:
        return ["AT", _arrow_bytes(value)]
    if kind is pd.Timestamp:
        return ["TS", value.isoformat(), _tz(value.tzinfo)]
    if value is pd.NaT:
        return ["NaT"]
    if value is pd.NA:
        return ["NA"]
    if isinstance(value, np.generic):
        return encoder.encode(value.item(), depth + 1)
    if kind.__module__.startswith("requests") and kind.__name__ == "Response":
        return ["RS", value.status_code, encoder.encode(dict(value.headers), depth + 1),
                base64.b64encode(value.content or b"").decode(), value.url, value.reason, value.encoding]
    return None


# ------------------------------------------------------------------------------------ decoding


class Decoder:
    """Rebuilds values from tagged JSON data; ``resolve`` turns a handle into a proxy or an object."""

    def __init__(self, resolve: Callable[[list[Any]], Any], *, trusted_exceptions: bool) -> None:
        self.resolve = resolve
        self.trusted_only = trusted_exceptions

    def decode(self, data: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH + 2:
            raise CodecError("a message nested too deeply")
        if data is None or type(data) in (bool, int, float, str):
            return data
        if type(data) is not list or not data or type(data[0]) is not str:
            raise CodecError(f"not a value this codec writes: {type(data).__name__}")
        tag, rest = data[0], data[1:]
        if tag in ("L", "T", "S", "FS"):
            items = [self.decode(v, depth + 1) for v in rest]
            return {"L": list, "T": tuple, "S": set, "FS": frozenset}[tag](items)
        if tag == "D":
            if len(rest) % 2:
                raise CodecError("a dict with an odd number of entries")
            return {self.decode(rest[i], depth + 1): self.decode(rest[i + 1], depth + 1)
                    for i in range(0, len(rest), 2)}
        if tag == "H":
            return self.resolve(rest)
        if tag == "E":
            return self.exception(rest, depth)
        return self._value(tag, rest, depth)

    def _value(self, tag: str, rest: list[Any], depth: int) -> Any:  # noqa: PLR0911 - one branch per tag
        if tag == "F":
            return float(_one_of(rest[0], ("nan", "inf", "-inf")))
        if tag == "B":
            return base64.b64decode(str(rest[0]), validate=True)
        if tag == "N":
            return decimal.Decimal(str(rest[0]))
        if tag == "DT":
            return dt.datetime.fromisoformat(str(rest[0])).replace(tzinfo=_untz(rest[1]), fold=int(rest[2]))
        if tag == "DA":
            return dt.date.fromisoformat(str(rest[0]))
        if tag == "TI":
            return dt.time.fromisoformat(str(rest[0])).replace(tzinfo=_untz(rest[1]))
        if tag == "TD":
            return dt.timedelta(days=int(rest[0]), seconds=int(rest[1]), microseconds=int(rest[2]))
        if tag == "UU":
            return uuid.UUID(str(rest[0]))
        if tag == "P":
            return pathlib.Path(str(rest[0]))
        if tag == "TZ":
            return _untz(rest[0])
        if tag == "R":
            return Refused(str(rest[0]), str(rest[1]))
        if tag == "EN":
            return self._enum(str(rest[0]), str(rest[1]), self.decode(rest[2], depth + 1))
        return self._library(tag, rest, depth)

    def _enum(self, type_name: str, name: str, value: Any) -> Any:
        cls = _trusted_attribute(type_name) if not self.trusted_only else None
        if isinstance(cls, type) and issubclass(cls, enum.Enum):
            try:
                return cls[name]
            except KeyError:
                pass
        return RemoteEnum(type_name, name, value)

    def _frame_by_columns(self, rest: list[Any], depth: int) -> Any:
        import pandas as pd

        index = _arrow_table(str(rest[0])).to_pandas().index
        names = self.decode(rest[1], depth + 1)
        if not isinstance(names, list) or not isinstance(rest[2], list) or len(names) != len(rest[2]):
            raise CodecError("a frame's columns do not match their names")
        data = {}
        for name, (how, payload) in zip(names, rest[2], strict=True):
            if how == "A":
                values = _arrow_table(str(payload)).to_pandas()["c"]
            elif how == "V" and isinstance(payload, list):
                values = pd.Series([self.decode(item, depth + 2) for item in payload], dtype=object)
            else:
                raise CodecError(f"unknown column encoding {how!r}")
            if len(values) != len(index):
                raise CodecError("a frame's columns differ in length")
            data[name] = values.set_axis(index)
        return pd.DataFrame(data, index=index)

    def _library(self, tag: str, rest: list[Any], depth: int) -> Any:
        import pandas as pd

        if tag == "DF":
            return _arrow_table(str(rest[0])).to_pandas()
        if tag == "DFC":
            return self._frame_by_columns(rest, depth)
        if tag == "SE":
            series = _arrow_table(str(rest[0])).to_pandas()["__series__"]
            series.name = self.decode(rest[1], depth + 1)
            return series
        if tag == "AT":
            return _arrow_table(str(rest[0]))
        if tag == "TS":
            return pd.Timestamp(str(rest[0])).tz_convert(_untz(rest[1])) if rest[1] is not None \
                else pd.Timestamp(str(rest[0]))
        if tag == "NaT":
            return pd.NaT
        if tag == "NA":
            return pd.NA
        if tag == "RS":
            return _response(int(rest[0]), self.decode(rest[1], depth + 1), base64.b64decode(str(rest[2])),
                             str(rest[3]) if rest[3] is not None else None, rest[4], rest[5])
        raise CodecError(f"unknown tag {tag!r}")

    def exception(self, rest: list[Any], depth: int) -> BaseException:
        module, qualname, mro, message, args, attrs, cause, context, suppress, where, origin = rest
        if isinstance(origin, list) and origin[:1] == ["H"] and origin[1:2] == ["r"]:
            mine = self.resolve(origin[1:])  # one of this side's exceptions, back unchanged
            if not isinstance(mine, BaseException):
                raise CodecError("an exception handle to something else")
            return mine
        decoded_args = self.decode(args, depth + 1)
        cls = _exception_class(str(module), str(qualname))
        exc: BaseException | None = None
        decoded_attrs = self.decode(attrs, depth + 1)
        if cls is not None and "pydantic" in decoded_attrs:
            exc = _validation_error(cls, decoded_attrs.pop("pydantic"))
        if cls is not None and exc is None and "psycopg" in decoded_attrs:
            exc = _psycopg_error(cls, decoded_args, decoded_attrs.pop("psycopg"))
        if cls is not None and exc is None:
            try:
                try:
                    exc = cls(*decoded_args)
                except Exception:  # noqa: BLE001 - a constructor with other arguments: rebuild it bare
                    exc = cls.__new__(cls)
                    BaseException.__init__(exc, *decoded_args)
                for name, value in decoded_attrs.items():
                    setattr(exc, name, value)
            except Exception:  # noqa: BLE001 - a class that cannot be rebuilt bare is described instead
                exc = None
        if exc is None:
            exc = _remote_class(str(qualname), tuple(str(m) for m in mro))(str(message))
            for name, value in decoded_attrs.items():
                if name not in ("args", "remote_types", "remote_where"):
                    try:
                        setattr(exc, name, value)
                    except (AttributeError, TypeError):
                        pass
        try:
            exc.remote_types = tuple(str(m) for m in mro)  # type: ignore[attr-defined]
            exc.remote_where = tuple((str(f), int(n)) for f, n in where)  # type: ignore[attr-defined]
            exc.remote_message = str(message)  # type: ignore[attr-defined]
        except (AttributeError, TypeError):
            pass
        if isinstance(origin, list) and origin[1:2] == ["s"] and type(origin[2]) is int:
            with contextlib.suppress(AttributeError, TypeError):
                exc._remote_origin = origin[2]  # type: ignore[attr-defined]
        exc.__cause__ = self.exception(cause[1:], depth + 1) if cause else None
        exc.__context__ = self.exception(context[1:], depth + 1) if context else None
        exc.__suppress_context__ = bool(suppress)
        return exc


_PSYCOPG_DIAG = ("sqlstate", "severity", "severity_nonlocalized", "message_primary", "message_detail",
                 "message_hint", "constraint_name", "table_name", "column_name")


def _psycopg_error(cls: type[BaseException], args: list[Any], fields: dict[str, str]) -> BaseException | None:
    try:
        from psycopg.pq import DiagnosticField

        info = {getattr(DiagnosticField, name.upper()): value.encode() for name, value in fields.items()}
        return cls(*args, info=info)  # type: ignore[call-arg]
    except Exception:  # noqa: BLE001
        return None


def _validation_error(cls: type[BaseException], data: Any) -> BaseException | None:
    try:
        title, errors, hidden = data
        for error in errors:
            error.pop("url", None)
            error["loc"] = tuple(error.get("loc", ()))
        return cls.from_exception_data(str(title), errors,  # type: ignore[attr-defined,no-any-return]
                                       hide_input=bool(hidden))
    except Exception:  # noqa: BLE001 - an error pydantic cannot rebuild is described instead
        return None


def _one_of(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CodecError(f"not one of {allowed}: {value!r}")
    return str(value)


def _response(status: int, headers: dict[str, Any], body: bytes, url: str | None, reason: Any,
              encoding: Any) -> Any:
    import requests
    from requests.structures import CaseInsensitiveDict

    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict({str(k): str(v) for k, v in headers.items()})
    response._content = body
    response.url = url or ""
    response.reason = str(reason) if reason is not None else ""
    response.encoding = str(encoding) if encoding is not None else None
    return response


def _trusted_attribute(qualified: str) -> Any:
    module, _, name = qualified.rpartition(".")
    if not module.startswith(_TRUSTED_EXCEPTION_MODULES) and module != "__main__":
        return None
    try:
        found: Any = importlib.import_module(module)
        for part in name.split("."):
            found = getattr(found, part)
        return found
    except (ImportError, AttributeError, ValueError):
        return None


def _exception_class(module: str, qualname: str) -> type[BaseException] | None:
    if not module.startswith(_TRUSTED_EXCEPTION_MODULES) or "<" in qualname:
        return None
    try:
        found: Any = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError, ValueError):
        return None
    if isinstance(found, type) and issubclass(found, BaseException):
        return found
    return None


def _remote_class(qualname: str, mro: tuple[str, ...]) -> type[RemoteError]:
    """A stand-in class named like the remote one (so feedback reads ``ValidationError: …``)."""
    key = (qualname, mro)
    if key not in _REMOTE_CLASSES:
        name = qualname.rsplit(".", 1)[-1] or "RemoteError"
        _REMOTE_CLASSES[key] = type(name, (RemoteError,), {"remote_types": mro, "__module__": "remote"})
    return _REMOTE_CLASSES[key]


# ------------------------------------------------------------------------------------ framing


def dumps(message: Any) -> bytes:
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode()


def loads(raw: bytes) -> Any:
    if len(raw) > MAX_MESSAGE:
        raise CodecError("a message over the size limit")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (RecursionError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CodecError(f"not a message of this codec: {type(exc).__name__}") from exc


def _no_constant(name: str) -> None:
    raise CodecError(f"non-finite number {name} in a message")
