"""The evaluation metrics agree with scikit-learn's own functions and with hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

from ml.metrics import average_precision, binary_metrics, roc_auc, top_fraction


def test_hand_computed_case():
    # 10 inspections, 4 with a violation; scores rank 3 of the 4 violations first.
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0], dtype=bool)
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1])
    m = binary_metrics(y, s, umbral=0.55)
    # predicted positive: the first four -> tp 3, fp 1, fn 1, tn 5
    assert m["accuracy"] == pytest.approx(8 / 10)
    assert m["precision"] == pytest.approx(3 / 4)
    assert m["recall"] == pytest.approx(3 / 4)
    assert m["f1"] == pytest.approx(3 / 4)
    # pairs (violation, no violation) ranked right: 3 violations beat all 6; the 4th beats 5 of 6 -> 23/24
    assert m["roc_auc"] == pytest.approx(23 / 24)
    # top 10 % = the first inspection, a violation: precision 1, lift 1 / 0.4 = 2.5
    assert m["precision_top10"] == 1.0
    assert m["lift_top10"] == pytest.approx(2.5)
    assert m["average_precision"] == pytest.approx((1 + 1 + 1 + 4 / 5) / 4)


@pytest.mark.parametrize("seed", range(12))
def test_agree_with_scikit_learn_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 400))
    y = rng.random(n) < rng.uniform(0.1, 0.6)
    y[0], y[1] = True, False
    s = np.round(rng.random(n) + 0.4 * y, 1)  # rounding makes many ties
    umbral = float(rng.uniform(0.2, 0.9))
    m = binary_metrics(y, s, umbral)
    pred = s >= umbral
    assert m["roc_auc"] == pytest.approx(sk.roc_auc_score(y, s), abs=1e-12)
    assert m["average_precision"] == pytest.approx(sk.average_precision_score(y, s), abs=1e-12)
    assert m["accuracy"] == pytest.approx(sk.accuracy_score(y, pred), abs=1e-12)
    assert m["precision"] == pytest.approx(sk.precision_score(y, pred, zero_division=0), abs=1e-12)
    assert m["recall"] == pytest.approx(sk.recall_score(y, pred, zero_division=0), abs=1e-12)
    assert m["f1"] == pytest.approx(sk.f1_score(y, pred, zero_division=0), abs=1e-12)


def test_degenerate_labels_give_nan_auc_not_an_error():
    y = np.zeros(5, dtype=bool)
    assert np.isnan(roc_auc(y, np.arange(5.0)))
    assert np.isnan(average_precision(y, np.arange(5.0)))


def test_top_fraction_rounds_up_to_at_least_one_row():
    precision, lift = top_fraction(np.array([False, True, False]), np.array([0.1, 0.9, 0.2]))
    assert precision == 1.0 and lift == pytest.approx(3.0)
