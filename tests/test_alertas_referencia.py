"""Reference-value alerts (marts.alertas_referencia): the real model and seeds on a hand-made warehouse
(a jump fires, a steady series does not), the `sidil status` table and the run's warning, and the mart on
the tiny demo checked against an independent recomputation of the routine checks."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from rich.console import Console

from sidil.alertas import alertas_recientes, aviso_alertas, aviso_tras_build, tabla_alertas
from tests.conftest import run_dbt

COLUMNAS = [
    "periodo",
    "fuente",
    "regla",
    "indicador",
    "nivel",
    "claves",
    "geo2",
    "geo5",
    "scian2018_2",
    "scian2018_3",
    "cat_tamanio",
    "valor",
    "periodo_referencia",
    "referencia",
    "desviacion",
    "tipo_tolerancia",
    "tolerancia",
    "n_observaciones",
]

# Hand-made inputs: the columns the mart reads from each intermediate model.
DDL = """
create schema if not exists intermediate;
create table intermediate.int_enoe__indicadores (
    indicador varchar, periodo varchar, agregacion varchar, geo2 varchar, geo5 varchar, scian2018_2 varchar,
    scian2018_3 varchar, cat_tamanio integer, valor double, cv double, n_trabajadores bigint);
create table intermediate.int_imss__indicadores_mensuales (
    indicador varchar, periodo date, agregacion varchar, geo2 varchar, geo5 varchar, scian2018_2 varchar,
    scian2018_3 varchar, cat_tamanio integer, valor double, cv double, n_registro bigint);
create table intermediate.int_enoe__universo (periodo varchar, peso double, poblacion_objetivo boolean);
create table intermediate.int_imss__registro_mes (
    periodo date, zona_salarial varchar, n_asegurados bigint, n_mujeres bigint, n_hombres bigint);
"""


@pytest.fixture(scope="module")
def a_mano(tmp_path_factory):
    """A warehouse with the project's seeds and hand-made indicator tables, after `dbt run` of the mart."""
    db = tmp_path_factory.mktemp("alertas") / "sidil.duckdb"
    seed = run_dbt(db, "seed", "--select", "alertas_tolerancias", "indicadores", "niveles_agregacion")
    assert seed.returncode == 0, seed.stdout[-3000:]
    con = duckdb.connect(str(db))
    con.execute(DDL)
    enoe = [
        # national seg_soc steady (0.50, 0.52, 0.51: at most 4 % < the catalog's 10 %)
        *[
            ("seg_soc", p, "0_geo0", None, v, 2.0, 800)
            for p, v in (("2024T1", 0.50), ("2024T2", 0.52), ("2024T3", 0.51))
        ],
        # national hrs_trab jumps 40 -> 50 in 2024T3 (+25 % > 10 %)
        *[
            ("hrs_trab", p, "0_geo0", None, v, 1.0, 800)
            for p, v in (("2024T1", 40.0), ("2024T2", 40.0), ("2024T3", 50.0))
        ],
        # state 09: 100 -> 130 (+30 % > 25 %) fires; state 14 with 12 persons (< 30) never compared
        ("ing_x_mes", "2024T2", "1_geo2", "09", 100.0, 5.0, 60),
        ("ing_x_mes", "2024T3", "1_geo2", "09", 130.0, 5.0, 60),
        ("ing_x_mes", "2024T2", "1_geo2", "14", 100.0, 5.0, 12),
        ("ing_x_mes", "2024T3", "1_geo2", "14", 300.0, 5.0, 12),
    ]
    con.executemany(
        "insert into intermediate.int_enoe__indicadores (indicador, periodo, agregacion, geo2, valor, "
        "cv, n_trabajadores) values (?, ?, ?, ?, ?, ?, ?)",
        enoe,
    )
    meses = [date(2024, m, 1) for m in (1, 2, 3)]
    # IMSS monthly national sm105 steady (95, 96, 95.5); state 02 rotacion falls 80 -> 50 in March (-37.5 %)
    imss = [("sm105", m, "0_geo0", None, v, 1.0, 500) for m, v in zip(meses, (95.0, 96.0, 95.5))]
    imss += [("rotacion", m, "1_geo2", "02", v, 3.0, 40) for m, v in zip(meses, (80.0, 81.0, 50.0))]
    con.executemany(
        "insert into intermediate.int_imss__indicadores_mensuales (indicador, periodo, agregacion, geo2, "
        "valor, cv, n_registro) values (?, ?, ?, ?, ?, ?, ?)",
        imss,
    )
    # ENOE universe: 100 persons a quarter, weights steady
    con.executemany(
        "insert into intermediate.int_enoe__universo values (?, ?, ?)",
        [(p, 1000.0, i % 2 == 0) for p in ("2024T1", "2024T2", "2024T3") for i in range(100)],
    )
    # IMSS: 10 registros of 10 jobs a month; in March the ZLFN registros grow from 2 to 4 (share 20 -> 40 %),
    # which also moves jobs 100 -> 120 (+20 %); women's share stays at 40 %.
    registro_mes = []
    for m in meses:
        zlfn = 4 if m.month == 3 else 2
        registro_mes += [(m, "frontera_norte", 10, 4, 6)] * zlfn + [(m, "general", 10, 4, 6)] * 8
    con.executemany("insert into intermediate.int_imss__registro_mes values (?, ?, ?, ?, ?)", registro_mes)
    con.close()
    result = run_dbt(db, "run", "--select", "alertas_referencia")
    assert result.returncode == 0, result.stdout[-3000:]
    return db


