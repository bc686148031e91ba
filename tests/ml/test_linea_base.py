"""On the tiny demo: the manual's configuration trained and evaluated on the same split as the models, the
other historical mode side by side, calibrated models, and a prediction that carries each submateria's
confidence and watches drift (ml.deriva, ***ADVERTENCIA***)."""

from __future__ import annotations

import json
import shutil

import duckdb
import numpy as np
import pytest

from ml import baseline, calibration, store
from ml.data import leer_historia
from ml.features import feature_names
from ml.predict import predict
from ml.train import train


@pytest.fixture(scope="module")
def corrida(built_tiny, tiny_demo, tmp_path_factory):
    """A private copy of the built tiny warehouse where marts.entrenamiento_manual is an exact copy of
    marts.entrenamiento (so the look-ahead effect must come out exactly 0), one run and one MPR."""
    root = tmp_path_factory.mktemp("linea_base")
    db = root / "sidil.duckdb"
    shutil.copy(built_tiny, db)
    mp = pytest.MonkeyPatch()
    mp.setenv("SIDIL_DB", str(db))
    mp.setenv("SIDIL_MODELOS", str(root / "models_store"))
    mp.setenv("SIDIL_SALIDAS", str(root / "salidas"))
    con = duckdb.connect(str(db))
    con.execute("create or replace table marts.entrenamiento_manual as select * from marts.entrenamiento")
    lineas: list[str] = []
    resumen = train(con, verdad_dir=tiny_demo / "truth", say=lineas.append)
    lineas_pred: list[str] = []
    predict(con, say=lineas_pred.append)
    con.close()
    yield db, root, resumen, lineas, lineas_pred
    mp.undo()


def _filas(r, modelo):
    return {f["submateria_id"]: f for f in r.metricas if f["modelo"] == modelo}


def test_the_manual_baseline_is_evaluated_on_the_same_held_out_inspections(corrida):
    db, _, r, lineas, _ = corrida
    propias, base = _filas(r, "submateria"), _filas(r, baseline.MODELO)
    assert set(base) == set(propias) | {None}  # every submateria and their average
    for s, f in propias.items():
        assert (base[s]["n"], base[s]["prevalencia"]) == (f["n"], f["prevalencia"])  # same rows, same labels
        assert 0 <= base[s]["brier"] <= 1 and 0 <= base[s]["roc_auc"] <= 1
    assert base[None]["lift_top10"] == pytest.approx(np.mean([base[s]["lift_top10"] for s in propias]))
    assert any("línea base del manual" in x for x in lineas)
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute(
        "select count(distinct submateria_id) from ml.model_metrics where modelo = 'linea_base_manual' "
        "and metrica = 'roc_auc' and run_id = ?",
        [r.run_id],
    ).fetchone()[0]
    lift_base = con.execute("select lift_top10_linea_base from ml.model_runs where run_id = ?", [r.run_id]).fetchone()
    con.close()
    assert n == len(propias) and lift_base[0] == pytest.approx(base[None]["lift_top10"])


