"""A Python program that embeds CRMQL through its C library with ctypes.

It opens the demo data, prepares a query once, runs it with different
parameter values, and reads the rows as Python values.

    swift build
    python3 crmql_example.py .build/debug/libcrmql_c.so

The library's path comes from the first argument, else from CRMQL_LIBRARY.
"""

import ctypes
import os
import sys

# Result codes, value types and flags of crmql.h.
CRMQL_OK, CRMQL_ROW, CRMQL_DONE = 0, 100, 101
CRMQL_NULL, CRMQL_INT, CRMQL_NUMBER, CRMQL_TEXT, CRMQL_BOOL = 0, 1, 2, 3, 4
CRMQL_OPEN_SAFE, CRMQL_OPEN_DEMO = 0x01, 0x02


class CRMQLError(Exception):
    """A failed call, with the library's message (source line and caret included)."""


class Database:
    """A thin wrapper: each method is one or two calls of crmql.h."""

    def __init__(self, library_path, flags=0):
        lib = ctypes.CDLL(library_path)
        lib.crmql_open_v2.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.crmql_close.argtypes = [ctypes.c_void_p]
        lib.crmql_errmsg.argtypes = [ctypes.c_void_p]
        lib.crmql_errmsg.restype = ctypes.c_char_p
        lib.crmql_prepare.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.crmql_bind_parameter_index.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.crmql_bind_int64.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int64]
        lib.crmql_bind_double.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_double]
        lib.crmql_bind_text.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.crmql_bind_null.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.crmql_step.argtypes = [ctypes.c_void_p]
        lib.crmql_reset.argtypes = [ctypes.c_void_p]
        lib.crmql_finalize.argtypes = [ctypes.c_void_p]
        lib.crmql_column_count.argtypes = [ctypes.c_void_p]
        lib.crmql_column_name.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.crmql_column_name.restype = ctypes.c_char_p
        lib.crmql_column_type.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.crmql_column_int64.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.crmql_column_int64.restype = ctypes.c_int64
        lib.crmql_column_double.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.crmql_column_double.restype = ctypes.c_double
        lib.crmql_column_text.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.crmql_column_text.restype = ctypes.c_char_p
        self.lib = lib
        self.db = ctypes.c_void_p()
        if lib.crmql_open_v2(None, flags, None, ctypes.byref(self.db)) != CRMQL_OK:
            message = self.message()
            lib.crmql_close(self.db)
            raise CRMQLError(message)

    def message(self):
        return self.lib.crmql_errmsg(self.db).decode("utf-8")

    def close(self):
        self.lib.crmql_close(self.db)

    def prepare(self, text):
        stmt = ctypes.c_void_p()
        if self.lib.crmql_prepare(self.db, text.encode("utf-8"), ctypes.byref(stmt)) != CRMQL_OK:
            raise CRMQLError(self.message())
        return Statement(self, stmt)


class Statement:
    """A prepared statement: bind by name, iterate rows as dicts."""

    def __init__(self, database, stmt):
        self.database, self.lib, self.stmt = database, database.lib, stmt

    def rows(self, **parameters):
        self.lib.crmql_reset(self.stmt)
        for name, value in parameters.items():
            index = self.lib.crmql_bind_parameter_index(self.stmt, name.encode("utf-8"))
            if value is None:
                self.lib.crmql_bind_null(self.stmt, index)
            elif isinstance(value, int):
                self.lib.crmql_bind_int64(self.stmt, index, value)
            elif isinstance(value, float):
                self.lib.crmql_bind_double(self.stmt, index, value)
            else:
                self.lib.crmql_bind_text(self.stmt, index, str(value).encode("utf-8"), -1)
        while True:
            code = self.lib.crmql_step(self.stmt)
            if code == CRMQL_DONE:
                return
            if code != CRMQL_ROW:
                raise CRMQLError(self.database.message())
            yield {self.column_name(column): self.cell(column) for column in range(self.lib.crmql_column_count(self.stmt))}

    def column_name(self, column):
        return self.lib.crmql_column_name(self.stmt, column).decode("utf-8")

    def cell(self, column):
        kind = self.lib.crmql_column_type(self.stmt, column)
        if kind == CRMQL_NULL:
            return None
        if kind == CRMQL_INT:
            return self.lib.crmql_column_int64(self.stmt, column)
        if kind == CRMQL_NUMBER:
            return self.lib.crmql_column_double(self.stmt, column)
        if kind == CRMQL_BOOL:
            return self.lib.crmql_column_int64(self.stmt, column) != 0
        return self.lib.crmql_column_text(self.stmt, column).decode("utf-8")

    def finalize(self):
        self.lib.crmql_finalize(self.stmt)


def main():
    library = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CRMQL_LIBRARY")
    if not library:
        sys.exit("usage: crmql_example.py PATH/TO/libcrmql_c.so (or set CRMQL_LIBRARY)")
    db = Database(library, CRMQL_OPEN_DEMO | CRMQL_OPEN_SAFE)
    at_risk = db.prepare(
        "select customers where region = $region and churn_risk >= $risk "
        "order by revenue desc limit 3 show name, revenue, round(churn_risk, 2) as risk")
    for region, risk in [("north", 0.9), ("east", 0.5)]:
        print(f"{region}, churn risk at least {risk}:")
        for row in at_risk.rows(region=region, risk=risk):
            print(f"  {row['name']}  revenue {row['revenue']:.2f}  risk {row['risk']}")
    at_risk.finalize()

    # Names are resolved when a statement runs, so a typo surfaces at the first step.
    broken = db.prepare("select customers show nmae")
    try:
        list(broken.rows())
    except CRMQLError as error:
        print("error:", error)
    broken.finalize()
    db.close()


if __name__ == "__main__":
    main()
