"""The confidence label of a submateria's model from its held-out metrics and the rules of the seed
confianza_modelo, as shipped."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ml import confidence

SEMILLA = Path(__file__).resolve().parents[2] / "seeds" / "confianza_modelo.csv"


@pytest.fixture(scope="module")
def reglas():
    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute("create table staging.confianza_modelo as select * from read_csv(?, header = true)", [str(SEMILLA)])
    return confidence.reglas(con)


@pytest.mark.parametrize(
    "auc, lift, ece, nivel, apta",
    [
        (0.74, 2.3, 0.012, "alta", True),
        (0.74, 2.3, 0.080, "media", True),  # ranks well, but its probabilities are off: not alta
        (0.74, 1.9, 0.012, "media", True),
        (0.65, 1.6, 0.020, "media", True),
        (0.65, 1.2, 0.020, "baja", True),
        (0.56, 1.0, 0.200, "baja", True),
        (0.37, 0.8, 0.010, "baja", False),  # the tiny run's 0.37: shown as not fit for prioritisation
        (float("nan"), 1.0, 0.0, "baja", False),  # no AUC (one class held out): never fit
    ],
)
def test_labels_by_the_seed(reglas, auc, lift, ece, nivel, apta):
    c = confidence.confianza({"roc_auc": auc, "lift_top10": lift, "brier": 0.2, "ece": ece}, reglas)
    assert (c["nivel"], c["apta"]) == (nivel, apta)
    assert c["etiqueta"] == f"confianza {nivel}" + ("" if apta else " · no apta para priorizar")


def test_columns_of_the_mpr_and_older_runs():
    rs = [confidence.Regla(1, "alta", 0.7, None, None, True, "")]
    resumen = {
        "metricas": [
            {
                "modelo": "submateria",
                "submateria_id": 201,
                "roc_auc": 0.8,
                "lift_top10": 2.0,
                "brier": 0.1,
                "ece": 0.01,
            },
            {"modelo": "linea_base_manual", "submateria_id": 201, "roc_auc": 0.1},
            {"modelo": "general", "submateria_id": None, "roc_auc": 0.6, "lift_top10": 1.1, "brier": 0.2, "ece": 0.05},
        ]
    }
    metricas = confidence.metricas_de_corrida({}, resumen)  # a run saved before metrics travelled with it
    assert metricas == {
        "201": {"roc_auc": 0.8, "lift_top10": 2.0, "brier": 0.1, "ece": 0.01},
        "general": {"roc_auc": 0.6, "lift_top10": 1.1, "brier": 0.2, "ece": 0.05},
    }
    cols = confidence.por_columna(metricas, rs)
    assert (cols["pred_201"]["nivel"], cols["pred_201"]["apta"]) == ("alta", True)
    assert (cols["riesgo"]["nivel"], cols["riesgo"]["apta"]) == ("baja", False)  # meets no rule
    assert confidence.detalle(cols["pred_201"]) == (
        "AUC en prueba 0.80 · lift 10 % 2.00 · Brier 0.100 · error de calibración 0.010"
    )


def test_missing_seed_is_a_spanish_message():
    with pytest.raises(confidence.ReglasFaltantes, match="sidil build"):
        confidence.reglas(duckdb.connect())
