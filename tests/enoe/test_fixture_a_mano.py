"""A hand-computable fixture: eight persons, two strata (state 01: three PSUs; state 02: two PSUs), run
through the ENOE models from raw tables; mean, share, ratio, gender gap and their CVs checked against
values worked out by hand below (ultimate-cluster Taylor linearisation, DOMAIN.md section 4)."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest

from tests.conftest import run_dbt
from tests.enoe.conftest import SELECCION

PERIODO = "2025T1"  # ENOE-N first quarter: fac_tri, est_d_tri; extended questionnaire (p3i = union)

# n_ren, ent, est_d_tri, upm, fac_tri, sex, clase1, clase2, pos_ocu, seg_soc, ingocup, p3i (union)
PERSONAS = [
    ("01", "01", "0001", "0100001", 10, "1", 1, 1, 1, 1, 100, "1"),
    ("02", "01", "0001", "0100001", 10, "2", 1, 1, 1, 2, 200, "2"),
    ("03", "01", "0001", "0100002", 20, "1", 1, 1, 1, 1, 300, ""),
    ("04", "01", "0001", "0100003", 10, "2", 1, 1, 1, 2, 100, ""),
    ("05", "02", "0002", "0200001", 20, "1", 1, 1, 1, 1, 200, ""),
    ("06", "02", "0002", "0200002", 30, "2", 1, 1, 1, 1, 400, ""),
    ("07", "02", "0002", "0200001", 20, "1", 1, 2, 0, 0, 0, ""),  # unemployed
    ("08", "01", "0001", "0100003", 10, "2", 2, 4, 0, 0, 0, ""),  # not economically active
]


# SCIAN-hogares codes (COE1 p4a) of some persons: 4611 is a SCIAN 2018 rama (seed), 1110 is not but its
# first three digits are a subsector (mapped by prefix); 9999 and 0123 map to nothing and must be counted.
P4A = {"01": "4611", "02": "9999", "03": "9999", "04": "1110", "05": "0123"}

# A PSU without an interviewed adult (stratum 02's third PSU): a child of 8 in an interviewed household
# and a resident of a household without a complete interview (r_def 15). Neither is in the universe,
# but the PSU is in the sample, so stratum 02 has three PSUs in the design (DOMAIN.md: never filter the
# sample before the design). (n_ren, ent, est_d_tri, upm, fac_tri, r_def, eda)
SIN_ADULTO_ENTREVISTADO = [
    ("09", "02", "0002", "0200003", 20, "00", "8"),
    ("10", "02", "0002", "0200003", 20, "15", "40"),
]


def _construir(db, extra=()):
    """Raw ENOE tables with PERSONAS (and `extra` SDEM-only rows), then `dbt build` of the ENOE models."""
    con = duckdb.connect(str(db))
    con.execute("create schema raw")
    llaves = (
        "cd_a varchar, ent varchar, con varchar, upm varchar, v_sel varchar, n_hog varchar, "
        "h_mud varchar, n_ren varchar, tipo varchar, mes_cal varchar, periodo varchar, anio integer, "
        "trimestre integer"
    )
    con.execute(
        f"create table raw.enoe_sdem ({llaves}, r_def varchar, c_res varchar, eda varchar, "
        "sex varchar, est_d_tri varchar, fac_tri bigint, clase1 bigint, clase2 bigint, "
        "pos_ocu bigint, seg_soc bigint, ingocup bigint, pre_asa bigint, hrsocup bigint)"
    )
    con.execute(
        f"create table raw.enoe_coe1 ({llaves}, p3i varchar, p3j varchar, p3k1 varchar, "
        "p3q varchar, p4a varchar, p5c_tdia bigint, p5c_thrs bigint, fac_tri bigint)"
    )
    con.execute(f"create table raw.enoe_coe2 ({llaves}, p6b2 bigint, fac_tri bigint)")
    for n_ren, ent, est, upm, w, sex, c1, c2, pos, seg, ing, p3i in PERSONAS:
        k = ["96", ent, upm[2:], upm, n_ren, "1", "0", "01", "1", "01", PERIODO, 2025, 1]
        con.execute(
            "insert into raw.enoe_sdem values (" + ", ".join(["?"] * 26) + ")",
            k + ["00", "1", "30", sex, est, w, c1, c2, pos, seg, ing, 0, 0],
        )
        if c2 in (1, 2, 3, 4):
            con.execute(
                "insert into raw.enoe_coe1 values (" + ", ".join(["?"] * 21) + ")",
                k + [p3i, "", "", "", P4A.get(n_ren, ""), None, None, w],
            )
            con.execute("insert into raw.enoe_coe2 values (" + ", ".join(["?"] * 15) + ")", k + [None, w])
    for n_ren, ent, est, upm, w, r_def, eda in extra:
        k = ["96", ent, upm[2:], upm, n_ren, "1", "0", "01", "1", "01", PERIODO, 2025, 1]
        con.execute(
            "insert into raw.enoe_sdem values (" + ", ".join(["?"] * 26) + ")",
            k + [r_def, "1", eda, "1", est, w, None, None, None, None, None, None, None],
        )
    con.close()
    # The dbt unit tests mock the real raw tables' full column lists: not this minimal fixture's.
    result = run_dbt(db, "build", *SELECCION, "--exclude-resource-type", "unit_test")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    (db.parent / "dbt_build.log").write_text(result.stdout)
    return db


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    return _construir(tmp_path_factory.mktemp("enoe_mano") / "sidil.duckdb")


@pytest.fixture(scope="module")
def fixture_upm_sin_adulto(tmp_path_factory):
    return _construir(tmp_path_factory.mktemp("enoe_mano_upm") / "sidil.duckdb", SIN_ADULTO_ENTREVISTADO)


def _fila(db, sql, *args):
    con = duckdb.connect(str(db), read_only=True)
    fila = con.execute(sql, list(args)).fetchone()
    con.close()
    return fila


def _indicador(db, indicador, agregacion="0_geo0", geo2=None):
    return _fila(
        db,
        "select valor, cv, n_trabajadores, grupo_calidad_info1, supera_umbral_cv "
        "from intermediate.int_enoe__indicadores where indicador = ? and agregacion = ? "
        "and geo2 is not distinct from ?",
        indicador,
        agregacion,
        geo2,
    )


def test_media_de_una_proporcion_y_su_cv(fixture_db):
    # seg_soc over the six target persons: sum w = 100, sum w y = 10 + 20 + 20 + 30 = 80 -> 0.8.
    # z = w (y - 0.8) / 100: 0.02, -0.08 | 0.04 | -0.08 || 0.04 | 0.06.
    # Stratum 01, PSU totals -0.06, 0.04, -0.08 (mean -1/30): squares sum 0.0082667, x 3/2 = 0.0124.
    # Stratum 02, PSU totals 0.04, 0.06 (mean 0.05): squares 0.0002, x 2/1 = 0.0004.  V = 0.0128.
    # CV = 100 sqrt(0.0128) / 0.8 = 10 sqrt(2).
    valor, cv, n, grupo, supera = _indicador(fixture_db, "seg_soc")
    assert valor == pytest.approx(0.8, rel=1e-12)
    assert cv == pytest.approx(10 * math.sqrt(2), rel=1e-12)
    assert (n, grupo, supera) == (6, 1, False)


def test_media_de_un_monto_y_su_cv(fixture_db):
    # ing_x_mes: sum w y = 1000 + 2000 + 6000 + 1000 + 4000 + 12000 = 26000, / 100 = 260.
    # z = w (y - 260) / 100: -16, -6 | 8 | -16 || -12 | 42.
    # Stratum 01: PSU totals -22, 8, -16 (mean -10): 144 + 324 + 36 = 504, x 3/2 = 756.
    # Stratum 02: PSU totals -12, 42 (mean 15): 729 + 729 = 1458, x 2 = 2916.  V = 3672.
    valor, cv, *_ = _indicador(fixture_db, "ing_x_mes")
    assert valor == pytest.approx(260, rel=1e-12)
    assert cv == pytest.approx(100 * math.sqrt(3672) / 260, rel=1e-12)


def test_brecha_de_genero_y_su_cv(fixture_db):
    # Women: w 10, 10, 30, income 200, 100, 400: Yw = 15000, Xw = 50, Rw = 300.
    # Men: w 10, 20, 20, income 100, 300, 200: Ym = 11000, Xm = 50, Rm = 220.  G = 300 / 220 = 15 / 11.
    # z / G = Iw w (y - 300) / 15000 - Im w (y - 220) / 11000, in units of 1/165:
    #   PSU 0100001: 18 - 11 = 7; 0100002: -24; 0100003: -22 (mean -13): 400 + 121 + 81 = 602, x 3/2 = 903.
    #   PSU 0200001: 6; 0200002: 33 (mean 19.5): 2 x 13.5^2 = 364.5, x 2 = 729.
    # V = G^2 (903 + 729) / 165^2, so CV = 100 sqrt(1632) / 165.
    valor, cv, n, *_ = _indicador(fixture_db, "brecha_gen")
    assert valor == pytest.approx(15 / 11, rel=1e-12)
    assert cv == pytest.approx(100 * math.sqrt(1632) / 165, rel=1e-12)
    assert n == 6


def test_estimacion_estatal_dominio_dentro_de_la_muestra_completa(fixture_db):
    # State 01 seg_soc: w 10, 10, 20, 10 with y 1, 0, 1, 0 -> 30 / 50 = 0.6.
    # z = w (y - 0.6) / 50: 0.08, -0.12 | 0.16 | -0.12; PSU totals -0.04, 0.16, -0.12 (mean 0):
    # 0.0016 + 0.0256 + 0.0144 = 0.0416, x 3/2 = 0.0624. Stratum 02 has z = 0 in both PSUs (adds 0).
    valor, cv, n, grupo, supera = _indicador(fixture_db, "seg_soc", "1_geo2", "01")
    assert valor == pytest.approx(0.6, rel=1e-12)
    assert cv == pytest.approx(100 * math.sqrt(0.0624) / 0.6, rel=1e-12)
    assert (n, grupo, supera) == (4, 3, True)  # CV 41.6 > 30: low quality, above the threshold
    # State 02: both target persons have seg_soc = 1, a mean of exactly 1: dropped.
    assert _indicador(fixture_db, "seg_soc", "1_geo2", "02") is None


def test_sindicato_en_una_sola_upm_no_tiene_cv(fixture_db):
    # Union asked in Q1 (p3i): yes (w 10) and no (w 10), both in PSU 0100001 -> 0.5, no estimable CV.
    valor, cv, n, grupo, supera = _indicador(fixture_db, "sindicato")
    assert valor == pytest.approx(0.5, rel=1e-12)
    assert cv is None
    assert (n, grupo, supera) == (2, 3, True)


def test_razon_tasa_de_desocupacion_y_su_cv(fixture_db):
    # TD1 = unemployed / economically active: 20 / (100 + 20) = 1/6 -> 16.67 %.
    # z = w (y - x/6) / 120; in units of 1/720: employed -w, the unemployed person 20 * 5 = 100,
    # the inactive one 0. Stratum 01: PSU totals -20, -20, -10 (mean -50/3): 600/9, x 3/2 = 100.
    # Stratum 02: PSU totals -20 + 100 = 80, -30 (mean 25): 2 x 55^2 = 6050, x 2 = 12100.
    # V = 12200 / 720^2; CV = 100 sqrt(12200) / 720 / (1/6) = sqrt(12200) * 5 / 6.
    valor, cv, n = _fila(
        fixture_db,
        "select valor, cv, n_muestra from marts.tasas_complementarias where tasa = 'td1' and ambito = 'nacional'",
    )
    assert valor == pytest.approx(100 / 6, rel=1e-12)
    assert cv == pytest.approx(math.sqrt(12200) * 5 / 6, rel=1e-12)
    assert n == 7


def test_upm_sin_adulto_entrevistado_cuenta_en_su_estrato(fixture_upm_sin_adulto):
    db = fixture_upm_sin_adulto
    # The design counts the PSU (three in stratum 02); the universe does not contain its rows.
    assert _fila(
        db, "select n_upm from intermediate.int_enoe__diseno_muestral where estrato = '02-0002' and upm = '0200003'"
    ) == (3,)
    assert _fila(db, "select count(*) from intermediate.int_enoe__universo where upm = '0200003'") == (0,)
    assert _fila(db, "select count(*), sum(n_upm) from intermediate.int_enoe__diseno_muestral") == (6, 9 + 9)


def test_upm_sin_adulto_entrevistado_cambia_el_cv(fixture_upm_sin_adulto):
    db = fixture_upm_sin_adulto
    # seg_soc: same persons, estimate 0.8; stratum 01 adds 0.0124 as before. Stratum 02 now has the
    # PSU totals 0.04, 0.06 and 0 (n_h = 3): s1 = 0.1, s2 = 0.0052, s2 - s1^2 / 3 = 0.0056 / 3,
    # x 3/2 = 0.0028 (it was 0.0004 with two PSUs).  V = 0.0152; CV = 100 sqrt(0.0152) / 0.8.
    valor, cv, n, *_ = _indicador(db, "seg_soc")
    assert valor == pytest.approx(0.8, rel=1e-12)
    assert cv == pytest.approx(100 * math.sqrt(0.0152) / 0.8, rel=1e-12)
    assert n == 6
    # ing_x_mes: stratum 02 totals -12, 42, 0: s1 = 30, s2 = 1908, 1908 - 300 = 1608, x 3/2 = 2412.
    # V = 756 + 2412 = 3168 (it was 3672).
    valor, cv, *_ = _indicador(db, "ing_x_mes")
    assert valor == pytest.approx(260, rel=1e-12)
    assert cv == pytest.approx(100 * math.sqrt(3168) / 260, rel=1e-12)
    # TD1, in units of 1/720: stratum 02 totals 80, -30, 0: s1 = 50, s2 = 7300, 7300 - 2500/3 = 19400/3,
    # x 3/2 = 9700. V = (100 + 9700) / 720^2; CV = sqrt(9800) * 5 / 6 (it was sqrt(12200) * 5 / 6).
    valor, cv, n = _fila(
        db, "select valor, cv, n_muestra from marts.tasas_complementarias where tasa = 'td1' and ambito = 'nacional'"
    )
    assert valor == pytest.approx(100 / 6, rel=1e-12)
    assert cv == pytest.approx(math.sqrt(9800) * 5 / 6, rel=1e-12)
    assert n == 7


def test_upm_sin_adulto_entrevistado_implementacion_independiente(fixture_upm_sin_adulto):
    # The independent pandas implementation reads the design from every raw SDEM row as well.
    from tests.enoe.test_indicadores_independiente import _media, _muestra

    con = duckdb.connect(str(fixture_upm_sin_adulto), read_only=True)
    u = _muestra(con, PERIODO)
    con.close()
    assert len(u.attrs["diseno"]) == 6 and len(u) == 8
    valor, cv = _media(u, "seg_soc_v", np.ones(len(u), dtype=bool))
    assert valor == pytest.approx(0.8, rel=1e-12)
    assert cv == pytest.approx(100 * math.sqrt(0.0152) / 0.8, rel=1e-12)


def test_codigo_p4a_sin_mapear_se_cuenta_y_se_reporta(fixture_db):
    # 9999: persons 02 (w 10) and 03 (w 20), both in the target population; 0123: person 05 (w 20).
    con = duckdb.connect(str(fixture_db), read_only=True)
    filas = con.execute(
        "select periodo, p4a, n_personas, n_poblacion_objetivo, n_expandidas "
        "from marts.enoe_codigos_sin_mapear order by p4a"
    ).fetchall()
    mapeo = dict(
        con.execute("select p4a, scian2018_3 from intermediate.int_enoe__universo where p4a is not null").fetchall()
    )
    con.close()
    assert filas == [(PERIODO, "0123", 1, 1, 20.0), (PERIODO, "9999", 2, 2, 30.0)]
    # Mapped codes: 4611 from the seed, 1110 by its subsector prefix; unmapped ones stay NULL, counted above.
    assert mapeo == {"4611": "461", "1110": "111", "9999": None, "0123": None}
    # The warn-severity test reports them in the run without failing it.
    log = (fixture_db.parent / "dbt_build.log").read_text()
    assert "sin_filas_enoe_codigos_sin_mapear" in log and "WARN" in log
