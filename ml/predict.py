"""`sidil predict`: score every CT of `marts.universo_ct_con_indicadores` with a stored model run and write
the risk matrix `ml.mpr` (plus `ml.mpr_diccionario`, `ml.mpr_metadatos` and the Parquet/CSV exports in
`salidas/mpr_revision/`, the candidate an operator reviews; `sidil.publicacion` publishes it).

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
from ml import calibration, confidence, drift, store
from ml.data import UNIVERSO, leer_universo
from ml.features import check_same, feature_names
from ml.models import probabilidad
from sidil.csv_seguro import copiar_csv
from sidil.publicacion import carpeta_revision

CATALOGO_COLUMNAS = "staging.mpr_columnas"  # seed: the CT columns the MPR carries, labels and descriptions
CATALOGO_DNE = "staging.dne_campos"  # seed: the DNE fields; those with a `columna` are CT attributes (atrib_)
MPR_PARQUET = "mpr.parquet"
MPR_CSV = "mpr.csv"
DICCIONARIO_PARQUET = "mpr_diccionario.parquet"
METADATOS_JSON = "mpr_metadatos.json"
BLOQUE = 100_000  # rows scored at a time: bounded memory at 617k CTs


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, name],
        ).fetchall()
    ]


def score(modelos: dict, X: np.ndarray) -> dict[str, np.ndarray]:
    """pred_<submateria> per modelled submateria and the overall `riesgo`, in blocks."""
    out: dict[str, list[np.ndarray]] = {f"pred_{s}": [] for s in modelos["submaterias"]}
    out["riesgo"] = []
    for i in range(0, len(X), BLOQUE):
        bloque = X[i : i + BLOQUE]
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
    salida = [
        ((f"atrib_{c}" if g == "atributo" else c), g, f"{alias[o]}.{c}", e, d, filtro_dne.get(c, f))
        for c, g, o, e, d, f in rows
    ]
    ya = {c for c, *_ in rows}
    salida += [
        (f"atrib_{c}", "atributo", f"u.{c}", e, f"{e}. Campo {campo} del Directorio Nacional de Empresas.", f)
        for c, campo, e, f, tipo in dne
        if tipo != "derivado" and c not in ya
    ]
    return salida


def _que_es(modelo) -> str:
    if calibration.esta_recalibrado(modelo):
        v = modelo.ventana()
        ventana = (
            f"la tasa de violación de las inspecciones del {v['desde']} al {v['hasta']} ({v['tasa']:.1%} en {v['n']:,})"
        )
        if calibration.esta_calibrado(modelo):
            return f"Probabilidad calibrada y ajustada a {ventana} de una violación procedente"
        # the validation fold could not calibrate it: only its mean follows the recent rate
        return f"Puntaje del modelo (votos del bosque, sin calibrar, con su promedio ajustado a {ventana}) de una violación procedente"
    if calibration.esta_calibrado(modelo):
        return (
            "Probabilidad calibrada (con las inspecciones más recientes del entrenamiento) de una violación procedente"
        )
    return "Puntaje del modelo (votos del bosque, sin calibrar) de una violación procedente"


def _diccionario(
    con: duckdb.DuckDBPyConnection,
    columnas_ct: list[tuple],
    ind_cols: list[str],
    modelos: dict,
    confianza: dict[str, dict] | None = None,
) -> pa.Table:
    rows = [(c, g, e, d, f) for c, g, _, e, d, f in columnas_ct]
    catalogo = {
        f"ind_{i}": (e, d)
        for i, e, d in con.execute(
            "select indicador, etiqueta, coalesce(descripcion_mpr, descripcion) from staging.indicadores"
        ).fetchall()
    }
    rows += [(c, "indicador", *catalogo.get(c, (c, "")), "numérico") for c in ind_cols]
    nombres = modelos.get("nombres_submaterias", {})
    confianza = confianza or {}

    def con_confianza(col: str, texto: str) -> str:
        c = confianza.get(col)
        return (
            f"{texto} Confianza del modelo: {c['nivel']}"
            + ("" if c["apta"] else f", {confidence.NO_APTA}")
            + f" ({confidence.detalle(c)})."
            if c
            else texto
        )

    rows += [
        (
            f"pred_{s}",
            "prediccion",
            f"Riesgo en {s} {nombres.get(s, '')}".strip(),
            con_confianza(f"pred_{s}", f"{_que_es(m)} en la submateria {s} si se inspecciona."),
            "numérico",
        )
        for s, m in modelos["submaterias"].items()
    ]
    rows.append(
        (
            "riesgo",
            "riesgo",
            "Riesgo compuesto",
            con_confianza("riesgo", f"{_que_es(modelos['general'])} en alguna submateria si se inspecciona."),
            "numérico",
        )
    )
    cols = list(zip(*rows))

    # Confidence per prediction column (the manual's quality row under the MPR's predictions); NULL elsewhere.
    def valor(col, clave):
        return confianza[col][clave] if col in confianza else None

    return pa.table(
        {
            "columna": cols[0],
            "grupo": cols[1],
            "etiqueta": cols[2],
            "descripcion": cols[3],
            "tipo_filtro": pa.array(cols[4], pa.string()),
            "auc_prueba": pa.array([valor(c, "roc_auc") for c in cols[0]], pa.float64()),
            "lift_top10_prueba": pa.array([valor(c, "lift_top10") for c in cols[0]], pa.float64()),
            "brier_prueba": pa.array([valor(c, "brier") for c in cols[0]], pa.float64()),
            "ece_prueba": pa.array([valor(c, "ece") for c in cols[0]], pa.float64()),
            "confianza": pa.array([valor(c, "nivel") for c in cols[0]], pa.string()),
            "apta_para_priorizar": pa.array([valor(c, "apta") for c in cols[0]], pa.bool_()),
        }
    )


def _confianza_y_deriva(
    con: duckdb.DuckDBPyConnection,
    modelos: dict,
    folder: Path,
    X: np.ndarray,
    variables: list[str],
    preds: dict[str, np.ndarray],
    say: Callable[[str], None],
) -> tuple[dict[str, dict], list[dict], dict | None]:
    """The confidence label of every prediction column (seed confianza_modelo) and the drift of the inputs
    and of the risks (seed deriva_umbrales), with the run's messages. A missing seed costs its part only."""
    try:
        resumen = json.loads((folder / store.METRICAS).read_text(encoding="utf-8"))
        confianza = confidence.por_columna(confidence.metricas_de_corrida(modelos, resumen), confidence.reglas(con))
    except confidence.ReglasFaltantes as exc:
        say(f"***ADVERTENCIA***: {exc} La MPR sale sin la confianza por submateria.")
        confianza = {}
    if no_aptas := [c for c, v in confianza.items() if not v["apta"]]:
        say(f"***ADVERTENCIA***: predicciones no aptas para priorizar (AUC en prueba bajo): {', '.join(no_aptas)}.")
    try:
        umbrales = drift.umbrales(con)
    except drift.UmbralesFaltantes as exc:
        say(f"***ADVERTENCIA***: {exc} No se vigila la deriva en esta predicción.")
        return confianza, [], None
    filas = []
    if isinstance(modelos.get("referencia_deriva"), dict):
        filas += drift.deriva_variables(modelos["referencia_deriva"], X, variables, umbrales["variable_entrada"])
    else:
        say(
            f"INFO: el modelo {folder.name} no guardó la distribución de su entrenamiento: no se mide la deriva de "
            f"las variables de entrada (reentrene para medirla)."
        )
    filas += drift.deriva_riesgo(con, preds, umbrales["riesgo_mpr"])
    for linea in drift.mensajes(filas):
        say(linea)
    return confianza, filas, umbrales


