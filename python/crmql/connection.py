"""Connections and cursors in the style of the DB-API 2.0 (PEP 249).

A ``Connection`` owns one CRMQL database (in memory, a snapshot, a database
file, or CSV files loaded from a directory). Statements run one at a time;
each either succeeds or leaves the store as it was, so there is nothing to
commit and nothing to roll back.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import difflib
import os
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _lib
from .errors import Error, InterfaceError, NotSupportedError, ProgrammingError, from_database
from .result import Result

Parameters = Optional[Mapping[str, Any]]


class Output:
    """One output of a script (``Connection.run``): rows or a message.

    Attributes:
        result: the rows, or None for a message or a statement without output.
        text: the message or text (``explain``'s plan, ``3 customers updated``), or None.
        start, end: the statement's byte range in the script's text.
    """

    __slots__ = ("result", "text", "start", "end")

    def __init__(self, result: Optional[Result], text: Optional[str], start: int, end: int):
        self.result, self.text, self.start, self.end = result, text, start, end

    def __repr__(self) -> str:
        return "<crmql.Output %s>" % (repr(self.result) if self.result is not None else repr(self.text))


class Connection:
    """A CRMQL database and the session's definitions.

    Use ``crmql.connect(...)`` to make one. It may be shared by threads:
    statements take turns, and ``interrupt()`` may be called from any thread
    while another runs a statement.
    """

    def __init__(self, db: int, library):
        self._db: Optional[int] = db
        self._lib = library
        self._lock = threading.RLock()

    # -- life --------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after ``close()``."""
        return self._db is None

    def close(self) -> None:
        """Releases the database. Closing twice is harmless; any other use afterwards raises ``InterfaceError``."""
        with self._lock:
            if self._db is not None:
                self._lib.crmql_close(self._db)
                self._db = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _handle(self) -> int:
        db = self._db
        if db is None:
            raise InterfaceError("the connection is closed: open a new one with crmql.connect()")
        return db

    def commit(self) -> None:
        """Nothing to do: each statement is committed when it succeeds (PEP 249 asks for the method)."""
        self._handle()

    def rollback(self) -> None:
        """Not supported: a statement that fails already leaves the store as it was."""
        self._handle()
        raise NotSupportedError("crmql has no transactions to roll back: a failed statement changes nothing")

    # -- running -----------------------------------------------------------

    def cursor(self) -> "Cursor":
        """A new cursor on this connection."""
        self._handle()
        return Cursor(self)

    def execute(self, text: str, parameters: Parameters = None) -> "Cursor":
        """Runs ``text`` on a new cursor and returns the cursor (a shortcut)."""
        cursor = self.cursor()
        cursor.execute(text, parameters)
        return cursor

    def query(self, text: str, **parameters: Any) -> Result:
        """Runs a query with ``$name`` parameters given as keywords and returns its ``Result``.

        >>> db.query("select customers where points >= $min show name, tier", min=5000).to_pandas()
        """
        result = self._run_one(text, parameters)
        if result is None:
            raise ProgrammingError("the statement returned no rows: query() takes a `select`", phase="semantic")
        return result

    def run(self, text: str, source_name: str = "<input>") -> List[Output]:
        """Runs every statement of ``text`` in order (definitions, loads,
        queries) and returns their outputs; stops at the first that fails,
        raising its error (that statement changed nothing)."""
        return list(self.iter_run(text, source_name))

    def iter_run(self, text: str, source_name: str = "<input>") -> Iterator[Output]:
        """``run`` one output at a time: each statement runs only when the
        previous one's outputs have been taken."""
        db = self._handle()
        lib = self._lib
        script = ctypes.c_void_p()
        code = lib.crmql_script_open(db, text.encode("utf-8"), source_name.encode("utf-8"), ctypes.byref(script))
        if code != _lib.OK:
            raise from_database(lib, db, code)
        try:
            while True:
                result_handle = ctypes.c_void_p()
                text_pointer = ctypes.c_void_p()
                with self._lock:
                    code = lib.crmql_script_next(script, ctypes.byref(result_handle), ctypes.byref(text_pointer))
                    start, end = ctypes.c_int(), ctypes.c_int()
                    lib.crmql_script_range(script, ctypes.byref(start), ctypes.byref(end))
                    if code not in (_lib.ROW, _lib.OK, _lib.DONE):
                        raise from_database(lib, db, code)
                if code == _lib.DONE:
                    return
                result = Result(lib, result_handle.value) if code == _lib.ROW else None
                yield Output(result, _lib.take_text(lib, text_pointer.value), start.value, end.value)
        finally:
            lib.crmql_script_close(script)

    def _run_one(self, text: str, parameters: Parameters) -> Optional[Result]:
        """Runs one statement with bound parameters; with no parameters, a
        script of several, whose last rows are returned."""
        db = self._handle()
        lib = self._lib
        if not isinstance(text, str):
            raise InterfaceError("the statement must be text (str), not %s" % type(text).__name__)
        stmt = ctypes.c_void_p()
        with self._lock:
            code = lib.crmql_prepare(db, text.encode("utf-8"), ctypes.byref(stmt))
            if code != _lib.OK:
                error = from_database(lib, db, code)
                if not parameters and "exactly one statement" in error.message:
                    stmt = None
                else:
                    raise error
        if stmt is None:
            last = None
            for output in self.iter_run(text):
                if output.result is not None:
                    last = output.result
            return last
        try:
            _bind(lib, db, stmt, parameters or {})
            code = lib.crmql_step(stmt)
            if code not in (_lib.ROW, _lib.DONE):
                raise from_database(lib, db, code)
            handle = lib.crmql_stmt_result(stmt)
            return Result(lib, handle) if handle else None
        finally:
            lib.crmql_finalize(stmt)

    def interrupt(self) -> None:
        """Stops the statement running on this connection (from any thread);
        it raises ``crmql.InterruptedError`` and changes nothing."""
        db = self._db
        if db is not None:
            self._lib.crmql_interrupt(db)

    # -- limits and editor support ----------------------------------------

    def set_limit(self, name: str, value: Optional[int]) -> Optional[int]:
        """Sets a limit (``"rows"``, ``"time_ms"``, ``"nesting"``, ``"memory"``;
        None for none) and returns its previous value."""
        ids = {"rows": _lib.LIMIT_RESULT_ROWS, "time_ms": _lib.LIMIT_TIME_MS,
               "nesting": _lib.LIMIT_NESTING_DEPTH, "memory": _lib.LIMIT_MEMORY_BYTES}
        if name not in ids:
            raise InterfaceError("unknown limit %r: the limits are %s" % (name, ", ".join(sorted(ids))))
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise InterfaceError("limit %r takes a non-negative int or None, not %r" % (name, value))
        previous = self._lib.crmql_limit(self._handle(), ids[name], _lib.UNLIMITED if value is None else value)
        return None if previous == _lib.UNLIMITED else previous

    def complete(self, text: str, cursor: Optional[int] = None) -> Tuple[int, List[str]]:
        """Completion at ``cursor`` (a character offset; default the end):
        the offset where the replaced word starts and the candidates."""
        db = self._handle()
        position = len(text) if cursor is None else cursor
        byte_cursor = len(text[:position].encode("utf-8"))
        start = ctypes.c_int(byte_cursor)
        with self._lock:
            words = _lib.take_text(self._lib, self._lib.crmql_complete(db, text.encode("utf-8"), byte_cursor, ctypes.byref(start)))
        start_chars = len(text.encode("utf-8")[: start.value].decode("utf-8", errors="ignore"))
        return start_chars, [w for w in (words or "").split("\n") if w]

    def inspect(self, text: str, cursor: Optional[int] = None) -> Optional[str]:
        """What the database knows of the name at ``cursor`` (a character
        offset): a measure's definition, a field's type, an entity's fields."""
        db = self._handle()
        position = len(text) if cursor is None else cursor
        byte_cursor = len(text[:position].encode("utf-8"))
        with self._lock:
            return _lib.take_text(self._lib, self._lib.crmql_inspect(db, text.encode("utf-8"), byte_cursor))

    def __repr__(self) -> str:
        return "<crmql.Connection %s>" % ("closed" if self.closed else "open")


def _bind(lib, db: int, stmt, parameters: Mapping[str, Any]) -> None:
    """Binds ``parameters`` by name, refusing names the statement does not
    use and values of types CRMQL has no literal for."""
    if not isinstance(parameters, Mapping):
        raise InterfaceError("parameters are a mapping of names to values ({\"min\": 5}), not %s"
                             % type(parameters).__name__)
    used = [lib.crmql_bind_parameter_name(stmt, i).decode() for i in range(1, lib.crmql_bind_parameter_count(stmt) + 1)]
    for name, value in parameters.items():
        key = str(name)
        index = lib.crmql_bind_parameter_index(stmt, key.encode("utf-8"))
        if index == 0:
            bare = [u.lstrip("$") for u in used]
            close = difflib.get_close_matches(key.lstrip("$"), bare, n=1)
            hint = ("; did you mean '%s'?" % close[0]) if close else ""
            uses = (" it uses " + ", ".join(used)) if used else " it has none"
            raise InterfaceError("the statement has no parameter $%s:%s%s" % (key.lstrip("$"), uses, hint))
        code = _bind_value(lib, stmt, index, key, value)
        if code != _lib.OK:
            raise from_database(lib, db, code)


def _bind_value(lib, stmt, index: int, name: str, value: Any) -> int:
    if value is None:
        return lib.crmql_bind_null(stmt, index)
    if isinstance(value, bool):
        return lib.crmql_bind_bool(stmt, index, 1 if value else 0)
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise InterfaceError("parameter $%s: %d does not fit a CRMQL int (64 bits)" % (name.lstrip("$"), value))
        return lib.crmql_bind_int64(stmt, index, value)
    if isinstance(value, float):
        return lib.crmql_bind_double(stmt, index, value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return lib.crmql_bind_text(stmt, index, data, len(data))
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return lib.crmql_bind_date(stmt, index, (value.strftime("%Y-%m-%dT%H:%M:%S") + "Z").encode())
    if isinstance(value, _dt.date):
        return lib.crmql_bind_date(stmt, index, value.isoformat().encode())
    kind = _numpy_kind(value)
    if kind is not None:
        return _bind_value(lib, stmt, index, name, kind)
    raise InterfaceError(
        "parameter $%s: cannot bind a value of type %s; CRMQL parameters take None, bool, int, float, str, "
        "datetime.date or datetime.datetime" % (name.lstrip("$"), type(value).__name__)
    )


def _numpy_kind(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value it stands for, else None."""
    module = type(value).__module__
    if module.startswith("numpy") and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    if module.startswith("pandas") and hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return None


class Cursor:
    """A PEP 249 cursor: ``execute``, then ``fetchone``/``fetchmany``/``fetchall``."""

    arraysize: int = 1

    def __init__(self, connection: Connection):
        self.connection = connection
        self._result: Optional[Result] = None
        self._position = 0
        self._closed = False

    @property
    def description(self) -> Optional[List[Tuple[str, str, None, None, None, None, None]]]:
        """Seven-item tuples per column (name, CRMQL type, then five Nones
        as PEP 249 allows); None when the last statement returned no rows."""
        if self._result is None:
            return None
        return [(name, type_, None, None, None, None, None) for name, type_ in zip(self._result.columns, self._result.types)]

    @property
    def rowcount(self) -> int:
        """Rows of the last result; -1 when the last statement returned none."""
        return -1 if self._result is None else len(self._result)

    @property
    def result(self) -> Optional[Result]:
        """The last statement's ``Result`` (for ``to_pandas()``), or None."""
        return self._result

    def _check(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection._handle()

    def execute(self, text: str, parameters: Parameters = None) -> "Cursor":
        """Runs one statement with ``$name`` parameters from a mapping
        (``{"min": 5}``); without parameters, ``text`` may hold several
        statements, and the last rows they return become the result."""
        self._check()
        self._result = None
        self._position = 0
        self._result = self.connection._run_one(text, parameters)
        return self

    def executemany(self, text: str, seq_of_parameters: Sequence[Mapping[str, Any]]) -> "Cursor":
        """Runs the statement once per parameter mapping."""
        for parameters in seq_of_parameters:
            self.execute(text, parameters)
        return self

    def _rows(self) -> List[Tuple[Any, ...]]:
        self._check()
        if self._result is None:
            raise ProgrammingError("no rows to fetch: the last statement returned none (or none has run)")
        return self._result.rows()

    def fetchone(self) -> Optional[Tuple[Any, ...]]:
        """The next row, or None after the last."""
        rows = self._rows()
        if self._position >= len(rows):
            return None
        self._position += 1
        return rows[self._position - 1]

    def fetchmany(self, size: Optional[int] = None) -> List[Tuple[Any, ...]]:
        """The next ``size`` rows (default ``arraysize``)."""
        rows = self._rows()
        count = self.arraysize if size is None else size
        taken = rows[self._position:self._position + count]
        self._position += len(taken)
        return taken

    def fetchall(self) -> List[Tuple[Any, ...]]:
        """Every remaining row."""
        rows = self._rows()
        taken = rows[self._position:]
        self._position = len(rows)
        return taken

    def fetch_pandas(self):
        """The whole result of the last statement as a DataFrame."""
        self._rows()
        return self._result.to_pandas()

    def __iter__(self) -> Iterator[Tuple[Any, ...]]:
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def setinputsizes(self, sizes: Any) -> None:
        """Does nothing (PEP 249)."""

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        """Does nothing (PEP 249)."""

    def close(self) -> None:
        """Forgets the result; later use raises ``InterfaceError``."""
        self._closed = True
        self._result = None


def data_directory_statements(path: Union[str, os.PathLike]) -> List[str]:
    """The ``load`` statements for every ``DIR/<entity>.csv``, entities that
    others refer to first (a column ``customer`` in ``orders.csv`` refers to
    ``customers``), as ``crmql --data DIR`` orders them."""
    directory = Path(path)
    if not directory.is_dir():
        raise InterfaceError("data=%r: not a directory of CSV files" % str(path))
    tables = {}
    for file in sorted(directory.iterdir()):
        if file.suffix == ".csv" and not file.name.startswith(".") and len(file.name) > 4:
            tables[file.stem] = _header(file)
    def singulars(entity: str) -> set:
        forms = set()
        if entity.endswith("ies"):
            forms.add(entity[:-3] + "y")
        if entity.endswith("es"):
            forms.add(entity[:-2])
        if entity.endswith("s"):
            forms.add(entity[:-1])
        forms.discard("")
        return forms
    depends = {e: {o for o in tables if o != e and singulars(o) & set(cols)} for e, cols in tables.items()}
    ordered: List[str] = []
    while len(ordered) < len(tables):
        ready = [e for e in tables if e not in ordered and depends[e] <= set(ordered)]
        ordered.append(ready[0] if ready else next(e for e in tables if e not in ordered))
    return ["load %s from %s" % (_name(e), _string(str(directory / (e + ".csv")))) for e in ordered]


def _header(file: Path) -> List[str]:
    import csv

    with open(file, newline="", encoding="utf-8-sig", errors="replace") as handle:
        first = next(csv.reader(handle), [])
    return [c.strip() for c in first]


def _name(entity: str) -> str:
    plain = entity[:1].isalpha() or entity[:1] == "_"
    plain = plain and all(c.isalnum() or c == "_" for c in entity)
    return entity if plain else "`" + entity.replace("`", "") + "`"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def connect(demo: bool = False, snapshot: Optional[Union[str, os.PathLike]] = None,
            data: Optional[Union[str, os.PathLike]] = None, database: Optional[Union[str, os.PathLike]] = None,
            read_only: bool = False, today: Optional[str] = None, safe: bool = False,
            max_rows: Optional[int] = None, timeout_ms: Optional[int] = None) -> Connection:
    """Opens a CRMQL database.

    Args:
        demo: start on the built-in demo data (customers, orders, ...; today is 2026-06-30).
        snapshot: a snapshot file that ``save "<file>"`` wrote.
        data: a directory whose ``<entity>.csv`` files are loaded, as ``crmql --data``.
        database: a database file, created when missing; every change is logged to it.
        read_only: with ``database``: refuse changes.
        today: the session's today (``YYYY-MM-DD``); default the system date.
        safe: no statement may read or write a file.
        max_rows: the most rows one result may have (a larger one raises ``crmql.LimitError``).
        timeout_ms: the longest one statement may run.

    Raises:
        crmql.Error: the snapshot, database or data cannot be opened or loaded.
    """
    if snapshot is not None and database is not None:
        raise InterfaceError("connect() takes a snapshot or a database file, not both")
    lib = _lib.load()
    flags = (_lib.OPEN_DEMO if demo else 0) | (_lib.OPEN_SAFE if safe else 0)
    path = snapshot
    if database is not None:
        flags |= _lib.OPEN_DATABASE | (_lib.OPEN_READONLY if read_only else 0)
        path = database
    elif read_only:
        raise InterfaceError("read_only=True needs database=FILE")
    db = ctypes.c_void_p()
    code = lib.crmql_open_v2(os.fsencode(path) if path is not None else None, flags,
                             today.encode() if today else None, ctypes.byref(db))
    if code != _lib.OK:
        error = from_database(lib, db, code) if db.value else Error("crmql_open_v2 failed with code %d" % code)
        lib.crmql_close(db)
        raise error
    connection = Connection(db.value, lib)
    try:
        if max_rows is not None:
            connection.set_limit("rows", max_rows)
        if timeout_ms is not None:
            connection.set_limit("time_ms", timeout_ms)
        if data is not None:
            statements = data_directory_statements(data)
            if statements:
                connection.run("\n".join(statements), source_name="--data")
    except BaseException:
        connection.close()
        raise
    return connection
