"""truth/: what the demo planted, for tests and for measuring what the pipeline recovers.

- `ct_submateria.parquet`: per (centro_trabajo_id, submateria_id) the probability that the CT violates the
  submateria if inspected in the reference year, and the CT's latent `calidad`.
The per-inspection probabilities are written with the inspection history (sidil/demo/siapi.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sidil.demo.materias import SUBMATERIAS, log_odds, probability
from sidil.demo.world import World

ANIO_REFERENCIA = 2026


def centro_trabajo_id(world: World) -> np.ndarray:
    """DNE key of every CT of the world (position + 100001: ids look like the real 6-7 digit ones)."""
    return np.arange(len(world.cts.calidad), dtype=np.int64) + 100_001


def write_ct_submateria(world: World, out: Path) -> Path:
    cts = world.cts
    n = len(cts.calidad)
    ids = centro_trabajo_id(world)
    cols = {"centro_trabajo_id": [], "submateria_id": [], "prob_violacion": []}
    for s in SUBMATERIAS:
        p = probability(log_odds(s, cts.calidad, cts.peligro, cts.recipientes, cts.n_trabajadores, ANIO_REFERENCIA))
        cols["centro_trabajo_id"].append(ids)
        cols["submateria_id"].append(np.full(n, s.submateria_id, dtype=np.int32))
        cols["prob_violacion"].append(p.astype(np.float64))
    table = pa.table({k: np.concatenate(v) for k, v in cols.items()})
    out.mkdir(parents=True, exist_ok=True)
    path = out / "ct_submateria.parquet"
    pq.write_table(table, path, compression="zstd")
    latent = pa.table({
        "centro_trabajo_id": ids,
        "calidad": cts.calidad.astype(np.float64),
        "peligro": cts.peligro,
        "recipientes": cts.recipientes,
        "n_trabajadores": cts.n_trabajadores,
        "tiene_registro": cts.registro >= 0,
    })
    pq.write_table(latent, out / "ct_latente.parquet", compression="zstd")
    return path
