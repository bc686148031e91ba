"""raw.load_manifest (one row per input file seen) and raw.load_rejects (rows a file could not land)."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb

from loaders.sql import one
from settings import usuario  # who runs the step (SIDIL_USUARIO, else the OS user); kept importable here

DDL = """
create schema if not exists raw;
create table if not exists raw.load_manifest (
    archivo varchar primary key,     -- path of the file (or database URL + table)
    tamano_bytes bigint,
    sha256 varchar,
    fuente varchar,
    entidad varchar,
    periodo varchar,
    filas_leidas bigint,
    filas_cargadas bigint,
    filas_rechazadas bigint,
    estado varchar,                  -- cargado, reemplazado, omitido, corte_anterior, error
    mensaje varchar,
    cargado_en timestamp,
    duracion_s double,
    muestra integer,                 -- N of `sidil load --muestra N` (a sample, not the whole period), NULL: complete
    mtime_ns bigint,                 -- the file's modification time when landed (NULL: not trusted, hash next time)
    firma varchar,                   -- a database table's cheap signature (size+mtime, server checksum), see databases
    resumen varchar                  -- JSON facts of the landed period for the load report (loaders.report)
);
alter table raw.load_manifest add column if not exists muestra integer;
alter table raw.load_manifest add column if not exists mtime_ns bigint;
alter table raw.load_manifest add column if not exists firma varchar;
alter table raw.load_manifest add column if not exists resumen varchar;
create table if not exists raw.bitacora (
    inicio timestamp,
    fin timestamp,
    usuario varchar,
    proceso varchar,                 -- load, build, train, predict, run
    parametros varchar,
    resultado varchar,               -- ok, con_errores, error
    mensaje varchar,
    log varchar                      -- every message the run printed
);
create table if not exists raw.load_rejects (
    archivo varchar,
    fuente varchar,
    entidad varchar,
    periodo varchar,
    fila bigint,
    campo varchar,
    valor varchar,
    error varchar,
    registrado_en timestamp
);
"""


@dataclass
class Entry:
    archivo: str
    fuente: str
    entidad: str
    periodo: str | None
    tamano_bytes: int | None = None
    sha256: str | None = None
    filas_leidas: int = 0
    filas_cargadas: int = 0
    filas_rechazadas: int = 0
    estado: str = "error"
    mensaje: str = ""
    cargado_en: datetime = field(default_factory=datetime.now)
    duracion_s: float = 0.0
    muestra: int | None = None  # landed as a sample of this many registros patronales (sidil load --muestra)
    mtime_ns: int | None = None  # st_mtime_ns when landed, only if old enough to trust (see trusted_mtime)
    firma: str | None = None  # a database table's cheap signature (loaders.databases.table_signature)
    resumen: str | None = None  # JSON facts of the landed period (loaders.report.summarise)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL.split(";"):  # one statement per call (the input boundary rule), comments and all
        if any(line.split("--", 1)[0].strip() for line in statement.splitlines()):
            con.execute(statement)


# A modification time this close to the moment it was read is not trusted: a write in the same clock tick
# (coarse kernel clocks, 2 s on FAT, 1 s on some shares) would leave size and mtime unchanged ("racy git").
RACY_NS = 2_000_000_000


def trusted_mtime(st: os.stat_result, now_ns: int | None = None) -> int | None:
    """The file's mtime_ns if it is safely older than `now_ns` (the time of the stat), else None."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    return st.st_mtime_ns if st.st_mtime_ns <= now_ns - RACY_NS else None


def file_sha256(path: Path, chunk: int = 8 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


class Landed(NamedTuple):
    archivo: str
    sha256: str
    muestra: int | None  # the sample size when landed as a sample (`sidil load --muestra N`), else None
    tamano_bytes: int | None
    mtime_ns: int | None  # None: landed before mtimes were kept, or too fresh to trust


def landed(con: duckdb.DuckDBPyConnection, fuente: str, entidad: str, periodo: str) -> Landed | None:
    """What is landed for a source, entity and period, if anything."""
    row = one(
        con,
        "select archivo, sha256, muestra, tamano_bytes, mtime_ns from raw.load_manifest where fuente = ? "
        "and entidad = ? and periodo = ? and estado in ('cargado', 'reemplazado')",
        [fuente, entidad, periodo],
    )
    return Landed(*row) if row else None


def unchanged_file(prev: Landed | None, archivo: str, st: os.stat_result) -> bool:
    """True when the landed row is this very path with the same size and a trusted, equal mtime: the file
    is taken as unchanged without reading it (rsync's quick check). Any other mtime, older or newer, means
    the file is read and hashed."""
    return (
        prev is not None
        and prev.archivo == archivo
        and prev.tamano_bytes == st.st_size
        and prev.mtime_ns is not None
        and prev.mtime_ns == st.st_mtime_ns
    )


def remember_stat(con: duckdb.DuckDBPyConnection, archivo: str, st: os.stat_result, mtime_ns: int | None) -> None:
    """Record the size and mtime of a file found identical by its checksum, so that the next load need not
    read it; nothing else of its row changes (cargado_en stays the landing time `sidil run` looks at)."""
    con.execute(
        "update raw.load_manifest set tamano_bytes = ?, mtime_ns = ? where archivo = ?", [st.st_size, mtime_ns, archivo]
    )


def record(con: duckdb.DuckDBPyConnection, e: Entry) -> None:
    """Insert or update the manifest row of a file (one row per file seen)."""
    con.execute("delete from raw.load_manifest where archivo = ?", [e.archivo])
    con.execute(
        "insert into raw.load_manifest (archivo, tamano_bytes, sha256, fuente, entidad, periodo, filas_leidas, "
        "filas_cargadas, filas_rechazadas, estado, mensaje, cargado_en, duracion_s, muestra, mtime_ns, firma, resumen) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            e.archivo,
            e.tamano_bytes,
            e.sha256,
            e.fuente,
            e.entidad,
            e.periodo,
            e.filas_leidas,
            e.filas_cargadas,
            e.filas_rechazadas,
            e.estado,
            e.mensaje,
            e.cargado_en,
            round(e.duracion_s, 3),
            e.muestra,
            e.mtime_ns,
            e.firma,
            e.resumen,
        ],
    )


def record_rejects(
    con: duckdb.DuckDBPyConnection, e: Entry, rows: list[tuple[int | None, str | None, str | None, str]]
) -> None:
    """Keep the rows a file could not land: (row number, field, value, error)."""
    con.execute("delete from raw.load_rejects where archivo = ?", [e.archivo])
    if rows:
        con.executemany(
            "insert into raw.load_rejects values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (e.archivo, e.fuente, e.entidad, e.periodo, fila, campo, valor, error, e.cargado_en)
                for fila, campo, valor, error in rows
            ],
        )


def log_run(
    con: duckdb.DuckDBPyConnection,
    inicio: datetime,
    proceso: str,
    parametros: str,
    resultado: str,
    mensaje: str,
    lines: list[str],
    quien: str | None = None,
) -> None:
    """One row per execution in raw.bitacora (the original system's run log)."""
    con.execute(
        "insert into raw.bitacora values (?, ?, ?, ?, ?, ?, ?, ?)",
        [inicio, datetime.now(), quien or usuario(), proceso, parametros, resultado, mensaje, "\n".join(lines)],
    )
