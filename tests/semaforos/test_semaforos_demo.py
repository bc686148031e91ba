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
INDICADORES = {"crecimiento_economico", "empleo_formal", "productividad", "pobreza_laboral", "deuda_publica",
               "informalidad", "ocupacion_gobierno", "desigualdad_ingreso"}


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
    rows = mart.execute("select indicador, count(distinct cve_ent) from marts.semaforos_estatales "
                        "where periodo = '2026T3' group by 1").fetchall()
    assert {r[0] for r in rows} == INDICADORES
    assert all(n == 33 for _i, n in rows), rows
    assert mart.execute("select count(*) from marts.semaforos_estatales where entidad is null").fetchone() == (0,)


def test_distrito_federal_employment_generation_on_the_real_imss_series(mart):
    row = mart.execute("select valor, meta, semaforo, fuente from marts.semaforos_estatales where "
                       "indicador = 'empleo_formal' and cve_ent = '09' and periodo = '2014T1'").fetchone()
    # 2,923,496 (March 2014) - 2,893,950 (December 2013) against the 2T 2010 goal of 109,800 a year.
    assert row[:3] == (29546, 109800 / 4, "verde")
    assert row[3].startswith("imss_publicado")


def test_goals_after_the_spec_table_come_from_the_pea_rule(mart):
    rows = mart.execute("select cve_ent, meta_anual, origen from intermediate.int_semaforos__metas_empleo_formal "
                        "where calculada_en = '2T 2025'").fetchall()
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
        "from marts.semaforos_estatales m join staging.semaforos_reglas r using (indicador)").fetchall()
    assert len(rows) > 1000
    colores = defaultdict(int)
    for ind, ent, valor, nac, cambio, cambio_nac, meta, semaforo, regla, verde, amarillo, dec, anterior in rows:
        assert semaforo == _color(regla, valor, nac, cambio, cambio_nac, meta, verde, amarillo, ent == "00"), \
            (ind, ent, valor, nac, cambio, cambio_nac, meta, semaforo)
        assert round(valor, dec) == valor
        if anterior is not None:
            assert cambio == pytest.approx(valor - anterior, abs=10 ** -dec / 2)
        colores[semaforo] += 1
    assert colores["verde"] and colores["amarillo"] and colores["rojo"]


def test_gini_of_the_demo_equals_a_pairwise_computation(mart):
    datos = mart.execute("select ingreso_laboral, peso from intermediate.int_semaforos__enoe_personas "
                         "where geo2 = '09' and periodo = '2026T1' and clase2 = 1 and ingreso_laboral > 0").fetchall()
    assert len(datos) > 20
    gini = mart.execute("select gini from intermediate.int_semaforos__gini_ingreso_laboral "
                        "where cve_ent = '09' and periodo = '2026T1'").fetchone()[0]
    assert gini == pytest.approx(gini_pares(datos), rel=1e-9)
    assert 0.2 < gini < 0.7
