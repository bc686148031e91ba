"""A damaged model run or any unexpected failure of a step ends in one Spanish ***ERROR*** line (no
traceback), a raw.bitacora row with resultado 'error' and that line, a non-zero exit code, and the previous
MPR (tables and exports) byte for byte as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ml import store
from sidil.cli import app


@pytest.fixture(scope="module")
def base(built_tiny, tmp_path_factory):
    """One model run and its MPR on the tiny demo, trained once for the module: (root, run_id)."""
    from ml.predict import predict
    from ml.train import train

    root = tmp_path_factory.mktemp("fallas")
    db = root / "sidil.duckdb"
    shutil.copy(built_tiny, db)
    mp = pytest.MonkeyPatch()
    mp.setenv("SIDIL_MODELOS", str(root / "models_store"))
    mp.setenv("SIDIL_SALIDAS", str(root / "salidas"))
    try:
        con = duckdb.connect(str(db))
        resumen = train(con, say=lambda _l: None)
        predict(con, say=lambda _l: None)
        con.close()
    finally:
        mp.undo()
    return root, resumen.run_id


class Caso:
    def __init__(self, root: Path, run_id: str):
        self.root, self.run_id = root, run_id
        self.db = root / "sidil.duckdb"
        self.folder = root / "models_store" / run_id
        self.errores = root / "logs" / "sidil_errores.log"


@pytest.fixture
def caso(base, tmp_path, monkeypatch) -> Caso:
    """A private copy of the warehouse, models_store and salidas, with the environment pointing at it."""
    src, run_id = base
    shutil.copy(src / "sidil.duckdb", tmp_path / "sidil.duckdb")
    shutil.copytree(src / "models_store", tmp_path / "models_store")
    shutil.copytree(src / "salidas", tmp_path / "salidas")
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "sidil.duckdb"))
    monkeypatch.setenv("SIDIL_MODELOS", str(tmp_path / "models_store"))
    monkeypatch.setenv("SIDIL_SALIDAS", str(tmp_path / "salidas"))
    monkeypatch.setenv("SIDIL_ERRORES_LOG", str(tmp_path / "logs" / "sidil_errores.log"))
    return Caso(tmp_path, run_id)


def _mpr(c: Caso) -> tuple:
    """Everything the previous MPR is made of: its three tables and every exported file, byte for byte."""
    con = duckdb.connect(str(c.db), read_only=True)
    tablas = tuple(
        con.execute(f"select * from {t} order by all").fetchall()
        for t in ("ml.mpr", "ml.mpr_metadatos", "ml.mpr_diccionario")
    )
    con.close()
    archivos = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((c.root / "salidas" / "mpr_revision").iterdir())
    }
    return tablas, archivos


def _bitacora(c: Caso) -> list[tuple]:
    con = duckdb.connect(str(c.db), read_only=True)
    filas = con.execute("select proceso, resultado, mensaje from raw.bitacora order by inicio, fin").fetchall()
    con.close()
    return filas


def _falla(c: Caso, args: list[str], proceso: str, *fragmentos: str) -> str:
    """Run the CLI and check the failure contract; returns the ***ERROR*** line."""
    antes = _mpr(c)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errores = [line for line in result.output.splitlines() if "***ERROR***" in line]
    assert len(errores) == 1, result.output
    linea = errores[0]
    assert linea.startswith("***ERROR***: ")
    for f in fragmentos:
        assert f in linea, linea
    assert _bitacora(c)[-1] == (proceso, "error", linea)
    assert _mpr(c) == antes
    return linea


def _sin_sumas(c: Caso) -> None:
    """Make the run look like one saved before SHA-256 sums were recorded."""
    (c.folder / store.SUMAS).unlink()


@pytest.mark.parametrize("con_sumas", [True, False], ids=["con_sumas", "corrida_antigua"])
def test_a_truncated_model_file_is_refused(caso, con_sumas):
    if not con_sumas:
        _sin_sumas(caso)
    modelo = caso.folder / store.MODELOS
    modelo.write_bytes(modelo.read_bytes()[: modelo.stat().st_size // 2])
    esperado = "alterado o está dañado" if con_sumas else "dañado o incompleto"
    linea = _falla(
        caso,
        ["predict"],
        "predict",
        esperado,
        str(modelo),
        caso.run_id,
        "sidil train",
        "La MPR anterior sigue vigente.",
    )
    assert "inesperado" not in linea


@pytest.mark.parametrize("con_sumas", [True, False], ids=["con_sumas", "corrida_antigua"])
def test_a_garbage_feature_list_is_refused(caso, con_sumas):
    if not con_sumas:
        _sin_sumas(caso)
    variables = caso.folder / store.VARIABLES
    variables.write_bytes(b'["valor_a", "valor_b"\x00\xff garbage')
    esperado = "alterado o está dañado" if con_sumas else "no es JSON válido"
    _falla(caso, ["predict", "--run", caso.run_id], "predict", esperado, str(variables), "sidil train")


def test_one_flipped_byte_in_the_model_file_is_caught_by_its_checksum(caso):
    modelo = caso.folder / store.MODELOS
    datos = bytearray(modelo.read_bytes())
    datos[len(datos) // 2] ^= 0x01
    modelo.write_bytes(bytes(datos))
    _falla(caso, ["predict"], "predict", "fue alterado o está dañado", "SHA-256", str(modelo), "sidil train")


def test_an_unexpected_exception_in_predict_is_one_spanish_line_and_a_logged_stack(caso, monkeypatch):
    import ml.predict

    def roto(*_a, **_k):
        raise ZeroDivisionError("división " + "simulada")  # the log holds source lines: keep the text out of it

    monkeypatch.setattr(ml.predict, "score", roto)
    _falla(
        caso,
        ["predict"],
        "predict",
        "la predicción",
        "ZeroDivisionError: división simulada",
        "La MPR anterior sigue vigente.",
        str(caso.errores),
    )
    traza = caso.errores.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in traza and "in roto" in traza and "predict.py" in traza
    assert "división simulada" not in traza  # exception messages (they may hold data) stay out of the log


def test_run_stops_at_a_damaged_model_and_exits_non_zero(caso, monkeypatch):
    import sidil.pipeline

    monkeypatch.setattr(sidil.pipeline, "cargar", lambda *_a, **_k: 0)  # load and dbt build are tested elsewhere
    monkeypatch.setattr(sidil.pipeline, "construir", lambda *_a, **_k: 0)
    (caso.folder / store.MODELOS).write_bytes(b"no es un modelo")
    linea = _falla(caso, ["run", "--input", str(caso.root), "--sin-docs"], "predict", "alterado o está dañado")
    assert "Resumen de sidil run" not in linea
    assert [p for p, *_ in _bitacora(caso)] == ["predict"]


def test_run_records_an_unexpected_failure_of_the_load(caso, monkeypatch):
    import sidil.pipeline

    def roto(*_a, **_k):
        raise RuntimeError("fallo simulado de la carga\nsegunda línea")

    monkeypatch.setattr(sidil.pipeline, "cargar", roto)
    linea = _falla(
        caso, ["run", "--input", str(caso.root)], "load", "la carga", "RuntimeError: fallo simulado de la carga"
    )
    assert "segunda línea" not in linea


def test_build_records_an_unexpected_failure_of_dbt(caso, monkeypatch):
    import sidil.pipeline

    def roto(*_a):
        raise MemoryError()

    monkeypatch.setattr(sidil.pipeline, "dbt_con_resultados", roto)
    _falla(caso, ["build"], "build", "la construcción de dbt", "MemoryError")


def test_train_records_an_unexpected_failure(caso, monkeypatch):
    import ml.train

    def roto(*_a, **_k):
        raise KeyError("columna_simulada")

    monkeypatch.setattr(ml.train, "train", roto)
    antes = sorted(p.name for p in (caso.root / "models_store").iterdir())
    _falla(caso, ["train"], "train", "el entrenamiento", "KeyError: 'columna_simulada'")
    assert sorted(p.name for p in (caso.root / "models_store").iterdir()) == antes


def test_a_run_saved_before_checksums_still_predicts_with_a_warning(caso):
    _sin_sumas(caso)
    result = CliRunner().invoke(app, ["predict"])
    assert result.exit_code == 0, result.output
    assert "***ADVERTENCIA***" in result.output and "SHA-256" in result.output
    assert _bitacora(caso)[-1][:2] == ("predict", "ok")


def test_a_saved_run_records_the_sums_of_its_files(caso):
    sumas = json.loads((caso.folder / store.SUMAS).read_text())
    assert set(sumas) == {store.MODELOS, store.VARIABLES, store.METRICAS, store.VERSIONES}
    for name, suma in sumas.items():
        assert hashlib.sha256((caso.folder / name).read_bytes()).hexdigest() == suma
    modelos, variables, folder = store.load_run(caso.run_id)
    assert folder == caso.folder and variables and "general" in modelos


@pytest.mark.parametrize("dano", ["variables_no_lista", "metricas_rotas", "sin_variables", "sumas_rotas"])
def test_every_damaged_file_is_a_domain_error_naming_run_and_file(caso, dano):
    archivo = {
        "variables_no_lista": store.VARIABLES,
        "metricas_rotas": store.METRICAS,
        "sin_variables": store.VARIABLES,
        "sumas_rotas": store.SUMAS,
    }[dano]
    if dano != "sumas_rotas":
        _sin_sumas(caso)  # without sums, the shape checks are what catches it
    if dano == "variables_no_lista":
        (caso.folder / archivo).write_text(json.dumps({"valor_a": 1}))
    elif dano == "metricas_rotas":
        (caso.folder / archivo).write_text("{ roto")
    elif dano == "sin_variables":
        (caso.folder / archivo).unlink()
    else:
        (caso.folder / archivo).write_text("[]")
    with pytest.raises(store.ModeloDanado) as exc:
        store.load_run(caso.run_id)
    assert caso.run_id in str(exc.value) and str(caso.folder / archivo) in str(exc.value)
    assert "sidil train" in str(exc.value)


def test_a_run_id_is_a_folder_of_models_store_never_a_path(caso):
    otro = caso.root / "fuera" / caso.run_id
    shutil.copytree(caso.folder, otro)
    with pytest.raises(store.ModelNotFound, match="inválido"):
        store.load_run(f"../fuera/{caso.run_id}")
