"""The IMSS moving average as the manual reads (spec 002, 4.1.4.2): over "los últimos tres meses
disponibles" (a month that is not loaded is skipped, not a hole that leaves the next months without a
value); monthly estimates that fail their CV threshold are left out of the average ("depura los
resultados ... excluyendo aquellas estimaciones que no satisfacen el umbral"); and the first year of the
IMSS history is the dbt var `imss_anio_inicio`.

Hand-made warehouse: Dec 2025, Jan, Feb, Apr, May, Jun 2026 (March is not loaded). R2 (2 people) and R3
(5 people) earn 1,000 a day every month, so their sm105 is always 100. R1 (Tijuana, ZLFN cut
1.05 x 440.87 = 462.91; December 1.05 x 419.88 = 440.87) has people at 400 (under the cut) and 1,000:

| month | R1 wages              | R1 sm105 | national mean of (R1, 100, 100) | national cv       |
|-------|-----------------------|----------|---------------------------------|-------------------|
| Dec   | 1000 x 4              | 100      | 100                             | 0                 |
| Jan   | 1000 x 4              | 100      | 100                             | 0                 |
| Feb   | 400, 1000 x 3         | 75       | 91.667                          | 9.09              |
| Apr   | 400, 1000 x 4         | 80       | 93.333                          | 7.14              |
| May   | 400 x 4               | 0        | 66.667                          | 50 (> 30: fails)  |
| Jun   | 400 x 2, 1000 x 2     | 50       | 83.333                          | 20                |

cv = 100 x sample sd / sqrt(3) / mean; the catalog's umbral_cv for sm105 is 30.
"""

from __future__ import annotations

import math
import shutil
import statistics
from datetime import date, datetime

import duckdb
import pytest

from tests.conftest import run_dbt
from tests.imss.conftest import add_month, add_riesgo, create_raw
from tests.imss.test_indicadores_imss import build

DIC, ENE, FEB, MAR = date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
ABR, MAY, JUN = date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)
CARGA = datetime(2026, 7, 1, 10, 0)


def _r1(bajos: int, altos: int) -> list[tuple]:
    return [(f"B{i}", 1, 400, False) for i in range(bajos)] + [(f"A{i}", 2, 1000, False) for i in range(altos)]


R1_WAGES = {
    DIC: _r1(0, 4),
    ENE: _r1(0, 4),
    FEB: _r1(1, 3),
    MAR: _r1(2, 2),
    ABR: _r1(1, 4),
    MAY: _r1(4, 0),
    JUN: _r1(2, 2),
}
R2_PEOPLE = [("P1", 1, 1000, False), ("P2", 2, 1000, False)]
R3_PEOPLE = [(f"Q{i}", 1, 1000, False) for i in range(5)]
CARGADOS = [DIC, ENE, FEB, ABR, MAY, JUN]  # no March


def _mes(periodo):
    return {"R1TIJUANA01": R1_WAGES[periodo], "R2AGUASCA01": R2_PEOPLE, "R3ROSARIT01": R3_PEOPLE}


def _fill(con, months):
    for periodo in months:
        add_month(con, periodo, _mes(periodo), CARGA)
    # One 2025 accident (cut December 2025) so that 2025 has yearly rows (tasa_accidentes, tasa_dias).
    add_riesgo(con, "R1TIJUANA01", 2025, DIC, dias=1, n=1)


def _nacional(valores):
    """(mean, cv) of a month's national sm105 estimate over the three registros."""
    media = statistics.mean(valores)
    return media, 100 * statistics.stdev(valores) / math.sqrt(len(valores)) / media


NAC = {m: _nacional([v, 100, 100]) for m, v in {DIC: 100, ENE: 100, FEB: 75, MAR: 50, ABR: 80, MAY: 0, JUN: 50}.items()}


@pytest.fixture(scope="module")
def con_hueco(tmp_path_factory):
    db = tmp_path_factory.mktemp("imss_hueco") / "sidil.duckdb"
    con = create_raw(db)
    _fill(con, CARGADOS)
    con.close()
    build(db)
    con = duckdb.connect(str(db), read_only=True)
    yield db, con
    con.close()


