"""SHAP explanations of the trained models: global importance (mean |SHAP|), summary (beeswarm) and a
waterfall of one high-risk inspection, as PNG files for the run's report."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on the servers that run this
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shap  # noqa: E402

# SHAP of a forest costs grows with leaves x rows: a sample of held-out rows is enough for the plots.
MUESTRA_SHAP = 300


def explanation(modelo, X: np.ndarray, nombres: list[str]) -> shap.Explanation:
    explainer = shap.TreeExplainer(modelo)
    e = explainer(X, check_additivity=False)
    if e.values.ndim == 3:  # one slice per class: keep the "violation" class
        e = e[:, :, 1]
    e.feature_names = list(nombres)
    return e


def importance(e: shap.Explanation) -> list[tuple[str, float]]:
    """Inputs ordered by mean |SHAP| (global importance)."""
    m = np.abs(e.values).mean(axis=0)
    order = np.argsort(-m)
    return [(e.feature_names[i], float(m[i])) for i in order]


def _save(path: Path) -> str:
    plt.gcf().set_size_inches(9, 6)
    plt.tight_layout()
    plt.savefig(path, dpi=90)
    plt.close("all")
    return path.name


def plots(e: shap.Explanation, folder: Path, prefijo: str, titulo: str, con_waterfall: bool) -> dict[str, str]:
    """Write the PNGs of one model; returns {kind: file name}."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    shap.plots.bar(e, max_display=15, show=False)
    plt.title(f"Importancia global (media de |SHAP|): {titulo}")
    out["importancia"] = _save(folder / f"{prefijo}_importancia.png")
    shap.plots.beeswarm(e, max_display=15, show=False)
    plt.title(f"Resumen SHAP: {titulo}")
    out["resumen"] = _save(folder / f"{prefijo}_resumen.png")
    if con_waterfall:
        i = int(np.argmax(e.values.sum(axis=1)))  # the highest-risk row of the sample
        shap.plots.waterfall(e[i], max_display=12, show=False)
        plt.title(f"Cascada SHAP del caso de mayor riesgo: {titulo}")
        out["cascada"] = _save(folder / f"{prefijo}_cascada.png")
    return out


def sample_rows(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=min(n, MUESTRA_SHAP), replace=False))
