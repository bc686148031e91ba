"""The DuckDB warehouse file: where it is, and one writer at a time."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from loaders.errors import WarehouseBusy

DEFAULT_DB = Path("warehouse") / "sidil.duckdb"
# One memory setting for the whole pipeline (loader, dbt, ML): DuckDB's ceiling in every connection; it
# spills to disk beyond it. 4 GB keeps each step's process tree (DuckDB plus Python, dbt or scikit-learn
# around it) within 6 GB at production volume. profiles.yml repeats this default for `dbt` run by hand
# (tests/test_memoria.py checks they agree).
MEMORIA_ENV = "SIDIL_MEMORIA"
MEMORIA_POR_OMISION = "4GB"
_TAMANO = re.compile(r"\d+(\.\d+)?\s*[KMGT]i?B", re.IGNORECASE)


def memoria() -> str:
    """The DuckDB memory ceiling of every step (SIDIL_MEMORIA, default 4GB); a value that is not a size is
    refused with a Spanish message rather than reaching SQL."""
    limite = os.environ.get(MEMORIA_ENV, "").strip() or MEMORIA_POR_OMISION
    if not _TAMANO.fullmatch(limite):
        raise ValueError(f"{MEMORIA_ENV}={limite!r} no es un tamaño de memoria (use p. ej. 4GB o 6GiB)")
    return limite


def db_path() -> Path:
    return Path(os.environ.get("SIDIL_DB", str(DEFAULT_DB)))


def connect(read_only: bool = False, path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. A second writer fails fast with a clear message instead of waiting."""
    path = Path(path) if path else db_path()
    limite = memoria()  # refused before anything is opened
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise FileNotFoundError(f"No existe la base de datos {path}: ejecute primero `sidil load`.")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"La base de datos {path} está en uso por otro proceso de SIDIL; espere a que termine "
                f"(DuckDB admite un solo proceso de escritura)."
            ) from exc
        raise
    # Set after connecting: a connection with a different configuration cannot join a database dbt already
    # opened in-process. The value is validated (digits and a unit only).
    con.execute(f"set memory_limit = '{limite}'")
    return con
