"""`sidil predict`: score every CT of `marts.universo_ct_con_indicadores` with a stored model run and write
the risk matrix `ml.mpr` (plus `ml.mpr_diccionario`, `ml.mpr_metadatos` and the Parquet/CSV exports).

The new matrix is built beside the old one and swapped in one transaction, and the exports are written
under temporary names and renamed, so a failed run leaves the previous MPR and files intact.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ml import store
from ml.data import UNIVERSO, leer_universo
from ml.features import check_same, feature_names
from ml.models import probabilidad
from ml.paths import salidas

IDENTIFICACION = ["centro_trabajo_id", "nombre_ct", "ct_imss_registro", "geo2", "nom_geo2", "geo5", "nom_geo5",
                  "scian2018_2", "nom_scian2018_2", "scian2018_3", "nom_scian2018_3", "cat_tamanio",
                  "nom_cat_tamanio"]
ETIQUETAS_IDENTIFICACION = {
    "centro_trabajo_id": ("Centro de trabajo", "Clave del centro de trabajo en el DNE."),
    "nombre_ct": ("Nombre", "Nombre o razón social del centro de trabajo (DNE)."),
    "ct_imss_registro": ("Registro patronal IMSS", "Registro patronal del centro de trabajo, si lo tiene."),
    "geo2": ("Clave de entidad", "Clave INEGI de la entidad federativa."),
    "nom_geo2": ("Entidad", "Entidad federativa."),
    "geo5": ("Clave de municipio", "Clave INEGI de entidad y municipio (5 dígitos)."),
    "nom_geo5": ("Municipio", "Municipio o alcaldía."),
    "scian2018_2": ("Sector SCIAN", "Sector SCIAN 2018 (2 dígitos)."),
    "nom_scian2018_2": ("Nombre del sector", "Nombre del sector SCIAN 2018."),
    "scian2018_3": ("Subsector SCIAN", "Subsector SCIAN 2018 (3 dígitos)."),
    "nom_scian2018_3": ("Nombre del subsector", "Nombre del subsector SCIAN 2018."),
    "cat_tamanio": ("Tamaño", "Categoría de tamaño por número de trabajadores (vacío: sin dato)."),
    "nom_cat_tamanio": ("Tamaño (etiqueta)", "Categoría de tamaño por número de trabajadores."),
}
ATRIBUTOS = {  # atrib_<name>: label, description
    "num_trabajadores": ("Trabajadores", "Número de trabajadores declarado o enriquecido con IMSS."),
    "clase_riesgo": ("Clase de riesgo IMSS", "Clase de riesgo de trabajo del IMSS (I a V)."),
    "tiene_registro_imss": ("Con registro IMSS", "El registro patronal existe en el IMSS (indicadores nominativos)."),
    "sustancias_peligrosas": ("Sustancias peligrosas", "Maneja sustancias químicas peligrosas."),
    "recipientes_sujetos_presion": ("Recipientes a presión", "Tiene recipientes sujetos a presión o calderas."),
    "materiales_piroforicos": ("Materiales pirofóricos", "Maneja materiales pirofóricos o explosivos."),
    "maquinaria_peligrosa": ("Maquinaria peligrosa", "Opera maquinaria o equipo peligroso."),
    "trabajos_altura": ("Trabajos en altura", "Realiza trabajos en altura."),
    "espacios_confinados": ("Espacios confinados", "Realiza trabajos en espacios confinados."),
    "ct_prioritario": ("Centro prioritario", "Marcado como prioritario en el DNE."),
}
MPR_PARQUET = "mpr.parquet"
MPR_CSV = "mpr.csv"
DICCIONARIO_PARQUET = "mpr_diccionario.parquet"
METADATOS_JSON = "mpr_metadatos.json"
BLOQUE = 100_000  # rows scored at a time: bounded memory at 617k CTs


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = table.split(".")
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, name]).fetchall()]


def score(modelos: dict, X: np.ndarray) -> dict[str, np.ndarray]:
    """pred_<submateria> per modelled submateria and the overall `riesgo`, in blocks."""
    out: dict[str, list[np.ndarray]] = {f"pred_{s}": [] for s in modelos["submaterias"]}
    out["riesgo"] = []
    for i in range(0, len(X), BLOQUE):
        bloque = X[i:i + BLOQUE]
        for s, m in modelos["submaterias"].items():
            out[f"pred_{s}"].append(probabilidad(m, bloque))
        out["riesgo"].append(probabilidad(modelos["general"], bloque))
    return {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in out.items()}


def _diccionario(con: duckdb.DuckDBPyConnection, ind_cols: list[str], modelos: dict) -> pa.Table:
    rows = [(c, "identificacion", *ETIQUETAS_IDENTIFICACION[c]) for c in IDENTIFICACION]
    rows += [(f"atrib_{a}", "atributo", *v) for a, v in ATRIBUTOS.items()]
    catalogo = {f"ind_{i}": (e, d) for i, e, d in con.execute(
        "select indicador, etiqueta, coalesce(descripcion_mpr, descripcion) from staging.indicadores").fetchall()}
    rows += [(c, "indicador", *catalogo.get(c, (c, ""))) for c in ind_cols]
    nombres = modelos.get("nombres_submaterias", {})
    rows += [(f"pred_{s}", "prediccion", f"Riesgo en {s} {nombres.get(s, '')}".strip(),
              f"Probabilidad estimada de una violación procedente en la submateria {s} si se inspecciona.")
             for s in modelos["submaterias"]]
    rows.append(("riesgo", "riesgo", "Riesgo compuesto",
                 "Probabilidad estimada de una violación procedente en alguna submateria si se inspecciona."))
    cols = list(zip(*rows))
    return pa.table({"columna": cols[0], "grupo": cols[1], "etiqueta": cols[2], "descripcion": cols[3]})


def predict(con: duckdb.DuckDBPyConnection, run_id: str | None = None,
            say: Callable[[str], None] = print, _antes_de_publicar: Callable[[], None] | None = None) -> dict:
    t0 = time.perf_counter()
    run_id = run_id or store.latest_run_id(con)
    if run_id is None:
        raise store.ModelNotFound("No hay ningún modelo entrenado: ejecute `sidil train` (o `sidil run --train`).")
    modelos, variables, _ = store.load_run(run_id)
    check_same(variables, feature_names(con), run_id)
    ids, X = leer_universo(con, variables)
    t_lectura = time.perf_counter() - t0
    t = time.perf_counter()
    preds = score(modelos, X)
    t_prediccion = time.perf_counter() - t
    pred_table = pa.table({"centro_trabajo_id": ids, **{k: v.astype(np.float64) for k, v in preds.items()}})
    universo = _columns(con, UNIVERSO)
    ind_cols = [c for c in universo if c.startswith("ind_")]
    pred_cols = [c for c in pred_table.column_names if c != "centro_trabajo_id"]
    generado_en = datetime.now().replace(microsecond=0)
    con.register("ml_predicciones", pred_table)
    con.register("ml_diccionario", _diccionario(con, ind_cols, modelos))
    con.execute("create schema if not exists ml")
    con.execute(f"""
        create or replace table ml.mpr__nueva as
        select
            u.centro_trabajo_id, d.nombre_ct, u.ct_imss_registro, u.geo2, u.nom_geo2, u.geo5, u.nom_geo5,
            u.scian2018_2, u.nom_scian2018_2, u.scian2018_3, u.nom_scian2018_3, u.cat_tamanio, u.nom_cat_tamanio,
            {", ".join(f"u.{a} as atrib_{a}" for a in ATRIBUTOS)},
            {", ".join(f"u.{c}" for c in ind_cols)},
            {", ".join(f"p.{c}" for c in pred_cols)}
        from {UNIVERSO} as u
        inner join ml_predicciones as p using (centro_trabajo_id)
        left join marts.dne_plus as d using (centro_trabajo_id)
        order by p.riesgo desc, u.centro_trabajo_id
    """)
    n = con.execute("select count(*) from ml.mpr__nueva").fetchone()[0]
    if n != len(ids):
        raise RuntimeError(f"La MPR nueva tiene {n} filas y el universo {len(ids)}: no se publica.")
    metadatos = {"run_id": run_id, "familia": modelos.get("familia"), "generado_en": generado_en.isoformat(),
                 "n_centros": int(n)}

    destino = salidas() / "mpr"
    destino.mkdir(parents=True, exist_ok=True)
    tmp = {name: destino / f".{name}.tmp" for name in (MPR_PARQUET, MPR_CSV, DICCIONARIO_PARQUET, METADATOS_JSON)}
    try:
        con.execute(f"copy ml.mpr__nueva to '{tmp[MPR_PARQUET]}' (format parquet, compression zstd)")
        con.execute(f"copy ml.mpr__nueva to '{tmp[MPR_CSV]}' (header, delimiter ',')")
        con.execute(f"copy (select * from ml_diccionario) to '{tmp[DICCIONARIO_PARQUET]}' (format parquet)")
        tmp[METADATOS_JSON].write_text(json.dumps(metadatos, ensure_ascii=False, indent=1), encoding="utf-8")
        if _antes_de_publicar is not None:  # tests inject a failure here
            _antes_de_publicar()
        con.execute("begin transaction")
        try:
            con.execute("drop table if exists ml.mpr")
            con.execute("alter table ml.mpr__nueva rename to mpr")
            con.execute("create or replace table ml.mpr_diccionario as select * from ml_diccionario")
            con.execute("""create or replace table ml.mpr_metadatos as
                           select cast(? as varchar) as run_id, cast(? as varchar) as familia,
                                  cast(? as timestamp) as generado_en, cast(? as bigint) as n_centros""",
                        [run_id, metadatos["familia"], generado_en, int(n)])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        for name, path in tmp.items():
            os.replace(path, destino / name)
    finally:
        for path in tmp.values():
            Path(path).unlink(missing_ok=True)
        con.execute("drop table if exists ml.mpr__nueva")
        con.unregister("ml_predicciones")
        con.unregister("ml_diccionario")
    resumen = {**metadatos, "salidas": str(destino), "lectura_s": t_lectura, "prediccion_s": t_prediccion,
               "total_s": time.perf_counter() - t0}
    say(f"INFO: MPR con {n:,} centros de trabajo escrita en ml.mpr y {destino} (modelo {run_id}).")
    return resumen
