"""`sidil train`: fit the risk models on the inspection history, evaluate them on held-out inspections
(later in time than those they learned from, by default), explain them with SHAP, and store the run."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np

from ml import explain, report, store
from ml.data import Historia, leer_historia
from ml.features import feature_names
from ml.metrics import METRICAS, binary_metrics
from ml.models import clasificador_general, clasificador_submateria, probabilidad, umbral
from ml.paths import models_store
from ml.truth import Verdad

SEMILLA_DIVISION = 20261122


class TrainingError(Exception):
    pass


def split(h: Historia, division: str, corte: date | None, fraccion_prueba: float) -> tuple[np.ndarray, date | None]:
    """Boolean mask of held-out inspections. Temporal: on or after `corte` (default: the date that leaves
    `fraccion_prueba` of the inspections after it). Random ('aleatoria'): that fraction at random."""
    n = len(h.inspeccion_id)
    if n == 0:
        raise TrainingError("marts.entrenamiento no tiene inspecciones: cargue el histórico SIAPI-SIPAS y "
                            "reconstruya los modelos (sidil build).")
    if division == "aleatoria":
        rng = np.random.default_rng(SEMILLA_DIVISION)
        prueba = np.zeros(n, dtype=bool)
        prueba[rng.choice(n, size=int(round(fraccion_prueba * n)), replace=False)] = True
        return prueba, None
    if division != "temporal":
        raise TrainingError(f"división desconocida {division!r}: use temporal o aleatoria.")
    if corte is None:
        corte = np.quantile(h.fecha.astype("int64"), 1.0 - fraccion_prueba).astype("datetime64[D]").item()
    prueba = h.fecha >= np.datetime64(corte, "D")
    if prueba.all() or not prueba.any():
        raise TrainingError(
            f"El corte {corte} deja {'todas' if prueba.all() else 'ninguna'} de las inspecciones para evaluar "
            f"(histórico del {h.fecha.min()} al {h.fecha.max()}): elija un corte dentro de ese intervalo."
        )
    return prueba, corte


def _fit(modelo, X, y):
    modelo.fit(X, y)
    return modelo


def train(
    con: duckdb.DuckDBPyConnection,
    familia: str = "bosque",
    division: str = "temporal",
    corte: date | None = None,
    fraccion_prueba: float = 0.2,
    verdad_dir: Path | None = None,
    reentrenar: bool = True,
    say: Callable[[str], None] = print,
) -> dict:
    t0 = time.perf_counter()
    tiempos: dict[str, float] = {}
    names = feature_names(con)
    h = leer_historia(con, names)
    tiempos["lectura_s"] = time.perf_counter() - t0
    prueba, corte = split(h, division, corte, fraccion_prueba)
    entrena = ~prueba
    verdad_dir = verdad_dir or Verdad.de_la_carga(con)
    verdad = Verdad.encontrar(verdad_dir)
    say(f"INFO: {len(h.inspeccion_id):,} inspecciones, {len(names)} variables de entrada, "
        f"{len(h.etiquetas)} submaterias modeladas; evaluación "
        + (f"temporal desde el {corte}" if corte else "con una muestra aleatoria")
        + f" ({int(prueba.sum()):,} inspecciones).")

    filas_metricas: list[dict] = []
    evaluados: dict = {}
    t = time.perf_counter()
    for s, (filas, y) in sorted(h.etiquetas.items()):
        tr, te = entrena[filas], prueba[filas]
        if len(np.unique(y[tr])) < 2 or te.sum() == 0:
            say(f"***ADVERTENCIA***: submateria {s} sin violaciones y cumplimientos en el entrenamiento o sin "
                f"inspecciones de prueba; no se evalúa.")
            continue
        m = _fit(clasificador_submateria(familia, int(tr.sum())), h.X[filas[tr]], y[tr])
        p = probabilidad(m, h.X[filas[te]])
        met = binary_metrics(y[te], p, umbral(m, float(y[tr].mean())))
        if verdad is not None:
            met["auc_maximo"] = verdad.auc_submateria(s, h.inspeccion_id[filas[te]], y[te])
            met["brecha_auc"] = met["auc_maximo"] - met["roc_auc"]
        filas_metricas.append({"modelo": "submateria", "submateria_id": s, "submateria": h.submaterias[s], **met})
        evaluados[s] = m
        say(f"INFO: submateria {s}: {int(tr.sum()):,} inspecciones de entrenamiento, AUC {met['roc_auc']:.3f} "
            f"en {int(te.sum()):,} de prueba.")
    tiempos["evaluacion_submaterias_s"] = time.perf_counter() - t
    if not evaluados:
        raise TrainingError("Ninguna submateria modelada tiene datos suficientes para entrenar.")

    t = time.perf_counter()
    yg = h.cualquier_violacion
    general = _fit(clasificador_general(familia, int(entrena.sum())), h.X[entrena], yg[entrena])
    pg = probabilidad(general, h.X[prueba])
    met = binary_metrics(yg[prueba], pg, umbral(general, float(yg[entrena].mean())))
    if verdad is not None:
        met["auc_maximo"] = verdad.auc_general(h.inspeccion_id[prueba], yg[prueba])
        met["brecha_auc"] = met["auc_maximo"] - met["roc_auc"]
    filas_metricas.append({"modelo": "general", "submateria_id": None,
                           "submateria": "Cualquier violación (riesgo)", **met})
    tiempos["evaluacion_general_s"] = time.perf_counter() - t

    por_sub = [f for f in filas_metricas if f["modelo"] == "submateria"]
    claves = [k for k in por_sub[0] if k not in ("modelo", "submateria_id", "submateria")]
    promedio = {k: float(np.nanmean([f[k] for f in por_sub])) for k in claves}
    filas_metricas.append({"modelo": "promedio", "submateria_id": None,
                           "submateria": "Promedio de submaterias", **promedio})

    # The model that scores the universe learns from every inspection, the held-out ones included.
    t = time.perf_counter()
    if reentrenar:
        say("INFO: reentrenando con todas las inspecciones el modelo que se guarda.")
        finales = {}
        for s, (filas, y) in sorted(h.etiquetas.items()):
            if s in evaluados:
                finales[s] = _fit(clasificador_submateria(familia, len(filas)), h.X[filas], y)
        general = _fit(clasificador_general(familia, len(yg)), h.X, yg)
    else:
        finales = evaluados
    tiempos["reentrenamiento_s"] = time.perf_counter() - t

    run_id = store.new_run_id(familia)
    folder = models_store() / run_id
    t = time.perf_counter()
    say("INFO: explicando los modelos (SHAP) y escribiendo el reporte.")
    muestra = np.flatnonzero(prueba)[explain.sample_rows(int(prueba.sum()))]
    graficas = {"general": explain.plots(explain.explanation(general, h.X[muestra], names), folder, "general",
                                         "cualquier violación", con_waterfall=True)}
    importancias = {"general": explain.importance(explain.explanation(general, h.X[muestra], names))}
    for s, m in finales.items():
        filas, _ = h.etiquetas[s]
        fs = filas[prueba[filas]]
        fs = fs[explain.sample_rows(len(fs))]
        e = explain.explanation(m, h.X[fs], names)
        graficas[str(s)] = explain.plots(e, folder, f"sub_{s}", f"{s} {h.submaterias[s]}", con_waterfall=False)
        importancias[str(s)] = explain.importance(e)
    tiempos["shap_s"] = time.perf_counter() - t

    versiones = {"codigo": store.code_version(), "paquetes": store.package_versions(),
                 "datos": store.data_fingerprint(con)}
    resumen = {
        "run_id": run_id, "familia": familia, "division": division, "corte": str(corte) if corte else None,
        "fraccion_prueba": fraccion_prueba, "reentrenado_con_todo": reentrenar,
        "n_inspecciones": int(len(h.inspeccion_id)), "n_entrenamiento": int(entrena.sum()),
        "n_prueba": int(prueba.sum()), "variables": names, "metricas": filas_metricas,
        "importancias": importancias, "graficas": graficas, "verdad": str(verdad_dir) if verdad else None,
        "tiempos": tiempos, "creado_en": datetime.now().isoformat(timespec="seconds"),
    }
    report.write(folder, resumen, versiones)
    tiempos["total_s"] = time.perf_counter() - t0
    store.save_run(folder, {"submaterias": finales, "general": general, "familia": familia,
                            "nombres_submaterias": h.submaterias}, names, resumen, versiones)
    store.register_run(con, {
        "run_id": run_id, "creado_en": datetime.now(), "familia": familia, "division": division, "corte": corte,
        "n_entrenamiento": int(entrena.sum()), "n_prueba": int(prueba.sum()),
        "auc_promedio": promedio["roc_auc"],
        "auc_general": next(f["roc_auc"] for f in filas_metricas if f["modelo"] == "general"),
        "brecha_auc_promedio": promedio.get("brecha_auc"), "lift_top10_promedio": promedio["lift_top10"],
        "ruta": str(folder), "version_codigo": versiones["codigo"],
        "huella_datos": versiones["datos"]["huella_entrenamiento"],
    }, [
        (run_id, f["modelo"], f["submateria_id"], f["submateria"], k, None if np.isnan(v) else float(v))
        for f in filas_metricas for k, v in f.items() if k in METRICAS or k in ("auc_maximo", "brecha_auc")
    ])
    return resumen
