"""The project's survey estimator side by side with R's `survey` package (issue 17): one ENOE quarter, the
ENOE indicators on the 12 aggregation levels with Taylor-linearised CVs, by int_enoe__indicadores (SQL)
and by `svyby` over a `svydesign(ids=~upm, strata=~estrato, weights=~peso, nest=TRUE)` design (R), on
the same data; every estimate and CV must agree to 1e-9 (relative), else the benchmark fails (exit 1).
Where the two CVs differ, the domain's CV is recomputed in exact rational arithmetic: R's delta method
loses digits on domains whose variance is 0 or tiny (one woman and one man, identical values), and
those are counted as R's rounding, not as mismatches, only when the SQL matches the exact value.

Steps, in a work folder of their own (--trabajo): land only that quarter's ENOE files in a scratch
warehouse (`sidil load --source enoe`), time `dbt build --select +int_enoe__indicadores` restricted to
the quarter, export the survey universe and the design to CSV, time bench/encuesta_r.R, compare, and
write bench/results/encuesta_r_vs_sql_<escala>.json. Needs Rscript with the survey package
(`make rsurvey`). R takes minutes per indicator at full scale: --indicadores restricts R (the SQL model
always computes all of them; the comparison covers the indicators R computed).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import duckdb
import pandas as pd

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))
from measure import run_measured  # noqa: E402

from loaders.run import discover  # noqa: E402
from loaders.sql import ident  # noqa: E402

REL = 1e-9
DIMENSIONES = ["geo2", "scian2018_2", "scian2018_3", "cat_tamanio"]
# Sectors the SQL copies after estimating ('31' -> '32', '33'; '48' -> '49') on levels without subsector.
COPIAS = {"32", "33", "49"}


def catalogo_enoe(proyecto: Path) -> dict[str, str]:
    """ENOE indicator code -> tipo_estimador, from the indicator catalog seed (catalog order)."""
    with open(proyecto / "seeds" / "indicadores.csv", encoding="utf-8", newline="") as f:
        return {r["indicador"]: r["tipo_estimador"] for r in csv.DictReader(f) if r["fuente"] == "enoe"}


def enlazar_trimestre(entrada: Path, destino: Path | None, periodo: str | None) -> tuple[str, list[str]]:
    """Hard links (copies across devices) to the ENOE files of one quarter, the latest by default; with
    no destination, only which quarter and files."""
    recs = discover(entrada, {"enoe"})[0]
    periodos = sorted({r.periodo for r in recs})
    if not periodos:
        raise SystemExit(f"No hay archivos ENOE en {entrada}")
    periodo = periodo or periodos[-1]
    elegidos = [r for r in recs if r.periodo == periodo]
    if not elegidos:
        raise SystemExit(f"No hay archivos ENOE del trimestre {periodo} en {entrada}")
    for r in elegidos if destino else []:
        rel = r.path.relative_to(entrada)
        (destino / rel).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(r.path, destino / rel)
        except OSError:
            shutil.copy2(r.path, destino / rel)
    return periodo, sorted(str(r.path.relative_to(entrada)) for r in elegidos)


def exportar(db: Path, periodo: str, medias: list[str], personas: Path, niveles: Path) -> dict:
    """The R inputs: the universe of the quarter (design, dimensions, recoded variables) plus one
    placeholder row per PSU of the full-sample design without universe persons (it only completes its
    stratum's PSU count, as int_enoe__diseno_muestral does for the SQL); and the ENOE levels."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        valores = ", ".join(f"cast(u.{ident(m)} as double) as {ident(m)}" for m in medias)
        vacios = ", ".join(f"cast(null as double) as {ident(m)}" for m in medias)
        consulta = f"""
            select 1 as en_universo, u.estrato, u.upm, u.peso, cast(u.poblacion_objetivo as integer)
                as poblacion_objetivo, u.geo2, u.scian2018_2, u.scian2018_3, u.cat_tamanio, u.sexo, {valores},
                cast(u.ing_x_mes as double) as ingreso_brecha,
            from intermediate.int_enoe__universo as u
            where u.periodo = $periodo and u.estrato is not null and u.upm is not null and u.peso is not null
            union all
            select 0, d.estrato, d.upm, 1.0, 0, null, null, null, null, null, {vacios}, null,
            from intermediate.int_enoe__diseno_muestral as d
            where d.periodo = $periodo
                and not exists (
                    select 1 from intermediate.int_enoe__universo as u
                    where u.periodo = d.periodo and u.estrato = d.estrato and u.upm = d.upm and u.peso is not null
                )
        """
        df = con.execute(consulta, {"periodo": periodo}).df()
        df.to_csv(personas, index=False)
        sin_diseno = con.execute(
            "select count(*) from intermediate.int_enoe__universo where periodo = ? "
            "and (estrato is null or upm is null or peso is null)",
            [periodo],
        ).fetchone()[0]
        con.execute(
            "select agregacion, usa_geo2, usa_scian2, usa_scian3, usa_tamanio from staging.niveles_agregacion "
            "where aplica_enoe = 1 order by agregacion_numerica"
        ).df().to_csv(niveles, index=False)
        banderas = con.execute(
            "select agregacion, usa_geo2, usa_scian2, usa_scian3, usa_tamanio from staging.niveles_agregacion "
            "where aplica_enoe = 1"
        ).fetchall()
        sql = con.execute(
            "select indicador, agregacion, geo2, scian2018_2, scian2018_3, cat_tamanio, valor, cv "
            "from intermediate.int_enoe__indicadores where periodo = ?",
            [periodo],
        ).fetchall()
    finally:
        con.close()
    return {
        "personas": int((df["en_universo"] == 1).sum()),
        "upm_sin_universo": int((df["en_universo"] == 0).sum()),
        "personas_sin_diseno": int(sin_diseno),
        "niveles": {f[0]: [d for d, usa in zip(DIMENSIONES, f[1:]) if usa == 1] for f in banderas},
        "sql": sql,
    }


def _llave(indicador, agregacion, geo2, scian2, scian3, tam) -> tuple:
    def texto(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v)

    return (indicador, agregacion, texto(geo2), texto(scian2), texto(scian3), None if texto(tam) is None else int(tam))


def _num(v) -> float | None:
    if v is None or v == "" or v == "NA":
        return None
    x = float(v)
    return None if math.isnan(x) else x


def cv_exacto(personas: pd.DataFrame, n_upm: pd.Series, dims: list[str], llave: tuple, tipo: str) -> float:
    """The CV of one domain in exact rational arithmetic (DOMAIN.md section 4's formula, every PSU of
    each stratum, zeros for those without domain persons), to settle a CV on which R and the SQL differ
    only by rounding (variances that are 0 or tiny next to the totals' variances)."""
    indicador, _agregacion, *valores = llave
    columna = indicador if tipo == "media" else "ingreso_brecha"
    m = (personas["en_universo"] == 1) & (personas["poblacion_objetivo"] == 1) & personas[columna].notna()
    if tipo != "media":
        m &= personas["sexo"].isin([1, 2])
    for d, v in zip(DIMENSIONES, valores):
        if d in dims:
            m &= personas[d] == v
    d = personas[m]
    w = [Fraction(x) for x in d["peso"]]
    y = [Fraction(x) for x in d[columna]]
    if tipo == "media":
        total = sum(w)
        estimacion = sum(wi * yi for wi, yi in zip(w, y)) / total
        z = [wi * (yi - estimacion) / total for wi, yi in zip(w, y)]
    else:
        mujer, hombre = (d["sexo"] == 2).tolist(), (d["sexo"] == 1).tolist()
        yw = sum(wi * yi for wi, yi, s in zip(w, y, mujer) if s)
        ym = sum(wi * yi for wi, yi, s in zip(w, y, hombre) if s)
        rw = yw / sum(wi for wi, s in zip(w, mujer) if s)
        rm = ym / sum(wi for wi, s in zip(w, hombre) if s)
        estimacion = rw / rm
        z = [estimacion * (wi * (yi - rw) / yw if s else -wi * (yi - rm) / ym) for wi, yi, s in zip(w, y, mujer)]
    por_upm: dict[tuple, Fraction] = {}
    for zi, h, i in zip(z, d["estrato"], d["upm"]):
        por_upm[(h, i)] = por_upm.get((h, i), Fraction(0)) + zi
    s1: dict[str, Fraction] = {}
    s2: dict[str, Fraction] = {}
    for (h, _), t in por_upm.items():
        s1[h] = s1.get(h, Fraction(0)) + t
        s2[h] = s2.get(h, Fraction(0)) + t * t
    varianza = Fraction(0)
    for h in s1:
        n = int(n_upm[h])
        # Lonely strata: centred on the grand mean of the PSU totals, exactly 0 for a linearised ratio.
        varianza += Fraction(n, n - 1) * (s2[h] - s1[h] * s1[h] / n) if n > 1 else s2[h]
    return 100 * math.sqrt(varianza) / abs(float(estimacion))


def _cerca(a: float, b: float) -> bool:
    # Relative tolerance; CVs below 1e-12 percentage points are zero at double precision.
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), 1e-12)


