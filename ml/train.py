"""`sidil train`: fit the risk models on the inspection history, calibrate them on a temporal validation
fold, evaluate them on held-out inspections (later in time than those they learned from, by default) beside
the manual's configuration and the other historical mode, explain them with SHAP, and store the run.

Periods of the history, oldest to newest (temporal division): ajuste (the forests learn), validación (the
latest FRACCION_VALIDACION of the training period: the calibrators learn), prueba (held out, evaluated).
With recalibration on a recent window (the default), each test year is scored with the calibrated odds
shifted to the violation rate of the inspections just before it (walk-forward), and the stored model
carries the shift of the latest window (ml/calibration.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np

from ml import baseline, calibration, confidence, drift, explain, report, store
from ml.data import HISTORICOS, UNIVERSO, Historia, existe, leer_historia, leer_universo
from ml.features import feature_names
from ml.metrics import METRICAS, binary_metrics, brier
from ml.models import (
    clasificador_general,
    clasificador_submateria,
    probabilidad,
    umbral,
)
from ml.paths import models_store
from ml.resultado import ResultadoEntrenamiento
from ml.truth import Verdad

SEMILLA_DIVISION = 20261122


class TrainingError(Exception):
    pass


def split(h: Historia, division: str, corte: date | None, fraccion_prueba: float) -> tuple[np.ndarray, date | None]:
    """Boolean mask of held-out inspections. Temporal: on or after `corte` (default: the date that leaves
    `fraccion_prueba` of the inspections after it). Random ('aleatoria'): that fraction at random."""
    n = len(h.inspeccion_id)
    if n == 0:
        raise TrainingError(
            "marts.entrenamiento no tiene inspecciones: cargue el histórico SIAPI-SIPAS y "
            "reconstruya los modelos (sidil build)."
        )
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


CLAVES_FILA = ("modelo", "submateria_id", "submateria")
# With recalibration, Brier and ECE are also kept for the calibration fitted once (suffix SUFIJO_FIJA).
METRICAS_FIJA = ("brier", "ece")
SUFIJO_FIJA = "_calibracion_fija"
# Ranking metrics come from the forest's order, which the shift keeps within each year: a planner ranks one
# period's workplaces, never this year's against last year's. The whole test period ranked with each year's
# shift (comparing years too) is kept with suffix SUFIJO_CONJUNTO.
METRICAS_ORDEN = ("roc_auc", "average_precision", "precision_top10", "lift_top10")
SUFIJO_CONJUNTO = "_recalibrado_conjunto"


def _probabilidades(
    h: Historia,
    m,
    filas: np.ndarray,
    y: np.ndarray,
    aj: np.ndarray,
    te: np.ndarray,
    recalibracion: str,
) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities of the held-out rows as evaluated, those of the calibration fitted once). With
    'ventana' each test year gets the shift of the rows before it that the forest did not learn from."""
    fija = probabilidad(m, h.X[filas[te]])
    if recalibracion != "ventana":
        return fija, fija
    p = calibration.probabilidad_recalibrada(m, h.X[filas], y, h.fecha[filas], ~aj, te)
    return p, fija


def _metricas(y: np.ndarray, p: np.ndarray, fija: np.ndarray, umbral_: float) -> dict:
    """Held-out metrics of the probabilities `p`, the ranking ones of the forest's order (`fija`), and the
    fixed calibration's Brier and ECE beside them when `p` was recalibrated."""
    met = binary_metrics(y, p, umbral_)
    if p is fija:
        return met
    f = binary_metrics(y, fija, umbral_)
    return {
        **met,
        **{k: f[k] for k in METRICAS_ORDEN},
        **{k + SUFIJO_CONJUNTO: met[k] for k in METRICAS_ORDEN},
        **{k + SUFIJO_FIJA: f[k] for k in METRICAS_FIJA},
    }


