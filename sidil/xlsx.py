"""What the project's two XLSX writers share: the column letters of a cell reference.

The writers stay two because they read different data and promise different bytes:
`sidil.interfaz.xlsx` streams DuckDB query results into multi-sheet exports (booleans, control characters
removed, `xml:space="preserve"`), while `sidil.demo.formats.xlsx` builds one sheet from a pyarrow table with
fixed dates, a date style and docProps so that a demo seed always gives the same file."""

from __future__ import annotations


def letra_columna(i: int) -> str:
    """The letters of the 0-based column `i` in an A1 reference: 0 -> A, 25 -> Z, 26 -> AA, 702 -> AAA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
