"""Best achievable AUC on demo data: the AUC of the true violation probabilities the generator planted
(`truth/inspecciones.parquet`) on the same held-out inspections. No model can beat it on average, so the
gap to it says how much the pipeline leaves on the table. Real data has no truth folder: then nothing here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from ml.metrics import roc_auc


class Verdad:
    def __init__(self, folder: Path):
        t = pq.read_table(
            Path(folder) / "inspecciones.parquet", columns=["inspeccion_id", "submateria_id", "prob_violacion"]
        ).to_pandas()
        self._por_sub = {int(s): g.set_index("inspeccion_id")["prob_violacion"] for s, g in t.groupby("submateria_id")}
        # Submaterias are violated independently given the CT: P(any) = 1 - prod(1 - p).
        t["no_viola"] = np.log1p(-t["prob_violacion"].clip(upper=1 - 1e-12))
        self._cualquiera = 1.0 - np.exp(t.groupby("inspeccion_id")["no_viola"].sum())

    @staticmethod
    def encontrar(*candidatas: Path | None) -> "Verdad | None":
        for c in candidatas:
            if c is not None and (Path(c) / "inspecciones.parquet").exists():
                return Verdad(Path(c))
        return None

    @staticmethod
    def de_la_carga(con) -> Path | None:
        """The demo's truth/ folder beside the input folder the warehouse was loaded from, if any."""
        try:
            rows = con.execute("select archivo from raw.load_manifest where fuente = 'siapi' limit 1").fetchall()
        except Exception:  # no manifest: nothing was loaded by `sidil load`
            return None
        for (archivo,) in rows:
            ruta = str(archivo).split("#")[0].removeprefix("sqlite:///")  # database sources are URLs
            for parent in Path(ruta).parents:
                if (parent / "truth" / "inspecciones.parquet").exists():
                    return parent / "truth"
        return None

    def _auc(self, prob: "pd.Series", inspecciones: np.ndarray, y: np.ndarray) -> float:  # noqa: F821
        p = prob.reindex(inspecciones).to_numpy()
        ok = ~np.isnan(p)
        return roc_auc(y[ok], p[ok]) if ok.any() else float("nan")

    def auc_submateria(self, submateria_id: int, inspecciones: np.ndarray, y: np.ndarray) -> float:
        if submateria_id not in self._por_sub:
            return float("nan")
        return self._auc(self._por_sub[submateria_id], inspecciones, y)

    def auc_general(self, inspecciones: np.ndarray, y: np.ndarray) -> float:
        return self._auc(self._cualquiera, inspecciones, y)
