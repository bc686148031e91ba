"""What the plan leaves behind: `ml.plan_inspeccion` (one row per chosen workplace), per-office CSV and XLSX
exports with the formula-safe text rule of every other export, and the summary (JSON and Spanish text)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from loaders.sql import literal
from ml.plan.optimizar import Plan
from sidil.csv_seguro import copiar_csv
from sidil.interfaz.xlsx import escribir_xlsx, hoja_de_consulta, hoja_de_filas

# MPR identification columns copied into the plan, when the MPR has them.
IDENTIFICACION = (
    "nombre_ct",
    "nom_geo2",
    "geo5",
    "nom_geo5",
    "scian2018_2",
    "nom_scian2018_2",
    "cat_tamanio",
    "nom_cat_tamanio",
    "riesgo",
)
COLUMNAS = (
    "periodo",
    "oficina",
    "nom_oficina",
    "orden",
    "centro_trabajo_id",
    "nombre_ct",
    "geo5",
    "nom_geo5",
    "scian2018_2",
    "nom_scian2018_2",
    "cat_tamanio",
    "nom_cat_tamanio",
    "motivo",
    "exploracion",
    "infracciones_esperadas",
    "riesgo",
    "generado_en",
)
ORDEN = "oficina, orden"


def tabla_plan(plan: Plan, mpr: pd.DataFrame, periodo: str, generado_en: datetime | None = None) -> pd.DataFrame:
    """The chosen workplaces with their MPR identification, in the column order of `ml.plan_inspeccion`."""
    ident = [c for c in IDENTIFICACION if c in mpr.columns]
    t = plan.elegidos.merge(mpr[["centro_trabajo_id", *ident]], on="centro_trabajo_id", how="left")
    t = t.rename(columns={"nom_geo2": "nom_oficina"})
    t["periodo"] = periodo
    t["generado_en"] = (generado_en or datetime.now()).replace(microsecond=0)
    for c in COLUMNAS:
        if c not in t.columns:
            t[c] = None
    t["exploracion"] = t["exploracion"].astype(bool)
    return t[list(COLUMNAS)].sort_values(["oficina", "orden"], kind="stable").reset_index(drop=True)


def escribir_tabla(con: duckdb.DuckDBPyConnection, tabla: pd.DataFrame) -> None:
    """Replace `ml.plan_inspeccion` in one transaction (a failure leaves the previous plan)."""
    con.register("plan_nuevo", tabla)
    try:
        con.execute("create schema if not exists ml")
        con.execute("begin transaction")
        try:
            con.execute(
                "create or replace table ml.plan_inspeccion as select * from plan_nuevo order by oficina, orden"
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.unregister("plan_nuevo")


def nombre_oficina(oficina: str, extension: str) -> str:
    """The export's file name; `oficina` is a validated 2-digit code, never free text."""
    if not (len(oficina) == 2 and oficina.isdigit()):
        raise ValueError(f"clave de oficina inválida: {oficina!r}")
    return f"plan_inspeccion-oficina_{oficina}.{extension}"


def exportar_oficina(
    tabla: pd.DataFrame,
    oficina: str,
    carpeta: Path,
    resumen_filas: list[list] | None = None,
    extensiones: tuple[str, ...] = ("csv", "xlsx"),
) -> list[Path]:
    """One office's plan as CSV and/or XLSX in `carpeta` (text cells that look like formulas get a ')."""
    con = duckdb.connect()
    con.register("plan", tabla)
    sql, params = "select * from plan where oficina = ?", [oficina]
    rutas = []
    if "csv" in extensiones:
        ruta = carpeta / nombre_oficina(oficina, "csv")
        copiar_csv(con, sql, ruta, params, orden="orden")
        rutas.append(ruta)
    if "xlsx" in extensiones:
        ruta = carpeta / nombre_oficina(oficina, "xlsx")
        escribir_xlsx(
            ruta,
            [
                hoja_de_consulta(con, "plan", sql, params, "orden"),
                hoja_de_filas("resumen", ["concepto", "valor"], resumen_filas or []),
            ],
        )
        rutas.append(ruta)
    con.close()
    return rutas


def filas_resumen(lineas: list[str]) -> list[list]:
    return [["resumen", linea] for linea in lineas]


def escribir_salidas(
    tabla: pd.DataFrame, resumen: dict, lineas: list[str], destino: Path, ultima_inspeccion: pd.DataFrame | None = None
) -> Path:
    """Write every export into a fresh folder and swap it in for `destino` (readers never see half a plan)."""
    destino.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".plan-", dir=destino.parent))
    try:
        for oficina in sorted(tabla["oficina"].unique()):
            exportar_oficina(tabla, oficina, tmp, filas_resumen(lineas))
        con = duckdb.connect()
        con.register("plan", tabla)
        con.execute(f"copy plan to {literal(str(tmp / 'plan_inspeccion.parquet'))} (format parquet)")
        if ultima_inspeccion is not None:
            con.register("ultima", ultima_inspeccion)
            con.execute(f"copy ultima to {literal(str(tmp / 'ultima_inspeccion.parquet'))} (format parquet)")
        con.close()
        (tmp / "resumen.json").write_text(
            json.dumps(resumen, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        (tmp / "resumen.txt").write_text("\n".join(lineas) + "\n", encoding="utf-8")
        viejo = destino.with_name(destino.name + ".anterior")
        if destino.exists():
            shutil.rmtree(viejo, ignore_errors=True)
            os.replace(destino, viejo)
        os.replace(tmp, destino)
        shutil.rmtree(viejo, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return destino
