"""`sidil run`, the scheduler's entry point: load, dbt build, train, predict and docs in one process, logged."""

from __future__ import annotations

import duckdb
from typer.testing import CliRunner

from sidil.cli import app


def test_run_loads_builds_documents_and_logs(tiny_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", "clave-de-prueba")
    monkeypatch.setenv("SIDIL_MODELOS", str(tmp_path / "models_store"))
    monkeypatch.setenv("SIDIL_SALIDAS", str(tmp_path / "salidas"))
    result = CliRunner().invoke(app, ["run", "--input", str(tiny_demo)])
    assert result.exit_code == 0, result.output[-3000:]
    assert "INFO: modelos construidos y pruebas aprobadas." in result.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"))  # dbt keeps the database open in this process
    n_ct = con.execute("select count(*) from marts.universo_ct_con_indicadores").fetchall()[0][0]
    assert n_ct == con.execute("select count(*) from raw.dne_centro_trabajo").fetchall()[0][0]
    assert con.execute("select count(*) from marts.entrenamiento").fetchall()[0][0] > 0
    procesos = [r[0] for r in con.execute("select proceso from raw.bitacora order by inicio").fetchall()]
    assert procesos == ["load", "build", "train", "predict"]  # no model yet: run trains one
    assert con.execute("select count(*) from ml.mpr").fetchall()[0][0] == n_ct
    run_id = con.execute("select run_id from ml.model_runs").fetchall()[0][0]
    con.close()
    assert (tmp_path / "models_store" / run_id / "reporte.html").exists()
    assert (tmp_path / "salidas" / "mpr" / "mpr.parquet").exists()
    assert "Resumen de sidil run" in result.output and "sidil serve" in result.output


def test_a_second_pipeline_on_the_same_warehouse_stops_at_once(tmp_path, monkeypatch):
    from sidil.pipeline import PipelineBusy, exclusive

    db = tmp_path / "w.duckdb"
    with exclusive(db):
        try:
            with exclusive(db):
                raise AssertionError("the second pipeline must not start")
        except PipelineBusy as exc:
            assert "Otro proceso de SIDIL" in str(exc)