def _promedio(filas: list[dict], modelo: str) -> dict:
    claves = [k for k in filas[0] if k not in CLAVES_FILA]
    return {
        "modelo": modelo,
        "submateria_id": None,
        "submateria": "Promedio de submaterias",
        **{k: float(np.nanmean([f[k] for f in filas])) for k in claves},
    }


def _evaluar(
    h: Historia,
    familia: str,
    ajuste: np.ndarray,
    validacion: np.ndarray,
    prueba: np.ndarray,
    calibracion: str,
    verdad: Verdad | None,
    say: Callable[[str], None],
    modelo: str = "submateria",
    recalibracion: str = "ventana",
) -> tuple[list[dict], dict, dict]:
    """Per submateria: a forest fitted on `ajuste`, calibrated on `validacion` (and, with 'ventana',
    recalibrated year by year on the window before each test year), evaluated on `prueba`.
    Returns the metrics rows, the models and the held-out (labels, probabilities)."""
    filas_metricas: list[dict] = []
    modelos: dict = {}
    puntajes: dict = {}
    for s, (filas, y) in sorted(h.etiquetas.items()):
        aj, va, te = ajuste[filas], validacion[filas], prueba[filas]
        if len(np.unique(y[aj])) < 2 or te.sum() == 0:
            say(
                f"***ADVERTENCIA***: submateria {s} sin violaciones y cumplimientos en el entrenamiento o sin "
                f"inspecciones de prueba; no se evalúa."
            )
            continue
        m = calibration.ajustar(clasificador_submateria(familia, int(aj.sum())), h.X[filas], y, aj, va, calibracion)
        if not calibration.esta_calibrado(m) and calibracion != "ninguna" and modelo == "submateria":
            say(
                f"***ADVERTENCIA***: submateria {s}: las {int(va.sum()):,} inspecciones de validación no alcanzan para "
                f"calibrar (el calibrador invertiría o borraría el orden del bosque); se conservan sus votos."
            )
        p, fija = _probabilidades(h, m, filas, y, aj, te, recalibracion)
        u = umbral(m, float(y[aj | va].mean()))
        met = _metricas(y[te], p, fija, u)
        met["brier_tasa_entrenamiento"] = brier(y[te], np.full(int(te.sum()), y[aj | va].mean()))
        if verdad is not None:
            met["auc_maximo"] = verdad.auc_submateria(s, h.inspeccion_id[filas[te]], y[te])
            met["brecha_auc"] = met["auc_maximo"] - met["roc_auc"]
        filas_metricas.append({"modelo": modelo, "submateria_id": s, "submateria": h.submaterias[s], **met})
        modelos[s] = m
        puntajes[s] = (y[te], p)
        if modelo == "submateria":
            say(
                f"INFO: submateria {s}: {int((aj | va).sum()):,} inspecciones de entrenamiento "
                f"({int(va.sum()):,} de ellas calibran), AUC {met['roc_auc']:.3f}, Brier {met['brier']:.3f} "
                f"(tasa base {met['brier_referencia']:.3f}), error de calibración {met['ece']:.3f} en "
                f"{int(te.sum()):,} de prueba"
                + (
                    f" (recalibrado cada año con la ventana reciente; calibración fija: error "
                    f"{met['ece' + SUFIJO_FIJA]:.3f}, Brier {met['brier' + SUFIJO_FIJA]:.3f})."
                    if recalibracion == "ventana"
                    else "."
                )
            )
    return filas_metricas, modelos, puntajes


