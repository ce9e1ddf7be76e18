"""Finding and loading libcrmql_c, and declaring the crmql.h functions it exports.

The library is looked for, in order: the path in the ``CRMQL_LIBRARY``
environment variable; the copy ``pip install`` placed inside this package;
the build directories of the source tree this package sits in (release
before debug). Each function's argument and result types are declared once
here, so that ctypes never guesses an ``int`` where the header says
``int64_t`` or a pointer.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import Optional

# Result codes of crmql.h.
OK, ERROR, SYNTAX, IO, LIMIT, INTERRUPT, ABORT, MISUSE, RANGE, NOMEM = range(10)
ROW, DONE = 100, 101

# Value and storage types of crmql.h.
T_NULL, T_INT, T_NUMBER, T_TEXT, T_BOOL, T_DATE, T_DATETIME, T_ENUM = range(8)

# Flags of crmql_open_v2.
OPEN_SAFE, OPEN_DEMO, OPEN_DATABASE, OPEN_READONLY = 0x01, 0x02, 0x04, 0x08

# Flags of crmql_chart and crmql_result_chart.
CHART_TEXT, CHART_UNICODE, CHART_COLOR = 0x01, 0x02, 0x04

# Limits of crmql_limit.
LIMIT_TIME_MS, LIMIT_RESULT_ROWS, LIMIT_NESTING_DEPTH, LIMIT_MEMORY_BYTES = range(4)
UNLIMITED = 2**63 - 1

LIBRARY_NAME = "libcrmql_c.dylib" if sys.platform == "darwin" else "libcrmql_c.so"

_P = ctypes.c_void_p
_S = ctypes.c_char_p
_I = ctypes.c_int
_I64 = ctypes.c_int64
_PI = ctypes.POINTER(ctypes.c_int)
_PP = ctypes.POINTER(ctypes.c_void_p)

# name: (result type, argument types). Functions returning memory the
# caller frees are declared to return a void pointer, never c_char_p, so
# that the pointer survives to be freed.
_SIGNATURES = {
    "crmql_libversion": (_S, []),
    "crmql_errstr": (_S, [_I]),
    "crmql_open_v2": (_I, [_S, _I, _S, _PP]),
    "crmql_close": (_I, [_P]),
    "crmql_exec": (_I, [_P, _S, _P, _P, _P]),
    "crmql_free": (None, [_P]),
    "crmql_prepare": (_I, [_P, _S, _PP]),
    "crmql_bind_parameter_count": (_I, [_P]),
    "crmql_bind_parameter_name": (_S, [_P, _I]),
    "crmql_bind_parameter_index": (_I, [_P, _S]),
    "crmql_bind_null": (_I, [_P, _I]),
    "crmql_bind_int64": (_I, [_P, _I, _I64]),
    "crmql_bind_double": (_I, [_P, _I, ctypes.c_double]),
    "crmql_bind_bool": (_I, [_P, _I, _I]),
    "crmql_bind_text": (_I, [_P, _I, _S, _I]),
    "crmql_bind_date": (_I, [_P, _I, _S]),
    "crmql_clear_bindings": (_I, [_P]),
    "crmql_step": (_I, [_P]),
    "crmql_reset": (_I, [_P]),
    "crmql_finalize": (_I, [_P]),
    "crmql_errcode": (_I, [_P]),
    "crmql_errmsg": (_S, [_P]),
    "crmql_error_offset": (_I, [_P]),
    "crmql_error_phase": (_S, [_P]),
    "crmql_interrupt": (None, [_P]),
    "crmql_limit": (_I64, [_P, _I, _I64]),
    "crmql_stmt_result": (_P, [_P]),
    "crmql_result_free": (None, [_P]),
    "crmql_result_row_count": (_I64, [_P]),
    "crmql_result_column_count": (_I, [_P]),
    "crmql_result_column_name": (_S, [_P, _I]),
    "crmql_result_column_decltype": (_S, [_P, _I]),
    "crmql_result_column_storage": (_I, [_P, _I]),
    "crmql_result_enum_count": (_I, [_P, _I]),
    "crmql_result_enum_symbol": (_S, [_P, _I, _I]),
    "crmql_result_copy_int64": (_I64, [_P, _I, _P, _P, _I64]),
    "crmql_result_copy_double": (_I64, [_P, _I, _P, _P, _I64]),
    "crmql_result_text_bytes": (_I64, [_P, _I]),
    "crmql_result_copy_text": (_I, [_P, _I, _P, _I64, _P, _P, _I64]),
    "crmql_result_chart": (_I, [_P, _S, _S, _I, _I, _PP, _PP]),
    "crmql_result_chart_kind": (_S, [_P]),
    "crmql_script_open": (_I, [_P, _S, _S, _PP]),
    "crmql_script_next": (_I, [_P, _PP, _PP]),
    "crmql_script_range": (_I, [_P, _PI, _PI]),
    "crmql_script_close": (None, [_P]),
    "crmql_complete": (_P, [_P, _S, _I, _PI]),
    "crmql_inspect": (_P, [_P, _S, _I]),
}


def candidate_paths() -> list[Path]:
    """Where the library is looked for, in order (see the module's doc)."""
    paths: list[Path] = []
    if os.environ.get("CRMQL_LIBRARY"):
        paths.append(Path(os.environ["CRMQL_LIBRARY"]))
    here = Path(__file__).resolve().parent
    paths.append(here / LIBRARY_NAME)
    root = here.parent.parent
    if (root / "Package.swift").exists():
        for configuration in ("release", "debug"):
            paths.append(root / ".build" / configuration / LIBRARY_NAME)
    return paths


_library: Optional[ctypes.CDLL] = None


def load() -> ctypes.CDLL:
    """The loaded library with every function declared; loaded once per process.

    Raises ImportError naming every place looked at when none holds it.
    """
    global _library
    if _library is not None:
        return _library
    tried = candidate_paths()
    for path in tried:
        if path.is_file():
            library = ctypes.CDLL(str(path))
            break
    else:
        raise ImportError(
            "crmql: cannot find " + LIBRARY_NAME + "; looked at " + ", ".join(str(p) for p in tried)
            + ". Build it with `swift build --product crmql_c` and set CRMQL_LIBRARY to its path, "
            "or reinstall the package with Swift on the PATH."
        )
    for name, (result, arguments) in _SIGNATURES.items():
        function = getattr(library, name)
        function.restype = result
        function.argtypes = arguments
    _library = library
    return library


def take_text(library: ctypes.CDLL, pointer: Optional[int]) -> Optional[str]:
    """Reads and frees text the library handed over (crmql_free); None for NULL."""
    if not pointer:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8", errors="replace")
    finally:
        library.crmql_free(pointer)
