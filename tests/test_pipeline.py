"""`sidil run`, the scheduler's entry point, and the one pipeline module behind it and the operators' web:
steps in a fixed order under one lock, one raw.bitacora row each, and the MPR reaching the consultation only
when it is published."""

from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from sidil.cli import app


def _bitacora(db) -> list[tuple]:
    con = duckdb.connect(str(db))  # not read-only: dbt keeps the database open in this process
    try:
        return con.execute(
            "select proceso, resultado, usuario, parametros from raw.bitacora order by inicio"
        ).fetchall()
    finally:
        con.close()


def test_run_loads_builds_trains_predicts_and_publishes_only_when_asked(tiny_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", "clave-de-prueba")
    monkeypatch.setenv("SIDIL_MODELOS", str(tmp_path / "models_store"))
    monkeypatch.setenv("SIDIL_SALIDAS", str(tmp_path / "salidas"))
    monkeypatch.delenv("SIDIL_USUARIO", raising=False)
    salidas = tmp_path / "salidas"
    result = CliRunner().invoke(app, ["run", "--input", str(tiny_demo)])
    assert result.exit_code == 0, result.output[-3000:]
    assert "INFO: modelos construidos y pruebas aprobadas." in result.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"))  # dbt keeps the database open in this process
    n_ct = con.execute("select count(*) from marts.universo_ct_con_indicadores").fetchall()[0][0]
    assert n_ct == con.execute("select count(*) from raw.dne_centro_trabajo").fetchall()[0][0]
    assert con.execute("select count(*) from marts.entrenamiento").fetchall()[0][0] > 0
    assert con.execute("select count(*) from ml.mpr").fetchall()[0][0] == n_ct
    run_id = con.execute("select run_id from ml.model_runs").fetchall()[0][0]
    con.close()
    # no model yet: the run trains one; every step, docs included, leaves exactly one row
    assert [r[0] for r in _bitacora(tmp_path / "w.duckdb")] == ["load", "build", "train", "predict", "docs"]
    assert (tmp_path / "models_store" / run_id / "reporte.html").exists()
    # the prediction awaits review: nothing reaches the consultation's folder yet
    assert (salidas / "mpr_revision" / "mpr.parquet").exists()
    assert not (salidas / "mpr").exists()
    assert "Resumen de sidil run" in result.output and "sidil publish" in result.output

    # the operator publishes: the consultation's folder and a dated archive with user and comment
    result = CliRunner().invoke(app, ["publish", "--usuario", "operadora1", "--comentario", "revisada"])
    assert result.exit_code == 0, result.output[-3000:]
    meta = json.loads((salidas / "mpr" / "mpr_metadatos.json").read_text(encoding="utf-8"))
    assert meta["run_id"] == run_id and meta["publicado_por"] == "operadora1" and meta["comentario"] == "revisada"
    archivo = salidas / "mpr_publicadas" / meta["version"]
    assert sorted(p.name for p in archivo.iterdir()) == [
        "mpr.csv",
        "mpr.parquet",
        "mpr_diccionario.parquet",
        "mpr_metadatos.json",
        "publicacion.json",
    ]
    assert (archivo / "mpr.parquet").read_bytes() == (salidas / "mpr_revision" / "mpr.parquet").read_bytes()
    proceso, resultado, usuario, parametros = _bitacora(tmp_path / "w.duckdb")[-1]
    assert (proceso, resultado, usuario) == ("publish", "ok", "operadora1") and meta["version"] in parametros

    # steps named in any order run in the pipeline's order, recorded under the user given
    result = CliRunner().invoke(
        app, ["run", "--input", str(tiny_demo), "--pasos", "publish,predict", "--usuario", "operador2"]
    )
    assert result.exit_code == 0, result.output[-3000:]
    ultimos = _bitacora(tmp_path / "w.duckdb")[-2:]
    assert [(p, r, u) for p, r, u, _ in ultimos] == [("predict", "ok", "operador2"), ("publish", "ok", "operador2")]
    from sidil import publicacion

    versiones = publicacion.publicaciones()
    assert len(versiones) == 2 and versiones[0]["publicado_por"] == "operador2"
    assert publicacion.candidata()["publicada"] is True


def test_publish_without_a_prediction_says_so_and_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("SIDIL_SALIDAS", str(tmp_path / "salidas"))
    result = CliRunner().invoke(app, ["publish"])
    assert result.exit_code == 1
    assert "***ERROR***: No hay una MPR por revisar" in result.output
    assert not (tmp_path / "salidas" / "mpr").exists()
    assert [(p, r) for p, r, _, _ in _bitacora(tmp_path / "w.duckdb")] == [("publish", "error")]


def test_unknown_steps_are_refused_before_anything_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    result = CliRunner().invoke(app, ["run", "--input", str(tmp_path), "--pasos", "load,borrar"])
    assert result.exit_code == 2
    assert "paso(s) desconocido(s): borrar" in result.output
    assert not (tmp_path / "w.duckdb").exists()


def test_steps_always_run_in_the_pipeline_order():
    from sidil.pipeline import ORDEN, ordenar

    assert ordenar(["docs", "predict", "load", "predict", " build "]) == ["load", "build", "predict", "docs"]
    assert ordenar(reversed(ORDEN)) == list(ORDEN)


def test_a_second_pipeline_on_the_same_warehouse_stops_at_once_and_says_who_runs(tmp_path):
    from sidil.pipeline import PipelineBusy, en_curso, exclusive

    db = tmp_path / "w.duckdb"
    assert en_curso(db) is None
    with exclusive(db, pasos=["load", "build"], usuario="ana"):
        quien = en_curso(db)
        assert quien["pasos"] == ["load", "build"] and quien["usuario"] == "ana"
        try:
            with exclusive(db):
                raise AssertionError("the second pipeline must not start")
        except PipelineBusy as exc:
            assert "Otro proceso de SIDIL" in str(exc) and "load, build de ana" in str(exc)
        assert en_curso(db)["usuario"] == "ana"  # the refused attempt did not erase the holder's note
    assert en_curso(db) is None


def test_asking_who_runs_takes_no_lock_and_ignores_a_dead_holders_note(tmp_path, monkeypatch):
    """The web asks every second who holds the warehouse: that question must never hold the lock itself (a
    scheduled run starting at that instant would be refused), and a note left by a process that died (its
    lock already released by the kernel) means nobody runs."""
    import fcntl
    import json
    import subprocess
    import sys

    from sidil import pipeline

    db = tmp_path / "w.duckdb"
    muerto = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    candado = db.with_name(db.name + ".sidil.lock")
    candado.write_text(json.dumps({"pid": int(muerto.stdout), "pasos": ["load"], "usuario": "ana"}), encoding="utf-8")
    assert pipeline.en_curso(db) is None
    with pipeline.exclusive(db, pasos=["build"], usuario="luis"):
        llamadas = []
        monkeypatch.setattr(fcntl, "flock", lambda *a: llamadas.append(a))
        assert pipeline.en_curso(db)["usuario"] == "luis"
        assert llamadas == []
        monkeypatch.undo()
    assert pipeline.en_curso(db) is None