def _otro_historico(
    con,
    h: Historia,
    historico: str,
    names: list[str],
    familia: str,
    prueba: np.ndarray,
    calibracion: str,
    verdad: Verdad | None,
    say: Callable[[str], None],
    recalibracion: str = "ventana",
) -> list[dict]:
    """The same models trained and evaluated on the other historical mode's table, on the same held-out
    inspections; empty when that table is not built."""
    otro = "manual" if historico == "puntual" else "puntual"
    if not existe(con, HISTORICOS[otro]):
        say(f"INFO: no existe {HISTORICOS[otro]}: el reporte no compara con el histórico {otro}.")
        return []
    h2 = leer_historia(con, names, HISTORICOS[otro])
    prueba2 = np.isin(h2.inspeccion_id, h.inspeccion_id[prueba])
    entrena2 = ~prueba2
    validacion2 = calibration.pliegue_validacion(h2.fecha, entrena2)
    filas, _, _ = _evaluar(
        h2,
        familia,
        entrena2 & ~validacion2,
        validacion2,
        prueba2,
        calibracion,
        verdad,
        say,
        modelo=f"historico_{otro}",
        recalibracion=recalibracion,
    )
    if filas:
        filas.append(_promedio(filas, f"historico_{otro}"))
        say(
            f"INFO: histórico {otro} en las mismas inspecciones de prueba: AUC promedio {filas[-1]['roc_auc']:.3f}, "
            f"lift 10 % promedio {filas[-1]['lift_top10']:.3f}."
        )
    return filas


@dataclass(frozen=True)
class _Division:
    """Rows of the history by period (boolean masks): prueba (held out), entrena (the rest), validacion (the
    latest of entrena: the calibrators learn), ajuste (entrena without validacion: the forests learn)."""

    prueba: np.ndarray
    entrena: np.ndarray
    validacion: np.ndarray
    ajuste: np.ndarray
    corte: date | None


@contextmanager
def _cronometro(tiempos: dict[str, float], clave: str) -> Iterator[None]:
    """Seconds spent in the block, in tiempos[clave] (not recorded when the block raises)."""
    t = time.perf_counter()
    yield
    tiempos[clave] = time.perf_counter() - t


def _tabla_entrenamiento(con, historico: str, calibracion: str, recalibracion: str) -> str:
    """The training table of `historico`, once the options are known and the table exists."""
    if historico not in HISTORICOS:
        raise TrainingError(f"histórico desconocido {historico!r}: use puntual o manual.")
    if calibracion not in calibration.METODOS:
        raise TrainingError(f"calibración desconocida {calibracion!r}: use {', '.join(calibration.METODOS)}.")
    if recalibracion not in calibration.RECALIBRACIONES:
        raise TrainingError(
            f"recalibración desconocida {recalibracion!r}: use {', '.join(calibration.RECALIBRACIONES)}."
        )
    tabla = HISTORICOS[historico]
    if not existe(con, tabla):
        raise TrainingError(f"No existe {tabla} (histórico {historico}): reconstruya los modelos (sidil build).")
    return tabla


def _dividir(h: Historia, division: str, corte: date | None, fraccion_prueba: float) -> _Division:
    prueba, corte = split(h, division, corte, fraccion_prueba)
    entrena = ~prueba
    validacion = calibration.pliegue_validacion(h.fecha, entrena)
    return _Division(prueba, entrena, validacion, entrena & ~validacion, corte)


def _texto_division(
    h: Historia, tabla: str, names: list[str], d: _Division, calibracion: str, recalibracion: str
) -> str:
    return (
        f"INFO: {len(h.inspeccion_id):,} inspecciones ({tabla}), {len(names)} variables de entrada, "
        f"{len(h.etiquetas)} submaterias modeladas; evaluación "
        + (f"temporal desde el {d.corte}" if d.corte else "con una muestra aleatoria")
        + f" ({int(d.prueba.sum()):,} inspecciones); calibración {calibracion} con las {int(d.validacion.sum()):,} "
        f"inspecciones más recientes del entrenamiento"
        + (
            f", recalibrada cada año de prueba con los {calibration.VENTANA_MESES} meses anteriores."
            if recalibracion == "ventana"
            else "."
        )
    )


