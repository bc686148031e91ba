"""`sidil load` and `sidil status` as an analyst runs them."""

from __future__ import annotations

from typer.testing import CliRunner

from sidil.cli import app
from tests.loaders.conftest import copy_input

runner = CliRunner()


def test_load_then_status_lists_what_is_loaded_and_logs_the_run(tiny_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    result = runner.invoke(app, ["load", "--input", str(tiny_demo), "--source", "imss"])
    assert result.exit_code == 0, result.output
    assert "INFO: carga terminada." in result.output
    assert "***ADVERTENCIA***: IMSS 2026-10: hay patrones pero no puestos" in result.output
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0, status.output
    assert "puestos" in status.output and "2026-09" in status.output
    assert "bitácora" in status.output and "load" in status.output


def test_a_bad_file_makes_the_command_fail_after_loading_the_rest(tiny_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    root = copy_input(
        tiny_demo,
        tmp_path / "in",
        "imss/patrones/PATRONES_STPS_20260931.tab",
        "imss/patrones/PATRONES_STPS_2026831.tab",
    )
    bad = root / "imss/patrones/PATRONES_STPS_20260931.tab"
    bad.write_text(bad.read_text(encoding="utf-8").replace("cve_registro", "registro_x"), encoding="utf-8")
    result = runner.invoke(app, ["load", "--input", str(root), "--source", "imss"])
    assert result.exit_code == 1
    assert f"***ERROR***: archivo {bad}, fila 1, campo cve_registro: falta el campo obligatorio" in result.output
    assert "PATRONES_STPS_2026831.tab" in result.output and "filas cargadas" in result.output


def test_loading_real_data_without_a_key_is_refused(tiny_demo, tmp_path, monkeypatch):
    monkeypatch.delenv("SIDIL_PSEUDO_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .sidil_pseudo_key here
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    root = copy_input(tiny_demo, tmp_path / "in", "imss/puestos/PAFINALMES_F_20260931.tab")
    result = runner.invoke(app, ["load", "--input", str(root)])
    assert result.exit_code == 2
    assert "SIDIL_PSEUDO_KEY" in result.output
    assert not (tmp_path / ".sidil_pseudo_key").exists()


def test_the_demo_gets_a_local_key_file_when_none_is_set(tiny_demo, tmp_path, monkeypatch):
    monkeypatch.delenv("SIDIL_PSEUDO_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    result = runner.invoke(app, ["load", "--input", str(tiny_demo), "--source", "censo"])
    assert result.exit_code == 0, result.output
    key = tmp_path / ".sidil_pseudo_key"
    assert key.exists() and len(key.read_text().strip()) == 64
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_unknown_source_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["load", "--input", str(tmp_path), "--source", "sat"])
    assert result.exit_code == 2 and "fuente desconocida" in result.output
