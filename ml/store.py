"""Model runs: `models_store/<run_id>/` (models, feature list, metrics.json, report, versions) and the
warehouse tables `ml.model_runs` and `ml.model_metrics` that `sidil status` and the interface read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path

import duckdb
import joblib

from ml.paths import PROJECT_DIR, models_store

MODELOS = "modelos.joblib"
VARIABLES = "variables.json"
METRICAS = "metrics.json"
VERSIONES = "versiones.json"


class ModelNotFound(Exception):
    pass


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists ml")
    con.execute("""
        create table if not exists ml.model_runs (
            run_id varchar primary key,
            creado_en timestamp not null,
            familia varchar not null,
            division varchar not null,
            corte date,
            n_entrenamiento bigint,
            n_prueba bigint,
            auc_promedio double,
            auc_general double,
            brecha_auc_promedio double,
            lift_top10_promedio double,
            ruta varchar not null,
            version_codigo varchar,
            huella_datos varchar
        )
    """)
    con.execute("""
        create table if not exists ml.model_metrics (
            run_id varchar not null,
            modelo varchar not null,      -- submateria | general | promedio
            submateria_id integer,
            submateria varchar,
            metrica varchar not null,
            valor double
        )
    """)


def new_run_id(familia: str) -> str:
    return f"{datetime.now():%Y%m%dT%H%M%S}-{familia}"


def code_version() -> str:
    try:
        out = subprocess.run(["git", "-C", str(PROJECT_DIR), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "desconocida"
    except (OSError, subprocess.SubprocessError):
        return "desconocida"


def package_versions() -> dict[str, str]:
    out = {}
    for p in ("scikit-learn", "shap", "numpy", "duckdb", "dbt-core", "dbt-duckdb", "sidil"):
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    return out


def data_fingerprint(con: duckdb.DuckDBPyConnection) -> dict:
    """What the model learned from: size and a content hash of the training table, and the loaded periods."""
    n, huella, desde, hasta = con.execute("""
        select count(*), cast(coalesce(bit_xor(hash(inspeccion_id, submateria_id, violacion)), 0) as varchar),
               min(fecha_inspeccion), max(fecha_inspeccion)
        from marts.entrenamiento
    """).fetchone()
    periodos = con.execute("""
        select fuente, entidad, min(periodo), max(periodo), count(distinct periodo)
        from raw.load_manifest where estado in ('cargado', 'reemplazado') group by all order by all
    """).fetchall() if _has_table(con, "raw", "load_manifest") else []
    return {
        "filas_entrenamiento": n, "huella_entrenamiento": huella,
        "inspecciones_desde": str(desde), "inspecciones_hasta": str(hasta),
        "periodos_cargados": [
            {"fuente": f, "entidad": e, "primero": str(a), "ultimo": str(b), "n": c} for f, e, a, b, c in periodos
        ],
    }


def _has_table(con, schema: str, name: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and "
                            "table_name = ?", [schema, name]).fetchone()[0])


def save_run(folder: Path, modelos: dict, variables: list[str], metricas: dict, versiones: dict) -> None:
    """Write the run folder through a temporary name, so a folder under models_store is always complete."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    joblib.dump(modelos, tmp / MODELOS, compress=3)
    (tmp / VARIABLES).write_text(json.dumps(variables, indent=1), encoding="utf-8")
    (tmp / METRICAS).write_text(json.dumps(metricas, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    (tmp / VERSIONES).write_text(json.dumps(versiones, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    for extra in folder.glob("*") if folder.exists() else []:  # report files written before
        shutil.move(str(extra), tmp / extra.name)
    if folder.exists():
        folder.rmdir()
    os.replace(tmp, folder)


def register_run(con: duckdb.DuckDBPyConnection, fila: dict, metricas: list[tuple]) -> None:
    ensure_tables(con)
    con.execute("begin transaction")
    try:
        cols = list(fila)
        con.execute(f"insert into ml.model_runs ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                    [fila[c] for c in cols])
        con.executemany("insert into ml.model_metrics values (?, ?, ?, ?, ?, ?)", metricas)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    if not _has_table(con, "ml", "model_runs"):
        return None
    row = con.execute("""
        select run_id from ml.model_runs order by creado_en desc, run_id desc limit 1
    """).fetchone()
    return row[0] if row else None


def load_run(run_id: str) -> tuple[dict, list[str], Path]:
    folder = models_store() / run_id
    if not (folder / MODELOS).exists():
        raise ModelNotFound(
            f"No existe el modelo {run_id} en {models_store()}: entrene uno con `sidil train` o indique otro con --run."
        )
    variables = json.loads((folder / VARIABLES).read_text(encoding="utf-8"))
    return joblib.load(folder / MODELOS), variables, folder