def _evaluar_general(
    h: Historia, familia: str, d: _Division, calibracion: str, verdad: Verdad | None, recalibracion: str
) -> tuple[object, dict, tuple[np.ndarray, np.ndarray]]:
    """The overall model (any violation), fitted, calibrated and evaluated like a submateria's: the model,
    its metrics row and its held-out (labels, probabilities)."""
    yg = h.cualquier_violacion
    general = calibration.ajustar(
        clasificador_general(familia, int(d.ajuste.sum())), h.X, yg, d.ajuste, d.validacion, calibracion
    )
    todas = np.arange(len(yg))
    pg, fija = _probabilidades(h, general, todas, yg, d.ajuste, d.prueba, recalibracion)
    u = umbral(general, float(yg[d.entrena].mean()))
    met = _metricas(yg[d.prueba], pg, fija, u)
    met["brier_tasa_entrenamiento"] = brier(yg[d.prueba], np.full(int(d.prueba.sum()), yg[d.entrena].mean()))
    if verdad is not None:
        met["auc_maximo"] = verdad.auc_general(h.inspeccion_id[d.prueba], yg[d.prueba])
        met["brecha_auc"] = met["auc_maximo"] - met["roc_auc"]
    fila = {"modelo": "general", "submateria_id": None, "submateria": "Cualquier violación (riesgo)", **met}
    return general, fila, (yg[d.prueba], pg)


def _linea_base(
    h: Historia, evaluados: dict, d: _Division, verdad: Verdad | None, promedio: dict, say: Callable[[str], None]
) -> tuple[list[dict], dict]:
    """The manual's multi-output forest on the same split: its metrics rows and held-out scores."""
    say("INFO: evaluando la configuración del manual (bosque multisalida) en la misma división.")
    filas_base, puntajes_base = baseline.evaluar(h, sorted(evaluados), d.entrena, d.prueba, verdad)
    say(
        f"INFO: línea base del manual: AUC promedio {filas_base[-1]['roc_auc']:.3f}, lift 10 % promedio "
        f"{filas_base[-1]['lift_top10']:.3f} (modelo: {promedio['roc_auc']:.3f} y {promedio['lift_top10']:.3f})."
    )
    return filas_base, puntajes_base


def _reentrenar(
    h: Historia, familia: str, evaluados: dict, calibracion: str, say: Callable[[str], None]
) -> tuple[dict, object, np.ndarray]:
    """The evaluated models fitted again on every inspection, the held-out ones included: the forests on all
    but the latest inspections, the calibrators on those. Returns (submateria models, general, the forests'
    rows)."""
    say("INFO: reentrenando con todas las inspecciones el modelo que se guarda.")
    todas = np.ones(len(h.inspeccion_id), dtype=bool)
    val_final = calibration.pliegue_validacion(h.fecha, todas)
    ajuste_final = ~val_final
    finales = {}
    for s, (filas, y) in sorted(h.etiquetas.items()):
        if s in evaluados:
            aj, va = ~val_final[filas], val_final[filas]
            finales[s] = calibration.ajustar(
                clasificador_submateria(familia, int(aj.sum())), h.X[filas], y, aj, va, calibracion
            )
    general = calibration.ajustar(
        clasificador_general(familia, int((~val_final).sum())),
        h.X,
        h.cualquier_violacion,
        ~val_final,
        val_final,
        calibracion,
    )
    return finales, general, ajuste_final


def _recalibrar_finales(
    h: Historia, finales: dict, general, ajuste_final: np.ndarray, say: Callable[[str], None]
) -> tuple[object, dict[str, dict]]:
    """The stored model scores the coming period: its odds follow the latest inspections its forest did not
    learn from (the held-out ones included when it is not retrained). Replaces the submateria models in
    `finales`; returns the recalibrated general model and the windows used."""
    for s in finales:
        filas, y = h.etiquetas[s]
        w = calibration.ventana(h.fecha[filas], ~ajuste_final[filas])
        finales[s] = calibration.recalibrar(finales[s], h.X[filas[w]], y[w], h.fecha[filas[w]])
    w = calibration.ventana(h.fecha, ~ajuste_final)
    general = calibration.recalibrar(general, h.X[w], h.cualquier_violacion[w], h.fecha[w])
    ventanas = {
        str(k): m.ventana() for k, m in {**finales, "general": general}.items() if calibration.esta_recalibrado(m)
    }
    if ventanas:
        desde = min(v["desde"] for v in ventanas.values())
        hasta = max(v["hasta"] for v in ventanas.values())
        say(
            f"INFO: el modelo guardado se recalibró con las inspecciones más recientes ({calibration.VENTANA_MESES} "
            f"meses, al menos {calibration.MIN_VENTANA} por submateria; del {desde} al {hasta})."
        )
    return general, ventanas


