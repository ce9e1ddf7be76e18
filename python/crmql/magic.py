"""The ``%%crmql`` cell magic for Python notebooks.

    %load_ext crmql
    %%crmql                      (runs on a demo connection made on first use)
    select customers show name, tier

    %%crmql db --out frame       (runs on the connection in variable `db`,
    select ...                    stores the DataFrame in `frame`)

The cell's last rows are returned as a pandas DataFrame, so the notebook
shows them and ``_`` holds them. ``$name`` parameters take the values of
the notebook's variables of the same name.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any, Optional

from .connection import Connection, connect
from .errors import Error

_default: Optional[Connection] = None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%%crmql", add_help=False)
    parser.add_argument("connection", nargs="?", help="the variable holding a crmql.Connection")
    parser.add_argument("--out", "-o", help="the variable to store the DataFrame in")
    return parser


def run_cell(line: str, cell: str, namespace: dict) -> Any:
    """Runs ``cell`` as the magic does and returns the DataFrame, or None."""
    global _default
    try:
        options = _parser().parse_args(shlex.split(line))
    except SystemExit:
        raise Error("%%crmql takes [CONNECTION_VARIABLE] [--out VARIABLE]; got: " + line) from None
    if options.connection:
        db = namespace.get(options.connection)
        if not isinstance(db, Connection):
            raise Error("%%%%crmql %s: no crmql.Connection in a variable of that name" % options.connection)
    else:
        if _default is None or _default.closed:
            _default = connect(demo=True)
        db = _default
    parameters = _parameters(db, cell, namespace)
    result = db._run_one(cell, parameters) if parameters else None
    if not parameters:
        for output in db.iter_run(cell, source_name="cell"):
            if output.text:
                print(output.text)
            if output.result is not None:
                result = output.result
    frame = result.to_pandas() if result is not None else None
    if options.out:
        namespace[options.out] = frame
    return frame


def _parameters(db: Connection, cell: str, namespace: dict) -> dict:
    """Values for the ``$name`` parameters the cell uses, from notebook variables."""
    import re

    names = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", cell))
    return {name: namespace[name] for name in names if name in namespace}


def register(ipython) -> None:
    """Registers ``%%crmql`` with an IPython shell."""
    from IPython.core.magic import register_cell_magic  # noqa: F401 - IPython is present here

    def crmql(line: str, cell: str):
        try:
            return run_cell(line, cell, ipython.user_ns)
        except Error as error:
            # The engine's message with its caret reads better than a traceback.
            print(error.message, file=sys.stderr)
            return None

    ipython.register_magic_function(crmql, magic_kind="cell", magic_name="crmql")