def predict(
    con: duckdb.DuckDBPyConnection,
    run_id: str | None = None,
    say: Callable[[str], None] = print,
    _antes_de_publicar: Callable[[], None] | None = None,
) -> dict:
    t0 = time.perf_counter()
    run_id = run_id or store.latest_run_id(con)
    if run_id is None:
        raise store.ModelNotFound("No hay ningún modelo entrenado: ejecute `sidil train` (o `sidil run --train`).")
    modelos, variables, folder = store.load_run(run_id, say=say)
    check_same(variables, feature_names(con), run_id)
    ids, X = leer_universo(con, variables)
    t_lectura = time.perf_counter() - t0
    t = time.perf_counter()
    preds = score(modelos, X)
    t_prediccion = time.perf_counter() - t
    confianza, filas_deriva, umbrales = _confianza_y_deriva(con, modelos, folder, X, variables, preds, say)
    pred_table = pa.table({"centro_trabajo_id": ids, **{k: v.astype(np.float64) for k, v in preds.items()}})
    universo = _columns(con, UNIVERSO)
    ind_cols = [c for c in universo if c.startswith("ind_")]
    pred_cols = [c for c in pred_table.column_names if c != "centro_trabajo_id"]
    generado_en = datetime.now().replace(microsecond=0)
    con.register("ml_predicciones", pred_table)
    columnas_ct = _columnas_ct(con)
    con.register("ml_diccionario", _diccionario(con, columnas_ct, ind_cols, modelos, confianza))
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
    metadatos = {
        "run_id": run_id,
        "familia": modelos.get("familia"),
        "generado_en": generado_en.isoformat(),
        "n_centros": int(n),
        "calibracion": modelos.get("calibracion", "ninguna"),
        "recalibracion": modelos.get("recalibracion", "ninguna"),
        "ventanas_recalibracion": {
            str(k): m.ventana()
            for k, m in {**modelos["submaterias"], "general": modelos["general"]}.items()
            if calibration.esta_recalibrado(m)
        },
        "historico": modelos.get("historico"),
        "confianza": confianza,
        "deriva": [
            {k: f[k] for k in ("comparacion", "variable", "psi", "nivel")}
            for f in filas_deriva
            if f["nivel"] in ("moderada", "alta")
        ],
    }

    destino = carpeta_revision()  # the candidate: only publishing (sidil.publicacion) reaches the consultation
    destino.mkdir(parents=True, exist_ok=True)
    tmp = {name: destino / f".{name}.tmp" for name in (MPR_PARQUET, MPR_CSV, DICCIONARIO_PARQUET, METADATOS_JSON)}
    try:
        con.execute(f"copy ml.mpr__nueva to {literal(str(tmp[MPR_PARQUET]))} (format parquet, compression zstd)")
        copiar_csv(con, "select * from ml.mpr__nueva", tmp[MPR_CSV])  # text cells that look like formulas get a '
        con.execute(f"copy (select * from ml_diccionario) to {literal(str(tmp[DICCIONARIO_PARQUET]))} (format parquet)")
        tmp[METADATOS_JSON].write_text(json.dumps(metadatos, ensure_ascii=False, indent=1), encoding="utf-8")
        if _antes_de_publicar is not None:  # tests inject a failure here
            _antes_de_publicar()
        con.execute("begin transaction")
        try:
            con.execute("drop table if exists ml.mpr")
            con.execute("alter table ml.mpr__nueva rename to mpr")
            con.execute("create or replace table ml.mpr_diccionario as select * from ml_diccionario")
            con.execute(
                """create or replace table ml.mpr_metadatos as
                           select cast(? as varchar) as run_id, cast(? as varchar) as familia,
                                  cast(? as timestamp) as generado_en, cast(? as bigint) as n_centros,
                                  cast(? as varchar) as calibracion, cast(? as json) as confianza""",
                [
                    run_id,
                    metadatos["familia"],
                    generado_en,
                    int(n),
                    metadatos["calibracion"],
                    json.dumps(confianza, ensure_ascii=False),
                ],
            )
            if umbrales is not None:
                drift.guardar(con, filas_deriva, generado_en, run_id, umbrales)
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
    resumen = {
        **metadatos,
        "salidas": str(destino),
        "lectura_s": t_lectura,
        "prediccion_s": t_prediccion,
        "total_s": time.perf_counter() - t0,
    }
    say(f"INFO: MPR con {n:,} centros de trabajo escrita en ml.mpr y {destino} (modelo {run_id}).")
    return resumen
