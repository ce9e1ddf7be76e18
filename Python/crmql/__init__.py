"""crmql from Python: a session of the C library (crmql.h) through ctypes.

    import crmql
    db = crmql.Database(today="2026-06-30")
    db.execute('load customers from "customers.csv"')
    rows = db.query("select customers where stage = mature show name, revenue")

The library is found at CRMQL_LIBRARY, else as libcrmql_c.so (.dylib) beside
the package or in the repository's .build/debug or .build/release.
"""

import ctypes
import os
import sys

__all__ = ["CRMQLError", "Database"]

CRMQL_OK, CRMQL_ROW, CRMQL_DONE = 0, 100, 101
CRMQL_NULL, CRMQL_INT, CRMQL_NUMBER, CRMQL_TEXT, CRMQL_BOOL = 0, 1, 2, 3, 4
CRMQL_OPEN_SAFE, CRMQL_OPEN_DEMO = 0x01, 0x02


class CRMQLError(Exception):
    """A statement failed; the message holds crmql's source line and caret."""


def _library_path():
    if os.environ.get("CRMQL_LIBRARY"):
        return os.environ["CRMQL_LIBRARY"]
    name = "libcrmql_c.dylib" if sys.platform == "darwin" else "libcrmql_c.so"
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    for folder in (here, os.path.join(root, ".build", "debug"), os.path.join(root, ".build", "release")):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise CRMQLError(f"{name} not found: build it with 'swift build --product crmql_c' or set CRMQL_LIBRARY")


def _load(path):
    lib = ctypes.CDLL(path)
    lib.crmql_open_v2.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.crmql_close.argtypes = [ctypes.c_void_p]
    lib.crmql_errmsg.argtypes = [ctypes.c_void_p]
    lib.crmql_errmsg.restype = ctypes.c_char_p
    lib.crmql_exec.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.crmql_prepare.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    for name in ("crmql_step", "crmql_finalize", "crmql_column_count"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
    for name in ("crmql_column_name", "crmql_column_text"):
        getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_int]
        getattr(lib, name).restype = ctypes.c_char_p
    lib.crmql_column_type.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.crmql_column_int64.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.crmql_column_int64.restype = ctypes.c_int64
    lib.crmql_column_double.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.crmql_column_double.restype = ctypes.c_double
    return lib


class Database:
    """One crmql session, in memory."""

    def __init__(self, today=None, safe=False, demo=False, library=None):
        self._lib = _load(library or _library_path())
        self._db = ctypes.c_void_p()
        flags = (CRMQL_OPEN_SAFE if safe else 0) | (CRMQL_OPEN_DEMO if demo else 0)
        code = self._lib.crmql_open_v2(None, flags, today.encode() if today else None, ctypes.byref(self._db))
        if code != CRMQL_OK:
            message = self._message()
            self.close()
            raise CRMQLError(message)

    def _message(self):
        return self._lib.crmql_errmsg(self._db).decode("utf-8")

    def close(self):
        if self._db:
            self._lib.crmql_close(self._db)
            self._db = ctypes.c_void_p()

    def execute(self, text):
        """Runs statements, stopping at the first that fails."""
        if self._lib.crmql_exec(self._db, text.encode("utf-8"), None, None, None) != CRMQL_OK:
            raise CRMQLError(self._message())

    def query(self, text):
        """The rows of one statement's result, each a dict."""
        stmt = ctypes.c_void_p()
        if self._lib.crmql_prepare(self._db, text.encode("utf-8"), ctypes.byref(stmt)) != CRMQL_OK:
            raise CRMQLError(self._message())
        try:
            rows = []
            while True:
                code = self._lib.crmql_step(stmt)
                if code == CRMQL_DONE:
                    return rows
                if code != CRMQL_ROW:
                    raise CRMQLError(self._message())
                count = self._lib.crmql_column_count(stmt)
                rows.append({self._lib.crmql_column_name(stmt, c).decode("utf-8"): self._cell(stmt, c) for c in range(count)})
        finally:
            self._lib.crmql_finalize(stmt)

    def _cell(self, stmt, column):
        kind = self._lib.crmql_column_type(stmt, column)
        if kind == CRMQL_NULL:
            return None
        if kind == CRMQL_INT:
            return self._lib.crmql_column_int64(stmt, column)
        if kind == CRMQL_NUMBER:
            return self._lib.crmql_column_double(stmt, column)
        if kind == CRMQL_BOOL:
            return self._lib.crmql_column_int64(stmt, column) != 0
        return self._lib.crmql_column_text(stmt, column).decode("utf-8")

    def sql(self, query, dialect="postgresql"):
        """The SQL statement a query compiles to (`explain sql`)."""
        return self.query(f"explain sql {dialect} {query}")[0]["sql"]

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()
