"""The CRMQL Jupyter kernel: cells of CRMQL statements, results as tables.

A cell holds CRMQL statements, and lines starting with a dot are the
kernel's own commands (``.chart [bar|line|funnel|heat]`` draws the last
result as SVG, with a text twin for consoles, from the engine's chart
renderer that `export chart` uses). Each statement's rows
show as an HTML table with a plain-text twin for consoles; a failing
statement shows the engine's message with its caret and stops the cell,
and the kernel goes on serving the next one. Completion and inspection
come from the engine (``crmql_complete``, ``crmql_inspect``). An interrupt
(SIGINT from the notebook) stops the running statement through
``crmql_interrupt``.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any, Dict, List, Optional, Tuple

from ipykernel.kernelbase import Kernel

from .. import __version__
from .._display import html_table, text_table
from ..connection import Connection, connect
from ..errors import Error, InterfaceError
from ..result import Result

CHART_KINDS = ("bar", "line", "funnel", "heat")
DOT_COMMANDS = (".chart", ".help")

HELP = """CRMQL kernel commands (a line of its own, starting with a dot):
  .chart [bar|line|funnel|heat]   draw the last result as a chart (SVG)
  .help                           this text
Everything else in a cell is CRMQL: statements separated by ';' or new lines."""


def split_cell(code: str) -> List[Tuple[str, str, int]]:
    """The cell as pieces in order: ("crmql", text, first line) runs of
    statements and ("dot", line, line number) kernel commands."""
    pieces: List[Tuple[str, str, int]] = []
    buffer: List[str] = []
    start = 0
    for number, line in enumerate(code.split("\n")):
        if is_dot_command(line):
            if any(b.strip() for b in buffer):
                pieces.append(("crmql", "\n".join(buffer), start))
            buffer = []
            pieces.append(("dot", line.strip(), number))
            start = number + 1
        else:
            if not buffer:
                start = number
            buffer.append(line)
    if any(b.strip() for b in buffer):
        pieces.append(("crmql", "\n".join(buffer), start))
    return pieces


class CRMQLKernel(Kernel):
    """An ipykernel wrapper kernel around one crmql.Connection."""

    implementation = "crmql"
    implementation_version = __version__
    banner = "CRMQL: query language for customer-relationship analytics"
    language_info = {
        "name": "crmql",
        "mimetype": "text/x-crmql",
        "file_extension": ".crmql",
        "codemirror_mode": "sql",
        "pygments_lexer": "sql",
    }

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        # The data loads while the kernel starts and the notebook draws: the
        # first cell, completion or inspection waits for it, not the start.
        self._opened = threading.Event()
        self._connection: Optional[Connection] = None
        self._open_error: Optional[BaseException] = None
        threading.Thread(target=self._open_in_background, daemon=True).start()
        self.last_query: Optional[str] = None
        self.last_result: Optional[Result] = None

    def _open_in_background(self) -> None:
        try:
            self._connection = self._open()
        except BaseException as error:  # reported by the first cell
            self._open_error = error
        finally:
            self._opened.set()

    @property
    def db(self) -> Connection:
        """The session's connection, once the data has loaded."""
        self._opened.wait()
        if self._connection is None:
            error = self._open_error
            raise Error("the kernel could not open its data: %s" % error, phase="io") if not isinstance(error, Error) else error
        return self._connection

    @staticmethod
    def _open() -> Connection:
        """The connection the environment asks for (set by the kernel spec):
        CRMQL_KERNEL_DATA (a directory of CSV files), CRMQL_KERNEL_SNAPSHOT,
        or the demo data unless CRMQL_KERNEL_DEMO=0."""
        data = os.environ.get("CRMQL_KERNEL_DATA")
        snapshot = os.environ.get("CRMQL_KERNEL_SNAPSHOT")
        demo = os.environ.get("CRMQL_KERNEL_DEMO", "1") != "0" and not data and not snapshot
        return connect(demo=demo, data=data or None, snapshot=snapshot or None,
                       today=os.environ.get("CRMQL_KERNEL_TODAY") or None)

    # -- execution ---------------------------------------------------------

    def do_execute(self, code: str, silent: bool, store_history: bool = True,
                   user_expressions: Optional[dict] = None, allow_stdin: bool = False, **kwargs: Any) -> Dict[str, Any]:
        try:
            for kind, text, line in split_cell(code):
                if kind == "dot":
                    self._dot(text, silent)
                else:
                    self._statements(text, line, silent)
        except Error as error:
            return self._failed(error, silent)
        except KeyboardInterrupt:
            return self._failed(Error("interrupted: the statement was stopped and changed nothing", phase="interrupted"),
                                silent)
        except Exception as error:  # the kernel must outlive any bad cell
            return self._failed(Error("%s: %s" % (type(error).__name__, error), phase="internal"), silent)
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    def _failed(self, error: Error, silent: bool) -> Dict[str, Any]:
        name = type(error).__name__
        # The engine's message is the whole story: its caret says where, so
        # no Python traceback is shown.
        traceback = [error.message]
        if not silent:
            self.send_response(self.iopub_socket, "error",
                               {"ename": name, "evalue": error.message, "traceback": traceback})
        return {"status": "error", "execution_count": self.execution_count, "ename": name,
                "evalue": error.message, "traceback": traceback}

    def _statements(self, text: str, first_line: int, silent: bool) -> None:
        # Leading blank lines keep the engine's line numbers those of the cell.
        source = "\n" * first_line + text
        outputs = self.db.iter_run(source, source_name="cell")
        while True:
            output = self._interruptible(lambda: next(outputs, None))
            if output is None:
                return
            if output.result is not None:
                self.last_query = source[output.start:output.end].strip().rstrip(";")
                self.last_result = output.result
                if not silent:
                    self._display(output.result)
            elif output.text and not silent:
                self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": output.text.rstrip("\n") + "\n"})

    def _interruptible(self, work):
        """Runs ``work`` on a helper thread, so that the SIGINT of an
        interrupt reaches this thread, which then asks the engine to stop."""
        box: Dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                box["value"] = work()
            except BaseException as error:  # handed to the waiting thread
                box["error"] = error
            finally:
                done.set()

        # An Event rather than Thread.join: a KeyboardInterrupt inside join
        # can leave the thread marked finished while it still runs.
        threading.Thread(target=run, daemon=True).start()
        while True:
            try:
                while not done.wait(0.05):
                    pass
                break
            except KeyboardInterrupt:
                self.db.interrupt()
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _display(self, result: Result) -> None:
        self.send_response(self.iopub_socket, "display_data", {
            "data": {"text/plain": text_table(result), "text/html": html_table(result)},
            "metadata": {},
        })

    def _dot(self, line: str, silent: bool) -> None:
        words = line.split()
        command = words[0]
        if command == ".help":
            if not silent:
                self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": HELP + "\n"})
            return
        if command == ".chart":
            self._chart(words[1:], silent)
            return
        close = [c for c in DOT_COMMANDS if c.startswith(command[:3])]
        hint = "; did you mean '%s'?" % close[0] if close else ""
        raise InterfaceError("unknown kernel command '%s'%s (the commands are %s)" % (command, hint, ", ".join(DOT_COMMANDS)))

    def _chart(self, arguments: List[str], silent: bool) -> None:
        if len(arguments) > 1:
            raise InterfaceError(".chart takes one kind (%s), not '%s'" % ("|".join(CHART_KINDS), " ".join(arguments)))
        if self.last_query is None or self.last_result is None:
            raise InterfaceError(".chart draws the last result, and no query has run yet: run a `select` first")
        kind = arguments[0] if arguments else None
        # The engine draws both and refuses a kind that does not fit the columns.
        svg = self.last_result.svg(kind, title=self.last_query)
        text = self.last_result.chart(kind, width=100, unicode=True)
        if not silent:
            self.send_response(self.iopub_socket, "display_data", {
                "data": {"image/svg+xml": svg, "text/plain": text}, "metadata": {}})

    # -- completion and inspection ----------------------------------------

    def do_complete(self, code: str, cursor_pos: int) -> Dict[str, Any]:
        line_start = code.rfind("\n", 0, cursor_pos) + 1
        line = code[line_start:cursor_pos]
        if line.lstrip().startswith(".") and (line.strip() == "." or is_dot_command(line)):
            return self._complete_dot(line, line_start, cursor_pos)
        try:
            start, matches = self.db.complete(blank_dot_lines(code), cursor_pos)
        except Error:
            start, matches = cursor_pos, []
        return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": cursor_pos, "metadata": {}}

    def _complete_dot(self, line: str, line_start: int, cursor_pos: int) -> Dict[str, Any]:
        words = line.split(" ")
        if len(words) == 1:
            word = words[0].lstrip()
            matches = [c for c in DOT_COMMANDS if c.startswith(word)]
        elif words[0].strip() == ".chart" and len(words) == 2:
            word = words[1]
            matches = [k for k in CHART_KINDS if k.startswith(word)]
        else:
            word, matches = "", []
        return {"status": "ok", "matches": matches, "cursor_start": cursor_pos - len(word), "cursor_end": cursor_pos,
                "metadata": {}}

    def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections: Any = ()) -> Dict[str, Any]:
        try:
            text = self.db.inspect(blank_dot_lines(code), cursor_pos)
        except Error:
            text = None
        if not text:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    def do_is_complete(self, code: str) -> Dict[str, Any]:
        # A console sends a cell when its last line is empty or ends a statement.
        stripped = code.rstrip()
        if not stripped or stripped.endswith(";") or code.endswith("\n\n") or is_dot_command(stripped.split("\n")[-1]):
            return {"status": "complete"}
        return {"status": "incomplete", "indent": ""}

    def do_shutdown(self, restart: bool) -> Dict[str, Any]:
        self._opened.wait()
        if self._connection is not None:
            self._connection.close()
        if restart:
            self._opened.clear()
            self._connection, self._open_error = None, None
            threading.Thread(target=self._open_in_background, daemon=True).start()
        return {"status": "ok", "restart": restart}


def is_dot_command(line: str) -> bool:
    """A kernel command: a line whose first word is a dot and a letter
    (a CRMQL line never starts so; `.5` is a number)."""
    return re.match(r"\s*\.[A-Za-z]", line) is not None


def blank_dot_lines(code: str) -> str:
    """The cell with its kernel-command lines blanked (same length), so the
    engine completes and inspects only CRMQL at the same offsets."""
    return "\n".join(" " * len(line) if is_dot_command(line) else line for line in code.split("\n"))
