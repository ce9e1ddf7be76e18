"""Results as an HTML table (notebooks) and as aligned text (consoles)."""

from __future__ import annotations

import datetime as _dt
import html
from typing import Any, List

# TUNING: a notebook shows this many rows of a result and says how many it
# left out; a page of a thousand rows helps nobody and slows the browser.
MAX_DISPLAY_ROWS = 60


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # The shortest text that reads back as the same number, as CRMQL writes it.
        return "%d" % value if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _shown_rows(result) -> List[tuple]:
    rows = result.rows()
    return rows[:MAX_DISPLAY_ROWS]


def _numeric(storage: str) -> bool:
    return storage in ("int", "number")


def html_table(result) -> str:
    """An HTML table of the first rows; numbers right-aligned, nulls empty."""
    columns = result.column_data
    parts = ['<table class="crmql-result"><thead><tr>']
    parts += ["<th>%s</th>" % html.escape(c.name) for c in columns]
    parts.append("</tr></thead><tbody>")
    for row in _shown_rows(result):
        parts.append("<tr>")
        for column, value in zip(columns, row):
            style = ' style="text-align:right"' if _numeric(column.storage) else ""
            parts.append("<td%s>%s</td>" % (style, html.escape(_cell(value))))
        parts.append("</tr>")
    parts.append("</tbody></table>")
    parts.append("<p><small>%s</small></p>" % html.escape(_footer(result)))
    return "".join(parts)


def _footer(result) -> str:
    count = len(result)
    noun = "row" if count == 1 else "rows"
    if count > MAX_DISPLAY_ROWS:
        return "%d %s (first %d shown)" % (count, noun, MAX_DISPLAY_ROWS)
    return "%d %s" % (count, noun)


def text_table(result) -> str:
    """The first rows as aligned text, for consoles and plain-text viewers."""
    columns = result.column_data
    body = [[_cell(v) for v in row] for row in _shown_rows(result)]
    widths = [len(c.name) for c in columns]
    for row in body:
        widths = [max(w, len(v)) for w, v in zip(widths, row)]

    def line(cells):
        out = []
        for column, width, value in zip(columns, widths, cells):
            out.append(value.rjust(width) if _numeric(column.storage) else value.ljust(width))
        return "  ".join(out).rstrip()

    lines = [line([c.name for c in columns]), "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in body]
    lines.append("(" + _footer(result) + ")")
    return "\n".join(lines)
