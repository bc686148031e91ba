"""The model families. `bosque` is the manual's: random forests per submateria and the overall
RandomForestClassifier(max_depth=3, class_weight='balanced'); `gradiente` is scikit-learn's
HistGradientBoostingClassifier, selectable with `--familia gradiente` and compared side by side.

Per submateria the manual used one MultiOutputClassifier over all inspections. An inspection that did not
check a submateria tells nothing about it (it is not a negative), and MultiOutputClassifier needs every label
of every row, so here each submateria has its own classifier trained only on the inspections that checked it:
the same independent per-output forests MultiOutputClassifier fits, without inventing labels.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

import settings

FAMILIAS = ("bosque", "gradiente")
SEMILLA = 20261122

# At full scale a submateria has ~10^6 inspections: each tree sees a bootstrap sample of at most this many,
# which keeps training within minutes on two cores with no measurable loss of AUC.
MAX_MUESTRAS_ARBOL = 100_000


def _n_jobs() -> int:
    return settings.nucleos_ml()


def _clasificador(familia: str, n_filas: int, **propios):
    """A classifier of the family on `n_filas` training rows, with the parameters `propios` of its role."""
    if familia == "bosque":
        return RandomForestClassifier(
            n_estimators=100,
            max_samples=min(1.0, MAX_MUESTRAS_ARBOL / max(n_filas, 1)),
            n_jobs=_n_jobs(),
            random_state=SEMILLA,
            **propios,
        )
    if familia == "gradiente":
        return HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=300,
            max_leaf_nodes=31,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=20,
            random_state=SEMILLA,
            class_weight=propios.get("class_weight"),
        )
    raise ValueError(f"familia de modelo desconocida {familia!r}; use una de: {', '.join(FAMILIAS)}")


def clasificador_submateria(familia: str, n_filas: int):
    # noisy labels: larger leaves ranked better on the small demo (AUC 0.637 vs 0.635 with 40)
    return _clasificador(familia, n_filas, min_samples_leaf=100, max_features="sqrt")


def clasificador_general(familia: str, n_filas: int):
    """The overall "any violation" model (the manual's: shallow and class-balanced)."""
    return _clasificador(familia, n_filas, max_depth=3, class_weight="balanced")


def umbral(modelo, prevalencia_entrenamiento: float) -> float:
    """Decision threshold for accuracy/precision/recall/F1: 0.5 for class-balanced models (their scores are
    centred on the balance); otherwise the training prevalence, so a rare violation can still be flagged."""
    if getattr(modelo, "class_weight", None) == "balanced":
        return 0.5
    return float(prevalencia_entrenamiento)


def probabilidad(modelo, X) -> np.ndarray:
    """Probability of a violation (a model fitted on one class only gives that class's constant)."""
    clases = [bool(c) for c in modelo.classes_]
    if clases == [False]:
        return np.zeros(len(X))
    if clases == [True]:
        return np.ones(len(X))
    return modelo.predict_proba(X)[:, clases.index(True)]