def comparar(
    sql_filas: list[tuple], r_csv: Path, personas_csv: Path, niveles: dict[str, list[str]], tipos: dict[str, str]
) -> dict:
    """Every (indicator, level, domain) of R against the SQL mart. Expected differences, counted apart:
    means of exactly 0 or 1 (dropped by the SQL), domains without an estimate in R (NaN: e.g. no men),
    CVs the SQL leaves NULL (domain inside one PSU), and the SQL's copies of sectors 31 and 48. A CV on
    which the two differ is recomputed exactly (cv_exacto): the side that misses it by more than 1e-9
    is the imprecise one; when it is the SQL, that is a mismatch."""
    r = {}
    with open(r_csv, encoding="utf-8", newline="") as f:
        for fila in csv.DictReader(f):
            llave = _llave(*(fila[c] for c in ["indicador", "agregacion", *DIMENSIONES]))
            r[llave] = (_num(fila["valor"]), _num(fila["cv"]))
    indicadores = {llave[0] for llave in r}
    sql = {}
    copias = 0
    for ind, agr, geo2, s2, s3, tam, valor, cv in sql_filas:
        if ind not in indicadores:
            continue
        if s3 is None and s2 in COPIAS:
            copias += 1
            continue
        sql[_llave(ind, agr, geo2, s2, s3, tam)] = (valor, cv)
    res = {
        "dominios_r": len(r),
        "dominios_sql": len(sql),
        "copias_sectores_sql": copias,
        "comparados_valor": 0,
        "comparados_cv": 0,
        "cv_nulo_sql_una_upm": 0,
        "medias_0_o_1_descartadas": 0,
        "sin_estimacion_r": 0,
        "max_dif_rel_valor": 0.0,
        "max_dif_abs_valor": 0.0,
        "max_dif_rel_cv": 0.0,
        "max_dif_abs_cv": 0.0,
        "cv_distintos_resueltos_exactos": 0,
        "cv_r_impreciso": 0,
        "max_dif_rel_cv_r_vs_exacto": 0.0,
        "max_dif_abs_cv_r_vs_exacto": 0.0,
        "max_dif_abs_cv_sql_vs_exacto": 0.0,
    }
    discrepancias, dudosos = [], []

    def medir(a: float, b: float, campo: str) -> None:
        dif = abs(a - b)
        res[f"max_dif_abs_{campo}"] = max(res[f"max_dif_abs_{campo}"], dif)
        if max(abs(a), abs(b)) > 1e-12:  # below, both are zero (see _cerca)
            res[f"max_dif_rel_{campo}"] = max(res[f"max_dif_rel_{campo}"], dif / max(abs(a), abs(b)))

    for llave, (rv, rcv) in r.items():
        if llave not in sql:
            if rv is None:
                res["sin_estimacion_r"] += 1
            elif tipos[llave[0]] == "media" and min(abs(rv), abs(rv - 1)) <= REL:
                res["medias_0_o_1_descartadas"] += 1
            else:
                discrepancias.append({"dominio": llave, "r": [rv, rcv], "sql": None})
            continue
        sv, scv = sql[llave]
        res["comparados_valor"] += 1
        if rv is None or not _cerca(rv, sv):
            discrepancias.append({"dominio": llave, "r": [rv, rcv], "sql": [sv, scv]})
            continue
        medir(rv, sv, "valor")
        if scv is None:
            res["cv_nulo_sql_una_upm"] += 1
            continue
        res["comparados_cv"] += 1
        if rcv is not None and _cerca(rcv, scv):
            medir(rcv, scv, "cv")
        else:
            dudosos.append(llave)
    for llave in sql.keys() - r.keys():
        discrepancias.append({"dominio": llave, "r": None, "sql": list(sql[llave])})

    if dudosos:
        texto = {c: "string" for c in ["estrato", "upm", "geo2", "scian2018_2", "scian2018_3"]}
        personas = pd.read_csv(personas_csv, dtype=texto, keep_default_na=False, na_values=[""])
        n_upm = personas.groupby("estrato")["upm"].nunique()
        for llave in dudosos:
            rcv, scv = r[llave][1], sql[llave][1]
            exacto = cv_exacto(personas, n_upm, niveles[llave[1]], llave, tipos[llave[0]])
            res["cv_distintos_resueltos_exactos"] += 1
            res["max_dif_abs_cv_sql_vs_exacto"] = max(res["max_dif_abs_cv_sql_vs_exacto"], abs(scv - exacto))
            if not _cerca(scv, exacto):
                discrepancias.append({"dominio": llave, "r": r[llave], "sql": sql[llave], "cv_exacto": exacto})
                continue
            res["cv_r_impreciso"] += 1
            if rcv is not None:
                dif = abs(rcv - exacto)
                res["max_dif_abs_cv_r_vs_exacto"] = max(res["max_dif_abs_cv_r_vs_exacto"], dif)
                if exacto:
                    res["max_dif_rel_cv_r_vs_exacto"] = max(res["max_dif_rel_cv_r_vs_exacto"], dif / exacto)
        res["cv_r_nan_con_cv_exacto_0"] = sum(1 for llave in dudosos if r[llave][1] is None)
    res["discrepancias"] = len(discrepancias)
    res["ejemplos_discrepancias"] = discrepancias[:10]
    return res


