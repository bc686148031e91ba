"""Calibrated probabilities: a forest's vote share is not a probability (0.4 in one submateria is not 0.4 in
another), so each model is fitted on the earlier part of its training period and a calibrator (scikit-learn's
CalibratedClassifierCV on the frozen forest) maps its scores to violation rates on the latest part, the
temporal validation fold. The calibrator thus learns from inspections later than the forest's, as the
scored workplaces will be.
"""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

# Share of the training period (latest inspections) that fits the calibrator and not the forest.
FRACCION_VALIDACION = 0.2
METODOS = {"auto": None, "isotonica": "isotonic", "sigmoide": "sigmoid", "ninguna": None}
# 'auto': isotonic regression needs many rows to be smooth (scikit-learn advises against it under ~1,000); on a
# few thousand it follows the fold's noise, and on the small demo sigmoid gave the lower error (ECE 0.021 vs
# 0.024 on the same split). Sigmoid also keeps the forest's ranking, so AUC and lift are untouched.
MIN_FILAS_ISOTONICA = 20_000


def metodo_para(metodo: str, n_validacion: int) -> str:
    if metodo == "auto":
        return "isotonica" if n_validacion >= MIN_FILAS_ISOTONICA else "sigmoide"
    return metodo


def pliegue_validacion(fecha: np.ndarray, dentro: np.ndarray, fraccion: float = FRACCION_VALIDACION) -> np.ndarray:
    """Rows of `dentro` whose date is among the latest `fraccion` of `dentro`'s dates (one date cut for all
    submaterias, so the calibration fold is a period, like the test fold)."""
    fechas = np.asarray(fecha, dtype="datetime64[D]")[dentro]
    if len(fechas) == 0:
        return np.zeros(len(dentro), dtype=bool)
    corte = np.quantile(fechas.astype("int64"), 1.0 - fraccion).astype("int64")
    return dentro & (np.asarray(fecha, dtype="datetime64[D]").astype("int64") >= corte)


def calibrar(modelo, X_val: np.ndarray, y_val: np.ndarray, metodo: str):
    """The fitted `modelo` with a calibrator fitted on the validation fold, or `modelo` itself when the fold
    has a single class (nothing to calibrate against) or the method is 'ninguna'."""
    if metodo not in METODOS:
        raise ValueError(f"calibración desconocida {metodo!r}; use una de: {', '.join(METODOS)}")
    y_val = np.asarray(y_val, dtype=bool)
    metodo = metodo_para(metodo, len(y_val))
    if METODOS[metodo] is None or len(np.unique(y_val)) < 2 or len(getattr(modelo, "classes_", ())) < 2:
        return modelo
    todos = np.arange(len(y_val))
    # A frozen forest is never refitted: one predefined split scores the whole fold once.
    cal = CalibratedClassifierCV(FrozenEstimator(modelo), method=METODOS[metodo], cv=[(todos, todos)])
    cal.fit(X_val, y_val)
    # On a small or noisy fold a sigmoid can come out decreasing (or an isotonic fit flat) and would reverse
    # or erase the forest's ranking: then the fold says nothing reliable and the vote shares are kept.
    antes = modelo.predict_proba(X_val)[:, list(modelo.classes_).index(True)]
    despues = cal.predict_proba(X_val)[:, list(cal.classes_).index(True)]
    if np.std(despues) == 0 or np.std(antes) == 0 or np.corrcoef(antes, despues)[0, 1] <= 0:
        return modelo
    return cal


def ajustar(modelo, X: np.ndarray, y: np.ndarray, ajuste: np.ndarray, validacion: np.ndarray, metodo: str):
    """Fit `modelo` on the rows `ajuste` and calibrate it on the rows `validacion`."""
    modelo.fit(X[ajuste], y[ajuste])
    return calibrar(modelo, X[validacion], y[validacion], metodo)


def metodo_de(modelo) -> str:
    """The calibration a fitted model carries: isotonica, sigmoide or ninguna."""
    if isinstance(modelo, CalibratedClassifierCV):
        return {v: k for k, v in METODOS.items() if v}[modelo.method]
    return "ninguna"


def esta_calibrado(modelo) -> bool:
    return isinstance(modelo, CalibratedClassifierCV)


def sin_calibrar(modelo):
    """The tree model under a calibrator (SHAP explains the trees' scores, which the calibrator only rescales
    monotonically)."""
    if isinstance(modelo, CalibratedClassifierCV):
        base = modelo.calibrated_classifiers_[0].estimator
        return base.estimator if isinstance(base, FrozenEstimator) else base
    return modelo
