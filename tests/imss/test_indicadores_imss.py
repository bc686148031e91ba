"""IMSS indicators on hand-made employers: every expected value is worked out here from the rows.

Three registros, all in fracción 3401 (SCIAN 331, sector 31-33), four months (Dec 2025 - Mar 2026):
- R1 in Tijuana (ZLFN: minimum 440.87 from Jan 2026, so the 1.05 cut is 462.91), urban area ZM Tijuana;
- R2 in Aguascalientes (general zone: 315.04, cut 330.79), its own urban area;
- R3 in Playas de Rosarito (ZLFN, ZM Tijuana), five men at 1,000 every month.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime

import duckdb
import pytest

from tests.conftest import run_dbt
from tests.imss.conftest import add_month, add_riesgo, create_raw

DIC, ENE, FEB, MAR = date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
CARGA = datetime(2026, 4, 1, 10, 0)

# person: (nss, sexo 1 H / 2 M / None, daily wage, CURP completed from another row)
N1, N2, N3, N4 = ("N1", 2, 400, False), ("N2", 2, 500, False), ("N3", 1, 700, False), ("N4", 1, 800, False)
N5 = ("N5", 1, 600, False)
N6 = ("N6", 2, 300, True)  # her CURP was empty on this row and recovered from another row of her NSS
N7 = ("N7", None, 1000, False)  # no CURP at all: counts as insured, not in either sex
P1, P2, P3 = ("P1", 1, 330, False), ("P2", 2, 330, False), ("P3", 1, 331, False)
R3_PEOPLE = [(f"Q{i}", 1, 1000, False) for i in range(5)]

MONTHS = {
    DIC: {"R1TIJUANA01": [N1, N2, N3, N4], "R2AGUASCA01": [P1, P2], "R3ROSARIT01": R3_PEOPLE},
    ENE: {"R1TIJUANA01": [N1, N2, N3, N4], "R2AGUASCA01": [P1, P2], "R3ROSARIT01": R3_PEOPLE},
    FEB: {"R1TIJUANA01": [N1, N2, N3, N5], "R2AGUASCA01": [P1, P2], "R3ROSARIT01": R3_PEOPLE},
    MAR: {"R1TIJUANA01": [N1, N2, N5, N6, N7], "R2AGUASCA01": [P1, P2, P3], "R3ROSARIT01": R3_PEOPLE},
}

SELECT = [
    "resource_type:seed",
    "path:models/staging/imss",
    "path:models/staging/censo",
    "path:models/intermediate/imss",
    "path:models/intermediate/censo",
    "path:models/marts/imss",
]


def fill(con, months):
    for periodo in months:
        add_month(con, periodo, MONTHS[periodo], CARGA)
    # riesgos 2026: an earlier cumulative cut (February) that must be ignored, and the latest (March).
    add_riesgo(con, "R1TIJUANA01", 2026, FEB, dias=9, n=4)
    add_riesgo(con, "R1TIJUANA01", 2026, MAR, dias=2, n=2)
    add_riesgo(con, "R2AGUASCA01", 2026, MAR, dias=5, n=3)


def build(db, *extra):
    result = run_dbt(db, "build", "--indirect-selection", "cautious", "--select", *SELECT, *extra)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("imss_hand") / "sidil.duckdb"
    con = create_raw(db)
    fill(con, MONTHS)
    con.close()
    build(db)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def nominativo(con, indicador, periodo, registro, col="valor_mes"):
    row = con.execute(
        f"select {col} from marts.indicadores_nominativos where indicador = ? and periodo = ? and cve_registro = ?",
        [indicador, periodo, registro],
    ).fetchone()
    return None if row is None else row[0]


def test_hires_and_separations_from_the_nss_panel(warehouse):
    rows = warehouse.execute(
        "select periodo, altas, bajas, n_mes_anterior from intermediate.int_imss__registro_mes "
        "where cve_registro = 'R1TIJUANA01' order by periodo"
    ).fetchall()
    # December has no November to compare with: no turnover at all rather than "everyone was hired".
    assert rows == [(DIC, None, None, None), (ENE, 0, 0, 4), (FEB, 1, 1, 4), (MAR, 2, 1, 4)]
    # rotacion = 100 - min(100 sqrt(altas^2 + bajas^2) / N(t-1), 100)
    assert nominativo(warehouse, "rotacion", "2026-01", "R1TIJUANA01") == pytest.approx(100)
    assert nominativo(warehouse, "rotacion", "2026-02", "R1TIJUANA01") == pytest.approx(100 - 100 * math.sqrt(2) / 4)
    assert nominativo(warehouse, "rotacion", "2026-03", "R1TIJUANA01") == pytest.approx(100 - 100 * math.sqrt(5) / 4)
    assert nominativo(warehouse, "rotacion", "2026-03", "R2AGUASCA01") == pytest.approx(50)
    assert nominativo(warehouse, "rotacion", "2025-12", "R1TIJUANA01") is None


def test_gender_gap_counts_the_recovered_curp_and_skips_unknown_sex(warehouse):
    # March, R1: women N1 400, N2 500, N6 300 (CURP recovered) -> 400; men N5 600; N7 has no sex.
    assert nominativo(warehouse, "brecha_imss", "2026-03", "R1TIJUANA01") == pytest.approx(400 / 600)
    assert nominativo(warehouse, "brecha_imss", "2026-03", "R2AGUASCA01") == pytest.approx(330 / 330.5)
    # No women in R3: no gap rather than 0.
    assert nominativo(warehouse, "brecha_imss", "2026-03", "R3ROSARIT01") is None


def test_sm105_uses_the_zone_of_the_employers_municipality(warehouse):
    # ZLFN cut 1.05 x 440.87 = 462.91: N1 400 and N6 300 of 5 -> 100 - 40.
    assert nominativo(warehouse, "sm105", "2026-03", "R1TIJUANA01") == pytest.approx(60)
    # General cut 1.05 x 315.04 = 330.79: P1 and P2 (330) of 3, P3 (331) is above it.
    assert nominativo(warehouse, "sm105", "2026-03", "R2AGUASCA01") == pytest.approx(100 - 200 / 3)
    zonas = dict(
        warehouse.execute(
            "select cve_registro, zona_salarial from intermediate.int_imss__registro_mes "
            "where periodo = date '2026-03-01'"
        ).fetchall()
    )
    assert zonas == {"R1TIJUANA01": "frontera_norte", "R2AGUASCA01": "general", "R3ROSARIT01": "frontera_norte"}
    # February uses the latest minimum in the seed (January 2026) and R1 has only N1 under the cut.
    assert nominativo(warehouse, "sm105", "2026-02", "R1TIJUANA01") == pytest.approx(75)


def test_concentration_over_urban_area_and_subsector(warehouse):
    # R1 (Tijuana) and R3 (Rosarito) share ZM Tijuana x 331 with 5 + 5 jobs; R2 is alone in its market.
    assert nominativo(warehouse, "concentracion", "2026-03", "R1TIJUANA01") == pytest.approx(50)
    assert nominativo(warehouse, "concentracion", "2026-03", "R3ROSARIT01") == pytest.approx(50)
    assert nominativo(warehouse, "concentracion", "2026-03", "R2AGUASCA01") == pytest.approx(0)


def test_accidents_latest_cut_mean_insured_and_clipping(warehouse):
    # Only the March cut counts (the February cut's 4 accidents are ignored). Mean insured over the 12
    # months to March 2026 that are loaded (Dec-Mar): R1 (4+4+4+5)/4, R2 (2+2+2+3)/4.
    media_r1, media_r2 = 17 / 4, 9 / 4
    assert nominativo(warehouse, "tasa_accidentes", "2026-03", "R1TIJUANA01") == pytest.approx(100 - 100 * 2 / media_r1)
    assert nominativo(warehouse, "tasa_dias", "2026-03", "R1TIJUANA01") == pytest.approx(100 - 100 * 4 / media_r1)
    # R2: 3 accidents over 2.25 insured = 133 % -> clipped at 100 % -> 0; 15 days -> 0.
    assert 100 * 3 / media_r2 == pytest.approx(133.33, abs=0.01)
    assert nominativo(warehouse, "tasa_accidentes", "2026-03", "R2AGUASCA01") == 0
    assert nominativo(warehouse, "tasa_dias", "2026-03", "R2AGUASCA01") == 0
    # A registro without accidents has the best value.
    assert nominativo(warehouse, "tasa_accidentes", "2026-03", "R3ROSARIT01") == 100
    assert (
        warehouse.execute(
            "select count(*) from intermediate.int_imss__indicadores_registro "
            "where indicador like 'tasa_%' and periodo <> date '2026-03-01'"
        ).fetchone()[0]
        == 0
    )


def test_nominative_moving_average_and_missing_months(warehouse):
    # sm105 R1: Jan 75 (N1 of 4), Feb 75, Mar 60 -> plain mean.
    assert nominativo(warehouse, "sm105", "2026-03", "R1TIJUANA01", "valor") == pytest.approx((75 + 75 + 60) / 3)
    # rotacion R1: Jan 100, Feb 64.64, Mar 44.10 (December has none: November is not loaded).
    esperado = (100 + (100 - 100 * math.sqrt(2) / 4) + (100 - 100 * math.sqrt(5) / 4)) / 3
    assert nominativo(warehouse, "rotacion", "2026-03", "R1TIJUANA01", "valor") == pytest.approx(esperado)
    assert nominativo(warehouse, "rotacion", "2026-02", "R1TIJUANA01", "valor") is None
    # The window is the last three months in which rotacion was computed (January on): January and
    # February have fewer than three, so no moving average.
    ventanas = {
        r[0]: r[1:]
        for r in warehouse.execute(
            "select strftime(periodo, '%Y-%m'), meses_ventana, meses_omitidos, promedio_calculado "
            "from intermediate.int_imss__ventanas_promedio_movil where indicador = 'rotacion'"
        ).fetchall()
    }
    assert ventanas == {
        "2026-01": ("2026-01", None, False),
        "2026-02": ("2026-01, 2026-02", None, False),
        "2026-03": ("2026-01, 2026-02, 2026-03", None, True),
    }
    # Yearly nominative value: mean of 2026's moving averages (only March has one).
    assert nominativo(warehouse, "rotacion", "2026", "R1TIJUANA01", "valor") == pytest.approx(esperado)


def test_aggregate_levels_cv_counts_and_moving_average(warehouse):
    def mes_sm105(periodo):
        return warehouse.execute(
            "select valor, cv, n_registro, n_trabajadores from intermediate.int_imss__indicadores_mensuales "
            "where indicador = 'sm105' and agregacion = '0_geo0' and periodo = ?",
            [periodo],
        ).fetchone()

    valores = [60, 100 - 200 / 3, 100]
    valor, cv, n_registro, n_trabajadores = mes_sm105(MAR)
    assert valor == pytest.approx(statistics.mean(valores))
    assert cv == pytest.approx(100 * statistics.stdev(valores) / math.sqrt(3) / statistics.mean(valores))
    assert (n_registro, n_trabajadores) == (3, 13)
    # January and February: R1 75, R2 0 (both at 330 <= 330.79), R3 100.
    assert mes_sm105(ENE)[0] == pytest.approx(175 / 3)
    final = warehouse.execute(
        "select valor, n_registro, grupo_calidad_info1, supera_umbral_cv, script_calculo "
        "from intermediate.int_imss__indicadores "
        "where indicador = 'sm105' and agregacion = '0_geo0' and periodo = '2026-03'"
    ).fetchone()
    # Weighted by n_registro (3 every month), so the plain mean of the three monthly estimates. None of
    # them passes the CV threshold of 30 (January and February 51.5, March 30.06), so none is left out
    # of the average: the row is kept over all three months and flagged.
    assert final[0] == pytest.approx((175 / 3 + 175 / 3 + statistics.mean(valores)) / 3)
    assert final[1] == 3 and final[3] is True
    assert final[4] == "int_imss__indicadores"
    # State level: Baja California has R1 and R3, Aguascalientes only R2 (one registro: no CV, flagged).
    estados = {
        r[0]: r[1:]
        for r in warehouse.execute(
            "select geo2, valor, cv from intermediate.int_imss__indicadores_mensuales "
            "where indicador = 'sm105' and agregacion = '1_geo2' and periodo = date '2026-03-01'"
        ).fetchall()
    }
    assert estados["02"][0] == pytest.approx(80)
    assert estados["01"][1] is None
    flag = warehouse.execute(
        "select supera_umbral_cv, grupo_calidad_info2 from intermediate.int_imss__indicadores "
        "where indicador = 'sm105' and agregacion = '1_geo2' and geo2 = '01' "
        "and periodo = '2026-03'"
    ).fetchone()
    assert flag == (True, 33)
    niveles = warehouse.execute("select count(distinct agregacion) from intermediate.int_imss__indicadores").fetchone()
    assert niveles[0] == 18


def test_sector_31_copied_to_32_and_33(warehouse):
    rows = warehouse.execute(
        "select scian2018_2, valor, scian2018_3 from intermediate.int_imss__indicadores "
        "where indicador = 'sm105' and agregacion = '1_act2' and periodo = '2026-03' order by 1"
    ).fetchall()
    assert [r[0] for r in rows] == ["31", "32", "33"]
    assert rows[0][1] == rows[1][1] == rows[2][1]
    # Levels with the subsector keep the real sector only.
    sub = warehouse.execute(
        "select distinct scian2018_2, scian2018_3 from intermediate.int_imss__indicadores where agregacion = '1_act3'"
    ).fetchall()
    assert sub == [("31", "331")]


def test_shared_output_has_the_22_columns(warehouse):
    cols = [
        r[0]
        for r in warehouse.execute(
            "select column_name from information_schema.columns where table_schema = 'intermediate' "
            "and table_name = 'int_imss__indicadores' order by ordinal_position"
        ).fetchall()
    ]
    assert cols == [
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


# Sums of doubles may differ in the last bit with the order of a parallel aggregation: values are rounded.
COMPARADAS = [
    "select * from intermediate.int_imss__registro_mes order by all",
    "select * exclude (calculado_en) from intermediate.int_imss__indicadores_registro order by all",
    "select * exclude (registro_calculado_en) replace (round(valor, 9) as valor, round(cv, 9) as cv) "
    "from intermediate.int_imss__indicadores_mensuales order by all",
    "select * exclude (fecha_calculo) replace (round(valor, 9) as valor, round(cv, 9) as cv) "
    "from intermediate.int_imss__indicadores order by all",
    "select * exclude (fecha_calculo, registro_calculado_en) replace (round(valor, 9) as valor) "
    "from marts.indicadores_nominativos "
    "order by all",
]


def test_incremental_month_equals_full_rebuild(tmp_path):
    db = tmp_path / "sidil.duckdb"
    con = create_raw(db)
    fill(con, [DIC, ENE, FEB])
    con.close()
    build(db)
    con = duckdb.connect(str(db))
    add_month(con, MAR, MONTHS[MAR], datetime(2026, 4, 2))
    con.close()
    build(db)  # incremental: only March (new) is computed in int_imss__registro_mes
    con = duckdb.connect(str(db), read_only=True)
    cargas = dict(
        con.execute(
            "select periodo, max(insumo_cargado_en) from intermediate.int_imss__registro_mes group by 1"
        ).fetchall()
    )
    assert cargas[FEB] == CARGA and cargas[MAR] == datetime(2026, 4, 2)
    assert (
        con.execute(
            "select count(*) from intermediate.int_imss__indicadores_mensuales where periodo = date '2026-03-01'"
        ).fetchone()[0]
        > 0
    )
    # Only March was rewritten downstream: February keeps the first run's computation time.
    calculado = dict(
        con.execute(
            "select periodo, max(calculado_en) from intermediate.int_imss__indicadores_registro group by 1"
        ).fetchall()
    )
    assert calculado[FEB] < calculado[MAR]
    tablas = {q: con.execute(q).fetchall() for q in COMPARADAS}
    con.close()
    build(db, "--full-refresh")
    con = duckdb.connect(str(db), read_only=True)
    for q, filas in tablas.items():
        assert con.execute(q).fetchall() == filas, q
    con.close()


def test_reloaded_month_is_recomputed_with_the_next_one(tmp_path):
    db = tmp_path / "sidil.duckdb"
    con = create_raw(db)
    fill(con, MONTHS)
    con.close()
    build(db)
    # February is reloaded: N5 was in fact not hired in February (only in March).
    con = duckdb.connect(str(db))
    con.execute("delete from raw.imss_puestos where periodo = date '2026-02-01' and nss_hash = 'nss-N5'")
    con.execute("update raw.imss_puestos set cargado_en = timestamp '2026-05-01' where periodo = date '2026-02-01'")
    con.execute("update raw.imss_patrones set cargado_en = timestamp '2026-05-01' where periodo = date '2026-02-01'")
    con.close()
    build(db)
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(
        (r[0], r[1:])
        for r in con.execute(
            "select periodo, altas, bajas, n_mes_anterior from intermediate.int_imss__registro_mes "
            "where cve_registro = 'R1TIJUANA01'"
        ).fetchall()
    )
    assert rows[FEB] == (0, 1, 4)  # N4 left, nobody came
    assert rows[MAR] == (3, 1, 3)  # March now compares with 3 people: N5, N6, N7 in, N3 out
    con.close()


def test_job_and_worker_flows(warehouse):
    row = warehouse.execute(
        "select empleo, empleo_anterior, creacion, destruccion, contrataciones, separaciones, churning, "
        "tasa_churning from marts.flujos_empleo_imss where nivel = 'nacional' and periodo = '2026-03'"
    ).fetchone()
    # Feb -> Mar: R1 4 -> 5 (N6, N7 in; N3 out), R2 2 -> 3 (P3 in), R3 5 -> 5.
    assert row[:7] == (13, 11, 2, 0, 3, 1, 2)
    assert row[7] == pytest.approx(100 * 2 / 12)
    estados = dict(
        warehouse.execute(
            "select geo2, contrataciones from marts.flujos_empleo_imss where nivel = 'entidad' and periodo = '2026-03'"
        ).fetchall()
    )
    assert estados == {"02": 2, "01": 1}
    # December has no November: no flows.
    assert (
        warehouse.execute("select count(*) from marts.flujos_empleo_imss where periodo = '2025-12'").fetchone()[0] == 0
    )


def test_censo_indicators_from_a_hand_made_row(tmp_path):
    db = tmp_path / "sidil.duckdb"
    con = create_raw(db)
    con.execute(
        "insert into raw.censo_c3 values ('2', 'BC', '4', 'Tijuana', '31-33', 'Manufacturas', '12.5', "
        "'10', '40', '0', '300', '1200', '100', '2019', 'x.csv', now()), "
        "('2', 'BC', '4', 'Tijuana', '46', 'Comercio', '50', '50', '0', '0', '10', null, '0', '2019', "
        "'x.csv', now())"
    )
    con.close()
    build(db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select indicador, scian2018_2, geo5, cat_tamanio, valor, agregacion, n_trabajadores "
        "from intermediate.int_censo__indicadores order by 1, 2"
    ).fetchall()
    con.close()
    # (12.5 % x 1,200) / 3 = 50 workers per unit -> size 3; the row without total_ocupado is dropped.
    assert rows == [
        ("concentracion_censo", "31", "02004", 3, pytest.approx(0.875), "3_geo5_act2_tam", 1200),
        ("concentracion_censo", "32", "02004", 3, pytest.approx(0.875), "3_geo5_act2_tam", 1200),
        ("concentracion_censo", "33", "02004", 3, pytest.approx(0.875), "3_geo5_act2_tam", 1200),
        ("subcontratacion", "31", "02004", 3, pytest.approx(0.6), "3_geo5_act2_tam", 1200),
        ("subcontratacion", "32", "02004", 3, pytest.approx(0.6), "3_geo5_act2_tam", 1200),
        ("subcontratacion", "33", "02004", 3, pytest.approx(0.6), "3_geo5_act2_tam", 1200),
    ]


def test_imss_municipality_catalog_corrections(warehouse):
    def mun(codigo, deleg):
        return warehouse.execute(
            "select geo2, geo5, estatus_municipio from staging.base_imss__municipios "
            "where cve_municipio_imss = ? and cve_delegacion = ?",
            [codigo, deleg],
        ).fetchone()

    # The same code means different municipalities in different delegaciones.
    assert mun("Y44", "22") == ("21", "21114", "exact")
    assert mun("Y44", "27") == ("26", "26070", "exact")
    # Unmatched names resolved by hand; ambiguous ones keep only the state.
    assert mun("Y72", "24") == ("23", "23008", "resuelto")
    assert mun("I65", "21") == ("20", None, "ambiguo")
    # Ciudad de México codes without an alcaldía: state only (the name match had sent them all to 09008).
    assert mun("B01", "39") == ("09", None, "sin_municipio")
    # and no IMSS code is left pointing at La Magdalena Contreras by mistake.
    assert (
        warehouse.execute("select count(*) from staging.base_imss__municipios where geo5 = '09008'").fetchone()[0] == 0
    )
