"""A query's result, taken from the engine a whole column at a time.

A ``Result`` holds the engine's result handle and copies each column out
once, into a contiguous buffer, the first time any consumer asks for it:
``to_pandas()`` and ``to_arrow()`` wrap those buffers without a Python call
per cell, and rows for the DB-API are made from them only when fetched.
"""

from __future__ import annotations

import array
import ctypes
import os
import datetime as _dt
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from . import _lib

_EPOCH_DATE = _dt.date(1970, 1, 1)
# TUNING: above this many cells a result's columns are copied on several
# threads; below it, starting the threads costs more than it saves.
PARALLEL_COPY_CELLS = 200_000
_EPOCH_DATETIME = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)

STORAGE_NAMES = {
    _lib.T_NULL: "null", _lib.T_INT: "int", _lib.T_NUMBER: "number", _lib.T_TEXT: "text",
    _lib.T_BOOL: "bool", _lib.T_DATE: "date", _lib.T_DATETIME: "datetime", _lib.T_ENUM: "enum",
}


class Column:
    """One column copied out of the engine.

    Attributes:
        name: the column's name.
        decltype: its type as CRMQL writes it (``"enum(new, active, lapsed)"``).
        storage: one of ``"null" "int" "number" "text" "bool" "date" "datetime" "enum"``.
        symbols: an enum column's symbols in declared order, else empty.
        values: an ``array.array`` of int64 or double (not for text), or None.
        valid: a bytearray, 1 where the cell is present, 0 where null.
        text_bytes, text_offsets: a text column in Arrow layout.
    """

    __slots__ = ("name", "decltype", "storage", "symbols", "values", "valid", "text_bytes", "text_offsets", "rows")

    def __init__(self, library, handle: int, index: int, rows: int):
        self.rows = rows
        self.name = library.crmql_result_column_name(handle, index).decode("utf-8", errors="replace")
        self.decltype = library.crmql_result_column_decltype(handle, index).decode("utf-8", errors="replace")
        self.storage = STORAGE_NAMES.get(library.crmql_result_column_storage(handle, index), "null")
        self.symbols: List[str] = [
            library.crmql_result_enum_symbol(handle, index, i).decode("utf-8", errors="replace")
            for i in range(library.crmql_result_enum_count(handle, index))
        ]
        self.values: Optional[array.array] = None
        self.text_bytes: Optional[bytearray] = None
        self.text_offsets: Optional[array.array] = None
        # Never an empty buffer: the library takes a NULL pointer for misuse.
        valid = bytearray(max(rows, 1))
        valid_pointer = _address(valid)
        if self.storage == "text":
            size = library.crmql_result_text_bytes(handle, index)
            data = bytearray(max(size, 1))
            offsets = array.array("q", [0]) * (rows + 1)
            code = library.crmql_result_copy_text(handle, index, _address(data), size, offsets.buffer_info()[0],
                                                  valid_pointer, rows)
            if code != _lib.OK:
                raise RuntimeError("crmql_result_copy_text failed with code " + str(code))
            self.text_bytes = data if size else bytearray()
            self.text_offsets = offsets
        elif self.storage == "number":
            values = array.array("d", [0.0]) * rows
            if rows:
                library.crmql_result_copy_double(handle, index, values.buffer_info()[0], valid_pointer, rows)
            self.values = values
        elif self.storage != "null":
            values = array.array("q", [0]) * rows
            if rows:
                library.crmql_result_copy_int64(handle, index, values.buffer_info()[0], valid_pointer, rows)
            self.values = values
        self.valid = valid if rows else bytearray()

    def python_values(self) -> List[Any]:
        """The cells as Python values (None for null): what DB-API rows hold."""
        valid = self.valid
        storage = self.storage
        if storage == "null":
            return [None] * self.rows
        if storage == "text":
            data, offsets = bytes(self.text_bytes), self.text_offsets
            return [data[offsets[i]:offsets[i + 1]].decode("utf-8", errors="replace") if valid[i] else None
                    for i in range(self.rows)]
        values = self.values
        if storage in ("int", "number"):
            return [v if ok else None for v, ok in zip(values, valid)]
        if storage == "bool":
            return [bool(v) if ok else None for v, ok in zip(values, valid)]
        if storage == "date":
            return [_EPOCH_DATE + _dt.timedelta(days=v) if ok else None for v, ok in zip(values, valid)]
        if storage == "datetime":
            return [_EPOCH_DATETIME + _dt.timedelta(seconds=v) if ok else None for v, ok in zip(values, valid)]
        symbols = self.symbols
        return [symbols[v] if ok and 0 <= v < len(symbols) else None for v, ok in zip(values, valid)]


def _text(value: Optional[str]) -> Optional[bytes]:
    return None if value is None else str(value).encode("utf-8")


def _address(buffer: bytearray) -> int:
    if not len(buffer):
        return 0
    return ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer))