def test_the_manual_pivot_counts_an_unchecked_submateria_as_no_violation(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    h = leer_historia(con, feature_names(con))
    con.close()
    subs = sorted(h.etiquetas)
    Y = baseline.etiquetas_pivote(h, subs)
    assert Y.shape == (len(h.inspeccion_id), len(subs))
    for j, s in enumerate(subs):
        filas, y = h.etiquetas[s]
        assert Y[:, j].sum() == y.sum() and (Y[filas, j] == y).all()
        assert Y[np.setdiff1d(np.arange(len(Y)), filas), j].sum() == 0


def test_same_history_in_both_modes_gives_no_look_ahead_effect(corrida):
    _, root, r, _, _ = corrida
    propias, manual = _filas(r, "submateria"), _filas(r, "historico_manual")
    assert set(manual) == set(propias) | {None}
    for s, f in propias.items():
        assert manual[s]["n"] == f["n"]
        assert manual[s]["roc_auc"] == pytest.approx(f["roc_auc"]) and manual[s]["lift_top10"] == pytest.approx(
            f["lift_top10"]
        )
    html = (root / "models_store" / r.run_id / "reporte.html").read_text(encoding="utf-8")
    for texto in (
        "Histórico puntual frente al del manual",
        "Efecto en AUC",
        "Configuración del manual como línea base",
        "Confianza por submateria",
        "Deriva de las variables de entrada",
        "AUC máximo alcanzable",
    ):
        assert texto in html, texto
    assert "+0.000" in html and (root / "models_store" / r.run_id / "calibracion.png").stat().st_size > 0


def test_stored_models_are_calibrated_on_the_latest_inspections(corrida):
    _, _, r, _, _ = corrida
    modelos, variables, _ = store.load_run(r.run_id)
    assert modelos["historico"] == "puntual" and r.tabla_entrenamiento == "marts.entrenamiento"
    # a submateria whose validation fold would reverse its forest's ranking keeps its votes (and says so)
    calibrados = {s: calibration.esta_calibrado(m) for s, m in modelos["submaterias"].items()}
    assert sum(calibrados.values()) >= len(calibrados) // 2 and calibration.esta_calibrado(modelos["general"])
    assert set(modelos["referencia_deriva"]) == set(variables)
    assert set(modelos["metricas_prueba"]) == {str(s) for s in modelos["submaterias"]} | {"general"}
    for f in r.metricas:
        if f["modelo"] == "submateria":
            assert 0 <= f["ece"] <= 1 and f["brier_referencia"] == pytest.approx(
                f["prevalencia"] * (1 - f["prevalencia"])
            )


def test_the_mpr_carries_calibrated_probabilities_and_their_confidence(corrida):
    db, _, r, _, _ = corrida
    con = duckdb.connect(str(db), read_only=True)
    dic = con.execute("""select columna, descripcion, confianza, apta_para_priorizar, auc_prueba, ece_prueba
                         from ml.mpr_diccionario where grupo in ('prediccion', 'riesgo') order by columna""").fetchall()
    meta = json.loads(con.execute("select confianza from ml.mpr_metadatos").fetchone()[0])
    deriva = con.execute("select comparacion, count(*) from ml.deriva group by all").fetchall()
    con.close()
    propias = _filas(r, "submateria")
    assert {c for c, *_ in dic} == {f"pred_{s}" for s in propias} | {"riesgo"}
    modelos, _, _ = store.load_run(r.run_id)
    calibrado = {f"pred_{s}": calibration.esta_calibrado(m) for s, m in modelos["submaterias"].items()}
    calibrado["riesgo"] = calibration.esta_calibrado(modelos["general"])
    for col, desc, nivel, apta, auc, ece in dic:
        assert desc.startswith("Probabilidad calibrada" if calibrado[col] else "Puntaje del modelo (votos del bosque")
        assert nivel in ("alta", "media", "baja")
        assert meta[col]["nivel"] == nivel and meta[col]["apta"] == apta
        if col != "riesgo":
            s = int(col.removeprefix("pred_"))
            assert auc == pytest.approx(propias[s]["roc_auc"]) and ece == pytest.approx(propias[s]["ece"])
            assert apta == (propias[s]["roc_auc"] >= 0.55)  # the seed's threshold for prioritisation
    assert deriva == [("entrenamiento_vs_universo", len(r.variables))]  # the first MPR: nothing to compare


def test_a_drifted_input_and_a_changed_risk_are_warned(corrida, tmp_path, monkeypatch):
    db, _, r, _, _ = corrida
    copia = tmp_path / "sidil.duckdb"
    shutil.copy(db, copia)
    monkeypatch.setenv("SIDIL_SALIDAS", str(tmp_path / "salidas"))
    con = duckdb.connect(str(copia))
    entrada = next(v for v in r.variables if v.startswith("valor_"))
    # every workplace now has a value far above anything the model learned from
    con.execute(f"update marts.universo_ct_con_indicadores set {entrada} = 1e9")
    lineas: list[str] = []
    predict(con, say=lineas.append)
    filas = con.execute("""select comparacion, variable, nivel from ml.deriva
                           where generado_en = (select max(generado_en) from ml.deriva) and nivel = 'alta'""").fetchall()
    con.close()
    assert ("entrenamiento_vs_universo", entrada, "alta") in filas
    avisos = [x for x in lineas if x.startswith("***ADVERTENCIA***: deriva alta en variables de entrada")]
    assert len(avisos) == 1 and f"{entrada} (PSI" in avisos[0]
    from sidil.ml_steps import drift_table

    con = duckdb.connect(str(copia), read_only=True)
    t = drift_table(con)
    con.close()
    assert t is not None and entrada in [c for c in t.columns[1]._cells]


def test_scoring_the_manual_forests_one_at_a_time_equals_the_multi_output_fit():
    # The baseline fits and scores each output's forest in turn to hold one forest at a time: the forests and
    # scores must be exactly those of the manual's MultiOutputClassifier.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(600, 6)).astype(np.float32)
    Y = (rng.random((600, 3)) < np.array([0.2, 0.5, 0.0])).astype(np.int8)  # the third output has one class
    X_prueba = rng.normal(size=(150, 6)).astype(np.float32)
    juntos = baseline.modelo_manual(600).fit(X, Y).predict_proba(X_prueba)
    por_salida = baseline.probabilidades_por_salida(baseline.modelo_manual(600), X, Y, X_prueba)
    assert [c for c, _ in por_salida] == [[0, 1], [0, 1], [0]]
    for j, (_, proba) in enumerate(por_salida):
        np.testing.assert_array_equal(proba, juntos[j])
