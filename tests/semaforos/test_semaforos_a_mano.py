"""The Semáforos models on hand-made inputs with numbers computed by hand: the external series land
through the real loader, the ENOE persons and the indicator table are written by the test, and dbt runs
the models on them. Covers the spec's worked examples, each formula and each colour rule at and around
its thresholds."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import load_all, run_dbt

ITAEE = {"30": [111.5] * 4 + [109.4] * 4, "27": [99, 99, 100, 100, 101, 102, 103, 104]}
PERSONAS_COLUMNAS = (
    "periodo, anio, trimestre, hogar_id, n_ren, geo2, peso, eda, ur, clase1, clase2, pos_ocu, "
    "hrs_trab, emp_ppal, scian2018_2, scian2018_3, p4d1, p4d2, ing_x_mes, ing7c, ingreso_laboral, "
    "ingreso_por_rango"
)
# (hogar, geo2, peso, ur, clase2, pos_ocu, hrs, emp_ppal, scian2, scian3, p4d1, p4d2, ingreso)
PERSONAS = [
    # Tabasco 4T 2013 (spec example): 67,263 employed in state government out of 926,076 employed.
    ("T1", "27", 67263, 1, 1, 1, 40, 2, "93", "931", 4, 2, 20000),
    ("T2", "27", 1000, 1, 1, 1, 40, 2, "93", "931", 4, 1, 20000),  # federal government: not counted
    ("T3", "27", 2000, 1, 1, 1, 40, 2, "61", "611", 4, 2, 15000),  # state education: not counted
    ("T4", "27", 500, 1, 1, 1, 40, 2, "62", "622", 4, 2, 15000),  # state hospital: not counted
    ("T5", "27", 455313, 1, 1, 1, 40, 2, "31", "311", 2, None, 9000),
    ("T6", "27", 300000, 1, 1, 3, 40, 1, "46", "461", None, None, 4000),  # informal, non-agricultural
    ("T7", "27", 100000, 2, 1, 3, 40, 1, "11", "111", None, None, 2000),  # informal, agricultural
    ("T8", "27", 40000, 1, 2, None, None, None, None, None, None, None, None),  # unemployed
    # Labor poverty, Aguascalientes 4T 2013 (urban basket 1,210 = mean of 1,200, 1,210, 1,220; rural 900).
    ("A", "01", 100, 1, 1, 1, 48, 2, "31", "311", 2, None, 3000),
    ("A", "01", 100, 1, 4, None, None, None, None, None, None, None, None),
    ("A", "01", 100, 1, 0, None, None, None, None, None, None, None, None),
    ("B", "01", 200, 2, 1, 1, 48, 2, "11", "111", 2, None, 2000),
    ("B", "01", 200, 2, 4, None, None, None, None, None, None, None, None),
    ("C", "01", 50, 1, 1, 1, 48, 2, "31", "311", 2, None, None),  # unknown income: household left out
    ("C", "01", 50, 1, 1, 1, 48, 2, "31", "311", 2, None, 10000),
    ("D", "01", 10, 1, 1, 1, 48, 2, "31", "311", 2, None, 1210),  # exactly the basket: not poor
    # Gini, Baja California 4T 2013: positive incomes only.
    ("G1", "02", 1, 1, 1, 1, 40, 2, "31", "311", 2, None, 1000),
    ("G2", "02", 2, 1, 1, 1, 40, 2, "31", "311", 2, None, 2000),
    ("G3", "02", 1, 1, 1, 1, 40, 2, "31", "311", 2, None, 3000),
    ("G4", "02", 5, 1, 1, 4, 40, 1, "46", "461", None, None, 0),
    ("G5", "02", 3, 1, 1, 1, 40, 2, "31", "311", 2, None, 5000),
    ("G6", "02", 1, 1, 1, 1, 40, 2, "31", "311", 2, None, 2000),
]


def _csv(root, name, header, rows):
    path = root / "externos" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n", encoding="utf-8")


def gini_pares(datos):
    """Independent weighted Gini: sum_ij w_i w_j |y_i - y_j| / (2 W^2 mean)."""
    w_total = sum(w for _, w in datos)
    y_total = sum(w * y for y, w in datos)
    return sum(wi * wj * abs(yi - yj) for yi, wi in datos for yj, wj in datos) / (2 * w_total * y_total)


@pytest.fixture(scope="module")
def mano(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("semaforos_mano")
    root, db = tmp / "in", tmp / "sidil.duckdb"
    _csv(
        root,
        "itaee.csv",
        "cve_ent,periodo,valor",
        [(ent, f"{2012 + k // 4}T{k % 4 + 1}", v) for ent, vals in ITAEE.items() for k, v in enumerate(vals)],
    )
    _csv(root, "pibe.csv", "cve_ent,periodo,valor", [("27", 2012, 400000), ("30", 2012, 800000)])
    _csv(root, "deuda_publica.csv", "cve_ent,periodo,valor", [("27", 2012, 2.0), ("00", 2012, 3.0), ("27", 2013, 9.9)])
    _csv(
        root,
        "canasta_alimentaria.csv",
        "cve_ent,ambito,periodo,valor",
        [("00", "urbano", "2013-10", 1200), ("00", "urbano", "2013-11", 1210), ("00", "urbano", "2013-12", 1220)]
        + [("00", "rural", f"2013-{m}", 900) for m in (10, 11, 12)],
    )
    con = duckdb.connect(str(db))
    out = load_all(con, root, {"externos"})
    assert {e.estado for e in out.entries} == {"cargado"}, out.lines
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_semaforos__enoe_personas as select * from (values "
        + ", ".join(["(" + ", ".join(["?"] * 22) + ")"] * len(PERSONAS))
        + f") as t({PERSONAS_COLUMNAS})",
        [
            v
            for i, (hog, geo2, peso, ur, clase2, pos, hrs, emp, s2, s3, d1, d2, ing) in enumerate(PERSONAS)
            for v in (
                "2013T4",
                2013,
                4,
                f"2013T4-{hog}",
                f"{i:02d}",
                geo2,
                float(peso),
                30,
                ur,
                1 if clase2 in (1, 2) else 2,
                clase2,
                pos,
                hrs,
                emp,
                s2,
                s3,
                d1,
                d2,
                None if ing is None else float(ing),
                None,
                None if ing is None else float(ing),
                False,
            )
        ],
    )
    con.close()
    for args in (
        ("seed", "--select", "semaforos_reglas", "inegi_municipios", "imss_metas_empleo_formal"),
        (
            "run",
            "--select",
            "path:models/staging/externos",
            "int_semaforos__pibe_estimado",
            "int_semaforos__crecimiento_economico",
            "int_semaforos__enoe_ocupacion",
            "int_semaforos__pobreza_laboral",
            "int_semaforos__gini_ingreso_laboral",
            "int_semaforos__productividad",
            "int_semaforos__deuda_publica",
        ),
    ):
        result = run_dbt(db, *args)
        assert result.returncode == 0, result.stdout[-4000:]
    return db


def _con(db):
    return duckdb.connect(str(db), read_only=True)


def test_tabasco_government_share_and_informality(mano):
    con = _con(mano)
    ocupados, gobierno, share, informalidad = con.execute(
        "select ocupados, ocupados_gobierno_estatal, ocupacion_gobierno, informalidad "
        "from intermediate.int_semaforos__enoe_ocupacion where cve_ent = '27' and periodo = '2013T4'"
    ).fetchone()
    con.close()
    assert (ocupados, gobierno) == (926076, 67263)
    assert share == pytest.approx(100 * 67263 / 926076)
    assert round(share, 1) == 7.3
    # TIL2: informal non-agricultural / non-agricultural employed.
    assert informalidad == pytest.approx(100 * 300000 / (926076 - 100000))


def test_veracruz_growth_and_the_full_year_rate(mano):
    con = _con(mano)
    rows = dict(
        con.execute(
            "select periodo, crecimiento from intermediate.int_semaforos__crecimiento_economico where cve_ent = '30'"
        ).fetchall()
    )
    tabasco = dict(
        con.execute(
            "select periodo, crecimiento from intermediate.int_semaforos__crecimiento_economico where cve_ent = '27'"
        ).fetchall()
    )
    con.close()
    assert rows["2013T4"] == pytest.approx(100 * (109.4 / 111.5 - 1)) == pytest.approx(-1.8834, abs=1e-4)
    assert rows["2013T1"] == pytest.approx(-1.8834, abs=1e-4)
    assert "2012T4" not in rows  # no year before
    assert tabasco["2013T2"] == pytest.approx(100 * (102 / 99 - 1))
    assert tabasco["2013T4"] == pytest.approx(100 * ((101 + 102 + 103 + 104) / (99 + 99 + 100 + 100) - 1))


def test_estimated_gdp_and_productivity(mano):
    con = _con(mano)
    pibe = dict(
        con.execute(
            "select periodo, pibe_estimado_mdp from intermediate.int_semaforos__pibe_estimado where cve_ent = '27'"
        ).fetchall()
    )
    nacional = con.execute(
        "select pibe_estimado_mdp from intermediate.int_semaforos__pibe_estimado "
        "where cve_ent = '00' and periodo = '2013T1'"
    ).fetchone()[0]
    prod = con.execute(
        "select productividad from intermediate.int_semaforos__productividad "
        "where cve_ent = '27' and periodo = '2013T4'"
    ).fetchone()[0]
    con.close()
    # PIBE(2012) x ITAEE(T, 2013) / ITAEE(4T, 2012).
    assert pibe == pytest.approx({"2013T1": 404000, "2013T2": 408000, "2013T3": 412000, "2013T4": 416000})
    assert nacional == pytest.approx(404000 + 800000 * 109.4 / 111.5)
    assert prod == pytest.approx((416000 / 4) * 1e6 / (926076 * 40 * 13))


def test_labor_poverty_against_the_food_basket(mano):
    con = _con(mano)
    valor = con.execute(
        "select pobreza_laboral from intermediate.int_semaforos__pobreza_laboral "
        "where cve_ent = '01' and periodo = '2013T4'"
    ).fetchone()[0]
    con.close()
    # Household A: 3,000 / 3 = 1,000 < 1,210 (urban): poor, 300 persons. B: 2,000 / 2 = 1,000 >= 900 (rural),
    # 400 persons. C has an unknown income: left out. D: exactly 1,210: not poor, 10 persons.
    assert valor == pytest.approx(100 * 300 / 710)


def test_gini_equals_an_independent_pairwise_computation(mano):
    con = _con(mano)
    gini = con.execute(
        "select gini from intermediate.int_semaforos__gini_ingreso_laboral where cve_ent = '02' and periodo = '2013T4'"
    ).fetchone()[0]
    con.close()
    datos = [(1000, 1), (2000, 2), (3000, 1), (5000, 3), (2000, 1)]
    assert gini == pytest.approx(gini_pares(datos), abs=1e-12)
    # By hand: 8 weight units (1000 x1, 2000 x3, 3000 x1, 5000 x3), mean 3,125; the weighted absolute
    # differences over pairs of groups add up to 53,000, so G = 2 x 53,000 / (2 x 8^2 x 3,125) = 0.265.
    assert gini == pytest.approx(0.265, abs=1e-12)


def test_debt_reports_the_previous_year_close(mano):
    con = _con(mano)
    rows = con.execute(
        "select periodo, deuda_pct_pib, anio_cierre from intermediate.int_semaforos__deuda_publica "
        "where cve_ent = '27' order by periodo"
    ).fetchall()
    con.close()
    assert rows == [(f"2013T{q}", 2.0, 2012) for q in (1, 2, 3, 4)]


INDICADORES = [
    # (indicador, cve_ent, anio, valor, meta)
    ("crecimiento_economico", "01", 2014, 6.1, None),
    ("crecimiento_economico", "02", 2014, 6.0, None),
    ("crecimiento_economico", "03", 2014, 4.6, None),
    ("crecimiento_economico", "04", 2014, 4.5, None),
    ("crecimiento_economico", "05", 2014, 4.4, None),
    ("crecimiento_economico", "06", 2014, 6.04, None),
    ("crecimiento_economico", "30", 2014, 100 * (109.4 / 111.5 - 1), None),
    ("empleo_formal", "01", 2014, 1000, 1000),
    ("empleo_formal", "02", 2014, 999, 1000),
    ("empleo_formal", "03", 2014, 750, 1000),
    ("empleo_formal", "04", 2014, 749, 1000),
    ("empleo_formal", "05", 2014, -5, 1000),
    ("empleo_formal", "06", 2014, 5000, None),
    ("empleo_formal", "09", 2014, 2923496 - 2893950, 109800 / 4),
    ("pobreza_laboral", "00", 2014, 40.0, None),
    ("pobreza_laboral", "00", 2013, 41.0, None),
    ("pobreza_laboral", "01", 2014, 40.0, None),
    ("pobreza_laboral", "01", 2013, 41.0, None),
    ("pobreza_laboral", "02", 2014, 39.0, None),
    ("pobreza_laboral", "02", 2013, 39.5, None),
    ("pobreza_laboral", "03", 2014, 40.1, None),
    ("pobreza_laboral", "03", 2013, 45.0, None),
    ("pobreza_laboral", "04", 2014, 30.0, None),
    ("pobreza_laboral", "04", 2013, 31.5, None),
    ("pobreza_laboral", "05", 2014, 35.0, None),
    ("productividad", "00", 2014, 200, None),
    ("productividad", "00", 2013, 190, None),
    ("productividad", "01", 2014, 200, None),
    ("productividad", "01", 2013, 190, None),
    ("productividad", "02", 2014, 250, None),
    ("productividad", "02", 2013, 245, None),
    ("productividad", "03", 2014, 199, None),
    ("productividad", "03", 2013, 100, None),
    ("productividad", "04", 2014, 199.6, None),
    ("productividad", "04", 2013, 180, None),
]
ESPERADO = {
    # growth: verde > 6, amarillo > 4.5, rojo otherwise, on the value rounded to one decimal
    ("crecimiento_economico", "01"): "verde",
    ("crecimiento_economico", "02"): "amarillo",
    ("crecimiento_economico", "03"): "amarillo",
    ("crecimiento_economico", "04"): "rojo",
    ("crecimiento_economico", "05"): "rojo",
    ("crecimiento_economico", "06"): "amarillo",
    ("crecimiento_economico", "30"): "rojo",
    # employment: verde >= 100 % of the goal, amarillo >= 75 %, rojo below; no goal, no colour
    ("empleo_formal", "01"): "verde",
    ("empleo_formal", "02"): "amarillo",
    ("empleo_formal", "03"): "amarillo",
    ("empleo_formal", "04"): "rojo",
    ("empleo_formal", "05"): "rojo",
    ("empleo_formal", "06"): None,
    ("empleo_formal", "09"): "verde",
    # lower is better: rojo above the national value; else verde if it improved at least as much
    ("pobreza_laboral", "00"): None,
    ("pobreza_laboral", "01"): "verde",
    ("pobreza_laboral", "02"): "amarillo",
    ("pobreza_laboral", "03"): "rojo",
    ("pobreza_laboral", "04"): "verde",
    ("pobreza_laboral", "05"): None,
    # higher is better: the mirror image (199.6 rounds to 200, the national value)
    ("productividad", "00"): None,
    ("productividad", "01"): "verde",
    ("productividad", "02"): "amarillo",
    ("productividad", "03"): "rojo",
    ("productividad", "04"): "verde",
}


# The yearly formal-employment figure (December against December), on the official IMSS series: Distrito
# Federal 2014 = 3,030,217 - 2,893,950 = 136,267 and 2013 = 2,893,950 - 2,778,785 = 115,165 against the
# yearly goal of 109,800; the nation 2014 = 17,239,587 - 16,525,061 = 714,526 against 1.2 million; a year
# of the loaded files (imss_cargado) after a year of the official series is not compared with it.
# (cve_ent, anio, valor, meta, serie)
ANUALES = [
    ("09", 2013, 2893950 - 2778785, 109800, "oficial"),
    ("09", 2014, 3030217 - 2893950, 109800, "oficial"),
    ("00", 2014, 17239587 - 16525061, 1200000, "oficial"),
    ("09", 2015, 90000, 104100, "imss_cargado"),
]


@pytest.fixture(scope="module")
def semaforos(mano):
    con = duckdb.connect(str(mano))
    con.execute(
        "create or replace table intermediate.int_semaforos__indicadores (indicador varchar, cve_ent varchar, "
        "periodicidad varchar, periodo varchar, anio integer, trimestre integer, valor double, meta double, "
        "serie varchar, fuente varchar)"
    )
    con.executemany(
        "insert into intermediate.int_semaforos__indicadores values (?, ?, 'trimestral', ?, ?, 1, ?, ?, ?, 'prueba')",
        [(i, e, f"{a}T1", a, v, m, "oficial" if i == "empleo_formal" else None) for i, e, a, v, m in INDICADORES],
    )
    con.executemany(
        "insert into intermediate.int_semaforos__indicadores "
        "values ('empleo_formal', ?, 'anual', ?, ?, null, ?, ?, ?, 'prueba')",
        [(e, str(a), a, v, m, serie) for e, a, v, m, serie in ANUALES],
    )
    con.close()
    result = run_dbt(mano, "run", "--select", "semaforos_estatales")
    assert result.returncode == 0, result.stdout[-4000:]
    con = _con(mano)
    rows = con.execute(
        "select indicador, cve_ent, valor, valor_nacional, cambio_anual, cambio_nacional, semaforo, "
        "regla, entidad from marts.semaforos_estatales where periodo = '2014T1'"
    ).fetchall()
    con.close()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_each_colour_rule_at_and_around_its_thresholds(semaforos):
    assert {k: v[4] for k, v in semaforos.items()} == ESPERADO


def test_worked_examples_in_the_mart(semaforos):
    valor, _nac, _c, _cn, color, regla, entidad = semaforos[("crecimiento_economico", "30")]
    assert (valor, color, regla) == (-1.9, "rojo", "rojo: -1.9 <= 4.5")
    assert entidad.startswith("Veracruz")
    valor, _nac, _c, _cn, color, regla, _e = semaforos[("empleo_formal", "09")]
    assert (valor, color) == (29546, "verde")
    assert regla == "verde: 29546 >= 100 % de la meta (27450)"


def test_rules_in_words_say_which_condition_held(semaforos):
    assert semaforos[("crecimiento_economico", "02")][5] == "amarillo: 4.5 < 6.0 <= 6"
    assert semaforos[("empleo_formal", "02")][5] == "amarillo: 999 >= 75 % de la meta (750) y < meta (1000)"
    assert semaforos[("empleo_formal", "06")][5] == "sin color: no hay meta vigente para el periodo"
    assert semaforos[("pobreza_laboral", "02")][2:4] == (-0.5, -1.0)
    assert semaforos[("pobreza_laboral", "02")][5] == (
        "amarillo: 39.0 <= nacional 40.0 y cambio -0.5 > cambio nacional -1.0"
    )
    assert semaforos[("pobreza_laboral", "03")][5] == "rojo: 40.1 > nacional 40.0"
    assert semaforos[("productividad", "03")][5] == "rojo: 199 < nacional 200"
    assert semaforos[("pobreza_laboral", "00")][5] == "sin color: valor nacional, referencia de los estados"
    assert semaforos[("pobreza_laboral", "00")][6] == "Nacional"


def test_yearly_employment_figure_of_the_worked_example(semaforos, mano):
    con = _con(mano)
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select cve_ent || '-' || periodo, periodicidad, trimestre, valor, meta, cambio_anual, semaforo, regla, serie "
            "from marts.semaforos_estatales where periodicidad = 'anual'"
        ).fetchall()
    }
    con.close()
    assert rows["09-2014"] == (
        "anual",
        None,
        136267,
        109800,
        136267 - 115165,
        "verde",
        "verde: 136267 >= 100 % de la meta (109800)",
        "oficial",
    )
    assert rows["09-2013"][2:5] == (115165, 109800, None)
    assert rows["00-2014"][2:] == (714526, 1200000, None, "rojo", "rojo: 714526 < 75 % de la meta (900000)", "oficial")
    # 2015 comes from the other series: no change against the official 2014.
    assert rows["09-2015"][2:] == (
        90000,
        104100,
        None,
        "amarillo",
        "amarillo: 90000 >= 75 % de la meta (78075) y < meta (104100)",
        "imss_cargado",
    )
