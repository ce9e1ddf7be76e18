"""CRMQL for Python: the query language for customer-relationship analytics.

    import crmql
    db = crmql.connect(demo=True)
    cur = db.cursor()
    cur.execute("select customers where points >= $min show name, tier", {"min": 5000})
    cur.fetchall()
    db.query("select customers show name, tier, signup").to_pandas()

The package follows the DB-API 2.0 (PEP 249): ``connect``, ``Connection``,
``Cursor``, the exception classes. Parameters are written ``$name`` in the
statement and given by name. Results convert to pandas and Arrow in bulk.
In Jupyter, ``%load_ext crmql`` adds the ``%%crmql`` cell magic, and
``python -m crmql.kernel install --user`` installs a CRMQL kernel.
"""

from __future__ import annotations

from .connection import Connection, Cursor, Output, connect
from .errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    InterruptedError,
    LimitError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from .result import Result
from .types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)

#: PEP 249 module globals.
apilevel = "2.0"
#: Connections may be shared by threads (statements take turns).
threadsafety = 2
#: Parameters are named; CRMQL writes them ``$name`` (PEP 249 has no exact word for it).
paramstyle = "named"

__version__ = "0.1.0"


def library_version() -> str:
    """The version of the loaded libcrmql_c."""
    from . import _lib

    return _lib.load().crmql_libversion().decode()


def load_ipython_extension(ipython) -> None:
    """``%load_ext crmql``: registers the ``%%crmql`` cell magic."""
    from .magic import register

    register(ipython)


__all__ = [
    "connect", "Connection", "Cursor", "Result", "Output", "Error", "Warning", "InterfaceError",
    "DatabaseError", "DataError", "OperationalError", "IntegrityError", "InternalError",
    "ProgrammingError", "NotSupportedError", "LimitError", "InterruptedError",
    "STRING", "NUMBER", "DATETIME", "ROWID", "BINARY", "Date", "Time", "Timestamp", "DateFromTicks",
    "TimeFromTicks", "TimestampFromTicks", "Binary", "apilevel", "threadsafety", "paramstyle", "library_version", "load_ipython_extension",
]
