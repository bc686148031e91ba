"""The result of one training run (`ml.train.train`): what the command shows, the report renders and
`metrics.json` stores. Metric rows stay dicts keyed by metric name, since which metrics a row carries
depends on the options (truth, recalibration)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class ResultadoEntrenamiento:
    # Field order is the key order of metrics.json: keep it when adding a field.
    run_id: str
    familia: str
    division: str  # temporal | aleatoria
    corte: str | None  # first held-out date (temporal division), ISO
    fraccion_prueba: float
    reentrenado_con_todo: bool
    historico: str  # puntual | manual
    tabla_entrenamiento: str
    calibracion: str
    recalibracion: str  # ventana | ninguna
    ventana_meses: int
    min_ventana: int
    ventanas_finales: dict[str, dict]  # {submateria or "general": the stored model's recalibration window}
    fraccion_validacion: float
    n_validacion: int
    n_inspecciones: int
    n_entrenamiento: int
    n_prueba: int
    variables: list[str]
    metricas: list[dict]  # one row per (modelo, submateria): CLAVES_FILA and the held-out metrics
    confianza: dict[str, dict]  # {submateria: confidence label and rule}
    deriva: list[dict]  # inputs' PSI between training and universe, highest first
    grafica_calibracion: str  # file name in the run folder
    importancias: dict[str, list[tuple[str, float]]]  # {submateria or "general": SHAP importance, highest first}
    graficas: dict[str, dict[str, str]]  # {submateria or "general": {plot kind: file name}}
    verdad: str | None  # folder of the demo's truth, when found
    tiempos: dict[str, float]  # seconds per step
    creado_en: str

    def como_dict(self) -> dict:
        """The fields as the dict written to metrics.json and given to the report (shallow: same objects)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def filas(self, modelo: str) -> list[dict]:
        """The metric rows of one model kind (submateria, general, promedio, linea_base_manual, historico_*)."""
        return [f for f in self.metricas if f["modelo"] == modelo]
