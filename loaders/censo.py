"""Censo Económico 2019, table C3 (CSV, or the original Excel sheet C3) -> raw.censo_c3, as text."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from loaders import textfile
from loaders.catalog import Recognised, map_header
from loaders.columns import landing_columns, select_items
from loaders.errors import LoadError
from loaders.pseudonym import Redactor
from loaders.tables import append_by_name


def _extra(rec: Recognised, archivo: str) -> tuple[str, dict]:
    cols, params = landing_columns(archivo, "$periodo as periodo, ")
    params["periodo"] = rec.periodo
    return cols, params


def land(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int]:
    """Land the C3 table. The field catalog (seeds/campos_insumo.csv) names its 30 fields; the manual's
    spelling 'ct3_ est_informales' is read without the blank."""
    extra, extra_params = _extra(rec, archivo)
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
        header = list(rows[0])
        while header and header[-1] is None:
            header.pop()
        plan = map_header(rec.fuente, rec.entidad, header, archivo)
        data = pa.table(
            {
                textfile.position_name(i): pa.array(
                    [None if i >= len(r) or r[i] is None else str(r[i]) for r in rows[1:]], pa.string()
                )
                for i in range(len(header))
            }
        )
        items, params = select_items(plan, rec.fuente, rec.entidad)
        con.register("sidil_censo_in", data)
        try:
            landed = append_by_name(
                con,
                "raw.censo_c3",
                f"select {', '.join(items)}, {extra} from sidil_censo_in",
                {**params, **extra_params},
            )
        finally:
            con.unregister("sidil_censo_in")
        return data.num_rows, landed
    lay = textfile.layout(rec.path, archivo, rec.codificacion)
    plan = map_header(rec.fuente, rec.entidad, lay.columns, archivo)
    source = textfile.relation_sql(lay)
    items, params = select_items(plan, rec.fuente, rec.entidad)
    try:
        landed = append_by_name(
            con, "raw.censo_c3", f"select {', '.join(items)}, {extra} from {source}", {**params, **extra_params}
        )
    except duckdb.Error as exc:
        err, rejects = textfile.explain_failure(con, lay, archivo, exc, Redactor(key))
        err.rejects = rejects  # type: ignore[attr-defined]
        raise err from None
    return landed, landed
