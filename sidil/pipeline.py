"""The steps `sidil run` chains (load -> dbt build -> docs), one after another under one lock.

DuckDB allows one writing process per file, so a second `sidil run`/`build` on the same warehouse fails
at once with a clear message instead of waiting or corrupting anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from loaders.warehouse import db_path

PROJECT_DIR = Path(__file__).resolve().parents[1]


class PipelineBusy(Exception):
    pass


@contextlib.contextmanager
def exclusive(db: Path | None = None) -> Iterator[None]:
    """Hold the warehouse's pipeline lock (a file beside the DuckDB file) for the duration."""
    db = Path(db or db_path()).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db.with_name(db.name + ".sidil.lock")
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineBusy(
                f"Otro proceso de SIDIL está trabajando sobre {db}; espere a que termine (un solo proceso "
                f"de escritura a la vez)."
            ) from None
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def dbt(*args: str) -> tuple[bool, list[str]]:
    """Run a dbt command on the project against the warehouse. Returns (success, failed node names)."""
    from dbt.cli.main import dbtRunner

    os.environ["SIDIL_DB"] = str(db_path().resolve())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    result = dbtRunner().invoke([*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)])
    failed: list[str] = []
    res = getattr(result, "result", None)
    for r in getattr(res, "results", None) or []:
        if str(getattr(r, "status", "")).lower() in ("error", "fail", "runtime error"):
            failed.append(getattr(getattr(r, "node", None), "name", "?"))
    return bool(result.success), failed


PASOS = {"load": "la carga", "build": "la construcción de dbt", "train": "el entrenamiento",
         "predict": "la predicción", "docs": "la documentación de dbt", "run": "el proceso completo"}


def ruta_errores() -> Path:
    """Technical detail of unexpected failures: `logs/sidil_errores.log` (SIDIL_ERRORES_LOG overrides)."""
    return Path(os.environ.get("SIDIL_ERRORES_LOG") or PROJECT_DIR / "logs" / "sidil_errores.log")


def _primera_linea(exc: BaseException, largo: int = 300) -> str:
    texto = str(exc).strip()
    linea = texto.splitlines()[0] if texto else ""
    return linea if len(linea) <= largo else linea[:largo] + "…"


def _registrar_traza(proceso: str, exc: BaseException) -> Path | None:
    """Append the failure's stack (exception types, files, lines, functions) to the error log. The
    exception messages and local values are left out, so the log never holds data (personal or not)."""
    import traceback
    from datetime import datetime

    partes = [f"{datetime.now():%Y-%m-%d %H:%M:%S} proceso={proceso}\n"]
    visto: set[int] = set()
    actual: BaseException | None = exc
    while actual is not None and id(actual) not in visto:
        visto.add(id(actual))
        partes.append(f"{type(actual).__module__}.{type(actual).__qualname__}\n")
        partes.extend(traceback.format_list(traceback.extract_tb(actual.__traceback__)))
        actual = actual.__cause__ or (None if actual.__suppress_context__ else actual.__context__)
    ruta = ruta_errores()
    try:
        ruta.parent.mkdir(parents=True, exist_ok=True)
        with open(ruta, "a", encoding="utf-8") as f:
            f.write("".join(partes) + "\n")
    except OSError:
        return None
    return ruta


def mensaje_inesperado(proceso: str, exc: BaseException) -> str:
    """The one Spanish line an unexpected failure of a step becomes (its stack goes to the error log)."""
    detalle = f"{type(exc).__name__}: {_primera_linea(exc)}" if _primera_linea(exc) else type(exc).__name__
    ruta = _registrar_traza(proceso, exc)
    donde = f" Detalle técnico en {ruta}." if ruta else ""
    return f"***ERROR***: falló {PASOS.get(proceso, proceso)} por un error inesperado ({detalle}).{donde}"


def registrar(inicio, proceso: str, parametros: str, resultado: str, mensaje: str, lineas: list[str]) -> bool:
    """One raw.bitacora row for a step that has no open connection; False when it could not be written."""
    from loaders import manifest
    from loaders.warehouse import connect

    con = None
    try:
        con = connect()
        manifest.ensure(con)
        manifest.log_run(con, inicio, proceso, parametros, resultado, mensaje, lineas)
        return True
    except Exception:
        return False
    finally:
        if con is not None:
            con.close()
