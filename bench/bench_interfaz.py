"""Benchmark of the consultation interface's server side (issue 10): on a synthetic MPR of production size
(617,000 CTs, following the `ml.mpr` contract), time every filter change as the app computes it (the
counts, the applied-filter lists, the preview, the analysis tab) and the export of 50,000 rows to CSV and
XLSX. Targets: each filter change at most 1 s at the server, the 50,000-row export at most 5 s.

    .venv/bin/python bench/bench_interfaz.py [--n 617000] [--out bench/results/interfaz.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sidil.interfaz import consultas, exportar  # noqa: E402
from sidil.interfaz.filtros import FiltroRango, FiltroValores, Seleccion, criterios  # noqa: E402
from sidil.interfaz.mpr import Matriz  # noqa: E402

SEEDS = ROOT / "seeds"
BOOLEANOS = (
    "tiene_registro_imss",
    "sustancias_peligrosas",
    "recipientes_sujetos_presion",
    "materiales_piroforicos",
    "maquinaria_peligrosa",
    "trabajos_altura",
    "espacios_confinados",
    "ct_prioritario",
)


def _seed(nombre: str) -> list[dict]:
    with open(SEEDS / nombre, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def mpr_sintetica(n: int, carpeta: Path, semilla: int = 1) -> Path:
    """Write mpr.parquet, mpr_diccionario.parquet and mpr_metadatos.json with `n` CTs drawn over the real
    municipality, SCIAN and size catalogs (random values; only the shape and the sizes matter here)."""
    carpeta.mkdir(parents=True, exist_ok=True)
    indicadores = _seed("indicadores.csv")
    submaterias = [s for s in _seed("submaterias_modelo.csv") if s["modelar"] == "sí"]
    con = duckdb.connect()
    con.execute(f"select setseed({(semilla % 1000) / 1000})")
    con.execute(
        "create table mun as select row_number() over () - 1 as i, cve_ent, nom_ent, cvegeo, nom_mun "
        "from read_csv(?, all_varchar = true)",
        [str(SEEDS / "inegi_municipios.csv")],
    )
    con.execute(
        "create table sub as select row_number() over () - 1 as i, s.codigo as sub, s.titulo as nom_sub, "
        "p.codigo as sec, p.titulo as nom_sec from read_csv(?, all_varchar = true) s "
        "join read_csv(?, all_varchar = true) p on p.codigo = s.codigo_padre and p.nivel = 'sector' "
        "where s.nivel = 'subsector'",
        [str(SEEDS / "scian2018.csv")] * 2,
    )
    con.execute(
        "create table tam as select cat_tamanio::integer as cat_tamanio, etiqueta from read_csv(?)",
        [str(SEEDS / "tamanios.csv")],
    )
    n_mun, n_sub = (con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("mun", "sub"))
    ind = ",\n".join(f"random() as ind_{r['indicador']}" for r in indicadores)
    pred = ",\n".join(f"pow(random(), 2) as pred_{s['submateria_id']}" for s in submaterias)
    booleanos = ",\n".join(f"random() < 0.3 as atrib_{b}" for b in BOOLEANOS)
    con.execute(f"""
        create table base as
        select range + 1 as centro_trabajo_id,
               (random() * {n_mun})::bigint % {n_mun} as i_mun,
               (random() * {n_sub})::bigint % {n_sub} as i_sub,
               case when random() < 0.05 then null else 1 + (random() * 6)::integer % 6 end as cat_tamanio,
               (random() * 500)::integer as atrib_num_trabajadores,
               1 + (random() * 5)::integer % 5 as atrib_clase_riesgo,
               {booleanos},
               {ind},
               {pred}
        from range({n})""")
    pred_cols = [f"pred_{s['submateria_id']}" for s in submaterias]
    con.execute(f"""
        create table mpr as
        select b.centro_trabajo_id, 'Centro de trabajo ' || b.centro_trabajo_id as nombre_ct,
               case when b.atrib_tiene_registro_imss then 'R' || lpad(b.centro_trabajo_id::varchar, 10, '0') end
                   as ct_imss_registro,
               m.cve_ent as geo2, m.nom_ent as nom_geo2, m.cvegeo as geo5, m.nom_mun as nom_geo5,
               s.sec as scian2018_2, s.nom_sec as nom_scian2018_2, s.sub as scian2018_3, s.nom_sub as nom_scian2018_3,
               b.cat_tamanio, t.etiqueta as nom_cat_tamanio,
               b.atrib_num_trabajadores, b.atrib_clase_riesgo,
               {", ".join(f"b.atrib_{x}" for x in BOOLEANOS)},
               {", ".join(f"b.ind_{r['indicador']}" for r in indicadores)},
               {", ".join(f"b.{p}" for p in pred_cols)},
               1 - ({" * ".join(f"(1 - b.{p})" for p in pred_cols)}) as riesgo
        from base b join mun m on m.i = b.i_mun join sub s on s.i = b.i_sub
        left join tam t on t.cat_tamanio = b.cat_tamanio
        order by b.centro_trabajo_id""")
    filas = [
        (c, "identificacion", c, "")
        for c in (
            "centro_trabajo_id",
            "nombre_ct",
            "ct_imss_registro",
            "geo2",
            "nom_geo2",
            "geo5",
            "nom_geo5",
            "scian2018_2",
            "nom_scian2018_2",
            "scian2018_3",
            "nom_scian2018_3",
            "cat_tamanio",
            "nom_cat_tamanio",
        )
    ]
    filas += [
        ("atrib_num_trabajadores", "atributo", "Número de trabajadores", ""),
        ("atrib_clase_riesgo", "atributo", "Clase de riesgo IMSS", ""),
    ]
    filas += [(f"atrib_{b}", "atributo", b.replace("_", " ").capitalize(), "") for b in BOOLEANOS]
    filas += [(f"ind_{r['indicador']}", "indicador", r["etiqueta"], r["descripcion_mpr"]) for r in indicadores]
    filas += [
        (f"pred_{s['submateria_id']}", "prediccion", s["nota"], "Probabilidad de infracción") for s in submaterias
    ]
    filas.append(("riesgo", "riesgo", "Riesgo general", "Probabilidad de infracción en alguna submateria"))
    con.execute("create table dicc (columna varchar, grupo varchar, etiqueta varchar, descripcion varchar)")
    con.executemany("insert into dicc values (?, ?, ?, ?)", filas)
    con.execute(f"copy mpr to '{carpeta / 'mpr.parquet'}' (format parquet)")
    con.execute(f"copy dicc to '{carpeta / 'mpr_diccionario.parquet'}' (format parquet)")
    (carpeta / "mpr_metadatos.json").write_text(
        json.dumps(
            {
                "run_id": "sintetica",
                "familia": "sintetica",
                "generado_en": datetime.now().isoformat(timespec="seconds"),
                "n_centros": n,
            }
        ),
        encoding="utf-8",
    )
    con.close()
    return carpeta


def cambio_de_filtro(m: Matriz, sel: Seleccion) -> dict:
    """What the app recomputes after one filter change, timed as a whole and by part."""
    partes = {}
    t0 = time.perf_counter()
    for nombre, f in (
        ("conteo", consultas.conteo),
        ("conteo_filtrados", consultas.conteo_filtrados),
        ("vista_previa", consultas.vista_previa),
        ("por_estado", consultas.por_estado),
        ("por_tamanio", consultas.por_tamanio),
        ("estadisticas", consultas.estadisticas),
    ):
        t = time.perf_counter()
        f(m, sel)
        partes[nombre] = round(time.perf_counter() - t, 4)
    criterios(m, sel, lambda c, v: consultas.etiqueta_valor(m, c, v))
    if sel.predictor:  # choosing a predictor in the list: its distribution and histogram, uncached
        consultas._distribucion.cache_clear()
        consultas._histograma.cache_clear()
        t = time.perf_counter()
        consultas.distribucion(m, sel.predictor.columna)
        consultas.histograma(m, sel.predictor.columna)
        partes["distribucion_e_histograma"] = round(time.perf_counter() - t, 4)
    return {"total_s": round(time.perf_counter() - t0, 4), "partes_s": partes}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=617_000)
    p.add_argument("--exportar", type=int, default=50_000)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "interfaz.json")
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-interfaz-") as d:
        d = Path(d)
        t = time.perf_counter()
        mpr_sintetica(a.n, d / "mpr")
        t_generar = time.perf_counter() - t
        t = time.perf_counter()
        m = Matriz(d / "mpr")
        t_cargar = time.perf_counter() - t
        memoria_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        d_pred = consultas.distribucion(m, "pred_201")
        pasos = [
            (
                "predictor pred_201 de la mediana al máximo",
                Seleccion(predictor=FiltroRango("pred_201", d_pred.mediana, d_pred.maximo)),
            ),
        ]
        sel = pasos[-1][1]
        for nombre, ind in (
            ("indicador ind_presta_soc >= 0.21", "ind_presta_soc"),
            ("indicador ind_seg_soc >= 0.3", "ind_seg_soc"),
        ):
            sel = sel.con_indicador(FiltroRango(ind, 0.21 if ind == "ind_presta_soc" else 0.3, 1.0))
            pasos.append((nombre, sel))
        sel = sel.con_atributo(FiltroValores("atrib_ct_prioritario", (True,)))
        pasos.append(("atributo ct_prioritario = sí", sel))
        estados = [v for v, _ in consultas.opciones(m, "geo2")][:8]
        sel = sel.con_atributo(FiltroValores("geo2", tuple(estados)))
        pasos.append(("atributo 8 estados", sel))
        sel = sel.con_atributo(FiltroValores("cat_tamanio", (1, 2, None)))
        pasos.append(("atributo tamaño 1, 2 o sin dato", sel))
        from dataclasses import replace

        pasos.append(("selección aleatoria de 500 con semilla 42", replace(sel, muestra=500, semilla=42)))
        pasos.append(("sin filtros (matriz completa)", Seleccion()))
        resultados = []
        for nombre, s in pasos:
            consultas._distribucion.cache_clear()
            r = {"paso": nombre, **cambio_de_filtro(m, s), "centros": consultas.conteo(m, s)}
            resultados.append(r)
            print(f"{nombre}: {r['total_s']:.3f} s ({r['centros']:,} centros)")
        # Export: the 50,000 riskiest CTs of pred_201 (a range that keeps about that many).
        umbral = (
            m.cursor()
            .execute(
                "select min(pred_201) from (select pred_201 from mpr order by pred_201 desc limit ?)", [a.exportar]
            )
            .fetchone()[0]
        )
        sel_exp = Seleccion(predictor=FiltroRango("pred_201", umbral, 1.0))
        n_exp = consultas.conteo(m, sel_exp)
        exportes = {}
        for ext, f in (("csv", exportar.exportar_csv), ("xlsx", exportar.exportar_xlsx)):
            ruta = d / exportar.nombre_archivo(ext)
            t = time.perf_counter()
            f(m, sel_exp, ruta)
            exportes[ext] = {"s": round(time.perf_counter() - t, 3), "filas": n_exp, "bytes": ruta.stat().st_size}
            print(f"exportar {n_exp:,} filas a {ext}: {exportes[ext]['s']:.2f} s")
    resultado = {
        "benchmark": "interfaz",
        "fecha": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "maquina": {
            "procesador": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
        },
        "n_centros": a.n,
        "columnas": len(m.columnas),
        "generar_mpr_s": round(t_generar, 2),
        "cargar_mpr_s": round(t_cargar, 2),
        "memoria_pico_tras_cargar_mb": round(memoria_mb),
        "cambios_de_filtro": resultados,
        "cambio_de_filtro_max_s": max(r["total_s"] for r in resultados),
        "exportar": exportes,
        "objetivos": {"cambio_de_filtro_s": 1.0, "exportar_50000_s": 5.0},
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(resultado, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"resultados en {a.out}")


if __name__ == "__main__":
    main()