def test_a_jump_fires_and_a_steady_series_does_not(a_mano):
    con = duckdb.connect(str(a_mano), read_only=True)
    filas = con.execute("""
        select periodo, regla, indicador, claves, round(valor, 6), periodo_referencia, referencia,
            round(desviacion, 6),
            tolerancia
        from marts.alertas_referencia order by regla, indicador, periodo
    """).fetchall()
    assert filas == [
        ("2024T3", "enoe_indicador_desagregado", "ing_x_mes", "geo2=09", 130.0, "2024T2", 100.0, 0.3, 0.25),
        ("2024T3", "enoe_indicador_nacional", "hrs_trab", "nacional", 50.0, "2024T2", 40.0, 0.25, 0.10),
        (
            "2024-03",
            "imss_indicador_desagregado",
            "rotacion",
            "geo2=02",
            50.0,
            "2024-02",
            81.0,
            round(50 / 81 - 1, 6),
            0.25,
        ),
        ("2024-03", "imss_observaciones", "puestos_asegurados", "nacional", 120.0, "2024-02", 100.0, 0.2, 0.10),
        ("2024-03", "imss_observaciones", "registros_patronales", "nacional", 12.0, "2024-02", 10.0, 0.2, 0.10),
        (
            "2024-03",
            "imss_participacion_frontera_norte",
            "participacion_frontera_norte",
            "nacional",
            round(100 * 40 / 120, 6),
            "2024-02",
            20.0,
            round(100 * 40 / 120 - 20, 6),
            1.0,
        ),
    ]
    assert [c[0] for c in con.execute("describe marts.alertas_referencia").fetchall()] == COLUMNAS


def test_status_table_and_run_warning(a_mano, monkeypatch):
    con = duckdb.connect(str(a_mano), read_only=True)
    recientes = alertas_recientes(con)
    # the latest periods are 2024T3 (ENOE) and 2024-03 (IMSS): all six alerts; national ones first
    assert len(recientes) == 6
    assert [r[3] for r in recientes if r[0] == "enoe"] == ["hrs_trab", "ing_x_mes"]
    assert recientes[2][4] == "0_geo0" and recientes[-1][3] == "rotacion"
    aviso = aviso_alertas(con)
    assert aviso.startswith(
        "***ADVERTENCIA***: 6 alerta(s) de referencia en el último periodo (enoe 2024T3: 2; imss 2024-03: 4)"
    )
    consola = Console(record=True, width=220)
    consola.print(tabla_alertas(con))
    texto = consola.export_text()
    assert "Alertas de referencia del último periodo (6 en total)" in texto
    assert "+25.0 %" in texto and "40.000 (2024T2)" in texto and "+13.33" in texto
    con.close()
    monkeypatch.setenv("SIDIL_DB", str(a_mano))
    assert aviso_tras_build() == aviso
    monkeypatch.setenv("SIDIL_DB", str(a_mano.parent / "no_existe.duckdb"))
    assert aviso_tras_build() is None  # never breaks a build


