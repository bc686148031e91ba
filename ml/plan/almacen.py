"""What the plan reads from the warehouse: the MPR's candidates and each workplace's inspection history
(last inspection date, and whether one of its inspections is still open in SIAPI-SIPAS)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from loaders.sql import ident

BASE = (
    "centro_trabajo_id",
    "nombre_ct",
    "geo2",
    "nom_geo2",
    "geo5",
    "nom_geo5",
    "scian2018_2",
    "nom_scian2018_2",
    "cat_tamanio",
    "nom_cat_tamanio",
    "riesgo",
)
# The inspection history with SIAPI's status (the mart has the dates but not the status).
HISTORIA_CON_ESTATUS = "intermediate.int_historico__inspecciones"
HISTORIA = "marts.inspecciones_historicas"


def _columnas(con: duckdb.DuckDBPyConnection, esquema: str, tabla: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [esquema, tabla],
        ).fetchall()
    ]


def leer_mpr(con: duckdb.DuckDBPyConnection, pesos: dict[str, float]) -> tuple[pd.DataFrame, list[str]]:
    """The MPR columns the plan needs (the weighted pred_* that exist) and the weighted columns missing."""
    existentes = _columnas(con, "ml", "mpr")
    if not existentes:
        raise FileNotFoundError("No hay MPR en el almacén (ml.mpr): ejecute `sidil predict` antes del plan.")
    faltan = [c for c in pesos if c not in existentes]
    cols = [c for c in BASE if c in existentes] + [c for c in pesos if c in existentes]
    df = con.execute(f"select {', '.join(ident(c) for c in cols)} from ml.mpr").df()
    return df, faltan


def ultima_inspeccion(con: duckdb.DuckDBPyConnection, estatus_abierto: tuple[str, ...]) -> tuple[pd.DataFrame, bool]:
    """Per inspected workplace: its last inspection date and whether any inspection has an open status.
    The second value says whether SIAPI's status was available."""
    if _columnas(con, "intermediate", "int_historico__inspecciones"):
        df = con.execute(
            f"""
            select centro_trabajo_id, max(fecha_inspeccion) as ultima_inspeccion,
                   coalesce(bool_or(list_contains(?::varchar[], estatus)), false) as procedimiento_abierto
            from {HISTORIA_CON_ESTATUS} where centro_trabajo_id is not null group by centro_trabajo_id
        """,
            [list(estatus_abierto)],
        ).df()
        return df, True
    if _columnas(con, "marts", "inspecciones_historicas"):
        df = con.execute(f"""
            select centro_trabajo_id, max(fecha_inspeccion) as ultima_inspeccion, false as procedimiento_abierto
            from {HISTORIA} where centro_trabajo_id is not null group by centro_trabajo_id
        """).df()
        return df, False
    return pd.DataFrame(
        {
            "centro_trabajo_id": pd.Series(dtype="int64"),
            "ultima_inspeccion": pd.Series(dtype="datetime64[s]"),
            "procedimiento_abierto": pd.Series(dtype=bool),
        }
    ), False


def excluidos(ultima: pd.DataFrame, meses: int, fecha_referencia: date, por_procedimiento: bool) -> pd.Series:
    """The ids excluded: inspected in the `meses` months before `fecha_referencia` (or after it), or, when
    asked, with an open proceeding."""
    desde = pd.Timestamp(fecha_referencia) - pd.DateOffset(months=meses)
    fechas = pd.to_datetime(ultima["ultima_inspeccion"])
    fuera = (fechas >= desde) if meses > 0 else pd.Series(False, index=ultima.index)
    if por_procedimiento:
        fuera = fuera | ultima["procedimiento_abierto"].astype(bool)
    return ultima.loc[fuera.to_numpy(), "centro_trabajo_id"].astype("int64")
