"""Calibrated probabilities: Brier score and expected calibration error against hand-computed values, and
the calibrator recovering known probabilities from a distorted score."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss

from ml.calibration import (
    calibrar,
    esta_calibrado,
    metodo_de,
    pliegue_validacion,
    sin_calibrar,
)
from ml.metrics import (
    binary_metrics,
    brier,
    brier_referencia,
    expected_calibration_error,
    reliability,
)
from tests.ml.modelo_puntaje import ModeloPuntaje


def test_brier_and_ece_by_hand():
    # bin [0.1, 0.2): four inspections at 0.1, one violation (rate 0.25) -> |0.25 - 0.1| = 0.15, weight 4/9
    # bin [0.8, 0.9): five inspections at 0.8, four violations (rate 0.8) -> 0, weight 5/9
    p = np.array([0.1] * 4 + [0.8] * 5)
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0, 1], dtype=bool)
    assert expected_calibration_error(y, p) == pytest.approx(0.15 * 4 / 9)
    # squared errors: 3 x 0.01 + 0.81 + 4 x 0.04 + 0.64 = 1.64
    assert brier(y, p) == pytest.approx(1.64 / 9)
    assert brier(y, p) == pytest.approx(brier_score_loss(y, p))
    assert brier_referencia(y) == pytest.approx(5 / 9 * 4 / 9)  # always predicting the rate 5/9
    puntos = reliability(y, p)
    assert [(b["desde"], b["n"], b["tasa_observada"]) for b in puntos] == [(0.1, 4, 0.25), (0.8, 5, 0.8)]
    m = binary_metrics(y, p, 0.5)
    assert (m["brier"], m["ece"]) == (pytest.approx(1.64 / 9), pytest.approx(0.15 * 4 / 9))


def test_a_probability_of_one_falls_in_the_last_bin():
    assert reliability(np.array([True]), np.array([1.0])) == [
        {"desde": 0.9, "hasta": 1.0, "n": 1, "prob_media": 1.0, "tasa_observada": 1.0}
    ]
    assert expected_calibration_error(np.array([True, False]), np.array([1.0, 0.0])) == 0.0


_Puntaje = ModeloPuntaje


def _muestra(n: int, semilla: int):
    rng = np.random.default_rng(semilla)
    p = rng.uniform(0.05, 0.6, n)  # the true probability of a violation
    y = rng.random(n) < p
    return p, y


def _cuadrado(p):  # low scores read too low: a true 0.3 scores 0.09
    return p**2


def _comprimido(p):  # scores squeezed towards 0.5: p = 1 / (1 + exp(-10 (s - 0.5))), Platt's own form
    return 0.5 + np.log(p / (1 - p)) / 10


@pytest.mark.parametrize("metodo, distorsion", [("isotonica", _cuadrado), ("sigmoide", _comprimido)])
def test_the_calibrator_turns_a_distorted_score_into_the_known_probability(metodo, distorsion):
    p_val, y_val = _muestra(60_000, 1)
    p_test, y_test = _muestra(60_000, 2)
    modelo = _Puntaje().fit(None, None)
    assert expected_calibration_error(y_test, distorsion(p_test)) > 0.05
    cal = calibrar(modelo, distorsion(p_val)[:, None], y_val, metodo)
    assert esta_calibrado(cal) and metodo_de(cal) == metodo and sin_calibrar(cal) is modelo
    q = cal.predict_proba(distorsion(p_test)[:, None])[:, 1]
    # the known probabilities come back, and with them calibration and a better Brier score
    assert np.mean(np.abs(q - p_test)) < 0.02
    assert expected_calibration_error(y_test, q) < 0.01
    assert brier(y_test, q) < brier(y_test, distorsion(p_test))
    assert brier(y_test, q) == pytest.approx(brier(y_test, p_test), abs=1e-3)


def test_auto_uses_sigmoid_on_small_folds_and_a_single_class_fold_is_not_calibrated():
    modelo = _Puntaje().fit(None, None)
    p, y = _muestra(2_000, 3)
    assert metodo_de(calibrar(modelo, p[:, None], y, "auto")) == "sigmoide"
    assert calibrar(modelo, p[:, None], np.zeros(2_000, bool), "isotonica") is modelo
    assert calibrar(modelo, p[:, None], y, "ninguna") is modelo
    # a fold where a higher score means fewer violations: a calibrator would reverse the ranking, so none
    assert calibrar(modelo, p[:, None], p < 0.3, "sigmoide") is modelo
    with pytest.raises(ValueError, match="desconocida"):
        calibrar(modelo, p[:, None], y, "magia")


def test_the_validation_fold_is_the_latest_part_of_the_training_period():
    fechas = np.array([f"2015-{m:02d}-01" for m in range(1, 11)], dtype="datetime64[D]")
    dentro = np.array([True] * 8 + [False] * 2)  # the last two are the test period
    val = pliegue_validacion(fechas, dentro, 0.25)
    assert val.tolist() == [False] * 6 + [True, True, False, False]
    assert not (val & ~dentro).any()
