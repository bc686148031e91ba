"""int_imss__indicadores is incremental by month: a run recomputes only the months whose window (or the
month itself) takes a month int_imss__indicadores_mensuales rewrote since; the others keep their rows and
their fecha_calculo. Same hand-made warehouse as test_promedio_movil (March loaded late)."""

from __future__ import annotations

from datetime import datetime

import duckdb

from tests.imss.conftest import add_month, create_raw
from tests.imss.test_indicadores_imss import build
from tests.imss.test_promedio_movil import CARGADOS, MAR, _fill, _mes


def _fechas(db) -> dict[str, set]:
    con = duckdb.connect(str(db), read_only=True)
    filas = con.execute(
        "select periodo, list(distinct fecha_calculo) from intermediate.int_imss__indicadores group by periodo"
    ).fetchall()
    con.close()
    return {periodo: set(fechas) for periodo, fechas in filas}


def test_only_the_months_whose_windows_changed_are_recomputed(tmp_path):
    db = tmp_path / "sidil.duckdb"
    con = create_raw(db)
    _fill(con, CARGADOS)
    con.close()
    build(db)
    antes = _fechas(db)
    # December 2025 has only the yearly rows; January has no three-month window yet.
    assert sorted(antes) == ["2025-12", "2026-02", "2026-04", "2026-05", "2026-06"]
    assert all(len(fechas) == 1 for fechas in antes.values())

    build(db)  # nothing new: no month is recomputed
    assert _fechas(db) == antes

    con = duckdb.connect(str(db))
    add_month(con, MAR, _mes(MAR), datetime(2026, 7, 2))
    con.close()
    build(db)
    despues = _fechas(db)
    # Windows up to February do not take March: kept. March is new; April and May take March, June takes
    # April (rewritten upstream: its turnover now has a previous month).
    assert {p: despues[p] for p in ("2025-12", "2026-02")} == {p: antes[p] for p in ("2025-12", "2026-02")}
    assert "2026-03" in despues
    for periodo in ("2026-04", "2026-05", "2026-06"):
        assert despues[periodo] != antes[periodo], periodo