def test_no_alerts_no_table(tmp_path):
    con = duckdb.connect(str(tmp_path / "vacia.duckdb"))
    assert tabla_alertas(con) is None and aviso_alertas(con) is None


def test_tiny_demo_alerts_mart(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    assert [c[0] for c in con.execute("describe marts.alertas_referencia").fetchall()] == COLUMNAS
    # every row is a real alert of a rule of the seed, against an earlier period
    malas = con.execute("""
        select count(*) from marts.alertas_referencia as a
        left join staging.alertas_tolerancias as r using (regla, fuente)
        where r.regla is null or abs(a.desviacion) <= a.tolerancia or a.periodo_referencia >= a.periodo
            or (a.tipo_tolerancia = 'relativa' and abs(a.valor / a.referencia - 1 - a.desviacion) > 1e-9)
    """).fetchone()[0]
    assert malas == 0
    # ENOE indicators fire at several levels (the tiny sample is noisy); sector copies never appear
    niveles = {
        r[0]
        for r in con.execute(
            "select distinct nivel from marts.alertas_referencia where regla = 'enoe_indicador_desagregado'"
        ).fetchall()
    }
    assert len(niveles) >= 5
    assert (
        con.execute("""select count(*) from marts.alertas_referencia
                          where scian2018_3 is null and scian2018_2 in ('32', '33', '49')""").fetchone()[0]
        == 0
    )
    # the routine checks, recomputed independently from the intermediate tables
    esperadas = set()
    tolerancias = dict(con.execute("select regla, tolerancia from staging.alertas_tolerancias").fetchall())
    imss = con.execute("""
        select strftime(periodo, '%Y-%m'), count(*), sum(n_asegurados),
            100.0 * sum(n_mujeres) / sum(n_mujeres + n_hombres),
            100.0 * sum(case when zona_salarial = 'frontera_norte' then n_asegurados else 0 end) / sum(n_asegurados)
        from intermediate.int_imss__registro_mes group by 1 order by 1""").fetchall()
    enoe = con.execute("""
        select periodo, count(*), sum(peso), sum(case when poblacion_objetivo then peso else 0 end)
        from intermediate.int_enoe__universo group by 1 order by 1""").fetchall()
    series = [
        ("imss_observaciones", "registros_patronales", imss, 1, True),
        ("imss_observaciones", "puestos_asegurados", imss, 2, True),
        ("imss_participacion_mujeres", "participacion_mujeres", imss, 3, False),
        ("imss_participacion_frontera_norte", "participacion_frontera_norte", imss, 4, False),
        ("enoe_observaciones", "observaciones", enoe, 1, True),
        ("enoe_totales_expandidos", "poblacion_expandida", enoe, 2, True),
        ("enoe_totales_expandidos", "poblacion_objetivo_expandida", enoe, 3, True),
    ]
    for regla, indicador, filas, i, relativa in series:
        for anterior, actual in zip(filas, filas[1:]):
            desv = actual[i] / anterior[i] - 1 if relativa else actual[i] - anterior[i]
            if abs(desv) > tolerancias[regla]:
                esperadas.add((regla, indicador, actual[0], anterior[0]))
    obtenidas = set(
        con.execute("""
        select regla, indicador, periodo, periodo_referencia from marts.alertas_referencia
        where regla not like '%indicador%'""").fetchall()
    )
    assert obtenidas == esperadas
    assert len(imss) > 12 and len(enoe) > 12  # the comparison ran over many periods
    con.close()
