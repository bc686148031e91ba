"""`sidil run` builds only what changed (issue 17): after one new IMSS month only the models that depend on
the IMSS inputs run, and the marts equal a full rebuild's row for row; with nothing new no model runs; a
changed catalog rebuilds exactly its descendants. Tiny demo, whole pipeline, real dbt."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.catalog import recognise


def _ultimo_mes_imss(entrada: Path) -> list[Path]:
    """The patrones and puestos files of the latest month that has both."""
    por_mes: dict[tuple[int, int], dict[str, Path]] = {}
    for p in (entrada / "imss").rglob("*"):
        rec = recognise(p, entrada) if p.is_file() else None
        if rec and rec.entidad in ("patrones", "puestos"):
            por_mes.setdefault((rec.anio, rec.mes_o_trimestre), {})[rec.entidad] = p
    mes = max(k for k, v in por_mes.items() if len(v) == 2)
    return sorted(por_mes[mes].values())


def _modelos_ejecutados(target: Path) -> set[str]:
    resultados = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {r["unique_id"].split(".")[-1] for r in resultados if r["unique_id"].startswith("model.")}


def _descendientes(target: Path, padres: list[str]) -> set[str]:
    """Models downstream of these nodes, from dbt's manifest (child_map)."""
    hijos = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["child_map"]
    vistos, pendientes = set(), list(padres)
    while pendientes:
        for hijo in hijos.get(pendientes.pop(), []):
            if hijo not in vistos:
                vistos.add(hijo)
                pendientes.append(hijo)
    return {n.split(".")[-1] for n in vistos if n.startswith("model.")}


