"""Full-scale benchmark of the IMSS dbt models (issue 5 targets, 2-core machine): one IMSS month
(1M patrones, 20M puestos) from raw to nominative and aggregate monthly indicators in at most 3 minutes
with peak memory under 8 GB; adding one month incrementally versus a full rebuild.

Not a pytest test (it needs a full demo, ~10 GB): `python tests/imss/bench_imss_full.py DEMO_FULL WORKDIR`.
Steps: land July 2026 (+ the 2026 riesgos cuts) and build; land August and build incrementally (turnover needs
July); land September and build incrementally; then rebuild the three months with --full-refresh.
Each dbt step runs the IMSS staging, intermediate and mart models with their data tests.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from measure import run_measured  # noqa: E402

SELECT = ["path:models/staging/imss", "path:models/intermediate/imss", "path:models/marts/imss"]
MESES = {"2026-07": "2026731", "2026-08": "2026831", "2026-09": "2026931"}


def month_folder(demo: Path, work: Path, mes: str, digits: str, riesgos: bool) -> Path:
    out = work / f"in_{mes}"
    for sub in ("patrones", "puestos"):
        (out / "imss" / sub).mkdir(parents=True, exist_ok=True)
        for f in (demo / "imss" / sub).iterdir():
            if f"_{digits}." in f.name or f"_{digits[:4]}0{digits[4:]}." in f.name:
                os.link(f, out / "imss" / sub / f.name)
    if riesgos:
        (out / "imss" / "riesgos").mkdir(parents=True, exist_ok=True)
        for f in (demo / "imss" / "riesgos").iterdir():
            if "2026" in f.name:  # the 2026 cuts only (the loader keeps the latest)
                os.link(f, out / "imss" / "riesgos" / f.name)
    return out


def main(demo: Path, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    results = work / "results"
    db = work / "bench.duckdb"
    os.environ["SIDIL_DB"] = str(db)
    os.environ.setdefault("SIDIL_PSEUDO_KEY", "clave-de-benchmark")
    bin_ = Path(sys.executable).parent
    dbt = [str(bin_ / "dbt"), "--no-use-colors"]
    common = ["--profiles-dir", str(ROOT), "--project-dir", str(ROOT), "--target-path", str(work / "target"),
              "--log-path", str(work / "logs"), "--indirect-selection", "cautious"]
    os.chdir(ROOT)
    run_measured(dbt + ["seed"] + common, "imss_seed", results)
    summary = {}
    for i, (mes, digits) in enumerate(MESES.items()):
        folder = month_folder(demo, work, mes, digits, riesgos=(i == 0))
        load = run_measured([str(bin_ / "sidil"), "load", "--input", str(folder), "--source", "imss"],
                            f"imss_load_{mes}", results)
        build = run_measured(dbt + ["build", "--select", *SELECT] + common, f"imss_dbt_{mes}", results)
        summary[mes] = {"load_s": load["wall_seconds"], "dbt_s": build["wall_seconds"],
                        "dbt_peak_gib": build["peak_rss_gib"], "dbt_rc": build["returncode"]}
    full = run_measured(dbt + ["build", "--full-refresh", "--select", *SELECT] + common,
                        "imss_dbt_full_refresh_3_meses", results)
    summary["full_refresh_3_meses"] = {"dbt_s": full["wall_seconds"], "dbt_peak_gib": full["peak_rss_gib"],
                                       "dbt_rc": full["returncode"]}
    (results / "imss_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
