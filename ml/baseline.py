"""The manual's model as a baseline (spec 002, Parte 4 of module II, "8.1 Random Forest"): one
MultiOutputClassifier over a RandomForestClassifier with scikit-learn's defaults (100 fully grown trees,
n_jobs=-1) fitted on every inspection with one output per submateria, and scored as its raw vote shares.

The manual pivots the history to one row per inspection and one column per submateria; a submateria the
inspection did not check has no label, and the pivot fills it as "no violation" (0), since a multi-output
forest needs every label of every row. It is evaluated on exactly the held-out rows of the project's models
(the test inspections that checked the submateria), so the two are compared on the same split.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.multioutput import MultiOutputClassifier

from ml.data import Historia
from ml.metrics import binary_metrics, brier
from ml.models import MAX_MUESTRAS_ARBOL, SEMILLA, _n_jobs

MODELO = "linea_base_manual"


def etiquetas_pivote(h: Historia, submaterias: list[int]) -> np.ndarray:
    """(inspections x submaterias) 0/1 matrix: 1 where the submateria was checked and violated."""
    Y = np.zeros((len(h.inspeccion_id), len(submaterias)), dtype=np.int8)
    for j, s in enumerate(submaterias):
        filas, y = h.etiquetas[s]
        Y[filas, j] = y
    return Y


def modelo_manual(n_filas: int) -> MultiOutputClassifier:
    # The manual's defaults; at full scale each tree sees a bootstrap sample of at most MAX_MUESTRAS_ARBOL
    # rows (the manual samples its history too), which bounds memory of the fully grown trees.
    return MultiOutputClassifier(
        RandomForestClassifier(
            n_estimators=100,
            n_jobs=_n_jobs(),
            random_state=SEMILLA,
            max_samples=min(1.0, MAX_MUESTRAS_ARBOL / max(n_filas, 1)),
        )
    )


def probabilidades_por_salida(modelo: MultiOutputClassifier, X, Y, X_prueba) -> list[tuple[list, np.ndarray]]:
    """What `modelo.fit(X, Y).predict_proba(X_prueba)` gives, one output at a time: MultiOutputClassifier fits
    an independent clone of its forest per column, so fitting and scoring each clone in turn and dropping it
    gives the same forests and scores while holding one forest instead of all of them (at full scale the ten
    fully grown forests took about 3 GB together). Per output: (classes, probabilities)."""
    salidas = []
    for j in range(Y.shape[1]):
        bosque = clone(modelo.estimator).fit(X, Y[:, j])
        salidas.append((list(bosque.classes_), bosque.predict_proba(X_prueba)))
        del bosque
    return salidas


def evaluar(
    h: Historia, submaterias: list[int], entrena: np.ndarray, prueba: np.ndarray, verdad=None
) -> tuple[list[dict], dict[int, tuple[np.ndarray, np.ndarray]]]:
    """Metrics rows (modelo 'linea_base_manual', per submateria and their average) and, per submateria, the
    (labels, scores) of its held-out rows, for the reliability plots."""
    Y = etiquetas_pivote(h, submaterias)
    salidas = probabilidades_por_salida(modelo_manual(int(entrena.sum())), h.X[entrena], Y[entrena], h.X[prueba])
    fila_prueba = np.full(len(prueba), -1)
    fila_prueba[prueba] = np.arange(int(prueba.sum()))
    filas_metricas, puntajes = [], {}
    for j, s in enumerate(submaterias):
        filas, y = h.etiquetas[s]
        te = prueba[filas]
        clases, proba = salidas[j]
        p = proba[:, clases.index(1)] if 1 in clases else np.zeros(int(prueba.sum()))
        ps = p[fila_prueba[filas[te]]]
        met = binary_metrics(y[te], ps, float(Y[entrena, j].mean()))
        met["brier_tasa_entrenamiento"] = brier(y[te], np.full(len(ps), y[entrena[filas]].mean()))
        if verdad is not None:  # the demo's truth on the same rows: the baseline's gap to the best achievable
            met["auc_maximo"] = verdad.auc_submateria(s, h.inspeccion_id[filas[te]], y[te])
            met["brecha_auc"] = met["auc_maximo"] - met["roc_auc"]
        filas_metricas.append({"modelo": MODELO, "submateria_id": s, "submateria": h.submaterias[s], **met})
        puntajes[s] = (y[te], ps)
    if filas_metricas:
        claves = [k for k in filas_metricas[0] if k not in ("modelo", "submateria_id", "submateria")]
        filas_metricas.append(
            {
                "modelo": MODELO,
                "submateria_id": None,
                "submateria": "Promedio de submaterias",
                **{k: float(np.nanmean([f[k] for f in filas_metricas])) for k in claves},
            }
        )
    return filas_metricas, puntajes
