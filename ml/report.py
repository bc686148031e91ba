"""The HTML report of a model run (Spanish, for analysts): metrics per submateria and averaged, the gap to
the best achievable AUC on demo data, SHAP plots and importances, and the versions of data and code."""

from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

REPORTE = "reporte.html"

ETIQUETAS = {
    "n": "Inspecciones de prueba", "prevalencia": "Tasa de violación", "umbral": "Umbral",
    "accuracy": "Exactitud", "precision": "Precisión", "recall": "Sensibilidad", "f1": "F1",
    "roc_auc": "AUC ROC", "average_precision": "Precisión promedio", "precision_top10": "Precisión 10 % superior",
    "lift_top10": "Lift 10 % superior", "auc_maximo": "AUC máximo alcanzable", "brecha_auc": "Brecha de AUC",
}


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float) and v.is_integer() and abs(v) >= 10:
        return f"{int(v):,}"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def write(folder: Path, resumen: dict, versiones: dict) -> Path:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["fmt"] = _fmt
    columnas = [k for k in ETIQUETAS if any(k in f for f in resumen["metricas"])]
    html = env.get_template("reporte.html.j2").render(
        r=resumen, v=versiones, columnas=columnas, etiquetas=ETIQUETAS)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORTE
    path.write_text(html, encoding="utf-8")
    return path