def _agregado(con, periodo, agregacion="0_geo0", geo2=None, indicador="sm105"):
    return con.execute(
        "select valor, cv, n_registro, supera_umbral_cv from intermediate.int_imss__indicadores "
        "where indicador = ? and agregacion = ? and periodo = ? and geo2 is not distinct from ?",
        [indicador, agregacion, periodo, geo2],
    ).fetchone()


def _nominativo(con, periodo, registro="R1TIJUANA01", indicador="sm105"):
    row = con.execute(
        "select valor, meses_promediados from marts.indicadores_nominativos "
        "where indicador = ? and periodo = ? and cve_registro = ?",
        [indicador, periodo, registro],
    ).fetchone()
    return row


def test_monthly_estimates_as_worked_out(con_hueco):
    _, con = con_hueco
    assert NAC[FEB][1] == pytest.approx(100 / 11)  # sd 14.43 / sqrt 3 = 8.33 over 91.67
    assert NAC[MAY][1] == pytest.approx(50)
    assert NAC[JUN][1] == pytest.approx(20)
    for periodo in CARGADOS:
        valor, cv = con.execute(
            "select valor, cv from intermediate.int_imss__indicadores_mensuales "
            "where indicador = 'sm105' and agregacion = '0_geo0' and periodo = ?",
            [periodo],
        ).fetchone()
        assert (valor, cv) == (pytest.approx(NAC[periodo][0]), pytest.approx(NAC[periodo][1], abs=1e-9)), periodo


def test_the_window_is_the_last_three_available_months(con_hueco):
    _, con = con_hueco
    ventanas = {
        r[0]: r[1:]
        for r in con.execute(
            "select strftime(periodo, '%Y-%m'), meses_ventana, n_meses_ventana, meses_omitidos, promedio_calculado "
            "from intermediate.int_imss__ventanas_promedio_movil where indicador = 'sm105'"
        ).fetchall()
    }
    assert ventanas["2025-12"] == ("2025-12", 1, None, False)
    assert ventanas["2026-01"] == ("2025-12, 2026-01", 2, None, False)
    assert ventanas["2026-02"] == ("2025-12, 2026-01, 2026-02", 3, None, True)
    # March is not loaded: April averages January, February and April.
    assert ventanas["2026-04"] == ("2026-01, 2026-02, 2026-04", 3, "2026-03", True)
    assert ventanas["2026-05"] == ("2026-02, 2026-04, 2026-05", 3, "2026-03", True)
    assert ventanas["2026-06"] == ("2026-04, 2026-05, 2026-06", 3, None, True)


def test_gap_month_april_averages_january_february_april(con_hueco):
    _, con = con_hueco
    # National, every month passes its CV threshold: (100 + 91.667 + 93.333) / 3 = 95 (n_registro 3 each).
    valor, cv, n_registro, supera = _agregado(con, "2026-04")
    assert valor == pytest.approx(95.0)
    assert cv == pytest.approx((0 + 100 / 11 + NAC[ABR][1]) / 3)
    assert (n_registro, supera) == (3, False)
    # Nominative R1 (plain mean, no CV): (100 + 75 + 80) / 3 = 85 over three months.
    assert _nominativo(con, "2026-04") == (pytest.approx(85.0), 3)
    # The first two months of the history have fewer than three months available: no moving average.
    assert _agregado(con, "2026-01") is None
    assert _nominativo(con, "2026-01")[0] is None


