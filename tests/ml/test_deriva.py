"""Drift watch: the population stability index on distributions computed by hand, the levels of the seed's
thresholds, the risk between two MPRs, the rows of ml.deriva and the run's messages."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest

from ml import drift


def test_psi_of_two_bins_by_hand():
    ref = drift.referencia(np.array([0.0] * 50 + [1.0] * 50))
    # a 0/1 input: half and half in training, a quarter and three quarters now
    # PSI = (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5) = 0.25 ln 3
    assert drift.psi(ref, np.array([0.0] * 25 + [1.0] * 75)) == pytest.approx(0.25 * math.log(3))
    assert drift.psi(ref, np.array([0.0] * 10 + [1.0] * 10)) == pytest.approx(0.0)
    assert drift.psi_proporciones([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.25 * math.log(3))


def test_missing_values_have_their_own_bin():
    # training: 10 % without data (-1); now: every workplace has a value. The empty bin counts as 1e-4:
    # (1e-4 - 0.1) ln(1e-4 / 0.1) + (1 - 0.9) ln(1 / 0.9)
    ref = drift.referencia(np.array([-1.0] * 10 + [5.0] * 90))
    assert ref["proporciones"][-1] == pytest.approx(0.1)
    esperado = (1e-4 - 0.1) * math.log(1e-4 / 0.1) + 0.1 * math.log(1 / 0.9)
    assert drift.psi(ref, np.full(200, 5.0)) == pytest.approx(esperado)


def test_deciles_of_a_continuous_input_and_a_shift():
    rng = np.random.default_rng(0)
    x = rng.normal(size=100_000)
    ref = drift.referencia(x)
    assert len(ref["cortes"]) == 9 and np.allclose(ref["proporciones"][:-1], 0.1, atol=1e-3)
    assert drift.psi(ref, rng.normal(size=100_000)) < 0.01  # the same population: stable
    assert drift.psi(ref, rng.normal(1.0, 1.0, size=100_000)) > 0.25  # one standard deviation away: high


def test_levels_of_the_thresholds():
    u = drift.Umbrales(0.1, 0.25)
    assert [u.nivel(v) for v in (0.0, 0.0999, 0.1, 0.2499, 0.25, 3.0, float("nan"))] == [
        "estable",
        "estable",
        "moderada",
        "moderada",
        "alta",
        "alta",
        "sin_dato",
    ]


def test_risk_drift_between_mprs_is_stored_and_warned():
    con = duckdb.connect()
    assert drift.deriva_riesgo(con, {"riesgo": np.array([0.5])}, drift.Umbrales(0.1, 0.25)) == []  # no previous MPR
    con.execute("create schema ml")
    con.execute("create table ml.mpr as select (i % 2)::double as riesgo, 0.3::double as pred_201 from range(100) t(i)")
    nuevo = {"riesgo": np.r_[np.zeros(25), np.ones(75)], "pred_201": np.full(100, 0.3), "pred_999": np.ones(100)}
    umbrales = {"variable_entrada": drift.Umbrales(0.1, 0.25), "riesgo_mpr": drift.Umbrales(0.1, 0.25)}
    filas = drift.deriva_riesgo(con, nuevo, umbrales["riesgo_mpr"])
    assert [(f["variable"], f["nivel"]) for f in filas] == [("riesgo", "alta"), ("pred_201", "estable")]
    assert filas[0]["psi"] == pytest.approx(0.25 * math.log(3))  # pred_999 is new: nothing to compare
    entradas = [{"comparacion": "entrenamiento_vs_universo", "variable": "valor_x", "psi": 0.12, "nivel": "moderada"}]
    drift.guardar(con, filas + entradas, "2026-11-30 10:00:00", "r1", umbrales)
    assert con.execute("select count(*) from ml.deriva").fetchone()[0] == 3
    ultima = drift.ultima(con)
    assert [(r[2], r[3], r[5]) for r in ultima] == [
        ("mpr_anterior_vs_nueva", "riesgo", "alta"),
        ("entrenamiento_vs_universo", "valor_x", "moderada"),
    ]
    lineas = drift.mensajes(filas + entradas)
    assert lineas == [
        "INFO: deriva moderada en variables de entrada (entrenamiento frente al universo): valor_x (PSI 0.12).",
        (
            "***ADVERTENCIA***: deriva alta en riesgos (MPR anterior frente a la nueva): riesgo (PSI 0.27). Revise los "
            "insumos o reentrene el modelo."
        ),
    ]


def test_thresholds_come_from_the_seed():
    con = duckdb.connect()
    with pytest.raises(drift.UmbralesFaltantes, match="sidil build"):
        drift.umbrales(con)
    con.execute("create schema staging")
    con.execute(
        "create table staging.deriva_umbrales as select * from (values ('variable_entrada', 0.2, 0.5), "
        "('riesgo_mpr', 0.05, 0.1)) t(medida, umbral_moderado, umbral_alto)"
    )
    u = drift.umbrales(con)
    assert u["variable_entrada"] == drift.Umbrales(0.2, 0.5) and u["riesgo_mpr"].nivel(0.07) == "moderada"
