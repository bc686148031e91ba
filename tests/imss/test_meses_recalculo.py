"""The IMSS look-back (the manual's `frecuencia_actualizacion`, dbt var `imss_meses_recalculo`): a build
recomputes the last N loaded months even when their inputs did not change, and leaves older unchanged
months as they were. Hand-made warehouse of tests/imss (Dec 2025 - Mar 2026)."""

from __future__ import annotations

import duckdb
from typer.testing import CliRunner

from tests.imss.conftest import create_raw
from tests.imss.test_indicadores_imss import ENE, FEB, MAR, MONTHS, build, fill

R2 = "R2AGUASCA01"


def _state(db):
    con = duckdb.connect(str(db), read_only=True)
    mes = {
        r[0]: r[1:]
        for r in con.execute(
            "select periodo, n_asegurados, n_mujeres, altas, bajas from intermediate.int_imss__registro_mes "
            "where cve_registro = ?",
            [R2],
        ).fetchall()
    }
    brecha = {
        r[0]: r[1]
        for r in con.execute(
            "select periodo, valor_mes from marts.indicadores_nominativos where indicador = 'brecha_imss' "
            "and cve_registro = ? and frecuencia = 'mensual'",
            [R2],
        ).fetchall()
    }
    con.close()
    return mes, brecha


def test_the_last_n_months_are_recomputed_and_older_ones_are_not(tmp_path):
    db = tmp_path / "sidil.duckdb"
    con = create_raw(db)
    fill(con, MONTHS)
    con.close()
    build(db)
    mes, brecha = _state(db)
    # R2 has P1 (man, 330) and P2 (woman, 330) in January and February: one woman, gap 1.
    assert mes[ENE] == mes[FEB] == (2, 1, 0, 0) and mes[MAR] == (3, 1, 1, 0)
    assert brecha["2026-01"] == brecha["2026-02"] == 1.0
    # A correction that leaves no trace in the load times (cargado_en): P2 was never R2's in January nor
    # February (as when a catalog or seed is corrected, or a model fixed).
    con = duckdb.connect(str(db))
    con.execute("delete from raw.imss_puestos where nss_hash = 'nss-P2' and periodo in (?, ?)", [ENE, FEB])
    con.close()
    build(db, "--vars", "{imss_meses_recalculo: 2}")
    mes, brecha = _state(db)
    # February is one of the last two months: recomputed (no woman, no gap); March follows (P2 a new hire).
    assert mes[FEB] == (1, 0, 0, 0) and "2026-02" not in brecha
    assert mes[MAR] == (3, 1, 2, 0)
    # January is older: kept as it was computed.
    assert mes[ENE] == (2, 1, 0, 0) and brecha["2026-01"] == 1.0
    # With no look-back nothing is recomputed; a full refresh picks January up.
    build(db, "--vars", "{imss_meses_recalculo: 0}")
    assert _state(db)[0][ENE] == (2, 1, 0, 0)
    build(db, "--full-refresh")
    mes, brecha = _state(db)
    assert mes[ENE] == (1, 0, 0, 1) and "2026-01" not in brecha  # P2 was there in December


def test_sidil_build_passes_the_look_back_to_dbt(tmp_path, monkeypatch):
    import sidil.pipeline
    from sidil.cli import app

    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    seen: list[tuple] = []

    def fake_dbt(*args):
        seen.append(args)
        return sidil.pipeline.ResultadoDbt(False, ["simulado"])  # stop before anything reads the warehouse

    monkeypatch.setattr(sidil.pipeline, "dbt_con_resultados", fake_dbt)
    result = CliRunner().invoke(app, ["build", "--meses-recalculo", "2"])
    assert seen == [("build", "--vars", '{"imss_meses_recalculo": 2}')], result.output
    CliRunner().invoke(app, ["build"])
    assert seen[-1] == ("build",)  # the default of dbt_project.yml (4)
    assert CliRunner().invoke(app, ["build", "--meses-recalculo", "-1"]).exit_code == 2
