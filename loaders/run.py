"""`sidil load`: find the input files of a folder, check them, and land each in its own transaction.

Rules (issue 3):
- A file already landed with the same checksum is skipped (`solo_adicionales`, the default); a changed
  file for a landed period replaces that period atomically; without `solo_adicionales` every file is
  landed again.
- Two files for the same source, entity and period: an error naming both; nothing of that period lands.
- Riesgos arrive as cumulative cuts: only the latest cut of each year is landed; earlier cuts are kept
  in the manifest as `corte_anterior`.
- A bad file stops with a message naming the file, row and field; its rejected rows go to
  raw.load_rejects; other files still load and what was landed before is untouched.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from loaders import censo, enoe, externos, imss, manifest
from loaders.catalog import Recognised, recognise
from loaders.errors import LoadError
from loaders.sql import one

LANDERS: dict[str, Callable[[duckdb.DuckDBPyConnection, Recognised, str, bytes], tuple[int, int]]] = {
    "enoe": enoe.land,
    "imss": imss.land,
    "censo": censo.land,
    "externos": externos.land,
}


def raw_table(rec: Recognised) -> str:
    return f"raw.{rec.fuente}_{rec.entidad}"


def period_filter(rec: Recognised) -> tuple[str, list]:
    """The rows of the raw table a file of this period replaces."""
    if rec.fuente == "imss" and rec.entidad == "riesgos":
        return "anio = ?", [rec.anio]  # a later cut of the year replaces the earlier one
    if rec.fuente == "imss":
        return "periodo = ?", [f"{rec.anio}-{rec.mes_o_trimestre:02d}-01"]
    if rec.periodo == "serie":
        return "true", []  # the file is the whole series: it replaces every row
    return "periodo = ?", [rec.periodo]


def period_key(rec: Recognised) -> str:
    """The manifest period a file occupies (one file per source, entity and key)."""
    if rec.fuente == "imss" and rec.entidad == "riesgos":
        return str(rec.anio)
    return rec.periodo


@dataclass
class Outcome:
    entries: list[manifest.Entry] = field(default_factory=list)

    def count(self, estado: str) -> int:
        return sum(1 for e in self.entries if e.estado == estado)


def discover(root: Path, sources: set[str]) -> tuple[list[Recognised], list[Path]]:
    recognised, unknown = [], []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("truth/", "dne/", "siapi/")) or path.name.startswith("."):
            continue
        rec = recognise(path, root)
        if rec is None:
            unknown.append(path)
        elif rec.fuente in sources:
            recognised.append(rec)
    return recognised, unknown


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return one(con, "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                       [schema, name])[0] > 0


def land_file(con: duckdb.DuckDBPyConnection, rec: Recognised, key: bytes, solo_adicionales: bool,
              log: Callable[[str], None]) -> manifest.Entry:
    archivo = str(rec.path)
    start = time.perf_counter()
    e = manifest.Entry(archivo=archivo, fuente=rec.fuente, entidad=rec.entidad, periodo=period_key(rec),
                       tamano_bytes=rec.path.stat().st_size)
    e.sha256 = manifest.file_sha256(rec.path)
    prev = manifest.landed(con, rec.fuente, rec.entidad, e.periodo)
    if prev and prev[1] == e.sha256 and solo_adicionales:
        e.estado = "omitido"
        return e  # already landed, unchanged: nothing is written, not even the manifest
    con.execute("begin transaction")
    try:
        table = raw_table(rec)
        if _table_exists(con, table):
            where, params = period_filter(rec)
            con.execute(f"delete from {table} where {where}", params)
        e.filas_leidas, e.filas_cargadas = LANDERS[rec.fuente](con, rec, archivo, key)
        e.estado = "reemplazado" if prev else "cargado"
        e.mensaje = (f"reemplaza {Path(prev[0]).name}" if prev and prev[0] != archivo
                     else ("reemplaza la versión anterior" if prev else ""))
        if prev and prev[0] != archivo:
            con.execute("update raw.load_manifest set estado = 'sustituido', mensaje = ? where archivo = ?",
                        [f"sustituido por {rec.path.name}", prev[0]])
        e.duracion_s = time.perf_counter() - start
        manifest.record(con, e)
        con.execute("delete from raw.load_rejects where archivo = ?", [archivo])
        con.execute("commit")
        log(f"INFO: {rec.path.name}: {e.filas_cargadas:,} filas cargadas en {table} ({e.periodo}).")
    except LoadError as err:
        con.execute("rollback")
        e.estado, e.mensaje = "error", str(err)
        e.filas_rechazadas = len(getattr(err, "rejects", []) or [])
        e.duracion_s = time.perf_counter() - start
        manifest.record(con, e)
        manifest.record_rejects(con, e, getattr(err, "rejects", []) or [])
        log(f"***ERROR***: {err}. No se cargó nada de este archivo; lo cargado antes sigue intacto.")
    except duckdb.Error as err:
        con.execute("rollback")
        e.estado, e.mensaje = "error", f"archivo {archivo}: {str(err).splitlines()[0]}"
        e.duracion_s = time.perf_counter() - start
        manifest.record(con, e)
        log(f"***ERROR***: {e.mensaje}. No se cargó nada de este archivo; lo cargado antes sigue intacto.")
    return e


def _record_error(con: duckdb.DuckDBPyConnection, rec: Recognised, estado: str, mensaje: str) -> manifest.Entry:
    e = manifest.Entry(archivo=str(rec.path), fuente=rec.fuente, entidad=rec.entidad, periodo=period_key(rec),
                       tamano_bytes=rec.path.stat().st_size, sha256=manifest.file_sha256(rec.path),
                       estado=estado, mensaje=mensaje)
    existing = one(con, "select estado, sha256, mensaje from raw.load_manifest where archivo = ?",
                           [e.archivo])
    if existing != (estado, e.sha256, mensaje):  # re-seeing the same situation changes nothing
        manifest.record(con, e)
    return e


def load_files(con: duckdb.DuckDBPyConnection, root: Path, sources: set[str], key: bytes,
               solo_adicionales: bool, log: Callable[[str], None],
               tick: Callable[[str], None] = lambda _f: None) -> Outcome:
    manifest.ensure(con)
    if "externos" in sources:
        externos.ensure_tables(con)  # optional statistics series: their marts build (empty) without files
    out = Outcome()
    recognised, unknown = discover(root, sources)
    for path in unknown:
        log(f"***ADVERTENCIA***: {path}: el nombre no corresponde a ningún insumo del catálogo de fuentes "
            f"(seeds/fuentes.csv); se ignora.")
    groups: dict[tuple[str, str, str], list[Recognised]] = defaultdict(list)
    for rec in recognised:
        groups[(rec.fuente, rec.entidad, period_key(rec))].append(rec)
    for (fuente, entidad, periodo), recs in sorted(groups.items()):
        earlier: list[Recognised] = []
        if fuente == "imss" and entidad == "riesgos":
            # Cumulative cuts: the latest cut of the year is the year's data; earlier cuts stay in the manifest.
            latest = max(r.mes_o_trimestre or 0 for r in recs)
            earlier = [r for r in recs if (r.mes_o_trimestre or 0) != latest]
            recs = [r for r in recs if (r.mes_o_trimestre or 0) == latest]
        if len(recs) > 1:
            names = " y ".join(str(r.path) for r in recs)
            msg = (f"hay {len(recs)} archivos para {fuente} {entidad} {periodo}: {names}. Deje solo uno; "
                   f"no se cargó nada de ese periodo")
            log(f"***ERROR***: {msg}.")
            for r in recs:
                out.entries.append(_record_error(con, r, "error", msg))
                tick(r.path.name)
            continue
        landed = land_file(con, recs[0], key, solo_adicionales, log)
        out.entries.append(landed)
        tick(recs[0].path.name)
        for r in earlier:
            if landed.estado != "error":
                out.entries.append(_record_error(con, r, "corte_anterior",
                                                 f"corte acumulado anterior a {recs[0].path.name}; el año se "
                                                 f"toma del último corte"))
            tick(r.path.name)
    return out


def count_files(root: Path, sources: set[str]) -> int:
    return len(discover(root, sources)[0])
