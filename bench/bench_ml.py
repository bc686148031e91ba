"""ML benchmark (issue 8 targets, 2-core machine): `sidil train` on the full history (at most 30 minutes)
and `sidil predict` of 617k CTs (at most 60 s), peak memory under 12 GB.

Two ways to get a full-scale warehouse:
- `--db PATH`: a warehouse built from the full-scale demo (what `make bench` does after bench_pipeline.py);
- `--escalar-desde PATH`: a built small-demo warehouse whose training table and CT universe are replicated
  to production row counts (1,095,853 inspections, 617,000 CTs), with new keys. Inputs keep the real
  pipeline's distributions; only the volume is synthetic. Quick to prepare, same cost for the models.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_measured  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]
INSPECCIONES_FULL = 1_095_853
CTS_FULL = 617_000


def escalar(origen: Path, destino: Path) -> dict:
    shutil.copy(origen, destino)
    con = duckdb.connect(str(destino))
    n_insp = con.execute("select count(distinct inspeccion_id) from marts.entrenamiento").fetchone()[0]
    n_ct = con.execute("select count(*) from marts.universo_ct_con_indicadores").fetchone()[0]
    k_insp, k_ct = math.ceil(INSPECCIONES_FULL / n_insp), math.ceil(CTS_FULL / n_ct)
    con.execute(f"""
        create or replace table marts.entrenamiento as
        select * replace (inspeccion_id * {k_insp} + r.range as inspeccion_id,
                          centro_trabajo_id * {k_ct} + r.range % {k_ct} as centro_trabajo_id)
        from marts.entrenamiento, range({k_insp}) as r
        where inspeccion_id * {k_insp} + r.range < (select min(inspeccion_id) from marts.entrenamiento) * {k_insp}
              + {INSPECCIONES_FULL} * 2
    """)
    # keep exactly the production number of inspections
    con.execute(f"""
        create or replace table marts.entrenamiento as
        with ids as (select distinct inspeccion_id from marts.entrenamiento order by inspeccion_id
                     limit {INSPECCIONES_FULL})
        select e.* from marts.entrenamiento as e semi join ids using (inspeccion_id)
    """)
    for tabla in ("universo_ct_con_indicadores", "dne_plus"):
        con.execute(f"""
            create or replace table marts.{tabla} as
            select * replace (centro_trabajo_id * {k_ct} + r.range as centro_trabajo_id)
            from marts.{tabla}, range({k_ct}) as r
            where centro_trabajo_id * {k_ct} + r.range < (select min(centro_trabajo_id) from marts.{tabla})
                  * {k_ct} + {CTS_FULL}
        """)
    filas = con.execute("select count(*), count(distinct inspeccion_id) from marts.entrenamiento").fetchone()
    cts = con.execute("select count(*) from marts.universo_ct_con_indicadores").fetchone()[0]
    con.execute("drop schema if exists ml cascade")
    con.close()
    return {
        "filas_entrenamiento": filas[0],
        "inspecciones": filas[1],
        "centros_de_trabajo": cts,
        "escalado_desde": str(origen),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--db", type=Path, help="Warehouse built from the full-scale demo.")
    g.add_argument("--escalar-desde", type=Path, help="Built small-demo warehouse to replicate to full volume.")
    ap.add_argument("--trabajo", type=Path, default=ROOT / "bench_data" / "ml", help="Working folder.")
    ap.add_argument("--familias", default="bosque,gradiente")
    args = ap.parse_args()
    args.trabajo.mkdir(parents=True, exist_ok=True)
    if args.escalar_desde:
        db = args.trabajo / "ml_full.duckdb"
        datos = escalar(args.escalar_desde, db)
        sufijo = "escalado"
    else:
        db, datos, sufijo = args.db, {"warehouse": str(args.db)}, "full"
    print(datos, flush=True)
    os.environ.update(
        SIDIL_DB=str(db), SIDIL_MODELOS=str(args.trabajo / "models_store"), SIDIL_SALIDAS=str(args.trabajo / "salidas")
    )
    sidil = str(Path(sys.executable).with_name("sidil"))
    for familia in args.familias.split(","):
        run_measured(
            [sidil, "train", "--familia", familia],
            f"ml_train_{familia}_{sufijo}",
            RESULTS,
            {"datos": datos, "target": "30 min, 12 GB"},
        )
        run_measured(
            [sidil, "predict"], f"ml_predict_{familia}_{sufijo}", RESULTS, {"datos": datos, "target": "60 s, 12 GB"}
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
