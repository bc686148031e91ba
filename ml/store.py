"""Model runs: `models_store/<run_id>/` (models, feature list, metrics.json, report, versions) and the
warehouse tables `ml.model_runs` and `ml.model_metrics` that `sidil status` and the interface read."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
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
SUMAS = "sha256.json"  # {file name: sha256} of the files above, written last when a run is saved
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # one folder name under models_store, never a path


class ModelNotFound(Exception):
    pass


class ModeloDanado(ModelNotFound):
    """A run folder exists but a file of it is missing, unreadable, altered or of the wrong shape."""


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
    # Columns added with calibration and the point-in-time history (issue 16): older warehouses gain them.
    for columna, tipo in (
        ("historico", "varchar"),
        ("calibracion", "varchar"),
        ("ece_promedio", "double"),
        ("brier_promedio", "double"),
        ("lift_top10_linea_base", "double"),
    ):
        con.execute(f"alter table ml.model_runs add column if not exists {columna} {tipo}")
    con.execute("""
        create table if not exists ml.model_metrics (
            run_id varchar not null,
            modelo varchar not null,      -- submateria | general | promedio | linea_base_manual | historico_*
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
        out = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
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


def data_fingerprint(con: duckdb.DuckDBPyConnection, tabla: str = "marts.entrenamiento") -> dict:
    """What the model learned from: size and a content hash of the training table (one of ml.data's
    HISTORICOS, never an input's name), and the loaded periods."""
    n, huella, desde, hasta = con.execute(f"""
        select count(*), cast(coalesce(bit_xor(hash(inspeccion_id, submateria_id, violacion)), 0) as varchar),
               min(fecha_inspeccion), max(fecha_inspeccion)
        from {tabla}
    """).fetchone()
    periodos = (
        con.execute("""
        select fuente, entidad, min(periodo), max(periodo), count(distinct periodo)
        from raw.load_manifest where estado in ('cargado', 'reemplazado') group by all order by all
    """).fetchall()
        if _has_table(con, "raw", "load_manifest")
        else []
    )
    return {
        "tabla_entrenamiento": tabla,
        "filas_entrenamiento": n,
        "huella_entrenamiento": huella,
        "inspecciones_desde": str(desde),
        "inspecciones_hasta": str(hasta),
        "periodos_cargados": [
            {"fuente": f, "entidad": e, "primero": str(a), "ultimo": str(b), "n": c} for f, e, a, b, c in periodos
        ],
    }


def _has_table(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def save_run(folder: Path, modelos: dict, variables: list[str], metricas: dict, versiones: dict) -> None:
    """Write the run folder through a temporary name, so a folder under models_store is always complete."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    joblib.dump(modelos, tmp / MODELOS, compress=3)
    (tmp / VARIABLES).write_text(json.dumps(variables, indent=1), encoding="utf-8")
    (tmp / METRICAS).write_text(json.dumps(metricas, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    (tmp / VERSIONES).write_text(json.dumps(versiones, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    sumas = {name: _sha256(tmp / name) for name in (MODELOS, VARIABLES, METRICAS, VERSIONES)}
    (tmp / SUMAS).write_text(json.dumps(sumas, indent=1), encoding="utf-8")
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
        con.execute(
            f"insert into ml.model_runs ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
            [fila[c] for c in cols],
        )
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


def _sha256(path: Path, chunk: int = 8 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


REENTRENE = "reentrene con `sidil train` o indique otra corrida con --run."


def _json(folder: Path, name: str, run_id: str):
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModeloDanado(
            f"La corrida de modelo {run_id} está incompleta: falta {folder / name}; {REENTRENE}"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModeloDanado(
            f"El archivo {folder / name} de la corrida {run_id} está dañado o no es JSON válido "
            f"({type(exc).__name__}); {REENTRENE}"
        ) from None


def verify_run(run_id: str, say: Callable[[str], None] | None = None) -> Path:
    """The folder of a run after checking it is whole: every file present and, when the run recorded them,
    the SHA-256 sums written at training time. Nothing is unpickled before this passes.

    Runs saved before sums were recorded (no sha256.json) are accepted with a ***ADVERTENCIA***: the sums
    detect damage and accidental changes, and such a run is no less trusted than it was before."""
    if not RUN_ID.fullmatch(run_id or "") or ".." in run_id:
        raise ModelNotFound(
            f"Nombre de corrida de modelo inválido: {run_id!r} (debe ser el nombre de una carpeta de {models_store()})."
        )
    folder = models_store() / run_id
    if not (folder / MODELOS).exists():
        raise ModelNotFound(
            f"No existe el modelo {run_id} en {models_store()}: entrene uno con `sidil train` o indique otro con --run."
        )
    if not (folder / SUMAS).exists():
        if say is not None:
            say(
                f"***ADVERTENCIA***: la corrida de modelo {run_id} es anterior al registro de sumas SHA-256 "
                f"({SUMAS}); no se puede comprobar que sus archivos estén intactos. Reentrene con `sidil train` "
                f"cuando pueda."
            )
        return folder
    sumas = _json(folder, SUMAS, run_id)
    if (
        not isinstance(sumas, dict)
        or set(sumas) != {MODELOS, VARIABLES, METRICAS, VERSIONES}
        or not all(isinstance(v, str) for v in sumas.values())
    ):
        raise ModeloDanado(
            f"El archivo {folder / SUMAS} de la corrida {run_id} no tiene la forma esperada; {REENTRENE}"
        )
    for name, esperada in sumas.items():
        try:
            real = _sha256(folder / name)
        except FileNotFoundError:
            raise ModeloDanado(
                f"La corrida de modelo {run_id} está incompleta: falta {folder / name}; {REENTRENE}"
            ) from None
        except OSError as exc:
            raise ModeloDanado(
                f"No se pudo leer {folder / name} de la corrida {run_id} ({type(exc).__name__}); {REENTRENE}"
            ) from None
        if real != esperada:
            raise ModeloDanado(
                f"El archivo {folder / name} de la corrida {run_id} fue alterado o está dañado: su "
                f"suma SHA-256 no coincide con la registrada al entrenarlo, así que no se usa; "
                f"{REENTRENE}"
            )
    return folder


def load_run(run_id: str, say: Callable[[str], None] | None = None) -> tuple[dict, list[str], Path]:
    """(models, input names, folder) of a stored run. Raises ModelNotFound when there is no such run and
    ModeloDanado when its folder is incomplete, altered or unreadable, always with a Spanish message."""
    folder = verify_run(run_id, say)
    variables = _json(folder, VARIABLES, run_id)
    if not (isinstance(variables, list) and variables and all(isinstance(v, str) and v for v in variables)):
        raise ModeloDanado(
            f"El archivo {folder / VARIABLES} de la corrida {run_id} no es una lista de nombres de "
            f"variables; {REENTRENE}"
        )
    if not isinstance(_json(folder, METRICAS, run_id), dict):
        raise ModeloDanado(
            f"El archivo {folder / METRICAS} de la corrida {run_id} no tiene la forma esperada; {REENTRENE}"
        )
    try:
        modelos = joblib.load(folder / MODELOS)
    except Exception as exc:  # truncated or garbage pickle: EOFError, UnpicklingError, ValueError, KeyError, ...
        raise ModeloDanado(
            f"No se pudo leer {folder / MODELOS} de la corrida {run_id}: el archivo está dañado o "
            f"incompleto ({type(exc).__name__}); {REENTRENE}"
        ) from None
    if not (
        isinstance(modelos, dict)
        and isinstance(modelos.get("submaterias"), dict)
        and hasattr(modelos.get("general"), "predict_proba")
        and all(hasattr(m, "predict_proba") for m in modelos["submaterias"].values())
    ):
        raise ModeloDanado(
            f"El archivo {folder / MODELOS} de la corrida {run_id} no contiene los modelos esperados; {REENTRENE}"
        )
    return modelos, variables, folder
