"""The training result as a typed object: metrics.json keeps the keys (and their order) it had as a dict,
and the rows of one model kind are found by name."""

from __future__ import annotations

from dataclasses import fields

from ml.resultado import ResultadoEntrenamiento

# metrics.json's keys, in order, as runs stored them before the result was typed: predict, the interface and
# the report read old runs too.
CLAVES_METRICS_JSON = [
    "run_id",
    "familia",
    "division",
    "corte",
    "fraccion_prueba",
    "reentrenado_con_todo",
    "historico",
    "tabla_entrenamiento",
    "calibracion",
    "recalibracion",
    "ventana_meses",
    "min_ventana",
    "ventanas_finales",
    "fraccion_validacion",
    "n_validacion",
    "n_inspecciones",
    "n_entrenamiento",
    "n_prueba",
    "variables",
    "metricas",
    "confianza",
    "deriva",
    "grafica_calibracion",
    "importancias",
    "graficas",
    "verdad",
    "tiempos",
    "creado_en",
]


def _resultado(**cambios) -> ResultadoEntrenamiento:
    valores = {f.name: None for f in fields(ResultadoEntrenamiento)}
    valores.update(
        run_id="20261130T120000-bosque",
        metricas=[
            {"modelo": "submateria", "submateria_id": 3, "submateria": "Seguridad", "roc_auc": 0.7},
            {"modelo": "submateria", "submateria_id": 5, "submateria": "Higiene", "roc_auc": 0.6},
            {"modelo": "general", "submateria_id": None, "submateria": "Cualquier violación (riesgo)", "roc_auc": 0.8},
            {"modelo": "promedio", "submateria_id": None, "submateria": "Promedio de submaterias", "roc_auc": 0.65},
        ],
        tiempos={"lectura_s": 1.5},
    )
    valores.update(cambios)
    return ResultadoEntrenamiento(**valores)


def test_the_dict_has_the_keys_metrics_json_always_had_in_the_same_order():
    assert list(_resultado().como_dict()) == CLAVES_METRICS_JSON


def test_the_dict_shares_the_fields_so_times_added_before_saving_are_stored():
    r = _resultado()
    d = r.como_dict()
    r.tiempos["total_s"] = 9.25  # train() adds the total after the report and before metrics.json
    assert d["tiempos"] == {"lectura_s": 1.5, "total_s": 9.25} and d["metricas"] is r.metricas
    assert d["run_id"] == "20261130T120000-bosque"


def test_rows_of_one_model_kind_in_their_order():
    r = _resultado()
    assert [f["submateria_id"] for f in r.filas("submateria")] == [3, 5]
    assert [f["roc_auc"] for f in r.filas("general")] == [0.8]
    assert r.filas("linea_base_manual") == []
