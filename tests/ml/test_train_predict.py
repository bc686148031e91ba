"""Training, evaluation and the risk matrix on the tiny demo: the model learns something real, the MPR is
complete and free of personal data, and a refused or failed prediction leaves the previous MPR intact."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from ml.features import FeatureMismatch
from ml.predict import predict
from ml.train import split, train


@pytest.fixture(scope="module")
def trained(built_tiny, tiny_demo, tmp_path_factory):
    """A copy of the built tiny warehouse with one model run and an MPR; its own models_store and salidas."""
    root = tmp_path_factory.mktemp("ml")
    db = root / "sidil.duckdb"
    shutil.copy(built_tiny, db)
    mp = pytest.MonkeyPatch()
    mp.setenv("SIDIL_DB", str(db))
    mp.setenv("SIDIL_MODELOS", str(root / "models_store"))
    mp.setenv("SIDIL_SALIDAS", str(root / "salidas"))
    con = duckdb.connect(str(db))
    resumen = train(con, verdad_dir=tiny_demo / "truth", say=lambda _l: None)
    predict(con, say=lambda _l: None)
    con.close()
    yield db, root, resumen
    mp.undo()


def _metric(resumen, modelo, clave):
    return next(f[clave] for f in resumen.metricas if f["modelo"] == modelo)


def test_the_models_beat_chance_on_later_inspections(trained):
    _, _, r = trained
    assert r.division == "temporal" and r.n_prueba > 0 and r.n_entrenamiento > r.n_prueba
    assert _metric(r, "general", "roc_auc") > 0.56
    assert _metric(r, "promedio", "roc_auc") > 0.56
    assert _metric(r, "promedio", "lift_top10") > 1.1
    # the demo's truth bounds what any model can reach on the same inspections
    for f in r.metricas:
        assert f["auc_maximo"] > 0.5
        assert f["brecha_auc"] == pytest.approx(f["auc_maximo"] - f["roc_auc"])


def test_the_run_is_stored_with_everything_needed_to_reuse_and_audit_it(trained):
    db, root, r = trained
    folder = root / "models_store" / r.run_id
    for name in (
        "modelos.joblib",
        "variables.json",
        "metrics.json",
        "versiones.json",
        "reporte.html",
        "general_importancia.png",
        "general_resumen.png",
        "general_cascada.png",
    ):
        assert (folder / name).stat().st_size > 0, name
    assert json.loads((folder / "variables.json").read_text()) == r.variables
    html = (folder / "reporte.html").read_text(encoding="utf-8")
    assert "AUC máximo alcanzable" in html and "Lift 10 % superior" in html
    con = duckdb.connect(str(db), read_only=True)
    run = con.execute("select run_id, familia, n_prueba, auc_promedio from ml.model_runs").fetchall()
    assert run == [(r.run_id, "bosque", r.n_prueba, pytest.approx(_metric(r, "promedio", "roc_auc")))]
    subs = con.execute("select count(distinct submateria_id) from ml.model_metrics where modelo = 'submateria'")
    assert subs.fetchone()[0] == len([f for f in r.metricas if f["modelo"] == "submateria"])
    con.close()


def test_the_mpr_has_one_row_per_workplace_and_every_column_group(trained):
    db, root, r = trained
    con = duckdb.connect(str(db), read_only=True)
    n_universo = con.execute("select count(*) from marts.universo_ct_con_indicadores").fetchone()[0]
    n, distintos = con.execute("select count(*), count(distinct centro_trabajo_id) from ml.mpr").fetchone()
    assert n == distintos == n_universo
    cols = [c[0] for c in con.execute("describe ml.mpr").fetchall()]
    preds = [c for c in cols if c.startswith("pred_")]
    assert preds == [f"pred_{f['submateria_id']}" for f in r.metricas if f["modelo"] == "submateria"]
    assert "riesgo" in cols and any(c.startswith("atrib_") for c in cols) and any(c.startswith("ind_") for c in cols)
    lo, hi, nulls = con.execute(f"""select min(least({", ".join(preds)}, riesgo)), max(greatest({", ".join(preds)},
                                riesgo)), count(*) filter (where riesgo is null) from ml.mpr""").fetchone()
    assert 0 <= lo <= hi <= 1 and nulls == 0
    dic = dict(con.execute("select columna, grupo from ml.mpr_diccionario").fetchall())
    assert set(dic) == set(cols)  # every column is described
    meta = con.execute("select run_id, n_centros from ml.mpr_metadatos").fetchall()
    assert meta == [(r.run_id, n)]
    exportado = con.execute(f"select count(*) from read_parquet('{root / 'salidas' / 'mpr_revision' / 'mpr.parquet'}')")
    assert exportado.fetchone()[0] == n
    con.close()


def test_the_stored_model_is_recalibrated_on_the_latest_inspections(trained):
    db, root, r = trained
    assert r.recalibracion == "ventana" and r.ventanas_finales
    meta = json.loads((root / "salidas" / "mpr_revision" / "mpr_metadatos.json").read_text(encoding="utf-8"))
    assert meta["recalibracion"] == "ventana" and meta["ventanas_recalibracion"] == r.ventanas_finales
    con = duckdb.connect(str(db), read_only=True)
    ultima = str(con.execute("select max(fecha_inspeccion) from marts.entrenamiento").fetchone()[0])
    descripcion = con.execute("select descripcion from ml.mpr_diccionario where columna = 'riesgo'").fetchone()[0]
    con.close()
    assert max(v["hasta"] for v in r.ventanas_finales.values()) == ultima
    assert "ajustada a la tasa de violación de las inspecciones del" in descripcion
    html = (root / "models_store" / r.run_id / "reporte.html").read_text(encoding="utf-8")
    assert 'id="recalibracion"' in html and 'id="ventanas"' in html
    # the evaluation keeps the calibration fitted once beside the walk-forward one
    prom = next(f for f in r.metricas if f["modelo"] == "promedio")
    assert 0 <= prom["ece"] <= 1 and 0 <= prom["ece_calibracion_fija"] <= 1


def test_the_returned_result_is_what_metrics_json_stores(trained):
    _, root, r = trained
    texto = (root / "models_store" / r.run_id / "metrics.json").read_text(encoding="utf-8")
    assert texto == json.dumps(r.como_dict(), indent=1, ensure_ascii=False, default=str)  # byte for byte
    assert r.tiempos["total_s"] >= r.tiempos["shap_s"] > 0  # the total is taken after the report, before saving


def test_no_nss_or_curp_in_the_mpr_or_its_exports(trained):
    db, root, _ = trained
    con = duckdb.connect(str(db), read_only=True)
    cols = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'ml' and table_name = 'mpr'"
    ).fetchall()
    assert not [c for c, _ in cols if re.search("nss|curp", c)]
    curp = r"^[A-Z]{4}[0-9]{6}[HM][A-Z]{5}[A-Z0-9][0-9]$"
    for c, t in cols:
        if t == "VARCHAR":
            hits = con.execute(
                f"select count(*) from ml.mpr where regexp_matches({c}, '{curp}') "
                f"or regexp_matches({c}, '^[0-9]{{11}}$')"
            ).fetchone()[0]
            assert hits == 0, c
    con.close()
    csv = (root / "salidas" / "mpr_revision" / "mpr.csv").read_text(encoding="utf-8")
    assert not re.search(r"\b[A-Z]{4}[0-9]{6}[HM][A-Z]{5}[A-Z0-9][0-9]\b", csv)


def _snapshot(db: Path, root: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    tabla = con.execute("select count(*), sum(hash(centro_trabajo_id, riesgo)) from ml.mpr").fetchone()
    meta = con.execute("select * from ml.mpr_metadatos").fetchall()
    con.close()
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "salidas" / "mpr_revision").iterdir())
    }
    return tabla, meta, files


def test_a_failure_during_predict_leaves_the_previous_mpr_intact(trained):
    db, root, _ = trained
    before = _snapshot(db, root)

    def boom():
        raise OSError("disco lleno (simulado)")

    con = duckdb.connect(str(db))
    with pytest.raises(OSError, match="simulado"):
        predict(con, say=lambda _l: None, _antes_de_publicar=boom)
    assert (
        con.execute("select count(*) from information_schema.tables where table_name = 'mpr__nueva'").fetchone()[0] == 0
    )
    con.close()
    assert _snapshot(db, root) == before


def test_a_model_trained_on_other_inputs_is_refused(trained):
    from sidil.cli import app

    db, root, r = trained
    before = _snapshot(db, root)
    store = root / "models_store"
    shutil.copytree(store / r.run_id, store / "modelo-viejo")
    (store / "modelo-viejo" / "variables.json").write_text(json.dumps(r.variables[:-1]))
    sumas = json.loads((store / "modelo-viejo" / "sha256.json").read_text())  # as if saved so by training
    sumas["variables.json"] = hashlib.sha256((store / "modelo-viejo" / "variables.json").read_bytes()).hexdigest()
    (store / "modelo-viejo" / "sha256.json").write_text(json.dumps(sumas))
    con = duckdb.connect(str(db))
    with pytest.raises(FeatureMismatch, match=r.variables[-1]):
        predict(con, run_id="modelo-viejo", say=lambda _l: None)
    con.close()
    result = CliRunner().invoke(app, ["predict", "--run", "modelo-viejo"])
    assert result.exit_code == 1
    assert "no corresponde a los datos actuales" in result.output and "anterior sigue vigente" in result.output
    assert _snapshot(db, root) == before


def test_temporal_split_keeps_later_inspections_for_evaluation():
    from ml.data import Historia

    fechas = np.array(["2015-01-01", "2016-06-01", "2017-03-01", "2018-01-01", "2019-01-01"], dtype="datetime64[D]")
    h = Historia(
        inspeccion_id=np.arange(5),
        fecha=fechas,
        X=np.zeros((5, 1), np.float32),
        cualquier_violacion=np.zeros(5, bool),
        etiquetas={},
        submaterias={},
    )
    prueba, corte = split(h, "temporal", None, 0.4)
    assert prueba.tolist() == [False, False, False, True, True]
    assert (fechas[~prueba] < np.datetime64(corte)).all()
    from datetime import date

    prueba, _ = split(h, "temporal", date(2017, 1, 1), 0.2)
    assert prueba.tolist() == [False, False, True, True, True]
    with pytest.raises(Exception, match="ninguna"):
        split(h, "temporal", date(2030, 1, 1), 0.2)
    aleatoria, corte = split(h, "aleatoria", None, 0.4)
    assert corte is None and aleatoria.sum() == 2


def test_the_demo_truth_is_found_from_what_was_loaded(built_tiny, tiny_demo):
    from ml.truth import Verdad

    con = duckdb.connect(str(built_tiny), read_only=True)
    assert Verdad.de_la_carga(con) == tiny_demo / "truth"
    con.close()
    assert Verdad.de_la_carga(duckdb.connect()) is None  # nothing loaded: no truth, no error
