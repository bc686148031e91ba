"""Evaluation metrics of a binary risk score on held-out inspections.

Computed here in one pass from the labels and scores (tests check them against scikit-learn's functions),
adding what planners ask: how much better than inspecting at random is the top 10 % of risk.
"""

from __future__ import annotations

import numpy as np

METRICAS = ("n", "prevalencia", "umbral", "accuracy", "precision", "recall", "f1", "roc_auc",
            "average_precision", "precision_top10", "lift_top10")


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
    }