def version_r() -> dict:
    salida = subprocess.run(
        ["Rscript", "-e", 'cat(R.version$major, R.version$minor, as.character(packageVersion("survey")))'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {"r": f"{salida[0]}.{salida[1]}", "survey": salida[2]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", type=Path, default=Path("bench_data/demo_full"), help="carpeta de una demo")
    ap.add_argument("--periodo", help="trimestre ENOE (p. ej. 2026T3); por omisión el más reciente")
    ap.add_argument("--indicadores", help="indicadores que calcula R, separados por comas (por omisión todos)")
    ap.add_argument("--trabajo", type=Path, help="carpeta de trabajo (por omisión <input>/../encuesta_r)")
    ap.add_argument("--proyecto", type=Path, default=ROOT, help="proyecto dbt (por omisión este repositorio)")
    ap.add_argument(
        "--solo-comparar",
        action="store_true",
        help="no cargar ni calcular: comparar de nuevo lo que dejó una corrida anterior en --trabajo",
    )
    ap.add_argument("--escala", help="etiqueta del resultado (por omisión, la del nombre demo_<escala>)")
    args = ap.parse_args()

    if shutil.which("Rscript") is None:
        print("Falta Rscript con el paquete survey: ejecute `make rsurvey`.", file=sys.stderr)
        return 1
    entrada = args.input.resolve()
    tipos = catalogo_enoe(args.proyecto)
    indicadores = args.indicadores.split(",") if args.indicadores else list(tipos)
    desconocidos = [i for i in indicadores if i not in tipos]
    if desconocidos:
        print(f"Indicadores desconocidos: {', '.join(desconocidos)}", file=sys.stderr)
        return 1
    escala = args.escala or (entrada.name.split("demo_", 1)[1] if "demo_" in entrada.name else entrada.name)
    trabajo = (args.trabajo or entrada.parent / "encuesta_r").resolve()
    insumos, db, target = trabajo / "insumos", trabajo / "sidil.duckdb", trabajo / "target"
    medidas = trabajo / "medidas"
    if args.solo_comparar:
        periodo, archivos = enlazar_trimestre(insumos, None, args.periodo)
    else:
        for viejo in (insumos, target, medidas):
            shutil.rmtree(viejo, ignore_errors=True)
        db.unlink(missing_ok=True)
        trabajo.mkdir(parents=True, exist_ok=True)
        periodo, archivos = enlazar_trimestre(entrada, insumos, args.periodo)
    print(f"Trimestre {periodo}: {', '.join(archivos)}")

    def medir(cmd: list[str], etiqueta: str) -> dict:
        if args.solo_comparar:
            return json.loads((medidas / f"{etiqueta}.json").read_text())
        return run_measured(cmd, etiqueta, medidas)

    os.environ["SIDIL_DB"] = str(db)
    os.environ.setdefault("SIDIL_PSEUDO_KEY", "clave-de-benchmark")
    bin_dir = Path(sys.executable).parent

    carga = medir([str(bin_dir / "sidil"), "load", "--input", str(insumos), "--source", "enoe"], "carga_enoe")
    if carga["returncode"]:
        return 1
    build = medir(
        [
            str(bin_dir / "dbt"),
            "build",
            "--select",
            "+int_enoe__indicadores",
            # Only the data tests of the selected chain: a raw table holding one edition cannot feed the
            # unit tests' fixtures of the other edition, and tests shared with unselected models fail.
            "--indirect-selection",
            "cautious",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps({"enoe_periodos": [periodo]}),
            "--project-dir",
            str(args.proyecto),
            "--profiles-dir",
            str(args.proyecto),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        "dbt_build_enoe",
    )
    if build["returncode"]:
        return 1
    resultados = json.loads((target / "run_results.json").read_text())["results"]
    modelos = {
        r["unique_id"].split(".")[-1]: round(r["execution_time"], 2)
        for r in resultados
        if r["unique_id"].startswith("model.")
    }
    modelo_s = modelos["int_enoe__indicadores"]

    inicio = time.perf_counter()
    personas, niveles = trabajo / "personas.csv", trabajo / "niveles.csv"
    medias = [i for i, t in tipos.items() if t == "media"]
    datos = exportar(db, periodo, medias, personas, niveles)
    exportacion_s = time.perf_counter() - inicio

    estimaciones, tiempos = trabajo / "estimaciones_r.csv", trabajo / "tiempos_r.csv"
    guion = trabajo / "encuesta_r.R"  # R reads its script as it runs: a copy, safe from edits meanwhile
    if not args.solo_comparar:
        estimaciones.unlink(missing_ok=True)
        shutil.copy2(BENCH / "encuesta_r.R", guion)
    r = medir(
        [
            "Rscript",
            str(guion),
            str(personas),
            str(niveles),
            ",".join(indicadores),
            str(estimaciones),
            str(tiempos),
        ],
        "r_survey",
    )
    if r["returncode"]:
        return 1
    carga_media = [round(x, 2) for x in os.getloadavg()]
    with open(tiempos, encoding="utf-8", newline="") as f:
        filas_t = list(csv.DictReader(f))
    r_por_indicador = {fila["indicador"]: round(float(fila["segundos"]), 2) for fila in filas_t}
    r_cpu = {fila["indicador"]: round(float(fila["cpu_segundos"]), 2) for fila in filas_t if "cpu_segundos" in fila}
    with open(estimaciones, encoding="utf-8", newline="") as f:
        con_datos = {fila["indicador"] for fila in csv.DictReader(f)}
    n_sql = len(tipos)  # the SQL model computes every catalogued ENOE indicator in one statement
    sql_por_indicador = modelo_s / n_sql
    comparacion = comparar(datos["sql"], estimaciones, personas, datos["niveles"], tipos)

    resultado = {
        "benchmark": f"encuesta_r_vs_sql_{escala}",
        "periodo": periodo,
        "archivos": archivos,
        "personas": datos["personas"],
        "personas_sin_diseno_excluidas": datos["personas_sin_diseno"],
        "upm_sin_personas_del_universo": datos["upm_sin_universo"],
        "niveles": len(datos["niveles"]),
        "indicadores_r": list(r_por_indicador),
        "carga": {"segundos": carga["wall_seconds"], "pico_rss_gib": carga["peak_rss_gib"]},
        "sql": {
            "indicadores": n_sql,
            "dbt_build_segundos": build["wall_seconds"],
            "dbt_build_pico_rss_gib": build["peak_rss_gib"],
            "modelo_int_enoe__indicadores_segundos": modelo_s,
            "segundos_por_indicador": round(sql_por_indicador, 3),
            "modelos_segundos": modelos,
        },
        "exportacion_csv_segundos": round(exportacion_s, 1),
        "r": {
            **version_r(),
            "proceso_segundos": r["wall_seconds"],
            "pico_rss_gib": r["peak_rss_gib"],
            "segundos_por_indicador": r_por_indicador,
            "segundos_indicadores_total": round(sum(r_por_indicador.values()), 2),
            "cpu_segundos_por_indicador": r_cpu,
            "indicadores_sin_datos_en_el_trimestre": [i for i in r_por_indicador if i not in con_datos],
        },
        # (R seconds for one indicator on the 12 levels) / (SQL model seconds / number of indicators).
        "razon_r_sobre_sql_por_indicador": {
            i: round(s / sql_por_indicador, 1)
            for i, s in r_por_indicador.items()
            if i in con_datos and sql_por_indicador
        },
        # Load average (1, 5, 15 min) right after R ended (unknown when only comparing again): times on a
        # busy machine are not idle times.
        "carga_media_maquina": None if args.solo_comparar else carga_media,
        "comparacion": {"tolerancia_relativa": REL, **comparacion},
        "maquina": build["machine"],
        "cuando": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    salida = RESULTS / f"encuesta_r_vs_sql_{escala}.json"
    salida.write_text(json.dumps(resultado, indent=2, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(resultado, indent=2, ensure_ascii=False, default=str))
    if comparacion["discrepancias"]:
        print(f"{comparacion['discrepancias']} estimaciones de R y del SQL no coinciden a 1e-9.", file=sys.stderr)
        return 1
    print(
        f"{comparacion['comparados_valor']} estimaciones y {comparacion['comparados_cv']} CV coinciden a 1e-9; "
        f"R tardó {resultado['r']['segundos_indicadores_total']} s en {len(r_por_indicador)} indicadores, el SQL "
        f"{modelo_s} s en {n_sql}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
