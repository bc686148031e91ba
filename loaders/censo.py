"""Censo Económico 2019, table C3 (CSV, or the original Excel sheet C3) -> raw.censo_c3, as text."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from loaders import textfile
from loaders.catalog import Recognised
from loaders.errors import LoadError
from loaders.sql import literal
from loaders.tables import append_by_name

REQUIRED = ["entidad", "municipio", "scian2dgts", "ct3_po", "ct3_otra_razon", "total_ocupado"]


def _name(header: str) -> str:
    # The manual's table spells one field 'ct3_ est_informales': blanks inside names are dropped.
    return re.sub(r"\s+", "", str(header)).lower()


def _check(names: list[str], archivo: str) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise LoadError(archivo, f"falta el campo obligatorio '{missing[0]}'", fila=1, campo=missing[0])



def land(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, _key: bytes) -> tuple[int, int]:
    extra = f"{literal(rec.periodo)} as periodo, {literal(archivo)} as archivo, current_localtimestamp() as cargado_en"
    if rec.extension == "xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(rec.path, read_only=True, data_only=True)
        except Exception as exc:
            raise LoadError(archivo, f"no se pudo abrir el libro de Excel ({type(exc).__name__}: {exc})") from None
        sheet = wb["C3"] if "C3" in wb.sheetnames else wb.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        wb.close()
        if not rows:
            raise LoadError(archivo, "la hoja está vacía", fila=1)
        names = [_name(h) for h in rows[0]]
        _check(names, archivo)
        data = pa.table({n: pa.array([None if r[i] is None else str(r[i]) for r in rows[1:]], pa.string())
                         for i, n in enumerate(names)})
        con.register("sidil_censo_in", data)
        try:
            cols = ", ".join(f'"{c}"' for c in names)
            landed = append_by_name(con, "raw.censo_c3", f"select {cols}, {extra} from sidil_censo_in")
        finally:
            con.unregister("sidil_censo_in")
        return data.num_rows, landed
    lay = textfile.layout(rec.path, archivo, rec.codificacion)
    names = [_name(c) for c in lay.columns]
    _check(names, archivo)
    source = textfile.relation_sql(lay, names)
    cols = ", ".join(f'"{c}"' for c in names)
    try:
        landed = append_by_name(con, "raw.censo_c3", f"select {cols}, {extra} from {source}")
    except duckdb.Error as exc:
        err, rejects = textfile.explain_failure(con, lay, names, archivo, exc)
        err.rejects = rejects  # type: ignore[attr-defined]
        raise err from None
    return landed, landed