def _modelos_finales(
    h: Historia,
    familia: str,
    d: _Division,
    evaluados: dict,
    general,
    calibracion: str,
    reentrenar: bool,
    recalibracion: str,
    say: Callable[[str], None],
) -> tuple[dict, object, dict[str, dict]]:
    """The models that are stored and score the universe: (submateria models, general, recalibration windows)."""
    if reentrenar:
        finales, general, ajuste_final = _reentrenar(h, familia, evaluados, calibracion, say)
    else:
        finales, ajuste_final = dict(evaluados), d.ajuste
    ventanas: dict[str, dict] = {}
    if recalibracion == "ventana":
        general, ventanas = _recalibrar_finales(h, finales, general, ajuste_final, say)
    return finales, general, ventanas


def _deriva(con, h: Historia, names: list[str], say: Callable[[str], None]) -> tuple[dict[str, dict], list[dict]]:
    """(the inputs' reference distributions stored with the model, their drift from training to universe)."""
    referencias = drift.referencias(h.X, names)
    deriva = []
    try:
        u = drift.umbrales(con)["variable_entrada"]
        if existe(con, UNIVERSO):
            _, Xu = leer_universo(con, names)
            deriva = drift.deriva_variables(referencias, Xu, names, u)
    except drift.UmbralesFaltantes as exc:
        say(f"***ADVERTENCIA***: {exc} El reporte no muestra la deriva de las variables.")
    if altas := drift.resumen_texto(deriva, "alta"):
        say(f"***ADVERTENCIA***: variables de entrada con deriva alta entre el entrenamiento y el universo: {altas}.")
    return referencias, deriva


def _confianza(con, filas_metricas: list[dict], say: Callable[[str], None]) -> dict[str, dict]:
    """The confidence label of each submateria from its held-out metrics (empty without the rules' seed)."""
    try:
        reglas = confidence.reglas(con)
    except confidence.ReglasFaltantes as exc:
        say(f"***ADVERTENCIA***: {exc} El reporte no muestra la confianza por submateria.")
        return {}
    return {
        str(f["submateria_id"]): confidence.confianza(f, reglas) for f in filas_metricas if f["modelo"] == "submateria"
    }


def _explicar(
    h: Historia, names: list[str], prueba: np.ndarray, general, finales: dict, folder: Path
) -> tuple[dict[str, dict[str, str]], dict[str, list[tuple[str, float]]]]:
    """SHAP on a sample of held-out inspections, of the forests under the calibrators: (plots, importances)
    per model, the general one first."""
    muestra = np.flatnonzero(prueba)[explain.sample_rows(int(prueba.sum()))]
    e = explain.explanation(calibration.sin_calibrar(general), h.X[muestra], names)
    graficas = {"general": explain.plots(e, folder, "general", "cualquier violación", con_waterfall=True)}
    importancias = {"general": explain.importance(e)}
    for s, m in finales.items():
        filas, _ = h.etiquetas[s]
        fs = filas[prueba[filas]]
        fs = fs[explain.sample_rows(len(fs))]
        e = explain.explanation(calibration.sin_calibrar(m), h.X[fs], names)
        graficas[str(s)] = explain.plots(e, folder, f"sub_{s}", f"{s} {h.submaterias[s]}", con_waterfall=False)
        importancias[str(s)] = explain.importance(e)
    return graficas, importancias


def _versiones(con, tabla: str) -> dict:
    return {
        "codigo": store.code_version(),
        "paquetes": store.package_versions(),
        "datos": store.data_fingerprint(con, tabla),
    }


