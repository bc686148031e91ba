"""truth/: what the demo planted, for tests and for measuring what the pipeline recovers.

- `ct_submateria.parquet`: per (centro_trabajo_id, submateria_id) the probability that the CT violates the
  submateria if inspected in the reference year, and the CT's latent `calidad`.
- `ct_anio.parquet`: per (centro_trabajo_id, anio) the CT's conditions that year (issue 16: they change).
- `area_anio.parquet`: per (geo2, scian2018_2, anio) the area effect that drives ENOE answers that year.
- `submateria_anio.parquet`: per (submateria_id, anio) the year's rule: the log-odds of a violation is
  intercepto - coef_calidad * calidad + coef_peligro * peligro + coef_recipientes * recipientes
  + coef_tamanio * log10(max(n_trabajadores, 1)), with the CT's calidad of that year (ct_anio) and its
  flags and size (ct_latente); intercepto includes the trend and the rule change (ajuste_regla); prob_media
  is the mean probability over every CT that year.
The per-inspection probabilities are written with the inspection history (sidil/demo/siapi.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sidil.demo.dinamica import ANIO_REFERENCIA, ANIOS
from sidil.demo.materias import SUBMATERIAS, ajuste_regla, log_odds, probability
from sidil.demo.world import World


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
    latent = pa.table(
        {
            "centro_trabajo_id": ids,
            "calidad": cts.calidad.astype(np.float64),
            "peligro": cts.peligro,
            "recipientes": cts.recipientes,
            "n_trabajadores": cts.n_trabajadores,
            "tiene_registro": cts.registro >= 0,
        }
    )
    pq.write_table(latent, out / "ct_latente.parquet", compression="zstd")
    return path


def write_por_anio(world: World, out: Path) -> list[Path]:
    """The per-year truth: CT conditions, area effects and each submateria's rule by year."""
    cts = world.cts
    ids = centro_trabajo_id(world)
    n = len(ids)
    out.mkdir(parents=True, exist_ok=True)
    calidades = {int(a): world.calidad_cts(int(a)) for a in ANIOS}
    ct_anio = pa.table(
        {
            "centro_trabajo_id": np.tile(ids, len(ANIOS)),
            "anio": np.repeat(ANIOS.astype(np.int16), n),
            "calidad": np.concatenate([calidades[int(a)] for a in ANIOS]).astype(np.float64),
        }
    )
    pq.write_table(ct_anio, out / "ct_anio.parquet", compression="zstd")

    estados, sectores = np.meshgrid(np.arange(32), np.arange(len(world.sectores)), indexing="ij")
    estados, sectores = estados.ravel(), sectores.ravel()
    area = pa.table(
        {
            "geo2": np.tile(world.estados[estados], len(ANIOS)),
            "scian2018_2": np.tile(world.sectores[sectores], len(ANIOS)),
            "anio": np.repeat(ANIOS.astype(np.int16), len(estados)),
            "efecto_area": np.concatenate([world.efecto_area(estados, sectores, int(a)) for a in ANIOS]),
        }
    )
    pq.write_table(area, out / "area_anio.parquet", compression="zstd")

    filas = []
    for s in SUBMATERIAS:
        for a in ANIOS:
            a = int(a)
            ajuste = float(ajuste_regla(s.submateria_id, a))
            p = probability(log_odds(s, calidades[a], cts.peligro, cts.recipientes, cts.n_trabajadores, a))
            filas.append(
                (
                    s.submateria_id,
                    a,
                    s.base + s.tendencia * (a - 2018.0) / 10.0 + ajuste,
                    ajuste,
                    s.calidad,
                    s.peligro,
                    s.recipientes,
                    s.tamanio,
                    float(p.mean()),
                )
            )
    cols = [
        "submateria_id",
        "anio",
        "intercepto",
        "ajuste_regla",
        "coef_calidad",
        "coef_peligro",
        "coef_recipientes",
        "coef_tamanio",
        "prob_media",
    ]
    reglas = pa.table({c: [f[k] for f in filas] for k, c in enumerate(cols)})
    pq.write_table(reglas, out / "submateria_anio.parquet", compression="zstd")
    return [out / "ct_anio.parquet", out / "area_anio.parquet", out / "submateria_anio.parquet"]
