"""Every CSV the project writes goes through `copiar_csv`: DuckDB's COPY, streamed, with the output path
quoted as a SQL literal and text cells a spreadsheet would read as a formula neutralised.

A text cell (or header) starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
leading single quote (OWASP's rule against CSV/formula injection): a name like `=HYPERLINK("...")` in the
DNE must not become a live formula when a planner opens the export in Excel or LibreOffice. Only VARCHAR
and ENUM columns are touched; numbers, booleans and dates are written as they are (-0.5 stays a number)."""

from __future__ import annotations

from pathlib import Path

from loaders.sql import literal

INICIOS_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_INICIOS_SQL = "'=', '+', '-', '@', chr(9), chr(13)"


def texto_seguro(valor: str) -> str:
    """A Python string as a CSV cell must carry it: with a leading ' when it starts like a formula."""
    return "'" + valor if valor.startswith(INICIOS_DE_FORMULA) else valor


def texto_seguro_sql(expr: str) -> str:
    """The same rule as a SQL expression on a VARCHAR expression (NULL stays NULL)."""
    return f"case when left({expr}, 1) in ({_INICIOS_SQL}) then '''' || {expr} else {expr} end"


def identificador(nombre: str) -> str:
    """A quoted SQL identifier."""
    return '"' + nombre.replace('"', '""') + '"'


def _es_texto(tipo: str) -> bool:
    return tipo == "VARCHAR" or tipo.startswith("ENUM(")


def seleccion_segura(con, consulta: str, params: list | None = None) -> str:
    """The select list over `consulta` that neutralises its text columns and headers."""
    rel = con.sql(f"select * from ({consulta}) limit 0", params=params or None)
    columnas = []
    for nombre, tipo in zip(rel.columns, (str(t) for t in rel.types)):
        c = identificador(nombre)
        expr = texto_seguro_sql(f"{c}::varchar" if tipo.startswith("ENUM(") else c) if _es_texto(tipo) else c
        columnas.append(f"{expr} as {identificador(texto_seguro(nombre))}")
    return ", ".join(columnas)


def copiar_csv(con, consulta: str, ruta: Path | str, params: list | None = None, orden: str | None = None) -> None:
    """Write the rows of `consulta` (a SELECT, with `params`) to `ruta` as a CSV with a header, ordered by
    `orden` if given."""
    ordenar = f" order by {orden}" if orden else ""
    con.execute(
        f"copy (select {seleccion_segura(con, consulta, params)} from ({consulta}){ordenar}) "
        f"to {literal(str(ruta))} (header, delimiter ',')",
        params or [],
    )
