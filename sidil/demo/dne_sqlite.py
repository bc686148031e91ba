"""SQLite writing shared by the DNE and SIAPI-SIPAS generators (SQLite stands in for their SQL Server).

Fast and deterministic: no journal, no sync, one transaction per table, rows inserted in key order
from numpy columns; the same inserts always give the same bytes (SQLite keeps no timestamps).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

LOTE = 500_000  # rows converted to Python objects at a time


def abrir(path: Path) -> sqlite3.Connection:
    """A new, empty database file tuned for bulk writing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("pragma page_size = 4096")
    con.execute("pragma journal_mode = off")
    con.execute("pragma synchronous = off")
    con.execute("pragma cache_size = -262144")
    return con


def _lista(col) -> list:
    """A column as a Python list for sqlite3: numpy NaN / masked -> None, numpy scalars -> Python."""
    if isinstance(col, np.ma.MaskedArray):
        return [None if m else v for v, m in zip(col.data.tolist(), np.ma.getmaskarray(col).tolist())]
    if isinstance(col, np.ndarray) and col.dtype.kind == "f":
        return pa.array(col, from_pandas=True).to_pylist()
    if isinstance(col, np.ndarray):
        return col.tolist()
    return list(col)


def tabla(
    con: sqlite3.Connection, nombre: str, ddl: str, columnas: dict[str, object], indices: tuple[str, ...] = ()
) -> int:
    """Create table `nombre` with the column definitions `ddl` (same order as `columnas`), insert the rows
    in one transaction, then create indexes on the named columns. Returns the rows written."""
    con.execute(f"create table {nombre} ({ddl})")
    valores = list(columnas.values())
    n = len(valores[0]) if valores else 0
    sql = f"insert into {nombre} ({', '.join(columnas)}) values ({', '.join('?' * len(valores))})"
    con.execute("begin")
    for i in range(0, n, LOTE):  # Python lists of a batch at a time bound the memory
        con.executemany(sql, zip(*[_lista(c[i : i + LOTE]) for c in valores]))
    con.execute("commit")
    for col in indices:
        con.execute(f"create index ix_{nombre}_{col} on {nombre} ({col})")
    return n


def fechas(segundos: np.ndarray) -> np.ndarray:
    """Seconds since 1970 -> SQL Server-style datetime text 'YYYY-MM-DD HH:MM:SS.000' (object array)."""
    arr = pa.array(np.asarray(segundos, dtype="datetime64[s]"))
    txt = pc.binary_join_element_wise(pc.cast(arr, pa.string()), ".000", "")
    return np.asarray(txt.to_numpy(zero_copy_only=False), dtype=object)


def dias(fecha: str) -> int:
    """Days since 1970 of an ISO date."""
    return int(np.datetime64(fecha, "D").astype(np.int64))
