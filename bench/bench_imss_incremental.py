"""IMSS indicators benchmark (issue 5 targets, 2-core machine), at production volume (1M patrones and 20M
puestos a month, the full-scale demo's latest months):
- one month from raw to the nominative and aggregate monthly indicators (`dbt run` of the IMSS models) in
  at most 3 minutes with peak memory under 8 GB;
- adding one month incrementally in at most half of a full rebuild's time per month.

Steps on one warehouse: land month 1, build; land month 2, build (incremental); land month 3, build
(incremental); then `--full-refresh` of the same three months. Loading is measured by bench_load.py and is
not part of these times. Needs a full-scale demo folder (bench_demo.py --keep writes bench_data/demo_full).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_measured  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]
MODELOS = ["+indicadores_nominativos", "+int_imss__indicadores"]  # nominative, monthly aggregates, moving averages


def _files_of_month(folder: Path, anio: int, mes: int) -> list[Path]:
    # IMSS names carry the month's last day as YYYYM31 or YYYYMM31 (PATRONES_STPS_2026631.tab, ..._20260731.gz)
    pattern = re.compile(rf"_{anio}(0?{mes})31\.")
    return sorted(p for p in folder.iterdir() if pattern.search(p.name))


def _link(src: Path, dst_root: Path, demo: Path) -> None:
    dst = dst_root / src.relative_to(demo)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists():
        os.link(src, dst)


def _cmd(*args: str, env: dict) -> None:
    out = subprocess.run(list(args), env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-2000:]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--input", type=Path, default=ROOT / "bench_data" / "demo_full")
    ap.add_argument("--trabajo", type=Path, default=ROOT / "bench_data" / "imss_incremental")
    ap.add_argument("--meses", default="2026-06,2026-07,2026-08", help="Three full-size months, in order.")
    args = ap.parse_args()
    meses = [tuple(int(x) for x in m.split("-")) for m in args.meses.split(",")]
    shutil.rmtree(args.trabajo, ignore_errors=True)
    entrada = args.trabajo / "insumos"
    db = args.trabajo / "imss.duckdb"
    env = dict(os.environ, SIDIL_DB=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    env.setdefault("SIDIL_PSEUDO_KEY", "clave-de-benchmark")
    bin_dir = Path(sys.executable).parent
    dbt = [str(bin_dir / "dbt"), "--no-use-colors"]
    opts = [
        "--profiles-dir",
        str(ROOT),
        "--project-dir",
        str(ROOT),
        "--target-path",
        str(args.trabajo / "target"),
        "--log-path",
        str(args.trabajo / "logs"),
    ]
    for p in sorted((args.input / "imss" / "riesgos").iterdir()):  # accident cuts: small, every year
        _link(p, entrada, args.input)
    resultados = {}
    for i, (anio, mes) in enumerate(meses, start=1):
        files = [f for sub in ("patrones", "puestos") for f in _files_of_month(args.input / "imss" / sub, anio, mes)]
        if len(files) != 2:
            raise SystemExit(f"{anio}-{mes:02d}: expected one patrones and one puestos file, found {files}")
        for f in files:
            _link(f, entrada, args.input)
        _cmd(str(bin_dir / "sidil"), "load", "--input", str(entrada), "--source", "imss", env=env)
        if i == 1:
            _cmd(*dbt, "seed", *opts, env=env)
        os.environ.update(SIDIL_DB=str(db))
        label = "imss_mes_1_desde_cero_full" if i == 1 else f"imss_mes_{i}_incremental_full"
        resultados[label] = run_measured(
            [*dbt, "run", "--select", *MODELOS, *opts],
            label,
            RESULTS,
            {
                "mes": f"{anio}-{mes:02d}",
                "meses_en_almacen": i,
                "target": "3 min and 8 GB for one month; incremental <= half of a full rebuild per month",
            },
        )
    n = len(meses)
    full = run_measured(
        [*dbt, "run", "--full-refresh", "--select", *MODELOS, *opts],
        f"imss_{n}_meses_full_refresh_full",
        RESULTS,
        {"meses_en_almacen": n},
    )
    por_mes = full["wall_seconds"] / n
    resumen = {
        "un_mes_desde_cero_s": resultados["imss_mes_1_desde_cero_full"]["wall_seconds"],
        "un_mes_desde_cero_pico_gib": resultados["imss_mes_1_desde_cero_full"]["peak_rss_gib"],
        "incrementales_s": {k: v["wall_seconds"] for k, v in resultados.items() if "incremental" in k},
        "reconstruccion_completa_s": full["wall_seconds"],
        "reconstruccion_por_mes_s": round(por_mes, 1),
        "incremental_sobre_reconstruccion_por_mes": {
            k: round(v["wall_seconds"] / por_mes, 2) for k, v in resultados.items() if "incremental" in k
        },
    }
    (RESULTS / "imss_incremental_resumen.json").write_text(json.dumps(resumen, indent=2) + "\n")
    print(json.dumps(resumen, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
