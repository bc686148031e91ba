"""Evaluation metrics of a binary risk score on held-out inspections.

Computed here in one pass from the labels and scores (tests check them against scikit-learn's functions),
adding what planners ask: how much better than inspecting at random is the top 10 % of risk, and whether a
0.3 means three violations in ten inspections (Brier score and expected calibration error).
"""

from __future__ import annotations

import numpy as np

METRICAS = (
    "n",
    "prevalencia",
    "umbral",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "average_precision",
    "precision_top10",
    "lift_top10",
    "brier",
    "brier_referencia",
    "ece",
)

# Reliability bins: ten equal-width bins of the predicted probability, [0, 0.1), [0.1, 0.2), ..., [0.9, 1].
CUBETAS_CALIBRACION = 10


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve as the Mann-Whitney statistic, ties counted as one half."""
    y = np.asarray(y, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    s = np.asarray(score)[order]
    ranks = np.empty(len(s), dtype=np.float64)
    # average rank of each group of tied scores
    starts = np.r_[0, np.flatnonzero(np.diff(s)) + 1]
    ends = np.r_[starts[1:], len(s)]
    avg = (starts + ends - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, ends - starts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Sum over score thresholds of precision x recall increment (scikit-learn's definition, ties grouped)."""
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-np.asarray(score), kind="mergesort")
    s, t = np.asarray(score)[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # last index of each distinct score
    tp = np.cumsum(t)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def top_fraction(y: np.ndarray, score: np.ndarray, fraction: float = 0.10) -> tuple[float, float]:
    """Precision among the `fraction` highest scores and its lift over the base rate (random inspection)."""
    y = np.asarray(y, dtype=bool)
    k = max(1, int(np.ceil(fraction * len(y))))
    top = np.argsort(-np.asarray(score), kind="mergesort")[:k]
    precision = float(y[top].mean())
    base = float(y.mean())
    return precision, (precision / base if base > 0 else float("nan"))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between the probability and the outcome (0 = perfect)."""
    y = np.asarray(y, dtype=np.float64)
    return float(np.mean((np.asarray(p, dtype=np.float64) - y) ** 2)) if len(y) else float("nan")


def brier_referencia(y: np.ndarray) -> float:
    """Brier score of the base-rate predictor: every inspection gets the observed violation rate of the same
    inspections. The best constant there is, so a model that does not beat it adds nothing as a probability."""
    y = np.asarray(y, dtype=np.float64)
    return float(y.mean() * (1.0 - y.mean())) if len(y) else float("nan")


def reliability(y: np.ndarray, p: np.ndarray, cubetas: int = CUBETAS_CALIBRACION) -> list[dict]:
    """Per non-empty equal-width bin of the probability: its bounds, inspections, mean probability and
    observed violation rate (the points of a reliability diagram)."""
    y = np.asarray(y, dtype=np.float64)
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)
    cubeta = np.minimum((p * cubetas).astype(np.int64), cubetas - 1)  # 1.0 falls in the last bin
    out = []
    for b in range(cubetas):
        en = cubeta == b
        if en.any():
            out.append(
                {
                    "desde": b / cubetas,
                    "hasta": (b + 1) / cubetas,
                    "n": int(en.sum()),
                    "prob_media": float(p[en].mean()),
                    "tasa_observada": float(y[en].mean()),
                }
            )
    return out


def expected_calibration_error(y: np.ndarray, p: np.ndarray, cubetas: int = CUBETAS_CALIBRACION) -> float:
    """Expected calibration error: over the equal-width bins of `reliability`, the mean |observed rate - mean
    probability| weighted by the share of inspections in the bin (0 = the probabilities mean what they say)."""
    n = len(y)
    if n == 0:
        return float("nan")
    return float(sum(b["n"] / n * abs(b["tasa_observada"] - b["prob_media"]) for b in reliability(y, p, cubetas)))


def binary_metrics(y: np.ndarray, score: np.ndarray, umbral: float) -> dict[str, float]:
    """Every metric of METRICAS for labels `y` and scores `score`; class predicted when score >= umbral."""
    y = np.asarray(y, dtype=bool)
    pred = np.asarray(score) >= umbral
    tp = int((pred & y).sum())
    fp = int((pred & ~y).sum())
    fn = int((~pred & y).sum())
    tn = int((~pred & ~y).sum())
    n = len(y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    p10, lift10 = top_fraction(y, score)
    return {
        "n": float(n),
        "prevalencia": float(y.mean()) if n else float("nan"),
        "umbral": float(umbral),
        "accuracy": (tp + tn) / n if n else float("nan"),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "roc_auc": roc_auc(y, score),
        "average_precision": average_precision(y, score),
        "precision_top10": p10,
        "lift_top10": lift10,
        "brier": brier(y, score),
        "brier_referencia": brier_referencia(y),
        "ece": expected_calibration_error(y, score),
    }
