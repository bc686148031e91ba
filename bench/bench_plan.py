"""Benchmark of the inspection plan at full scale: 617,000 workplaces in 32 offices, 5 rules (two coverage
minimums, a maximum per municipality, priority workplaces, a 10 % exploration share) plus exclusions.

The MPR is synthetic (the full demo warehouse takes hours to build): office sizes, municipalities, sectors and
size classes skewed like the DNE, ten calibrated-probability columns. Measured: the solve alone, and the solve
plus the summary (random and top-k baselines, and each rule's cost, which re-solves the plan once per rule),
as wall time and peak resident memory of the process.

    .venv/bin/python bench/bench_plan.py            # writes bench/results/plan_full.json
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N = 617_000
SUBMATERIAS = range(201, 211)


def mpr_sintetica(n: int = N, semilla: int = 19) -> pd.DataFrame:
    rng = np.random.default_rng(semilla)
    peso_oficina = rng.pareto(1.2, 32) + 1
    oficina = rng.choice(32, n, p=peso_oficina / peso_oficina.sum()) + 1
    munis_por_oficina = rng.integers(10, 150, 33)  # ~2,500 municipalities, like INEGI's frame
    muni = (rng.pareto(1.0, n) * 3).astype(int) % munis_por_oficina[oficina] + 1
    sector = rng.choice(
        ["31", "43", "46", "48", "54", "56", "62", "72", "81", "23"],
        n,
        p=[0.14, 0.08, 0.30, 0.05, 0.06, 0.07, 0.05, 0.12, 0.09, 0.04],
    )
    tamanio = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.55, 0.12, 0.18, 0.07, 0.05, 0.03])
    calidad = rng.normal(0, 1, n)
    df = pd.DataFrame(
        {
            "centro_trabajo_id": np.arange(100_001, 100_001 + n, dtype=np.int64),
            "geo2": pd.Series(oficina).map("{:02d}".format),
            "geo5": pd.Series(oficina).map("{:02d}".format) + pd.Series(muni).map("{:03d}".format),
            "scian2018_2": sector,
            "cat_tamanio": tamanio,
        }
    )
    preds = {}
    for s in SUBMATERIAS:
        z = -1.5 + 0.8 * calidad + 0.15 * (tamanio - 3) + rng.normal(0, 0.7, n)
        preds[f"pred_{s}"] = 1 / (1 + np.exp(-z))
    df = df.assign(**preds)
    df["riesgo"] = 1 - np.prod([1 - preds[c] for c in preds], axis=0)
    return df


def main() -> None:
    import resource

    from ml.plan import evaluar
    from ml.plan.optimizar import planear
    from ml.plan.reglas import ReglaCobertura, Reglas

    mpr = mpr_sintetica()
    rng = np.random.default_rng(7)
    excluidos = rng.choice(mpr["centro_trabajo_id"].to_numpy(), 30_000, replace=False)  # inspected recently
    capacidad = {f"{o:02d}": int(c) for o, c in zip(range(1, 33), rng.integers(300, 1200, 32))}
    prioritarios = frozenset(rng.choice(mpr["centro_trabajo_id"].to_numpy(), 320, replace=False).tolist())
    reglas = Reglas(
        capacidad=capacidad,
        pesos={f"pred_{s}": 1.0 for s in SUBMATERIAS},
        cobertura=(ReglaCobertura("scian2018_2", "31", 0.2), ReglaCobertura("cat_tamanio", "1", 0.15)),
        max_por_municipio=40,
        prioritarios=prioritarios,
        exploracion=0.1,
        semilla=1,
        periodo="2027-T1",
    )
    t0 = time.perf_counter()
    plan = planear(mpr, reglas, excluidos)
    t_plan = time.perf_counter() - t0
    t1 = time.perf_counter()
    resumen = evaluar.resumen(mpr, plan, reglas, excluidos)
    t_resumen = time.perf_counter() - t1
    pico = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    out = {
        "benchmark": "plan_full",
        "centros": len(mpr),
        "oficinas": len(capacidad),
        "reglas": [
            "cobertura sector 31 20 %",
            "cobertura tamaño 1 15 %",
            "máximo 40 por municipio",
            "320 prioritarios",
            "exploración 10 %",
            "30,000 excluidos",
        ],
        "inspecciones": len(plan.elegidos),
        "segundos_plan": round(t_plan, 2),
        "segundos_resumen_y_costos": round(t_resumen, 2),
        "segundos_total": round(t_plan + t_resumen, 2),
        "pico_rss_gib": round(pico, 2),
        "infracciones_esperadas": {k: round(v["infracciones_esperadas"], 1) for k, v in resumen["planes"].items()},
        "reglas_costo": resumen["reglas"],
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "plan_full.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
