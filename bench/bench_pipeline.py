"""Full-scale pipeline benchmark (issues 6 and 7 targets, 2-core machine): load a full-scale demo,
then `dbt build` everything, and report the time of each model from dbt's run_results.json, in
particular the matching (617k CTs x all indicators: at most 60 s) and the history to the training
table (1.1M inspections: at most 3 minutes). Needs bench_data/demo_full (bench_demo.py --keep).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_measured  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]

MATCHING = [
    "dne_plus",
    "int_dne__ultimo_patron_imss",
    "int_matching__combinaciones_ct",
    "int_matching__estimacion_por_combinacion",
    "int_matching__imputacion_ct",
    "int_matching__imputacion_escalada",
    "universo_ct_con_indicadores",
]
HISTORY = [
    "int_inspecciones__indice",
    "int_inspecciones__revision_submateria",
    "int_historico__inspecciones",
    "int_historico__anio_estimacion",
    "int_historico__imputacion_inspeccion",
    "int_historico__submaterias_modeladas",
    "inspecciones_historicas",
    "entrenamiento",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--input", type=Path, default=Path("bench_data/demo_full"))
    ap.add_argument("--db", type=Path, default=Path("bench_data/pipeline_full.duckdb"))
    args = ap.parse_args()
    os.environ["SIDIL_DB"] = str(args.db.resolve())
    os.environ.setdefault("SIDIL_PSEUDO_KEY", "clave-de-benchmark")
    bin_dir = Path(sys.executable).parent
    rc = run_measured([str(bin_dir / "sidil"), "load", "--input", str(args.input)], "pipeline_load_full", RESULTS)[
        "returncode"
    ]
    target = args.db.parent / "target_bench"
    build = run_measured(
        [
            str(bin_dir / "dbt"),
            "build",
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        "pipeline_dbt_build_full",
        RESULTS,
    )
    rc |= build["returncode"]
    runs = json.loads((target / "run_results.json").read_text())["results"]
    times = {
        r["unique_id"].split(".")[-1]: round(r["execution_time"], 1)
        for r in runs
        if r["unique_id"].startswith("model.")
    }
    summary = {
        "benchmark": "pipeline_models_full",
        "matching_seconds": round(sum(times.get(m, 0) for m in MATCHING), 1),
        "history_to_training_seconds": round(sum(times.get(m, 0) for m in HISTORY), 1),
        "model_seconds": dict(sorted(times.items(), key=lambda kv: -kv[1])),
        "dbt_build_peak_rss_gib": build["peak_rss_gib"],
        "dbt_build_wall_seconds": build["wall_seconds"],
    }
    (RESULTS / "pipeline_models_full.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
