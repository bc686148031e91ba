"""The confidence of each predictor's model (written by `sidil predict` in the MPR dictionary) reaches the
consultation: the matrix reads it, the predictor list and the XLSX export show it, and an older dictionary
without it still loads."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sidil.interfaz import exportar
from sidil.interfaz.consulta_servidor import etiqueta_predictor as _etiqueta_predictor
from sidil.interfaz.filtros import FiltroRango, Seleccion
from sidil.interfaz.mpr import Matriz
from tests.interfaz.conftest import escribir_mpr_manual


def _con_confianza(carpeta):
    """The hand-made MPR's dictionary with the confidence columns of `sidil predict`."""
    ruta = carpeta / "mpr_diccionario.parquet"
    t = pq.read_table(ruta)
    cols = t.column("columna").to_pylist()
    valores = {"pred_201": (0.66, 1.7, 0.21, 0.015, "media", True), "riesgo": (0.52, 1.1, 0.24, 0.08, "baja", False)}
    nombres = ("auc_prueba", "lift_top10_prueba", "brier_prueba", "ece_prueba", "confianza", "apta_para_priorizar")
    tipos = (pa.float64(), pa.float64(), pa.float64(), pa.float64(), pa.string(), pa.bool_())
    for i, (nombre, tipo) in enumerate(zip(nombres, tipos)):
        t = t.append_column(nombre, pa.array([valores[c][i] if c in valores else None for c in cols], tipo))
    pq.write_table(t, ruta)
    return carpeta


@pytest.fixture
def matriz(tmp_path):
    return Matriz(_con_confianza(escribir_mpr_manual(tmp_path / "mpr")))


def test_the_matrix_reads_each_predictors_confidence(matriz):
    c = matriz.confianza["pred_201"]
    assert (c.nivel, c.apta, c.texto) == ("media", True, "confianza media")
    assert c.detalle == "AUC en prueba 0.66 · lift 10 % 1.70 · Brier 0.210 · error de calibración 0.015"
    assert matriz.confianza["riesgo"].texto == "confianza baja · no apta para priorizar"
    assert set(matriz.confianza) == {"pred_201", "riesgo"}
    assert _etiqueta_predictor(matriz, "pred_201") == "Riesgo en contratación — confianza media"


def test_the_xlsx_predictor_sheet_carries_the_confidence(matriz):
    filas = exportar.hoja_predictor(matriz, Seleccion(predictor=FiltroRango("pred_201", 0.35, 0.8)), "ana")
    d = dict(filas)
    assert d["Confianza del modelo"] == "confianza media"
    assert d["Confianza del modelo: métricas en prueba"].startswith("AUC en prueba 0.66")
    assert d["Confianza de Riesgo en contratación"] == "confianza media"  # listed even without a predictor chosen
    sin = dict(exportar.hoja_predictor(matriz, Seleccion()))
    assert "Confianza del modelo" not in sin and sin["Confianza de Riesgo en contratación"] == "confianza media"


def test_a_dictionary_without_confidence_still_loads(tmp_path):
    m = Matriz(escribir_mpr_manual(tmp_path / "mpr"))
    assert m.confianza == {}
    assert _etiqueta_predictor(m, "pred_201") == "Riesgo en contratación"
    assert not [f for f in exportar.hoja_predictor(m, Seleccion()) if str(f[0]).startswith("Confianza")]
