"""ENOE SDEM, COE1 and COE2 (INEGI DBF or CSV) -> raw.enoe_<tabla>, every source column lower-cased.

Only pure renames from the field-name catalog are applied (e.g. `cve_ent` -> `ent` from 2025); the
classic vs ENOE-N and first-quarter meanings are resolved later, in staging. Fields the catalog
(seeds/campos_insumo.csv) does not know are kept as data in the map column `campos_adicionales`: INEGI's
questionnaires carry hundreds of fields and change them, and none of them may become a column unasked.
"""

from __future__ import annotations

import duckdb

from loaders import textfile
from loaders.catalog import Recognised, map_header
from loaders.columns import landing_columns, select_items
from loaders.dbf import read_dbf
from loaders.errors import LoadError
from loaders.pseudonym import Redactor
from loaders.tables import NUMERIC, append_by_name, table_columns

AVISOS = {
    "fechas_vacias": "fechas 00000000 leídas como vacías",
    "desbordamientos": "números desbordados (*****) leídos como vacíos",
    "rellenos_con_asterisco": "números rellenos con asteriscos",
    "decimales_con_coma": "decimales con coma leídos como punto",
}


def _extra(rec: Recognised, archivo: str) -> tuple[str, dict]:
    cols, params = landing_columns(archivo, "$periodo as periodo, $anio as anio, $trimestre as trimestre, ")
    params.update(periodo=rec.periodo, anio=int(rec.anio), trimestre=int(rec.mes_o_trimestre or 0))
    return cols, params


def land(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int, str]:
    """Land one ENOE table of a quarter. Returns (rows read, rows landed, notes on dBase quirks)."""
    table = f"raw.enoe_{rec.entidad}"
    extra, extra_params = _extra(rec, archivo)
    if rec.extension == "dbf":
        avisos: dict[str, int] = {}
        data = read_dbf(rec.path, avisos=avisos)
        plan = map_header(rec.fuente, rec.entidad, data.column_names, archivo)
        if data.num_rows == 0:
            raise LoadError(archivo, "el archivo no tiene registros (solo encabezado)", fila=1)
        data = data.rename_columns([textfile.position_name(i) for i in range(data.num_columns)])
        items, params = select_items(plan, rec.fuente, rec.entidad, every_field=False)
        con.register("sidil_enoe_in", data)
        try:
            landed = append_by_name(
                con, table, f"select {', '.join(items)}, {extra} from sidil_enoe_in", {**params, **extra_params}
            )
        finally:
            con.unregister("sidil_enoe_in")
        notes = "; ".join(f"{n:,} {AVISOS.get(k, k)}" for k, n in avisos.items())
        return data.num_rows, landed, notes
    lay = textfile.layout(rec.path, archivo, rec.codificacion)
    plan = map_header(rec.fuente, rec.entidad, lay.columns, archivo)
    source = textfile.relation_sql(lay)
    # Text from the CSV takes the type the column already has (from the DBF quarters) when it is numeric:
    # the types come from our own raw table's schema, never from the file.
    numeric = {c: t for c, t in table_columns(con, table).items() if t.split("(")[0] in NUMERIC}
    items, params = select_items(plan, rec.fuente, rec.entidad, every_field=False, casts=numeric)
    try:
        landed = append_by_name(
            con, table, f"select {', '.join(items)}, {extra} from {source}", {**params, **extra_params}
        )
    except duckdb.Error as exc:
        err, rejects = textfile.explain_failure(con, lay, archivo, exc, Redactor(key))
        err.rejects = rejects  # type: ignore[attr-defined]
        raise err from None
    return landed, landed, ""
