"""Results as pandas DataFrames and Arrow tables, wrapping the copied
column buffers in bulk (numpy views, Arrow buffers), never cell by cell."""

from __future__ import annotations

from typing import Any, Dict

from .result import Column, Result


def _arrow():
    try:
        import pyarrow
    except ImportError:
        return None
    return pyarrow


def _arrow_column(pa, column: Column):
    """One column as an Arrow array, sharing the copied buffers."""
    import numpy as np

    rows = column.rows
    valid = np.frombuffer(column.valid, dtype=np.uint8).astype(bool) if rows else np.zeros(0, dtype=bool)
    has_nulls = rows and not valid.all()
    mask = ~valid if has_nulls else None
    if column.storage == "text":
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes()) if has_nulls else None
        # The offsets are 64-bit, which is Arrow's large_string layout.
        return pa.LargeStringArray.from_buffers(rows, pa.py_buffer(column.text_offsets),
                                                pa.py_buffer(column.text_bytes), bitmap)
    if column.storage == "null":
        return pa.nulls(rows)
    values = np.frombuffer(column.values, dtype=np.float64 if column.storage == "number" else np.int64)
    if column.storage == "int":
        return pa.array(values, type=pa.int64(), mask=mask)
    if column.storage == "number":
        return pa.array(values, type=pa.float64(), mask=mask)
    if column.storage == "bool":
        return pa.array(values.astype(bool), type=pa.bool_(), mask=mask)
    if column.storage == "date":
        return pa.array(values.astype(np.int32), type=pa.int32(), mask=mask).cast(pa.date32())
    if column.storage == "datetime":
        return pa.array(values, type=pa.int64(), mask=mask).cast(pa.timestamp("s", tz="UTC"))
    indices = pa.array(values.astype(np.int32), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(column.symbols, type=pa.string()), ordered=True)


def to_arrow(result: Result):
    """The result as a ``pyarrow.Table``."""
    pa = _arrow()
    if pa is None:
        raise ImportError("Result.to_arrow() needs pyarrow: pip install pyarrow")
    arrays = [_arrow_column(pa, c) for c in result.column_data]
    return pa.Table.from_arrays(arrays, names=_unique_names(result.columns))


def _unique_names(names):
    """Column names a DataFrame can hold: a repeated name gets a suffix."""
    seen: Dict[str, int] = {}
    unique = []
    for name in names:
        if name in seen:
            seen[name] += 1
            unique.append("%s_%d" % (name, seen[name]))
        else:
            seen[name] = 0
            unique.append(name)
    return unique


def _pandas_column(pd, np, pa, column: Column) -> Any:
    rows = column.rows
    valid = np.frombuffer(column.valid, dtype=np.uint8).astype(bool) if rows else np.zeros(0, dtype=bool)
    has_nulls = bool(rows) and not bool(valid.all())
    storage = column.storage
    if storage == "null":
        return pd.Series([None] * rows, dtype=object)
    if storage == "text":
        if pa is not None:
            return pd.Series(pd.arrays.ArrowStringArray(_arrow_column(pa, column).cast(pa.large_string())))
        return pd.Series(column.python_values(), dtype="string")
    values = np.frombuffer(column.values, dtype=np.float64 if storage == "number" else np.int64)
    # The copied buffers belong to this result alone, so the frame takes
    # them as they are; only a column with nulls is copied, to mark them.
    if storage == "int":
        if has_nulls:
            return pd.Series(pd.arrays.IntegerArray(values, ~valid))
        return pd.Series(values, copy=False)
    if storage == "number":
        data = values
        if has_nulls:
            data = values.copy()
            data[~valid] = np.nan
        return pd.Series(data, copy=False)
    if storage == "bool":
        data = values.astype(bool)
        if has_nulls:
            return pd.Series(pd.arrays.BooleanArray(data, ~valid))
        return pd.Series(data)
    if storage in ("date", "datetime"):
        unit = "D" if storage == "date" else "s"
        data = values.astype("datetime64[%s]" % unit).astype("datetime64[s]")
        if has_nulls:
            data[~valid] = np.datetime64("NaT")
        series = pd.Series(data)
        return series.dt.tz_localize("UTC") if storage == "datetime" else series
    codes = values.astype(np.int64)
    if has_nulls:
        codes = codes.copy()
        codes[~valid] = -1
    return pd.Series(pd.Categorical.from_codes(codes, categories=column.symbols, ordered=True))


def to_pandas(result: Result):
    """The result as a pandas DataFrame (see ``Result.to_pandas``)."""
    import numpy as np
    import pandas as pd

    pa = _arrow()
    names = _unique_names(result.columns)
    data = {name: _pandas_column(pd, np, pa, column) for name, column in zip(names, result.column_data)}
    frame = pd.DataFrame(data, columns=names)
    if not names:
        frame = pd.DataFrame(index=range(len(result)))
    return frame
