"""`make bench`: the monthly and quarterly refresh (issue 17), as the scheduler runs it.

From a demo folder (full scale in `make bench`), with the latest IMSS month (patrones and puestos) and the
latest ENOE quarter (SDEM, COE1, COE2) held back:
1. first run from an empty warehouse without training (`sidil run --pasos load,build`), then `sidil train`
   and `sidil predict` (measured, not part of the refresh targets);
2. the IMSS month arrives: `sidil run` (the scheduler's command: load, build, predict, docs);
3. nothing new: `sidil load` alone, then `sidil run`;
4. the ENOE quarter arrives: `sidil run`.
Each command's wall time and the peak resident memory of its whole process tree go to
bench/results/refresco_<etiqueta>_<paso>.json, the per-step times from raw.bitacora and the summary against the
targets to bench/results/refresco_<etiqueta>.json. The input folder is mirrored with hard links (no copy).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from measure import run_measured_tree  # noqa: E402

from loaders.catalog import recognise  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
METAS = {  # issue 17's targets, seconds and GiB
    "primera_sin_entrenar": 15 * 60,
    "mes_imss": 5 * 60,
    "trimestre_enoe": 5 * 60,
    "sin_cambios": 30,
    "sin_cambios_carga": 15,
}
MEMORIA_META_GIB = 6.0


def retenidos(entrada: Path) -> dict[str, list[Path]]:
    """The files held back: the latest IMSS month with both patrones and puestos, the latest ENOE quarter."""
    imss: dict[tuple[int, int], list[Path]] = {}
    enoe: dict[str, list[Path]] = {}
    for p in sorted(entrada.rglob("*")):
        rec = recognise(p, entrada) if p.is_file() and "truth" not in p.parts else None
        if rec is None:
            continue
        if rec.fuente == "imss" and rec.entidad in ("patrones", "puestos"):
            imss.setdefault((rec.anio, rec.mes_o_trimestre), []).append(p)
        elif rec.fuente == "enoe":
            enoe.setdefault(rec.periodo, []).append(p)
    mes = max(k for k, v in imss.items() if len(v) == 2)
    return {"imss": imss[mes], "enoe": enoe[max(enoe)]}


def espejo(entrada: Path, destino: Path, fuera: set[Path]) -> None:
    """Hard links of every input file except those held back (same file system: no copy)."""
    for p in entrada.rglob("*"):
        if p.is_file() and p not in fuera:
            q = destino / p.relative_to(entrada)
            q.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, q)


def pasos_bitacora(db: Path, desde: datetime) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        filas = con.execute(
            "select proceso, resultado, round(epoch(fin) - epoch(inicio), 1), mensaje from raw.bitacora "
            "where inicio >= ? order by inicio",
            [desde],
        ).fetchall()
    finally:
        con.close()
    return [{"paso": p, "resultado": r, "segundos": s, "mensaje": (m or "")[:200]} for p, r, s, m in filas]


def modelos_mas_lentos(tiempos: Path, desde: datetime, cuantos: int = 15) -> list[dict]:
    """The step's slowest dbt nodes, when the step built (the build's tiempos_construccion.json is newer than
    the step's start)."""
    if not tiempos.exists() or datetime.fromtimestamp(tiempos.stat().st_mtime) < desde:
        return []
    segundos = json.loads(tiempos.read_text())
    return [{"nodo": n, "segundos": s} for n, s in list(segundos.items())[:cuantos]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--input", type=Path, required=True, help="carpeta de insumos de la demo")
    ap.add_argument("--trabajo", type=Path, default=Path("bench_data/refresco"))
    ap.add_argument("--etiqueta", default="full")
    ap.add_argument(
        "--hasta",
        choices=["primera_sin_entrenar", "entrenamiento"],
        help="detenerse tras ese paso (para volver a medir la primera ejecución y el entrenamiento)",
    )
    args = ap.parse_args()
    entrada = args.input.resolve()
    trabajo = args.trabajo.resolve()
    if trabajo.exists():
        shutil.rmtree(trabajo)
    insumos = trabajo / "insumos"
    guardados = retenidos(entrada)
    espejo(entrada, insumos, {p for ps in guardados.values() for p in ps})
    db = trabajo / "sidil.duckdb"
    env = dict(
        os.environ,
        SIDIL_DB=str(db),
        DBT_TARGET_PATH=str(trabajo / "target"),
        SIDIL_MODELOS=str(trabajo / "models_store"),
        SIDIL_SALIDAS=str(trabajo / "salidas"),
        SIDIL_CATALOGOS=str(trabajo / "catalogos"),
        SIDIL_PSEUDO_KEY=os.environ.get("SIDIL_PSEUDO_KEY", "clave-de-benchmark-no-real"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    sidil = str(Path(sys.executable).with_name("sidil"))
    resumen: dict = {
        "benchmark": f"refresco_{args.etiqueta}",
        "entrada": str(entrada),
        "retenidos": {k: [p.name for p in v] for k, v in guardados.items()},
        "pasos": {},
    }

    def medir(nombre: str, *cmd: str) -> dict:
        desde = datetime.now()
        r = run_measured_tree([sidil, *cmd], f"refresco_{args.etiqueta}_{nombre}", RESULTS, env=env)
        r["pasos_bitacora"] = pasos_bitacora(db, desde) if db.exists() else []
        r["modelos_mas_lentos"] = modelos_mas_lentos(
            db.parent / "estado_dbt" / db.stem / "tiempos_construccion.json", desde
        )
        resumen["pasos"][nombre] = r
        if r["returncode"] != 0:
            raise SystemExit(f"{nombre}: el comando terminó con código {r['returncode']}")
        return r

    def agregar(clave: str) -> None:
        for p in guardados[clave]:
            q = insumos / p.relative_to(entrada)
            q.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, q)

    medir("primera_sin_entrenar", "run", "--input", str(insumos), "--pasos", "load,build")
    if args.hasta != "primera_sin_entrenar":
        medir("entrenamiento", "train")
    if args.hasta is None:
        medir("prediccion_inicial", "predict")
        agregar("imss")
        medir("mes_imss", "run", "--input", str(insumos))
        medir("sin_cambios_carga", "load", "--input", str(insumos))
        medir("sin_cambios", "run", "--input", str(insumos))
        agregar("enoe")
        medir("trimestre_enoe", "run", "--input", str(insumos))

    tabla = []
    for nombre, r in resumen["pasos"].items():
        meta = METAS.get(nombre)
        tabla.append(
            {
                "escenario": nombre,
                "segundos": r["wall_seconds"],
                "meta_segundos": meta,
                "cumple_tiempo": None if meta is None else r["wall_seconds"] <= meta,
                "pico_arbol_gib": r["peak_tree_rss_gib"],
                "cumple_memoria": r["peak_tree_rss_gib"] <= MEMORIA_META_GIB,
            }
        )
    resumen["tabla"] = tabla
    (RESULTS / f"refresco_{args.etiqueta}.json").write_text(json.dumps(resumen, indent=2, ensure_ascii=False) + "\n")
    print(f"{'escenario':24} {'s':>8} {'meta':>6} {'GiB':>6}")
    for fila in tabla:
        print(
            f"{fila['escenario']:24} {fila['segundos']:>8} {fila['meta_segundos'] or '-':>6} {fila['pico_arbol_gib']:>6}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
