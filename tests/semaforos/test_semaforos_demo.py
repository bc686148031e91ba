"""The Semáforos on the tiny demo (built by `dbt build` in the shared fixture): the demo's external
series, the mart's grain and coverage, the real IMSS series example, the colours recomputed
independently from the mart's own columns, and the Gini against a pairwise computation."""

from __future__ import annotations

import csv
from collections import defaultdict

import duckdb
import pytest

from tests.semaforos.test_semaforos_a_mano import gini_pares

ESTADOS = {f"{e:02d}" for e in range(0, 33)}
INDICADORES = {
    "crecimiento_economico",
    "empleo_formal",
    "productividad",
    "pobreza_laboral",
    "deuda_publica",
    "informalidad",
    "ocupacion_gobierno",
    "desigualdad_ingreso",
}


@pytest.fixture(scope="module")
def mart(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    yield con
    con.close()


def test_demo_writes_the_four_series_for_every_state(tiny_demo):
    folder = tiny_demo / "externos"
    with open(folder / "itaee.csv", encoding="utf-8") as f:
        itaee = list(csv.DictReader(f))
    assert {r["cve_ent"] for r in itaee} == ESTADOS
    periodos = {r["periodo"] for r in itaee}
    assert {"2011T1", "2020T2", "2026T3"} <= periodos and "2026T4" not in periodos
    assert len(itaee) == 33 * len(periodos)
    with open(folder / "pibe.csv", encoding="utf-8") as f:
        pibe = defaultdict(dict)
        for r in csv.DictReader(f):
            pibe[r["periodo"]][r["cve_ent"]] = float(r["valor"])
    # The national GDP is the sum of the states, about 24 million million pesos in 2018.
    assert pibe["2018"]["00"] == pytest.approx(sum(v for k, v in pibe["2018"].items() if k != "00"), rel=1e-6)
    assert 20e6 < pibe["2018"]["00"] < 28e6
    with open(folder / "deuda_publica.csv", encoding="utf-8") as f:
        deuda = [float(r["valor"]) for r in csv.DictReader(f)]
    assert all(0 < v < 15 for v in deuda)
    with open(folder / "canasta_alimentaria.csv", encoding="utf-8") as f:
        canasta = list(csv.DictReader(f))
    assert {r["ambito"] for r in canasta} == {"urbano", "rural"} and canasta[-1]["periodo"] == "2026-09"


def test_mart_covers_the_eight_indicators_states_and_national(mart):
    rows = mart.execute(
        "select indicador, count(distinct cve_ent) from marts.semaforos_estatales where periodo = '2026T3' group by 1"
    ).fetchall()
    assert {r[0] for r in rows} == INDICADORES
    assert all(n == 33 for _i, n in rows), rows
    assert mart.execute("select count(*) from marts.semaforos_estatales where entidad is null").fetchone() == (0,)


def test_distrito_federal_employment_generation_on_the_real_imss_series(mart):
    row = mart.execute(
        "select valor, meta, semaforo, fuente from marts.semaforos_estatales where "
        "indicador = 'empleo_formal' and cve_ent = '09' and periodo = '2014T1'"
    ).fetchone()
    # 2,923,496 (March 2014) - 2,893,950 (December 2013) against the 2T 2010 goal of 109,800 a year.
    assert row[:3] == (29546, 109800 / 4, "verde")
    assert row[3].startswith("imss_publicado")


def test_goals_after_the_spec_table_come_from_the_pea_rule(mart):
    rows = mart.execute(
        "select cve_ent, meta_anual, origen from intermediate.int_semaforos__metas_empleo_formal "
        "where calculada_en = '2T 2025'"
    ).fetchall()
    assert {r[2] for r in rows} == {"participación en la PEA"}
    metas = {r[0]: r[1] for r in rows}
    assert metas["00"] == 1_200_000
    assert all(m % 100 == 0 for m in metas.values())
    # Each state's goal is its PEA share of 1.2 million, so the states add up to it (up to rounding).
    assert sum(m for k, m in metas.items() if k != "00") == pytest.approx(1_200_000, abs=32 * 50)


def _color(regla, valor, nacional, cambio, cambio_nac, meta, verde, amarillo, es_nacional):
    if regla == "umbral":
        return "verde" if valor > verde else "amarillo" if valor > amarillo else "rojo"
    if regla == "meta":
        if meta is None:
            return None
        return "verde" if valor >= verde / 100 * meta else "amarillo" if valor >= amarillo / 100 * meta else "rojo"
    signo = 1 if regla == "menor_es_mejor" else -1
    if es_nacional or nacional is None:
        return None
    if signo * valor > signo * nacional:
        return "rojo"
    if cambio is None or cambio_nac is None:
        return None
    return "verde" if signo * cambio <= signo * cambio_nac else "amarillo"


def test_every_colour_follows_its_rule_from_the_marts_own_columns(mart):
    rows = mart.execute(
        "select m.indicador, m.cve_ent, m.valor, m.valor_nacional, m.cambio_anual, m.cambio_nacional, m.meta, "
        "m.semaforo, r.regla, r.umbral_verde, r.umbral_amarillo, r.decimales, m.valor_anio_anterior "
        "from marts.semaforos_estatales m join staging.semaforos_reglas r using (indicador)"
    ).fetchall()
    assert len(rows) > 1000
    colores = defaultdict(int)
    for ind, ent, valor, nac, cambio, cambio_nac, meta, semaforo, regla, verde, amarillo, dec, anterior in rows:
        assert semaforo == _color(regla, valor, nac, cambio, cambio_nac, meta, verde, amarillo, ent == "00"), (
            ind,
            ent,
            valor,
            nac,
            cambio,
            cambio_nac,
            meta,
            semaforo,
        )
        assert round(valor, dec) == valor
        if anterior is not None:
            assert cambio == pytest.approx(valor - anterior, abs=10**-dec / 2)
        colores[semaforo] += 1
    assert colores["verde"] and colores["amarillo"] and colores["rojo"]


def test_gini_of_the_demo_equals_a_pairwise_computation(mart):
    datos = mart.execute(
        "select ingreso_laboral, peso from intermediate.int_semaforos__enoe_personas "
        "where geo2 = '09' and periodo = '2026T1' and clase2 = 1 and ingreso_laboral > 0"
    ).fetchall()
    assert len(datos) > 20
    gini = mart.execute(
        "select gini from intermediate.int_semaforos__gini_ingreso_laboral where cve_ent = '09' and periodo = '2026T1'"
    ).fetchone()[0]
    assert gini == pytest.approx(gini_pares(datos), rel=1e-9)
    assert 0.2 < gini < 0.7


def test_formal_employment_generation_vs_goal(mart, repo_root):
    # The real published series (serie oficial): 2019 Q1 nationally against 1.2 million / 4.
    serie = defaultdict(int)
    with open(repo_root / "seeds" / "imss_puestos_entidad_mensual_real.csv") as f:
        for r in csv.DictReader(f):
            serie[(int(r["anio"]), int(r["mes"]))] += int(r["tot_imss"])
    generados = serie[(2019, 3)] - serie[(2018, 12)]
    real = mart.execute(
        "select empleos_generados, meta_trimestral, avance_meta, semaforo, serie from marts.generacion_empleo_formal "
        "where fuente = 'imss_publicado' and cve_ent = '00' and periodo = '2019T1'"
    ).fetchone()
    assert real[0] == generados and real[1] == 300000 and real[4] == "oficial"
    assert real[2] == pytest.approx(100 * generados / 300000)
    assert real[3] == ("verde" if generados >= 300000 else "amarillo" if generados >= 225000 else "rojo")
    # Aguascalientes, 2T 2015 goal of 12,200 a year.
    assert (
        mart.execute(
            "select meta_trimestral from marts.generacion_empleo_formal where fuente = "
            "'imss_publicado' and cve_ent = '01' and periodo = '2019T1'"
        ).fetchone()[0]
        == 3050
    )
    # Every figure of either series is its own quarter-end jobs minus its own previous quarter-end jobs.
    assert (
        mart.execute(
            "select count(*) from marts.generacion_empleo_formal "
            "where empleos_generados <> puestos - puestos_trimestre_anterior"
        ).fetchone()[0]
        == 0
    )
    assert {
        r[0]
        for r in mart.execute(
            "select distinct serie from marts.generacion_empleo_formal where empleos_generados is not null"
        ).fetchall()
    } == {"oficial", "imss_cargado"}


def test_generacion_and_semaforos_give_the_same_goals(mart):
    rows = mart.execute(
        "select s.periodo, s.cve_ent, s.meta, g.meta_trimestral, s.valor, g.empleos_generados "
        "from marts.semaforos_estatales s left join marts.generacion_empleo_formal g "
        "on g.periodo = s.periodo and g.cve_ent = s.cve_ent and g.serie = s.serie "
        "where s.indicador = 'empleo_formal' and s.periodicidad = 'trimestral'"
    ).fetchall()
    assert rows and all(r[3] is not None or r[2] is None for r in rows)
    assert [r for r in rows if r[2] != r[3] or r[4] != r[5]] == []
    despues = [r for r in rows if r[0] > "2020T1"]
    assert [r for r in despues if r[2] is not None], "the PEA-rule goals reach both marts after 2020"
    # Both series of a quarter have the same goal, and it is the Semáforos' goal in force.
    assert (
        mart.execute(
            "select count(*) from (select periodo, cve_ent from marts.generacion_empleo_formal "
            "group by all having count(distinct meta_trimestral) > 1)"
        ).fetchone()[0]
        == 0
    )
    metas = mart.execute(
        "select count(*), count(m.meta_anual) from marts.generacion_empleo_formal g "
        "left join intermediate.int_semaforos__metas_empleo_formal m on g.cve_ent = m.cve_ent "
        "and make_date(g.anio, 3 * g.trimestre, 1) between m.vigente_desde and m.vigente_hasta "
        "where g.anio > 2020 and g.meta_anual is distinct from m.meta_anual"
    ).fetchone()
    assert metas == (0, 0)


def test_one_employment_series_per_period(mart):
    mezclas = mart.execute(
        "select periodo, count(distinct serie) from marts.semaforos_estatales where indicador = 'empleo_formal' "
        "group by periodo having count(distinct serie) <> 1"
    ).fetchall()
    assert mezclas == []
    # A year-earlier value is only taken from the same series.
    cruzados = mart.execute(
        "select count(*) from marts.semaforos_estatales s join marts.semaforos_estatales a "
        "on a.indicador = s.indicador and a.cve_ent = s.cve_ent and a.periodicidad = s.periodicidad "
        "and a.anio = s.anio - 1 and a.trimestre is not distinct from s.trimestre "
        "where s.indicador = 'empleo_formal' and a.serie <> s.serie and s.cambio_anual is not null"
    ).fetchone()
    assert cruzados == (0,)


def test_yearly_employment_figure_on_the_spec_example(mart):
    # Distrito Federal, official series: December 2014 - December 2013 = 3,030,217 - 2,893,950 = 136,267
    # against the yearly goal of 109,800 (2T 2010); 2015 straddles two goals: 27,450 + 3 x 25,550 = 104,100.
    rows = {
        r[0]: r[1:]
        for r in mart.execute(
            "select periodo, periodicidad, trimestre, valor, meta, semaforo, serie from marts.semaforos_estatales "
            "where indicador = 'empleo_formal' and cve_ent = '09' and periodo in ('2014', '2015')"
        ).fetchall()
    }
    assert rows["2014"] == ("anual", None, 136267, 109800, "verde", "oficial")
    assert rows["2015"] == ("anual", None, 3139486 - 3030217, 104100, "verde", "oficial")
    # Every yearly figure is December's jobs minus the previous December's, of its own series.
    diferencias = mart.execute(
        "select count(*), count(*) filter (where s.valor <> d.puestos - a.puestos) "
        "from marts.semaforos_estatales s "
        "join marts.generacion_empleo_formal d on d.serie = s.serie and d.cve_ent = s.cve_ent "
        "and d.anio = s.anio and d.trimestre = 4 "
        "join marts.generacion_empleo_formal a on a.serie = s.serie and a.cve_ent = s.cve_ent "
        "and a.anio = s.anio - 1 and a.trimestre = 4 "
        "where s.indicador = 'empleo_formal' and s.periodicidad = 'anual'"
    ).fetchone()
    n_anual = mart.execute("select count(*) from marts.semaforos_estatales where periodicidad = 'anual'").fetchone()[0]
    assert diferencias == (n_anual, 0) and n_anual > 33 * 20


def test_yearly_report(mart):
    rows = {
        (r[0], r[1]): r[2:]
        for r in mart.execute(
            "select indicador, anio, valor, meta, semaforo, serie, periodo_origen from marts.semaforos_reporte_anual "
            "where cve_ent = '09'"
        ).fetchall()
    }
    assert rows[("empleo_formal", 2014)] == (136267, 109800, "verde", "oficial", "2014")
    assert rows[("crecimiento_economico", 2020)][4] == "2020T4"
    assert {i for i, _a in rows} == {"empleo_formal", "crecimiento_economico"}