def _modelos_guardados(
    r: ResultadoEntrenamiento, finales: dict, general, nombres_submaterias: dict, referencias: dict
) -> dict:
    """What modelos.joblib holds: the models, what predict needs to label and judge their scores."""
    metricas_prueba = {
        str(f["submateria_id"]) if f["modelo"] == "submateria" else "general": {
            k: f[k] for k in confidence.METRICAS_CONFIANZA
        }
        for f in r.metricas
        if f["modelo"] in ("submateria", "general")
    }
    return {
        "submaterias": finales,
        "general": general,
        "familia": r.familia,
        "nombres_submaterias": nombres_submaterias,
        "historico": r.historico,
        "calibracion": r.calibracion,
        "recalibracion": r.recalibracion,
        "metricas_prueba": metricas_prueba,
        "referencia_deriva": referencias,
    }


def _registrar(con, r: ResultadoEntrenamiento, corte: date | None, folder: Path, versiones: dict) -> None:
    """The run's row in ml.model_runs and its metrics in ml.model_metrics."""
    promedio = r.filas("promedio")[0]
    base_prom = next((f for f in r.filas(baseline.MODELO) if f["submateria_id"] is None), {})
    store.register_run(
        con,
        {
            "run_id": r.run_id,
            "creado_en": datetime.now(),
            "familia": r.familia,
            "division": r.division,
            "corte": corte,
            "n_entrenamiento": r.n_entrenamiento,
            "n_prueba": r.n_prueba,
            "auc_promedio": promedio["roc_auc"],
            "auc_general": r.filas("general")[0]["roc_auc"],
            "brecha_auc_promedio": promedio.get("brecha_auc"),
            "lift_top10_promedio": promedio["lift_top10"],
            "ruta": str(folder),
            "version_codigo": versiones["codigo"],
            "huella_datos": versiones["datos"]["huella_entrenamiento"],
            "historico": r.historico,
            "calibracion": r.calibracion,
            "ece_promedio": promedio["ece"],
            "brier_promedio": promedio["brier"],
            "lift_top10_linea_base": base_prom.get("lift_top10"),
        },
        [
            (r.run_id, f["modelo"], f["submateria_id"], f["submateria"], k, None if np.isnan(v) else float(v))
            for f in r.metricas
            for k, v in f.items()
            if k in METRICAS
            or k in ("auc_maximo", "brecha_auc", "brier_tasa_entrenamiento")
            or k.endswith((SUFIJO_FIJA, SUFIJO_CONJUNTO))
        ],
    )


