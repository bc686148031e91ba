"""Recalibration on a recent window (issue 16): on synthetic scores whose violation rate jumps (a rule change),
the walk-forward recalibration follows the jump one year later and the calibration fitted once does not; the
window is anchored at the latest inspections and widened to a minimum; the shift keeps the ranking."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

from ml.calibration import (
    Desplazado,
    calibrar,
    desplazamiento,
    esta_calibrado,
    esta_recalibrado,
    metodo_de,
    periodos,
    probabilidad_recalibrada,
    recalibrar,
    sin_calibrar,
    ventana,
)
from ml.metrics import expected_calibration_error, roc_auc
from tests.ml.modelo_puntaje import ModeloPuntaje

SALTO = 1.0  # log-odds added to every inspection's true probability from the rule change on


_Puntaje = ModeloPuntaje


def _historia(semilla: int = 7, por_anio: int = 4_000):
    """Inspections 2015-2020; the violation probability is the score until 2018 and jumps by SALTO in log-odds
    from 2019 on. Returns dates, scores, labels and the true probabilities."""
    rng = np.random.default_rng(semilla)
    anios = np.repeat(np.arange(2015, 2021), por_anio)
    fecha = (anios - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, len(anios))
    s = rng.uniform(0.05, 0.6, len(anios))
    verdadera = np.where(anios >= 2019, expit(logit(s) + SALTO), s)
    return fecha, s, rng.random(len(anios)) < verdadera, verdadera, anios


def test_the_rolling_recalibration_follows_a_known_shift_the_fixed_one_misses():
    fecha, s, y, verdadera, anios = _historia()
    X = s[:, None]
    modelo = _Puntaje().fit(None, None)
    ajuste = anios <= 2017  # "the forest learned here": never a recalibration window
    prueba = anios >= 2019
    p = probabilidad_recalibrada(modelo, X, y, fecha, ~ajuste, prueba)
    fija = s[prueba]
    ultimo = anios[prueba] == 2020
    # The fixed calibration's error on the shifted year is at least its bias: the mean true probability minus
    # the mean score (ECE over bins >= |overall bias|), computed from the known probabilities.
    sesgo = float(np.mean(verdadera[anios == 2020] - s[anios == 2020]))
    assert sesgo == pytest.approx(0.21, abs=0.01)
    ece_fija = expected_calibration_error(y[prueba][ultimo], fija[ultimo])
    ece_movil = expected_calibration_error(y[prueba][ultimo], p[ultimo])
    assert ece_fija == pytest.approx(sesgo, abs=0.02)
    # 2020 is scored with the shift fitted on 2019, already under the new rule: the jump is recovered
    assert ece_movil < 0.02
    assert ece_fija - ece_movil > sesgo - 0.03
    # 2019 is scored with 2018's window (before the rule change): no shift there, so no gain yet
    primero = anios[prueba] == 2019
    assert np.abs(p[primero] - fija[primero]).max() < 0.02
    # within a year the ranking is the forest's
    assert roc_auc(y[prueba][ultimo], p[ultimo]) == pytest.approx(roc_auc(y[prueba][ultimo], fija[ultimo]))


def test_the_shift_matches_the_window_rate_and_keeps_the_calibrators_shape():
    fecha, s, y, verdadera, anios = _historia(11)
    modelo = _Puntaje().fit(None, None)
    cal = calibrar(modelo, s[anios == 2017][:, None], y[anios == 2017], "sigmoide")
    w = anios == 2019
    m = recalibrar(cal, s[w][:, None], y[w], fecha[w])
    assert isinstance(m, Desplazado) and esta_recalibrado(m) and esta_calibrado(m)
    assert metodo_de(m) == "sigmoide" and sin_calibrar(m) is modelo
    q = m.predict_proba(s[w][:, None])[:, 1]
    assert q.mean() == pytest.approx(y[w].mean(), abs=1e-9)
    assert m.desplazamiento == pytest.approx(SALTO, abs=0.15)
    assert m.ventana()["n"] == int(w.sum()) and m.ventana()["desde"].startswith("2019-01")
    # a new window replaces the shift, it does not add to it
    w2 = anios == 2018
    m2 = recalibrar(m, s[w2][:, None], y[w2], fecha[w2])
    assert m2.modelo is cal and abs(m2.desplazamiento) < 0.15


def test_a_window_without_violations_still_gives_a_finite_shift():
    p = np.full(50, 0.2)
    d = desplazamiento(p, np.zeros(50, bool))
    # half an inspection: the rate is taken as 0.5 / 50 = 0.01
    assert expit(logit(0.2) + d) == pytest.approx(0.01)


def test_the_window_is_anchored_at_the_latest_inspections_and_widened_to_the_minimum():
    fecha = np.array(
        ["2017-03-01", "2017-11-15", "2018-02-01", "2018-06-30", "2018-12-20", "2021-02-01", "2021-03-01"],
        dtype="datetime64[D]",
    )
    todas = np.ones(len(fecha), bool)
    # before 2021 there is nothing in 2019-2020: the 12 months before the latest inspection (2018-12-20)
    assert ventana(fecha, todas, np.datetime64("2021-01-01"), 12, 0).tolist() == [False] * 2 + [True] * 3 + [False] * 2
    # at least 5 inspections: widened a month at a time until 2017-03-01 enters
    assert ventana(fecha, todas, np.datetime64("2021-01-01"), 12, 5).tolist() == [True] * 5 + [False] * 2
    # fewer than the minimum in the whole history: all of it
    assert ventana(fecha, todas, np.datetime64("2018-01-01"), 6, 10).tolist() == [True] * 2 + [False] * 5
    # 6 months before the end: only what is available
    disponibles = np.array([True] * 6 + [False])
    assert ventana(fecha, disponibles, None, 6, 0).tolist() == [False] * 5 + [True, False]


def test_the_test_period_is_scored_year_by_year_from_its_first_date():
    fecha = np.array(["2018-01-19", "2018-05-01", "2021-03-01", "2022-07-01", "2017-06-01"], dtype="datetime64[D]")
    prueba = np.array([True, True, True, True, False])
    p = periodos(fecha, prueba)
    assert [str(inicio) for inicio, _ in p] == ["2018-01-19", "2021-03-01", "2022-07-01"]
    assert [f.tolist() for _, f in p][0] == [True, True, False, False, False]
