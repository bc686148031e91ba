"""ENOE SDEM, COE1 and COE2 (INEGI DBF or CSV) -> raw.enoe_<tabla>, every source column lower-cased.

Only pure renames from the field-name catalog are applied (e.g. `cve_ent` -> `ent` from 2025); the
classic vs ENOE-N and first-quarter meanings are resolved later, in staging.
"""

from __future__ import annotations

import duckdb

from loaders import textfile
from loaders.catalog import Recognised, field_renames
from loaders.dbf import read_dbf
from loaders.errors import LoadError
from loaders.sql import literal
from loaders.tables import NUMERIC, append_by_name, table_columns

KEYS = ["cd_a", "ent", "con", "v_sel", "n_hog", "h_mud", "n_ren"]



def _check(rec: Recognised, names: list[str], archivo: str) -> None:
    missing = [k for k in KEYS if k not in names]
    if missing:
        raise LoadError(archivo, f"falta el campo llave '{missing[0]}' de la ENOE", fila=1, campo=missing[0])


def land(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, _key: bytes) -> tuple[int, int]:
    renames = field_renames(rec.fuente, rec.entidad)
    extra = (f"{literal(rec.periodo)} as periodo, {rec.anio} as anio, {rec.mes_o_trimestre} as trimestre, "
             f"{literal(archivo)} as archivo, current_localtimestamp() as cargado_en")
    table = f"raw.enoe_{rec.entidad}"
    if rec.extension == "dbf":
        data = read_dbf(rec.path)
        data = data.rename_columns([renames.get(c, c) for c in data.column_names])
        _check(rec, data.column_names, archivo)
        con.register("sidil_enoe_in", data)
        try:
            cols = ", ".join(f'"{c}"' for c in data.column_names)
            landed = append_by_name(con, table, f"select {cols}, {extra} from sidil_enoe_in")
        finally:
            con.unregister("sidil_enoe_in")
        return data.num_rows, landed
    lay = textfile.layout(rec.path, archivo, rec.codificacion)
    names = [renames.get(c, c) for c in lay.columns]
    _check(rec, names, archivo)
    source = textfile.relation_sql(lay, names)
    # Text from the CSV takes the type the column already has (from the DBF quarters) when it is numeric.
    existing = table_columns(con, table)
    cols = []
    for c in names:
        t = existing.get(c, "VARCHAR")
        cols.append(f'cast(nullif(trim("{c}"), \'\') as {t}) as "{c}"' if t.split("(")[0] in NUMERIC else f'"{c}"')
    try:
        landed = append_by_name(con, table, f"select {', '.join(cols)}, {extra} from {source}")
    except duckdb.Error as exc:
        err, rejects = textfile.explain_failure(con, lay, names, archivo, exc)
        err.rejects = rejects  # type: ignore[attr-defined]
        raise err from None
    return landed, landed
