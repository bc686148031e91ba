"""Calibrated probabilities: a forest's vote share is not a probability (0.4 in one submateria is not 0.4 in
another), so each model is fitted on the earlier part of its training period and a calibrator (scikit-learn's
CalibratedClassifierCV on the frozen forest) maps its scores to violation rates on the latest part, the
temporal validation fold. The calibrator thus learns from inspections later than the forest's, as the
scored workplaces will be.

Recalibration on a recent window ('ventana', issue 16): violation rates move (a rule change raised 209/210's
rates well above any training year), so a calibrator fitted once lags behind. As a ministry would run it, the
calibrated odds are shifted so that their mean on the most recent inspections (the VENTANA_MESES months
before the scored period, at least MIN_VENTANA inspections) equals the violation rate observed there: a prior
shift, one parameter, which keeps the calibrator's shape (fitted on the larger fold) and the ranking. The
evaluation does the same walk-forward: each test year is scored with the shift fitted on the inspections
before it, and the stored model carries the shift of the latest window. On the small demo (temporal split)
this brought the average ECE from 0.028 to 0.016. A sigmoid refit on the window gave 0.017 (and a lower lift),
isotonic 0.032, 6- or 24-month windows 0.017/0.018; refitting the forests before each test year as well gave
0.015, within noise, for seven times the training cost, so the evaluation keeps the training period's forests.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

# Share of the training period (latest inspections) that fits the calibrator and not the forest.
FRACCION_VALIDACION = 0.2
METODOS = {"auto": None, "isotonica": "isotonic", "sigmoide": "sigmoid", "ninguna": None}
# 'auto': isotonic regression needs many rows to be smooth (scikit-learn advises against it under ~1,000); on a
# few thousand it follows the fold's noise, and on the small demo sigmoid gave the lower error (ECE 0.021 vs
# 0.024 on the same split). Sigmoid also keeps the forest's ranking, so AUC and lift are untouched.
MIN_FILAS_ISOTONICA = 20_000

RECALIBRACIONES = ("ventana", "ninguna")
VENTANA_MESES = 12  # small demo, average ECE: 6 months 0.017, 12 months 0.016, 24 months 0.018
# A window is widened a month at a time until it holds this many inspections of the submateria: a year of a
# rare submateria can hold two violations (average ECE 0.0165 without it, 0.0164 with 100, 0.0168 with 200).
MIN_VENTANA = 100
_EXTREMO = 1e-6  # probabilities of exactly 0 or 1 have no log-odds


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


class Desplazado:
    """A fitted model whose probabilities are shifted on the log-odds scale by `desplazamiento` (fitted on the
    inspections from `desde` to `hasta`, `n` of them, violation rate `tasa`). Monotone: the ranking is kept."""

    def __init__(self, modelo, desplazamiento: float, desde, hasta, n: int, tasa: float):
        self.modelo = modelo
        self.desplazamiento = float(desplazamiento)
        self.desde, self.hasta, self.n, self.tasa = str(desde), str(hasta), int(n), float(tasa)
        self.classes_ = modelo.classes_

    def predict_proba(self, X) -> np.ndarray:
        i = [bool(c) for c in self.classes_].index(True)
        p = self.modelo.predict_proba(X)[:, i]
        q = expit(logit(np.clip(p, _EXTREMO, 1 - _EXTREMO)) + self.desplazamiento)
        out = np.empty((len(q), 2))
        out[:, i], out[:, 1 - i] = q, 1 - q
        return out

    def ventana(self) -> dict:
        return {
            "desde": self.desde,
            "hasta": self.hasta,
            "n": self.n,
            "tasa": self.tasa,
            "desplazamiento": self.desplazamiento,
        }


def _restar_meses(d: np.datetime64, meses: int) -> np.datetime64:
    mes = d.astype("datetime64[M]")
    return (mes - np.timedelta64(meses, "M")).astype("datetime64[D]") + (d - mes.astype("datetime64[D]"))


def ventana(
    fecha: np.ndarray,
    disponibles: np.ndarray,
    antes_de: np.datetime64 | None = None,
    meses: int = VENTANA_MESES,
    minimo: int = MIN_VENTANA,
) -> np.ndarray:
    """Rows of `disponibles` dated before `antes_de` (all, when None) within the `meses` months ending at the
    latest of them, widened a month at a time until `minimo` rows (or all of them). Anchored at the latest
    available inspection, not at `antes_de`: a period with no inspections (2019-2020 in the demo) leaves the
    inspections before it as the most recent evidence."""
    fecha = np.asarray(fecha, dtype="datetime64[D]")
    antes = np.asarray(disponibles, dtype=bool).copy()
    if antes_de is not None:
        antes &= fecha < np.datetime64(antes_de, "D")
    if not antes.any():
        return antes
    fin = fecha[antes].max()
    primera = fecha[antes].min()
    k = meses
    while True:
        desde = _restar_meses(fin, k)
        dentro = antes & (fecha > desde)
        if dentro.sum() >= minimo or desde < primera:
            return dentro
        k += 1


def desplazamiento(p: np.ndarray, y: np.ndarray) -> float:
    """The log-odds shift d with mean(expit(logit(p) + d)) equal to the violation rate of `y` (kept half an
    inspection away from 0 and 1, where no finite shift reaches it)."""
    n = len(y)
    tasa = min(max(float(np.mean(y)), 0.5 / n), 1 - 0.5 / n)
    z = logit(np.clip(np.asarray(p, dtype=np.float64), _EXTREMO, 1 - _EXTREMO))
    return float(brentq(lambda d: expit(z + d).mean() - tasa, -30.0, 30.0))


def recalibrar(modelo, X: np.ndarray, y: np.ndarray, fecha: np.ndarray):
    """`modelo` (calibrated or not; an earlier shift is replaced) shifted to the violation rate of the window
    rows `X`, `y` dated `fecha`; `modelo` itself when the window is empty or the model predicts one class."""
    modelo = modelo.modelo if isinstance(modelo, Desplazado) else modelo
    if len(y) == 0 or len(getattr(modelo, "classes_", ())) < 2:
        return modelo
    i = [bool(c) for c in modelo.classes_].index(True)
    d = desplazamiento(modelo.predict_proba(X)[:, i], y)
    fecha = np.asarray(fecha, dtype="datetime64[D]")
    return Desplazado(modelo, d, fecha.min(), fecha.max(), len(y), float(np.mean(y)))


def periodos(fecha: np.ndarray, prueba: np.ndarray) -> list[tuple[np.datetime64, np.ndarray]]:
    """The held-out rows split by calendar year: (first date, rows) per year, oldest first. Each is scored
    with a shift fitted before its first date, as a yearly recalibration would have scored it."""
    fecha = np.asarray(fecha, dtype="datetime64[D]")
    anio = fecha.astype("datetime64[Y]")
    out = []
    for a in np.unique(anio[prueba]):
        filas = prueba & (anio == a)
        out.append((fecha[filas].min(), filas))
    return out


def probabilidad_recalibrada(
    modelo, X: np.ndarray, y: np.ndarray, fecha: np.ndarray, disponibles: np.ndarray, prueba: np.ndarray
) -> np.ndarray:
    """Walk-forward evaluation: probabilities of the `prueba` rows, each year's from `modelo` shifted on the
    window of `disponibles` rows (labelled, unseen by the forest) just before that year."""
    p = np.empty(len(y))
    for inicio, filas in periodos(fecha, prueba):
        w = ventana(fecha, disponibles, inicio)
        m = recalibrar(modelo, X[w], y[w], fecha[w])
        p[filas] = _positiva(m, X[filas])
    return p[prueba]


def _positiva(modelo, X: np.ndarray) -> np.ndarray:
    return modelo.predict_proba(X)[:, [bool(c) for c in modelo.classes_].index(True)]


def metodo_de(modelo) -> str:
    """The calibration a fitted model carries: isotonica, sigmoide or ninguna."""
    if isinstance(modelo, Desplazado):
        return metodo_de(modelo.modelo)
    if isinstance(modelo, CalibratedClassifierCV):
        return {v: k for k, v in METODOS.items() if v}[modelo.method]
    return "ninguna"


def esta_calibrado(modelo) -> bool:
    if isinstance(modelo, Desplazado):
        return esta_calibrado(modelo.modelo)
    return isinstance(modelo, CalibratedClassifierCV)


def esta_recalibrado(modelo) -> bool:
    return isinstance(modelo, Desplazado)


def sin_calibrar(modelo):
    """The tree model under a calibrator (SHAP explains the trees' scores, which the calibrator only rescales
    monotonically)."""
    if isinstance(modelo, Desplazado):
        return sin_calibrar(modelo.modelo)
    if isinstance(modelo, CalibratedClassifierCV):
        base = modelo.calibrated_classifiers_[0].estimator
        return base.estimator if isinstance(base, FrozenEstimator) else base
    return modelo
