"""The HTML report of a model run (Spanish, for analysts): metrics per submateria and averaged, the gap to
the best achievable AUC on demo data, calibration (Brier, ECE, reliability plots; recalibrated on the recent
window beside the calibration fitted once), the confidence label per
submateria, the manual's configuration and the other historical mode side by side on the same split, the
drift of the inputs, SHAP plots and importances, and the versions of data and code."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on the servers that run this
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402

from ml.metrics import reliability  # noqa: E402

REPORTE = "reporte.html"
GRAFICA_CALIBRACION = "calibracion.png"
MODELOS_PRINCIPALES = ("submateria", "general", "promedio")
MIN_PUNTO = 20  # a reliability point on fewer held-out inspections is noise: not drawn (ECE still counts it)

ETIQUETAS = {
    "n": "Inspecciones de prueba",
    "prevalencia": "Tasa de violación",
    "umbral": "Umbral",
    "accuracy": "Exactitud",
    "precision": "Precisión",
    "recall": "Sensibilidad",
    "f1": "F1",
    "roc_auc": "AUC ROC",
    "average_precision": "Precisión promedio",
    "precision_top10": "Precisión 10 % superior",
    "lift_top10": "Lift 10 % superior",
    "brier": "Brier",
    "brier_referencia": "Brier de la tasa observada",
    "brier_tasa_entrenamiento": "Brier de la tasa del entrenamiento",
    "ece": "Error de calibración (ECE)",
    "auc_maximo": "AUC máximo alcanzable",
    "brecha_auc": "Brecha de AUC",
}


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float) and v.is_integer() and abs(v) >= 10:
        return f"{int(v):,}"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def grafica_calibracion(folder: Path, puntajes: dict, puntajes_base: dict, nombres: dict) -> str:
    """Reliability diagrams of the held-out inspections, one panel per submateria (and the overall model):
    mean calibrated probability against the observed violation rate per bin, beside the manual's vote
    shares. Returns the PNG's file name."""
    claves = [k for k in puntajes if k != "general"] + (["general"] if "general" in puntajes else [])
    cols = 4
    filas = max(1, int(np.ceil(len(claves) / cols)))
    fig, ejes = plt.subplots(filas, cols, figsize=(3.2 * cols, 3.0 * filas), squeeze=False)
    for eje, k in zip(ejes.flat, claves):
        eje.plot([0, 1], [0, 1], color="#999", lw=0.8, ls="--")
        for datos, color, nombre in (
            (puntajes_base.get(k), "#c77", "manual (votos)"),
            (puntajes.get(k), "#1f3b5a", "calibrado"),
        ):
            if datos is None:
                continue
            puntos = [b for b in reliability(*datos) if b["n"] >= MIN_PUNTO]
            eje.plot(
                [b["prob_media"] for b in puntos],
                [b["tasa_observada"] for b in puntos],
                marker="o",
                ms=3,
                color=color,
                label=nombre,
            )
        eje.set_title("General" if k == "general" else f"{k} {nombres.get(k, '')}"[:34], fontsize=8)
        eje.set_xlim(0, 1)
        eje.set_ylim(0, 1)
        eje.tick_params(labelsize=7)
        eje.legend(fontsize=6, loc="upper left")
    for eje in list(ejes.flat)[len(claves) :]:
        eje.axis("off")
    fig.supxlabel("probabilidad predicha (media de la cubeta)", fontsize=9)
    fig.supylabel("tasa de violación observada", fontsize=9)
    fig.tight_layout()
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / GRAFICA_CALIBRACION, dpi=80)
    plt.close(fig)
    return GRAFICA_CALIBRACION


def _por_submateria(metricas: list[dict], modelo: str) -> dict:
    return {f["submateria_id"]: f for f in metricas if f["modelo"] == modelo}


def comparaciones(resumen: dict) -> dict:
    """Side-by-side rows: model vs the manual's baseline, and point-in-time vs manual history (look-ahead
    effect = manual minus point-in-time), per submateria and averaged (key None)."""
    m = resumen["metricas"]
    propio = {**_por_submateria(m, "submateria"), None: next(f for f in m if f["modelo"] == "promedio")}
    base = _por_submateria(m, "linea_base_manual")
    linea_base = [
        {"submateria_id": s, "submateria": f["submateria"], "modelo": f, "base": base[s]}
        for s, f in propio.items()
        if s in base
    ]
    otro = "historico_manual" if resumen.get("historico", "puntual") == "puntual" else "historico_puntual"
    historico = []
    for s, f in _por_submateria(m, otro).items():
        if s in propio:
            puntual, manual = (propio[s], f) if otro == "historico_manual" else (f, propio[s])
            historico.append(
                {
                    "submateria_id": s,
                    "submateria": f["submateria"],
                    "puntual": puntual,
                    "manual": manual,
                    "efecto_auc": manual["roc_auc"] - puntual["roc_auc"],
                    "efecto_lift": manual["lift_top10"] - puntual["lift_top10"],
                }
            )
    # Recalibrated vs fixed calibration, for runs that recorded both (the model's rows, the overall, the average).
    recalibracion = (
        [f for f in m if f["modelo"] in MODELOS_PRINCIPALES and "ece_calibracion_fija" in f]
        if resumen.get("recalibracion") == "ventana"
        else []
    )
    return {"linea_base": linea_base, "historico": historico, "recalibracion": recalibracion}


def write(folder: Path, resumen: dict, versiones: dict) -> Path:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["fmt"] = _fmt
    principales = [f for f in resumen["metricas"] if f["modelo"] in MODELOS_PRINCIPALES]
    columnas = [k for k in ETIQUETAS if any(k in f for f in principales)]
    html = env.get_template("reporte.html.j2").render(
        r=resumen,
        v=versiones,
        columnas=columnas,
        etiquetas=ETIQUETAS,
        principales=principales,
        comp=comparaciones(resumen),
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORTE
    path.write_text(html, encoding="utf-8")
    return path
