"""The DuckDB warehouse file: where it is, and one writer at a time."""

from __future__ import annotations

from pathlib import Path

import duckdb

from loaders.errors import WarehouseBusy

# Where the warehouse is and its memory ceiling are settings (one module for every SIDIL_* variable); the names
# stay importable from here.
from settings import MEMORIA_ENV, MEMORIA_POR_OMISION, db_path, memoria

__all__ = ["MEMORIA_ENV", "MEMORIA_POR_OMISION", "connect", "db_path", "memoria"]


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
