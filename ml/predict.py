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

from loaders.sql import literal
from ml import store
from ml.data import UNIVERSO, leer_universo
from ml.features import check_same, feature_names
from ml.models import probabilidad
from ml.paths import salidas
from sidil.csv_seguro import copiar_csv

CATALOGO_COLUMNAS = "staging.mpr_columnas"  # seed: the CT columns the MPR carries, labels and descriptions
CATALOGO_DNE = "staging.dne_campos"  # seed: the DNE fields; those with a `columna` are CT attributes (atrib_)
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


def _columnas_ct(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, str, str | None]]:
    """(column in the MPR, grupo, source expression, label, description, filter type) of the CT columns: those
    of seed mpr_columnas in order, then the workplace attributes of the DNE field catalog (seed dne_campos, rows
    with a `columna` read as they are) as atrib_<columna>, in the catalog's order. A column's filter type is
    the DNE catalog's when it holds the column, else mpr_columnas'."""
    dne = con.execute(f"""
        select columna, campo, etiqueta, tipo_filtro, tipo_dato from (
            select *, row_number() over () as orden_catalogo from {CATALOGO_DNE}
        )
        where tabla = 'centro_trabajo' and coalesce(columna, '') <> ''
        order by orden_catalogo
    """).fetchall()
    filtro_dne = {c: f for c, _, _, f, _ in dne}
    rows = con.execute(f"""
        select columna, grupo, origen, etiqueta, coalesce(descripcion, ''), nullif(tipo_filtro, '')
        from {CATALOGO_COLUMNAS} order by orden
    """).fetchall()
    alias = {"universo": "u", "dne_plus": "d"}
    salida = [((f"atrib_{c}" if g == "atributo" else c), g, f"{alias[o]}.{c}", e, d, filtro_dne.get(c, f))
              for c, g, o, e, d, f in rows]
    ya = {c for c, *_ in rows}
    salida += [(f"atrib_{c}", "atributo", f"u.{c}", e, f"{e}. Campo {campo} del Directorio Nacional de Empresas.", f)
               for c, campo, e, f, tipo in dne if tipo != "derivado" and c not in ya]
    return salida


def _diccionario(con: duckdb.DuckDBPyConnection, columnas_ct: list[tuple], ind_cols: list[str],
                 modelos: dict) -> pa.Table:
    rows = [(c, g, e, d, f) for c, g, _, e, d, f in columnas_ct]
    catalogo = {f"ind_{i}": (e, d) for i, e, d in con.execute(
        "select indicador, etiqueta, coalesce(descripcion_mpr, descripcion) from staging.indicadores").fetchall()}
    rows += [(c, "indicador", *catalogo.get(c, (c, "")), "numérico") for c in ind_cols]
    nombres = modelos.get("nombres_submaterias", {})
    rows += [(f"pred_{s}", "prediccion", f"Riesgo en {s} {nombres.get(s, '')}".strip(),
              f"Probabilidad estimada de una violación procedente en la submateria {s} si se inspecciona.",
              "numérico")
             for s in modelos["submaterias"]]
    rows.append(("riesgo", "riesgo", "Riesgo compuesto",
                 "Probabilidad estimada de una violación procedente en alguna submateria si se inspecciona.",
                 "numérico"))
    cols = list(zip(*rows))
    return pa.table({"columna": cols[0], "grupo": cols[1], "etiqueta": cols[2], "descripcion": cols[3],
                     "tipo_filtro": pa.array(cols[4], pa.string())})


def predict(con: duckdb.DuckDBPyConnection, run_id: str | None = None,
            say: Callable[[str], None] = print, _antes_de_publicar: Callable[[], None] | None = None) -> dict:
    t0 = time.perf_counter()
    run_id = run_id or store.latest_run_id(con)
    if run_id is None:
        raise store.ModelNotFound("No hay ningún modelo entrenado: ejecute `sidil train` (o `sidil run --train`).")
    modelos, variables, _ = store.load_run(run_id, say=say)
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
    columnas_ct = _columnas_ct(con)
    con.register("ml_diccionario", _diccionario(con, columnas_ct, ind_cols, modelos))
    con.execute("create schema if not exists ml")
    con.execute(f"""
        create or replace table ml.mpr__nueva as
        select
            {", ".join(f"{expr} as {col}" for col, _, expr, *_ in columnas_ct)},
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
        con.execute(f"copy ml.mpr__nueva to {literal(str(tmp[MPR_PARQUET]))} (format parquet, compression zstd)")
        copiar_csv(con, "select * from ml.mpr__nueva", tmp[MPR_CSV])  # text cells that look like formulas get a '
        con.execute(f"copy (select * from ml_diccionario) to {literal(str(tmp[DICCIONARIO_PARQUET]))} "
                    "(format parquet)")
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