def test_an_estimate_that_fails_its_cv_threshold_is_left_out_of_the_average(con_hueco):
    _, con = con_hueco
    # June's window is April, May, June; May's national estimate (cv 50 > 30) is left out:
    # (93.333 + 83.333) / 2 = 88.333 (with May it would have been 81.111).
    valor, cv, n_registro, supera = _agregado(con, "2026-06")
    assert valor == pytest.approx(265 / 3)
    assert cv == pytest.approx((NAC[ABR][1] + 20) / 2)
    assert (n_registro, supera) == (3, False)
    # May itself fails: its row is kept, averaged over February and April: (91.667 + 93.333) / 2 = 92.5.
    assert _agregado(con, "2026-05")[0] == pytest.approx(92.5)
    # Baja California (R1 and R3) in June: April (80, 100) cv 11.1 passes; May (0, 100) cv 100 and
    # June (50, 100) cv 33.3 fail -> April alone, 90.
    valor, cv, n_registro, supera = _agregado(con, "2026-06", "1_geo2", "02")
    assert valor == pytest.approx(90.0)
    assert cv == pytest.approx(100 * statistics.stdev([80, 100]) / math.sqrt(2) / 90)
    assert (n_registro, supera) == (2, False)
    # Aguascalientes has one registro (no CV) every month: no month passes, so the row keeps the average
    # of all of them and stays flagged (kept, never imputed).
    assert _agregado(con, "2026-06", "1_geo2", "01") == (pytest.approx(100.0), None, 1, True)
    # The nominative average has no CV and keeps every month: R1 (80 + 0 + 50) / 3.
    assert _nominativo(con, "2026-06") == (pytest.approx(130 / 3), 3)


def test_first_year_of_the_history_is_a_variable(con_hueco, tmp_path):
    db, con = con_hueco

    def primeros(c):
        return (
            c.execute("select min(anio) from intermediate.int_imss__indicadores_anuales").fetchone()[0],
            c.execute("select min(anio) from marts.indicadores_nominativos where frecuencia = 'anual'").fetchone()[0],
        )

    # Default (dbt_project.yml, 2019): the 2025 accident indicators are the first yearly rows.
    assert primeros(con) == (2025, 2025)
    assert con.execute(
        "select valor from marts.indicadores_nominativos where frecuencia = 'anual' "
        "and periodo = '2025' and indicador = 'tasa_accidentes' "
        "and cve_registro = 'R1TIJUANA01'"
    ).fetchone()[0] == pytest.approx(100 - 100 * 1 / 4)
    copia = tmp_path / "sidil.duckdb"
    shutil.copy(db, copia)
    result = run_dbt(
        copia,
        "build",
        "--full-refresh",
        "--select",
        "int_imss__indicadores_anuales",
        "int_imss__indicadores_nominativos",
        "indicadores_nominativos",
        "--vars",
        "{imss_anio_inicio: 2026}",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    c = duckdb.connect(str(copia), read_only=True)
    assert primeros(c) == (2026, 2026)
    c.close()


COMPARADAS = [
    "select * exclude (fecha_calculo) replace (round(valor, 9) as valor, round(cv, 9) as cv) "
    "from intermediate.int_imss__indicadores order by all",
    "select * exclude (fecha_calculo, registro_calculado_en) replace (round(valor, 9) as valor) "
    "from marts.indicadores_nominativos order by all",
]


def test_a_late_month_in_the_gap_recomputes_the_later_averages(tmp_path):
    db = tmp_path / "sidil.duckdb"
    con = create_raw(db)
    _fill(con, CARGADOS)
    con.close()
    build(db)
    # March arrives late: R1 50 (two of four under the cut).
    con = duckdb.connect(str(db))
    add_month(con, MAR, _mes(MAR), datetime(2026, 7, 2))
    con.close()
    build(db)  # incremental
    con = duckdb.connect(str(db), read_only=True)
    # April's window is now February, March, April: R1 (75 + 50 + 80) / 3; national all pass:
    # (91.667 + 83.333 + 93.333) / 3 = 89.444.
    assert _nominativo(con, "2026-04") == (pytest.approx(205 / 3), 3)
    assert _agregado(con, "2026-04")[0] == pytest.approx((NAC[FEB][0] + NAC[MAR][0] + NAC[ABR][0]) / 3)
    # May: March, April, May (May fails its threshold): (83.333 + 93.333) / 2 = 88.333; R1 (50 + 80 + 0) / 3.
    assert _agregado(con, "2026-05")[0] == pytest.approx(265 / 3)
    assert _nominativo(con, "2026-05") == (pytest.approx(130 / 3), 3)
    tablas = {q: con.execute(q).fetchall() for q in COMPARADAS}
    con.close()
    build(db, "--full-refresh")
    con = duckdb.connect(str(db), read_only=True)
    for q, filas in tablas.items():
        assert con.execute(q).fetchall() == filas, q
    con.close()