def train(
    con: duckdb.DuckDBPyConnection,
    familia: str = "bosque",
    division: str = "temporal",
    corte: date | None = None,
    fraccion_prueba: float = 0.2,
    verdad_dir: Path | None = None,
    reentrenar: bool = True,
    historico: str = "puntual",
    calibracion: str = "auto",
    linea_base: bool = True,
    comparar_historicos: bool = True,
    say: Callable[[str], None] = print,
    recalibracion: str = "ventana",
) -> ResultadoEntrenamiento:
    """Train, calibrate, evaluate and store one model run. `historico`: 'puntual' (marts.entrenamiento, each
    inspection sees only what was published before its date) or 'manual' (marts.entrenamiento_manual, the
    manual's rule). `calibracion`: 'auto' (isotonic on large validation folds, sigmoid otherwise), 'isotonica',
    'sigmoide' or 'ninguna'. `recalibracion`: 'ventana' (shift the calibrated odds to the violation rate of
    the latest inspections: walk-forward in the evaluation, the latest window in the stored model) or
    'ninguna' (the calibration fitted once). `linea_base`: also evaluate the
    manual's multi-output forest on the same split; `comparar_historicos`: also evaluate the other mode."""
    t0 = time.perf_counter()
    tiempos: dict[str, float] = {}
    tabla = _tabla_entrenamiento(con, historico, calibracion, recalibracion)
    names = feature_names(con)
    h = leer_historia(con, names, tabla)
    tiempos["lectura_s"] = time.perf_counter() - t0
    d = _dividir(h, division, corte, fraccion_prueba)
    verdad_dir = verdad_dir or Verdad.de_la_carga(con)
    verdad = Verdad.encontrar(verdad_dir)
    say(_texto_division(h, tabla, names, d, calibracion, recalibracion))

    with _cronometro(tiempos, "evaluacion_submaterias_s"):
        filas_metricas, evaluados, puntajes = _evaluar(
            h, familia, d.ajuste, d.validacion, d.prueba, calibracion, verdad, say, recalibracion=recalibracion
        )
    if not evaluados:
        raise TrainingError("Ninguna submateria modelada tiene datos suficientes para entrenar.")
    with _cronometro(tiempos, "evaluacion_general_s"):
        general, fila_general, puntajes["general"] = _evaluar_general(h, familia, d, calibracion, verdad, recalibracion)
    promedio = _promedio([f for f in filas_metricas if f["modelo"] == "submateria"], "promedio")
    filas_metricas += [fila_general, promedio]
    with _cronometro(tiempos, "linea_base_s"):
        filas_base, puntajes_base = _linea_base(h, evaluados, d, verdad, promedio, say) if linea_base else ([], {})
    with _cronometro(tiempos, "otro_historico_s"):
        filas_otro = (
            _otro_historico(con, h, historico, names, familia, d.prueba, calibracion, verdad, say, recalibracion)
            if comparar_historicos
            else []
        )
    filas_metricas += filas_base + filas_otro

    with _cronometro(tiempos, "reentrenamiento_s"):
        finales, general, ventanas_finales = _modelos_finales(
            h, familia, d, evaluados, general, calibracion, reentrenar, recalibracion, say
        )
    with _cronometro(tiempos, "deriva_confianza_s"):
        referencias, deriva = _deriva(con, h, names, say)
        confianza = _confianza(con, filas_metricas, say)
    run_id = store.new_run_id(familia)
    folder = models_store() / run_id
    with _cronometro(tiempos, "shap_s"):
        say("INFO: explicando los modelos (SHAP) y escribiendo el reporte.")
        graficas, importancias = _explicar(h, names, d.prueba, general, finales, folder)
        grafica_calibracion = report.grafica_calibracion(folder, puntajes, puntajes_base, h.submaterias)

    versiones = _versiones(con, tabla)
    r = ResultadoEntrenamiento(
        run_id=run_id,
        familia=familia,
        division=division,
        corte=str(d.corte) if d.corte else None,
        fraccion_prueba=fraccion_prueba,
        reentrenado_con_todo=reentrenar,
        historico=historico,
        tabla_entrenamiento=tabla,
        calibracion=calibracion,
        recalibracion=recalibracion,
        ventana_meses=calibration.VENTANA_MESES,
        min_ventana=calibration.MIN_VENTANA,
        ventanas_finales=ventanas_finales,
        fraccion_validacion=calibration.FRACCION_VALIDACION,
        n_validacion=int(d.validacion.sum()),
        n_inspecciones=len(h.inspeccion_id),
        n_entrenamiento=int(d.entrena.sum()),
        n_prueba=int(d.prueba.sum()),
        variables=names,
        metricas=filas_metricas,
        confianza=confianza,
        deriva=deriva,
        grafica_calibracion=grafica_calibracion,
        importancias=importancias,
        graficas=graficas,
        verdad=str(verdad_dir) if verdad else None,
        tiempos=tiempos,
        creado_en=datetime.now().isoformat(timespec="seconds"),
    )
    report.write(folder, r.como_dict(), versiones)
    tiempos["total_s"] = time.perf_counter() - t0  # in metrics.json, not in the report written before
    store.save_run(
        folder, _modelos_guardados(r, finales, general, h.submaterias, referencias), names, r.como_dict(), versiones
    )
    _registrar(con, r, d.corte, folder, versiones)
    return r
