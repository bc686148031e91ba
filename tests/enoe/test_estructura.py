"""Shape and rules of the ENOE outputs on the tiny demo: the shared 22-column layout, the 12 levels,
Q1-only union, the composite SCIAN sectors, CV threshold flags, and the job-quality index recomputed
from the complementary rates with pandas."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

COLUMNAS = [
    "fuente",
    "indicador",
    "periodo",
    "anio",
    "mes",
    "agregacion",
    "agregacion_numerica",
    "geo2",
    "geo5",
    "scian2018_2",
    "scian2018_3",
    "cat_tamanio",
    "valor",
    "cv",
    "n_registro",
    "n_trabajadores",
    "grupo_calidad_info1",
    "grupo_calidad_info2",
    "fecha_calculo",
    "script_calculo",
    "usuario",
    "supera_umbral_cv",
]


@pytest.fixture(scope="module")
def con(enoe_built):
    db, _ = enoe_built
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def test_columnas_exactas_en_orden(con):
    cols = [r[0] for r in con.execute("describe intermediate.int_enoe__indicadores").fetchall()]
    assert cols == COLUMNAS


def test_todos_los_periodos_indicadores_y_doce_niveles(con):
    periodos = {r[0] for r in con.execute("select distinct periodo from raw.enoe_sdem").fetchall()}
    assert {
        r[0] for r in con.execute("select distinct periodo from intermediate.int_enoe__indicadores").fetchall()
    } == periodos
    niveles = {
        r[0] for r in con.execute("select agregacion from staging.niveles_agregacion where aplica_enoe = 1").fetchall()
    }
    assert len(niveles) == 12
    got = {
        r[0]
        for r in con.execute(
            "select distinct agregacion from intermediate.int_enoe__indicadores where periodo = '2026T3'"
        ).fetchall()
    }
    assert got == niveles
    # The national level has every indicator once per quarter (sindicato only in first quarters).
    filas = con.execute(
        "select periodo, count(*), count(*) filter (where indicador = 'sindicato') "
        "from intermediate.int_enoe__indicadores where agregacion = '0_geo0' "
        "group by periodo"
    ).fetchall()
    for periodo, n, sindicato in filas:
        assert (n, sindicato) == ((11, 1) if periodo.endswith("T1") else (10, 0)), periodo
    # mes is the quarter's last month; geo5 and n_registro are NULL; script_calculo is the model.
    assert con.execute(
        "select distinct mes from intermediate.int_enoe__indicadores where periodo = '2026T3'"
    ).fetchall() == [(9,)]
    assert (
        con.execute(
            "select count(*) from intermediate.int_enoe__indicadores where geo5 is not null "
            "or n_registro is not null or script_calculo <> 'int_enoe__indicadores'"
        ).fetchone()[0]
        == 0
    )


def test_dimensiones_segun_nivel_y_sectores_compuestos(con):
    malas = con.execute("""
        select count(*) from intermediate.int_enoe__indicadores as i
        join staging.niveles_agregacion as n using (agregacion)
        where (n.usa_geo2 = 1) <> (i.geo2 is not null)
           or (n.usa_scian2 = 1) <> (i.scian2018_2 is not null)
           or (n.usa_scian3 = 1) <> (i.scian2018_3 is not null)
           or (n.usa_tamanio = 1) <> (i.cat_tamanio is not null)
           or i.agregacion_numerica <> n.agregacion_numerica""").fetchone()[0]
    assert malas == 0
    # Sector '31' rows of sector-only levels are copied to '32' and '33' with the same value; never
    # for levels with a subsector, whose sector stays harmonised.
    dif = con.execute("""
        select count(*), count(*) filter (where a.valor <> b.valor) from intermediate.int_enoe__indicadores a
        join intermediate.int_enoe__indicadores b
          on a.indicador = b.indicador and a.periodo = b.periodo and a.agregacion = b.agregacion
         and a.geo2 is not distinct from b.geo2 and a.cat_tamanio is not distinct from b.cat_tamanio
        where a.scian2018_2 = '31' and b.scian2018_2 = '33' and a.scian2018_3 is null""").fetchone()
    assert dif[0] > 0 and dif[1] == 0
    assert (
        con.execute(
            "select count(*) from intermediate.int_enoe__indicadores where scian2018_3 is not null "
            "and scian2018_2 in ('32', '33', '49')"
        ).fetchone()[0]
        == 0
    )


def test_umbral_cv_grupos_y_medias_sin_cero_ni_uno(con):
    filas = con.execute("""
        select i.cv, i.supera_umbral_cv, i.grupo_calidad_info1, i.grupo_calidad_info2, c.umbral_cv,
               i.valor, c.tipo_estimador
        from intermediate.int_enoe__indicadores i join staging.indicadores c using (indicador)""").fetchall()
    assert len(filas) > 1000
    for cv, supera, g1, g2, umbral, valor, tipo in filas:
        if cv is None:
            assert supera and g1 == 3 and g2 == 33
        else:
            assert supera == (cv > umbral)
            assert g1 == (1 if cv <= 15 else 2 if cv <= 30 else 3)
            assert g2 // 10 == g1
        if tipo == "media":
            assert valor not in (0.0, 1.0)


def test_valores_en_rangos_del_indicador(con):
    rangos = dict(
        con.execute("""select indicador, [min(valor), max(valor)] from intermediate.int_enoe__indicadores
                                 group by indicador""").fetchall()
    )
    assert 1 <= rangos["dias_trab"][0] and rangos["dias_trab"][1] <= 7
    assert 1 <= rangos["hrs_trab"][0] and rangos["hrs_trab"][1] <= 168
    for ind in ["presta_soc", "seg_soc", "contrato_escrito", "tipo_contrato", "ing_min", "sindicato"]:
        assert 0 < rangos[ind][0] and rangos[ind][1] < 1, ind
    assert rangos["ing_x_mes"][0] > 0 and rangos["brecha_gen"][0] > 0


def test_indice_calidad_ocupacion_recalculado(con):
    tasas = con.execute(
        "select periodo, ambito, coalesce(geo2, cd_a) as unidad, tasa, valor, menor_es_mejor "
        "from marts.tasas_complementarias where ambito <> 'nacional'"
    ).df()
    indice = (
        con.execute(
            "select periodo, ambito, coalesce(geo2, cd_a) as unidad, puntaje, puntos, nivel "
            "from marts.indice_calidad_ocupacion"
        )
        .df()
        .set_index(["periodo", "ambito", "unidad"])
    )
    completas = tasas.groupby(["periodo", "ambito", "unidad"])["tasa"].transform("nunique") == 8
    tasas = tasas[completas].copy()
    tasas["orden"] = np.where(tasas["menor_es_mejor"], tasas["valor"], -tasas["valor"])
    tasas["rango"] = tasas.groupby(["periodo", "ambito", "tasa"])["orden"].rank(method="min")
    tasas["n"] = tasas.groupby(["periodo", "ambito", "tasa"])["orden"].transform("size")
    tasas["p"] = 100 * (tasas["n"] - tasas["rango"]) / (tasas["n"] - 1)
    esperado = tasas.groupby(["periodo", "ambito", "unidad"])["p"].mean()
    assert len(esperado) == len(indice)
    assert np.allclose(indice.loc[esperado.index, "puntaje"], esperado.to_numpy(), rtol=1e-12)
    estados = indice.xs("entidad", level="ambito")
    assert estados.groupby(level="periodo").size().eq(32).all()
    assert estados["puntaje"].between(0, 100).all()
    niveles = np.select(
        [estados["puntaje"] > 80, estados["puntaje"] >= 55, estados["puntaje"] >= 35],
        ["alto", "medio alto", "medio bajo"],
        "bajo",
    )
    assert (estados["nivel"].to_numpy() == niveles).all()


def test_tasas_complementarias_coherentes(con):
    n = dict(
        con.execute(
            "select tasa, valor from marts.tasas_complementarias where ambito = 'nacional' and periodo = '2024T1'"
        ).fetchall()
    )
    assert set(n) == {"td1", "topd1", "tprg", "tta", "tsub", "tcco", "til1", "tosi1"}
    assert all(0 < v < 100 for v in n.values())
    assert n["topd1"] >= n["td1"] and n["tprg"] >= n["td1"]  # their numerators include the unemployed
