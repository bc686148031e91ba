"""Small SQL text helpers shared by the loaders.

Names read from an input never reach SQL (loaders.catalog.map_header maps them to catalog names first);
these helpers quote the catalog names and fixed paths that do, with proper escaping, so even a name that
slipped through could not end a string or an identifier.
"""

from __future__ import annotations


def literal(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier (double quotes doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def table_name(qualified: str) -> str:
    """A quoted schema.table."""
    schema, _, name = qualified.partition(".")
    return f"{ident(schema)}.{ident(name)}"


def one(con, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, or None. Reads the whole result: DuckDB refuses to register data or
    run other work while a result is only partly fetched."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None