def _diferencias_marts(db_a: Path, db_b: Path) -> dict[str, int]:
    """Rows of every marts table or view present in one warehouse and not the other (tests/marts_iguales.py:
    doubles within 1e-9, calculation timestamps aside). In its own process: dbt keeps both open in this one."""
    salida = subprocess.run(
        [sys.executable, "-m", "tests.marts_iguales", str(db_a), str(db_b), db_a.stem, db_b.stem],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout
    resultado = json.loads(salida.strip().splitlines()[-1])
    assert resultado["tablas"] > 15
    return resultado["diferencias"]


def _sidil(*args: str) -> str:
    """The command in its own process, as the scheduler runs it (and so that no dbt connection stays open
    in the test's process when the warehouses are compared)."""
    result = subprocess.run(
        [sys.executable, "-m", "sidil.cli", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result.stdout


@pytest.fixture
def entorno(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", "clave-de-prueba")
    monkeypatch.setenv("SIDIL_MODELOS", str(tmp_path / "models_store"))
    monkeypatch.setenv("SIDIL_SALIDAS", str(tmp_path / "salidas"))
    monkeypatch.setenv("SIDIL_CATALOGOS", str(tmp_path / "catalogos"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    return tmp_path


def test_a_run_rebuilds_only_what_changed(tiny_demo, entorno, monkeypatch):
    tmp = entorno
    target = tmp / "target"
    entrada = tmp / "insumos"
    shutil.copytree(tiny_demo, entrada)
    retenidos = _ultimo_mes_imss(entrada)
    guardados = tmp / "retenidos"
    guardados.mkdir()
    for p in retenidos:
        shutil.move(p, guardados / p.name)

    # First run: no record of a build, so everything is built and the state is kept beside the warehouse;
    # a run that does not train leaves the training-only models for the training.
    monkeypatch.setenv("SIDIL_DB", str(tmp / "w.duckdb"))
    salida = _sidil("run", "--input", str(entrada), "--pasos", "load,build")
    assert "se construye todo el proyecto: no hay registro de una construcción anterior" in salida
    assert (tmp / "estado_dbt" / "w" / "manifest.json").exists()
    from sidil import cambios

    primeros = _modelos_ejecutados(target)
    dejados = set(cambios.entrenamiento_pendiente(tmp / "w.duckdb"))
    assert {"entrenamiento", "entrenamiento_manual", "int_historico__imputacion_puntual"} <= dejados
    assert not primeros & dejados
    assert {"universo_ct_con_indicadores", "inspecciones_historicas", "int_enoe__indicadores"} <= primeros

    # One new IMSS month (patrones and puestos): only what depends on the IMSS inputs runs.
    for p in retenidos:
        shutil.move(guardados / p.name, p)
    salida = _sidil("run", "--input", str(entrada), "--pasos", "load,build")
    assert "insumos nuevos: raw.imss_patrones: 1 insumo(s)" in salida
    assert "insumos nuevos: raw.imss_puestos: 1 insumo(s)" in salida
    ejecutados = _modelos_ejecutados(target)
    imss = _descendientes(target, ["source.sidil.imss.imss_patrones", "source.sidil.imss.imss_puestos"])
    assert {"int_imss__registro_mes", "int_imss__indicadores_mensuales", "universo_ct_con_indicadores"} <= ejecutados
    assert ejecutados <= imss
    assert not ejecutados & {"int_enoe__indicadores", "int_enoe__universo", "stg_siapi__inspeccion", "stg_dne__empresa"}
    # A run that does not train leaves the training tables (and what feeds only them) for the next training.
    assert "las tablas de entrenamiento se actualizan cuando se entrene" in salida
    pendientes = cambios.entrenamiento_pendiente(tmp / "w.duckdb")
    assert {"entrenamiento", "entrenamiento_manual", "int_historico__imputacion_puntual"} <= set(pendientes)
    assert not ejecutados & set(pendientes)
    assert "universo_ct_con_indicadores" not in pendientes and "inspecciones_historicas" not in pendientes
    # Training rebuilds them first (pipeline.entrenar does this build before it trains).
    _sidil("build", "--select", " ".join(pendientes))
    assert cambios.entrenamiento_pendiente(tmp / "w.duckdb") == []

    # ... and its marts equal a full rebuild's, row for row, on a fresh warehouse of the same inputs.
    monkeypatch.setenv("SIDIL_DB", str(tmp / "completo.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp / "target_completo"))
    _sidil("run", "--input", str(entrada), "--pasos", "load,build", "--completo")
    assert _diferencias_marts(tmp / "w.duckdb", tmp / "completo.duckdb") == {}

    # Nothing new: no model is built (dbt is not even called) and the build says so.
    monkeypatch.setenv("SIDIL_DB", str(tmp / "w.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    (target / "run_results.json").unlink()
    salida = _sidil("run", "--input", str(entrada), "--pasos", "load,build")
    assert "nada cambió desde la última construcción" in salida
    assert not (target / "run_results.json").exists()

    # A changed catalog (an operator's new version of the Semáforos rules) rebuilds exactly its descendants.
    from sidil import catalogos

    reglas = catalogos.carpeta_semillas() / "semaforos_reglas.csv"
    texto = reglas.read_text(encoding="utf-8")
    lineas = texto.splitlines()
    cambiada = next(i for i, linea in enumerate(lineas[1:], 1) if ",6," in linea or ",6.0," in linea)
    lineas[cambiada] = lineas[cambiada].replace(",6,", ",6.5,", 1).replace(",6.0,", ",6.5,", 1)
    nueva = tmp / "semaforos_reglas.csv"
    nueva.write_text("\n".join(lineas) + "\n", encoding="utf-8")
    resultado = catalogos.cargar_version("semaforos_reglas", nueva, "reglas.csv", "olga", "umbral de 6.5")
    assert resultado.ok, resultado.mensajes
    salida = _sidil("run", "--input", str(entrada), "--pasos", "build")
    assert "semaforos_reglas" in salida and "se recalculan por completo" in salida
    ejecutados = _modelos_ejecutados(target)
    assert ejecutados and ejecutados == _descendientes(target, ["seed.sidil.semaforos_reglas"])
