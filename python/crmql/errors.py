"""The exceptions of the DB-API 2.0 (PEP 249), with what CRMQL says of a failure.

Every exception the package raises is a ``crmql.Error``. One raised by the
engine carries its message as the engine wrote it (``file:line:col: error:``,
the statement's line, a caret under the span, a "did you mean" where one
exists), the phase that failed and the byte offset in the statement text.
"""

from __future__ import annotations

from typing import Optional

from . import _lib


class Warning(Exception):  # noqa: A001 - the name PEP 249 prescribes
    """PEP 249's warning class; CRMQL raises none."""


class Error(Exception):
    """A failure, with the engine's message, phase and offset.

    Attributes:
        message: the full message, caret line included.
        phase: ``"syntax"``, ``"semantic"``, ``"runtime"``, ``"io"``,
            ``"limit"``, ``"interrupted"``, or ``"interface"`` for a misuse
            of this package (a closed connection, a wrong parameter).
        offset: byte offset in the statement text, or -1.
        code: the crmql.h result code, or None for failures found in Python.
    """

    def __init__(self, message: str, phase: str = "interface", offset: int = -1, code: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.phase = phase
        self.offset = offset
        self.code = code

    def __str__(self) -> str:
        return self.message


class InterfaceError(Error):
    """The package was used wrongly: a closed connection, a bad parameter."""


class DatabaseError(Error):
    """The engine refused or failed a statement."""


class DataError(DatabaseError):
    """A value could not be processed."""


class OperationalError(DatabaseError):
    """A file, a limit or an interrupt stopped the statement."""


class IntegrityError(DatabaseError):
    """PEP 249's class for broken constraints (a duplicate key)."""


class InternalError(DatabaseError):
    """The engine reported an inconsistency of its own."""


class ProgrammingError(DatabaseError):
    """The statement is wrong: it does not parse, names something unknown, mistypes."""


class NotSupportedError(DatabaseError):
    """PEP 249's class for an operation CRMQL does not have (rollback)."""


class LimitError(OperationalError):
    """A limit of the connection (rows, time, memory, nesting) was exceeded."""


class InterruptedError(OperationalError):  # noqa: A001 - CRMQL's name for it
    """``Connection.interrupt()`` stopped the statement."""


_CLASSES = {
    _lib.SYNTAX: ProgrammingError,
    _lib.ERROR: ProgrammingError,
    _lib.IO: OperationalError,
    _lib.LIMIT: LimitError,
    _lib.INTERRUPT: InterruptedError,
    _lib.MISUSE: InterfaceError,
    _lib.RANGE: InterfaceError,
    _lib.NOMEM: OperationalError,
}


def from_database(library, db, code: int) -> Error:
    """The exception for a failed call on database handle ``db``."""
    raw = library.crmql_errmsg(db)
    message = raw.decode("utf-8", errors="replace") if raw else "error " + str(code)
    phase_raw = library.crmql_error_phase(db)
    phase = phase_raw.decode() if phase_raw else "runtime"
    if phase in ("misuse", "range", "abort", "nomem"):
        phase = "interface" if phase != "nomem" else "runtime"
    cls = _CLASSES.get(code, DatabaseError)
    if code == _lib.ERROR and phase == "runtime":
        cls = DataError
    return cls(message, phase=phase, offset=library.crmql_error_offset(db), code=code)
