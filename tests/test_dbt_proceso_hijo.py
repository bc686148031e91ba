"""dbt runs in a child process (sidil/pipeline.py::dbt_con_resultados): what the call reports is read from the
run_results.json that child wrote, never from an earlier call's, and a dbt that stops before building gets
its own message."""

from __future__ import annotations

import json
import subprocess

from typer.testing import CliRunner

import sidil.pipeline as pipeline


def _resultado(uid: str, status: str, segundos: float) -> dict:
    return {"unique_id": uid, "status": status, "execution_time": segundos}


def _sin_entorno(monkeypatch, tmp_path):
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setattr(pipeline, "_entorno_dbt", lambda: None)
    (tmp_path / "target").mkdir()
    return tmp_path / "target" / "run_results.json"


def test_the_results_are_the_childs_run_results(tmp_path, monkeypatch):
    run_results = _sin_entorno(monkeypatch, tmp_path)
    vistos = []

    def hijo(cmd, **kw):
        vistos.append(cmd)
        filas = [
            _resultado("model.sidil.int_a", "success", 12.345),
            _resultado("seed.sidil.semilla_b", "success", 0.5),
            _resultado("test.sidil.not_null_int_a_x.1a2b", "fail", 0.25),
            _resultado("model.sidil.int_c", "skipped", 0),
        ]
        run_results.write_text(json.dumps({"results": filas}), encoding="utf-8")
        return subprocess.CompletedProcess(cmd, 1)

    monkeypatch.setattr(pipeline.subprocess, "run", hijo)
    r = pipeline.dbt_con_resultados("build", "--select", "int_a+")
    assert vistos[0][1:5] == ["-m", "dbt.cli.main", "build", "--select"]
    assert (r.ok, r.fallidos, r.modelos) == (False, ["not_null_int_a_x"], ["int_a"])
    assert r.segundos == {
        "model.sidil.int_a": 12.35,
        "seed.sidil.semilla_b": 0.5,
        "test.sidil.not_null_int_a_x.1a2b": 0.25,
        "model.sidil.int_c": 0.0,
    }


def test_a_dbt_that_writes_no_results_is_never_read_as_the_previous_call(tmp_path, monkeypatch):
    run_results = _sin_entorno(monkeypatch, tmp_path)
    anterior = {"results": [_resultado("model.sidil.int_viejo", "success", 3.0)]}
    run_results.write_text(json.dumps(anterior), encoding="utf-8")
    monkeypatch.setattr(pipeline.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 2))
    r = pipeline.dbt_con_resultados("build")
    assert (r.ok, r.fallidos, r.modelos, r.segundos) == (False, [], [], {})
    assert not run_results.exists()


def test_a_build_that_stops_before_building_says_so(tmp_path, monkeypatch):
    from sidil.cli import app

    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setattr(pipeline, "dbt_con_resultados", lambda *a: pipeline.ResultadoDbt(False))
    salida = CliRunner().invoke(app, ["build", "--select", "int_a"]).output
    assert "dbt se detuvo antes de construir (compilación, selección o conexión)" in salida
    assert "fallaron 0" not in salida
