"""raw.load_manifest (one row per input file seen) and raw.load_rejects (rows a file could not land)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from loaders.sql import one

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
    muestra integer                  -- N of `sidil load --muestra N` (a sample, not the whole period), NULL: complete
);
alter table raw.load_manifest add column if not exists muestra integer;
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


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL.split(";"):  # one statement per call (the input boundary rule), comments and all
        if any(line.split("--", 1)[0].strip() for line in statement.splitlines()):
            con.execute(statement)


def file_sha256(path: Path, chunk: int = 8 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def landed(
    con: duckdb.DuckDBPyConnection, fuente: str, entidad: str, periodo: str
) -> tuple[str, str, int | None] | None:
    """(archivo, sha256, muestra) of what is landed for a source, entity and period, if anything; `muestra`
    is the sample size when the period was landed as a sample (`sidil load --muestra N`), else None."""
    row = one(
        con,
        "select archivo, sha256, muestra from raw.load_manifest where fuente = ? and entidad = ? and periodo = ? "
        "and estado in ('cargado', 'reemplazado')",
        [fuente, entidad, periodo],
    )
    return (row[0], row[1], row[2]) if row else None


def record(con: duckdb.DuckDBPyConnection, e: Entry) -> None:
    """Insert or update the manifest row of a file (one row per file seen)."""
    con.execute("delete from raw.load_manifest where archivo = ?", [e.archivo])
    con.execute(
        "insert into raw.load_manifest (archivo, tamano_bytes, sha256, fuente, entidad, periodo, filas_leidas, "
        "filas_cargadas, filas_rechazadas, estado, mensaje, cargado_en, duracion_s, muestra) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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


def usuario() -> str:
    """Who runs the step: SIDIL_USUARIO (the operator of the web interface, `sidil run --usuario`), else
    the operating system's user."""
    import getpass
    import os

    if nombre := os.environ.get("SIDIL_USUARIO", "").strip():
        return nombre
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "desconocido"
