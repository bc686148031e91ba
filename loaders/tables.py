"""Appending to raw tables whose columns change over time (ENOE-N fields, Q1 vs Q2-Q4 questionnaires).

The columns offered here are always catalog names (seeds/campos_insumo.csv) or columns the loader derives
itself: a raw table only gains a column that the catalog declares, never one an input header invents.
"""

from __future__ import annotations

import duckdb

from loaders.sql import ident, one, table_name

NUMERIC = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL"}


def _base(t: str) -> str:
    return t.split("(", 1)[0].upper()


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def append_by_name(
    con: duckdb.DuckDBPyConnection, table: str, select_sql: str, params: list | dict | None = None
) -> int:
    """Insert the rows of `select_sql` (one statement, values as `params`) into `table` by column name,
    creating the table or adding the catalog columns it lacks, and widening a column whose type differs
    (numbers -> DOUBLE, else VARCHAR). Columns the table has and the rows lack stay NULL. Returns the rows
    inserted."""
    incoming = [(r[0], r[1]) for r in con.execute(f"describe {select_sql}", params or []).fetchall()]
    existing = table_columns(con, table)
    target = table_name(table)
    if not existing:
        cols = ", ".join(f"{ident(n)} {t}" for n, t in incoming)
        con.execute(f"create table {target} ({cols})")
    else:
        for name, typ in incoming:
            if name not in existing:
                con.execute(f"alter table {target} add column {ident(name)} {typ}")
            elif _base(existing[name]) != _base(typ):
                both_numeric = _base(existing[name]) in NUMERIC and _base(typ) in NUMERIC
                wider = "DOUBLE" if both_numeric else "VARCHAR"
                if _base(existing[name]) != wider:
                    con.execute(f"alter table {target} alter column {ident(name)} type {wider}")
    return int(one(con, f"insert into {target} by name {select_sql}", params or [])[0])