class Result:
    """The rows of one query, column by column.

    ``len(result)`` is its row count, iterating yields tuples, ``columns``
    names the columns and ``types`` gives their CRMQL types. Convert with
    ``to_pandas()``, ``to_arrow()`` or ``rows()``. In a notebook it shows as
    an HTML table.
    """

    def __init__(self, library, handle: int):
        self._lib = library
        self._handle: Optional[int] = handle
        self.row_count: int = library.crmql_result_row_count(handle)
        self._names = [library.crmql_result_column_name(handle, i).decode("utf-8", errors="replace")
                       for i in range(library.crmql_result_column_count(handle))]
        self._types = [library.crmql_result_column_decltype(handle, i).decode("utf-8", errors="replace")
                       for i in range(len(self._names))]
        self._copied: Optional[List[Column]] = None
        self._rows: Optional[List[Tuple[Any, ...]]] = None

    @property
    def _columns(self) -> List[Column]:
        # Copied on first use, so that a caller who only wants the row count
        # or the names pays nothing, and a timing of to_pandas() includes it.
        if self._copied is None:
            handle = self._handle
            count = len(self._names)
            if self.row_count * count >= PARALLEL_COPY_CELLS and count > 1:
                # The library copies without the GIL (ctypes releases it),
                # so columns copy side by side on several cores.
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=min(count, os.cpu_count() or 1)) as pool:
                    self._copied = list(pool.map(lambda i: Column(self._lib, handle, i, self.row_count), range(count)))
            else:
                self._copied = [Column(self._lib, handle, i, self.row_count) for i in range(count)]
        return self._copied

    def _release(self) -> None:
        if self._handle:
            self._lib.crmql_result_free(self._handle)
            self._handle = None

    def __del__(self) -> None:
        try:
            self._release()
        except Exception:
            pass

    @property
    def columns(self) -> List[str]:
        """The column names, in order."""
        return list(self._names)

    @property
    def types(self) -> List[str]:
        """Each column's type as CRMQL writes it (``int``, ``enum(bronze, silver)``, ``ref customers``)."""
        return list(self._types)

    @property
    def column_data(self) -> Sequence[Column]:
        """The copied columns, for converters of other libraries."""
        return tuple(self._columns)

    def __len__(self) -> int:
        return self.row_count

    def rows(self) -> List[Tuple[Any, ...]]:
        """Every row as a tuple of Python values: int, float, str, bool,
        ``datetime.date``, UTC ``datetime.datetime``, an enum's symbol as str,
        None for null."""
        if self._rows is None:
            columns = [c.python_values() for c in self._columns]
            self._rows = list(zip(*columns)) if columns else [()] * self.row_count
        return self._rows

    def __iter__(self) -> Iterator[Tuple[Any, ...]]:
        return iter(self.rows())

    def to_pandas(self):
        """The result as a pandas DataFrame with proper dtypes: ``int64``
        (``Int64`` when nulls), ``float64``, ``boolean``, ``datetime64[s]``
        for dates, UTC ``datetime64[s]`` for datetimes, ordered categoricals
        for enums in declared order, and text as pandas strings (Arrow-backed
        when pyarrow is installed). Nulls are missing values."""
        from ._frames import to_pandas

        return to_pandas(self)

    def to_arrow(self):
        """The result as a ``pyarrow.Table`` (needs pyarrow): dates as
        ``date32``, datetimes as UTC timestamps, enums as dictionary arrays
        with the declared symbols in order, text without copying cell by cell."""
        from ._frames import to_arrow

        return to_arrow(self)

    def svg(self, kind: Optional[str] = None, title: Optional[str] = None) -> str:
        """The result drawn as an SVG chart, as ``export chart`` writes it.

        Args:
            kind: ``"bar"``, ``"line"``, ``"funnel"`` or ``"heat"``; None for
                the kind the result suits (``chart_kind``).
            title: the heading; None heads it with what is drawn.

        Raises:
            crmql.ProgrammingError: an unknown kind, or columns that do not
                fit it (a line chart over text labels), in the engine's words.
        """
        return self._draw(kind, title, 0, 0)

    def chart(self, kind: Optional[str] = None, width: int = 80, unicode: bool = True, colors: bool = False) -> str:
        """The result drawn as text for a terminal of ``width`` columns, as
        the shell's ``.chart`` draws it (arguments and errors as ``svg``)."""
        flags = _lib.CHART_TEXT | (_lib.CHART_UNICODE if unicode else 0) | (_lib.CHART_COLOR if colors else 0)
        return self._draw(kind, None, int(width), flags)

    @property
    def chart_kind(self) -> str:
        """The chart the result suits: heat for a grid such as ``cohorts(...)``,
        line along dates, else bar."""
        return self._lib.crmql_result_chart_kind(self._handle).decode()

    def _draw(self, kind: Optional[str], title: Optional[str], width: int, flags: int) -> str:
        from .errors import ProgrammingError

        out, error = ctypes.c_void_p(), ctypes.c_void_p()
        self._lib.crmql_result_chart(self._handle, _text(kind), _text(title), width, flags,
                                     ctypes.byref(out), ctypes.byref(error))
        drawn = _lib.take_text(self._lib, out.value)
        message = _lib.take_text(self._lib, error.value)
        if drawn is None:
            raise ProgrammingError(message or "cannot draw this result", phase="semantic")
        return drawn

    def __repr__(self) -> str:
        return "<crmql.Result %d rows x %d columns: %s>" % (self.row_count, len(self._names), ", ".join(self._names))

    def _repr_html_(self) -> str:
        from ._display import html_table

        return html_table(self)
