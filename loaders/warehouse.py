"""The DuckDB warehouse file: where it is, and one writer at a time."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from loaders.errors import WarehouseBusy

DEFAULT_DB = Path("warehouse") / "sidil.duckdb"


def db_path() -> Path:
    return Path(os.environ.get("SIDIL_DB", str(DEFAULT_DB)))


def connect(read_only: bool = False, path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. A second writer fails fast with a clear message instead of waiting."""
    path = Path(path) if path else db_path()
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
    # A memory ceiling (DuckDB spills to disk beyond it): 5 GB keeps a 20M-row month under the 6 GB target
    # with the Python process around it; SIDIL_DUCKDB_MEMORY changes it (as for dbt). Set after connecting:
    # a connection with a different configuration cannot join a database dbt already opened in-process.
    limite = os.environ.get("SIDIL_DUCKDB_MEMORY", "5GB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limite, re.IGNORECASE):
        con.close()
        raise ValueError(f"SIDIL_DUCKDB_MEMORY={limite!r} no es un tamaño de memoria (use p. ej. 5GB o 6GiB)")
    con.execute(f"set memory_limit = '{limite}'")
    return con
