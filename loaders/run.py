"""`sidil load`: find the input files of a folder, check them, and land each in its own transaction.

Rules (issue 3):
- A file already landed with the same checksum is skipped (`solo_adicionales`, the default); a changed
  file for a landed period replaces that period atomically; without `solo_adicionales` every file is
  landed again.
- Unchanged files are noticed cheaply (issue 17): a file whose path, size and modification time (mtime_ns)
  equal its landed manifest row's is skipped without being read. Any other mtime (newer or older) means
  the file is hashed as before; a touched but identical file is still skipped, and its new mtime recorded.
  An mtime within `manifest.RACY_NS` of the moment it was read is not recorded (a write in the same clock
  tick could keep size and mtime), so such a file is hashed once more next time.
- Two files for the same source, entity and period: an error naming both; nothing of that period lands.
- Riesgos arrive as cumulative cuts: only the latest cut of each year is landed; earlier cuts are kept
  in the manifest as `corte_anterior`.
- A bad file stops with a message naming the file, row and field; its rejected rows go to
  raw.load_rejects (personal identifiers pseudonymised); other files still load and what was landed
  before is untouched.
- A delivery never shrinks what is landed unasked (issue 14): a file without data rows is refused, and
  one whose rows collapse below `MIN_SHARE` of the same period already landed (or of the neighbouring
  periods) is refused unless `forzar` (`sidil load --forzar`), with both counts in the message.
- The pseudonymisation key must be the one the warehouse was first loaded with (its fingerprint).
- `muestra` (`sidil load --muestra N`, the manual's `muestra`): IMSS files land only the rows of N registros
  patronales chosen by a fixed hash (loaders.imss.sample_filter). The manifest records N in `muestra`, so a
  sampled period is never taken for a complete one; a later load without --muestra (or with another N)
  replaces it even when the file is unchanged, and the row-count checks do not compare with samples.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from loaders import censo, enoe, externos, imss, manifest, pseudonym, report, textfile
from loaders.catalog import Recognised, recognise
from loaders.errors import LoadError
from loaders.sql import one, table_name

# Sources whose files `sidil load --muestra N` samples (the manual samples the IMSS inputs).
SAMPLED_SOURCES = {"imss"}

# A delivery with fewer rows than this share of the reference (the same period already landed, else the
# median of the neighbouring periods) is refused unless forced: a truncated export, not a real change.
MIN_SHARE = 0.5

# Files an operator replaced through the web (sidil.insumos) and uploads being checked: kept inside the
# input folder, never loaded.
ARCHIVE_DIR = "_archivo"

LANDERS: dict[str, Callable[[duckdb.DuckDBPyConnection, Recognised, str, bytes], tuple]] = {
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
        if (
            rel.startswith(("truth/", "dne/", "siapi/", ARCHIVE_DIR + "/"))
            or path.name.startswith(".")
            or any(part.startswith(textfile.EXTRACT_PREFIX) for part in path.relative_to(root).parts)
        ):
            continue
        rec = recognise(path, root)
        if rec is None:
            unknown.append(path)
        elif rec.fuente in sources:
            recognised.append(rec)
    return recognised, unknown


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return (
        one(
            con,
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        )[0]
        > 0
    )


def landed_rows(con: duckdb.DuckDBPyConnection, rec: Recognised) -> int:
    """Rows of this file's period in its raw table now (read before they are replaced)."""
    table = raw_table(rec)
    if not _table_exists(con, table):
        return 0
    where, params = period_filter(rec)
    return int(one(con, f"select count(*) from {table_name(table)} where {where}", params)[0])


def reference_rows(con: duckdb.DuckDBPyConnection, rec: Recognised, periodo: str, same: int) -> tuple[int, str] | None:
    """The row count a new file of this period is compared with, and what it is, or None (nothing yet):
    the rows landed for the same period (`same`, counted in the raw table), else the neighbours'."""
    if same:
        return same, f"lo ya cargado para {periodo}"
    if rec.periodo == "serie" or (rec.fuente == "imss" and rec.entidad == "riesgos"):
        return None  # a whole series, or year-to-date cuts: only the same period compares
    rows = con.execute(
        "select filas_cargadas, periodo from raw.load_manifest where fuente = ? and entidad = ? and periodo <> ? "
        "and estado in ('cargado', 'reemplazado') and muestra is null",
        [rec.fuente, rec.entidad, periodo],
    ).fetchall()
    if not rows:
        return None
    before = sorted((r for r in rows if r[1] < periodo), key=lambda r: r[1], reverse=True)[:3]
    after = sorted((r for r in rows if r[1] > periodo), key=lambda r: r[1])[:3]
    near = before or after
    counts = sorted(int(r[0]) for r in near)
    median = counts[len(counts) // 2]
    return median, f"la mediana de los periodos vecinos ({', '.join(sorted(r[1] for r in near))})"


def _check_rows(con: duckdb.DuckDBPyConnection, rec: Recognised, e: manifest.Entry, same: int, forzar: bool) -> str:
    """Refuse an empty file, and a collapsing one unless forced. Returns a note for the manifest. A sample
    (`e.muestra`) is smaller by design: only an empty file is refused."""
    if (e.filas_leidas if e.muestra else e.filas_cargadas) == 0:
        raise LoadError(
            e.archivo, "el archivo no tiene filas de datos (solo encabezado); no reemplaza lo cargado", fila=2
        )
    if e.muestra:
        return f"muestra de {e.muestra:,} registros patronales (sidil load --muestra): no es el periodo completo"
    ref = reference_rows(con, rec, e.periodo, same)
    if ref is None or e.filas_cargadas >= MIN_SHARE * ref[0]:
        return ""
    n, what = ref
    share = 100 * e.filas_cargadas / n
    if not forzar:
        raise LoadError(
            e.archivo,
            f"el archivo trae {e.filas_cargadas:,} filas y {what} tiene {n:,} "
            f"({share:.0f} %; el mínimo aceptado es {100 * MIN_SHARE:.0f} %): parece una "
            f"entrega incompleta. Si la reducción es legítima, cárguelo con "
            f"`sidil load --forzar`",
        )
    return f"reducción aceptada con --forzar: {e.filas_cargadas:,} filas contra {n:,} de {what}"


def land_file(
    con: duckdb.DuckDBPyConnection,
    rec: Recognised,
    key: bytes,
    solo_adicionales: bool,
    log: Callable[[str], None],
    forzar: bool = False,
    muestra: int | None = None,
) -> manifest.Entry:
    archivo = str(rec.path)
    redact = pseudonym.Redactor(key)
    start = time.perf_counter()
    muestra = muestra if rec.fuente in SAMPLED_SOURCES else None
    now_ns = time.time_ns()
    st = rec.path.stat()  # before reading: a write after this changes the mtime the next load compares
    e = manifest.Entry(
        archivo=archivo,
        fuente=rec.fuente,
        entidad=rec.entidad,
        periodo=period_key(rec),
        tamano_bytes=st.st_size,
        muestra=muestra,
        mtime_ns=manifest.trusted_mtime(st, now_ns),
    )
    prev = manifest.landed(con, rec.fuente, rec.entidad, e.periodo)
    # Landed as it is asked now (complete, or the same sample): an unchanged file needs nothing written.
    as_landed = prev is not None and prev.muestra == muestra and solo_adicionales
    if as_landed and manifest.unchanged_file(prev, archivo, st):
        e.sha256, e.estado = prev.sha256, "omitido"
        return e  # same path, size and mtime as when landed: not even read
    e.sha256 = manifest.file_sha256(rec.path)
    if as_landed and prev.sha256 == e.sha256:
        e.estado = "omitido"
        if prev.archivo == archivo and (prev.tamano_bytes, prev.mtime_ns) != (e.tamano_bytes, e.mtime_ns):
            manifest.remember_stat(con, archivo, st, e.mtime_ns)  # touched but identical: cheap next time
        return e
    con.execute("begin transaction")
    try:
        table = raw_table(rec)
        same = landed_rows(con, rec)
        if same:
            where, params = period_filter(rec)
            con.execute(f"delete from {table_name(table)} where {where}", params)
        if prev and prev[2]:
            same = 0  # what is landed is a sample: the new file is not compared with it
        extra = {"muestra": muestra} if muestra else {}
        result = LANDERS[rec.fuente](con, rec, archivo, key, **extra)
        e.filas_leidas, e.filas_cargadas = result[0], result[1]
        notes = [n for n in (result[2] if len(result) > 2 else "", _check_rows(con, rec, e, same, forzar)) if n]
        e.estado = "reemplazado" if prev or same else "cargado"
        e.resumen = report.summarise(con, rec.fuente, rec.entidad, *period_filter(rec))
        e.mensaje = "; ".join(
            [
                (
                    f"reemplaza {Path(prev[0]).name}"
                    if prev and prev[0] != archivo
                    else (
                        "reemplaza la muestra cargada antes"
                        if prev and prev[2] and not muestra
                        else ("reemplaza la versión anterior" if prev else "")
                    )
                ),
                *notes,
            ]
        ).strip("; ")
        if prev and prev[0] != archivo:
            con.execute(
                "update raw.load_manifest set estado = 'sustituido', mensaje = ? where archivo = ?",
                [f"sustituido por {rec.path.name}", prev[0]],
            )
        e.duracion_s = time.perf_counter() - start
        manifest.record(con, e)
        con.execute("delete from raw.load_rejects where archivo = ?", [archivo])
        con.execute("commit")
        log(
            f"INFO: {rec.path.name}: {e.filas_cargadas:,} filas cargadas en {table} ({e.periodo})"
            + (f"; {'; '.join(notes)}" if notes else "")
            + "."
        )
    except LoadError as err:
        con.execute("rollback")
        e.estado, e.mensaje = "error", redact(str(err))
        rejects = [
            (fila, campo, redact(valor), redact(error))
            for fila, campo, valor, error in (getattr(err, "rejects", []) or [])
        ]
        e.filas_rechazadas, e.filas_cargadas = len(rejects), 0
        e.duracion_s = time.perf_counter() - start
        manifest.record(con, e)
        manifest.record_rejects(con, e, rejects)
        log(f"***ERROR***: {e.mensaje}. No se cargó nada de este archivo; lo cargado antes sigue intacto.")
    except (duckdb.Error, ValueError, ArithmeticError, OSError, LookupError, TypeError) as err:
        # A reader's own error (Arrow, openpyxl, py7zr, the file system): the file is refused like any other.
        con.execute("rollback")
        first = (str(err).splitlines() or [""])[0]
        e.estado, e.mensaje = "error", redact(f"archivo {archivo}: no se pudo leer ({type(err).__name__}: {first})")
        e.filas_cargadas = 0
        e.duracion_s = time.perf_counter() - start
        manifest.record(con, e)
        log(f"***ERROR***: {e.mensaje}. No se cargó nada de este archivo; lo cargado antes sigue intacto.")
    return e


def _record_error(con: duckdb.DuckDBPyConnection, rec: Recognised, estado: str, mensaje: str) -> manifest.Entry:
    archivo = str(rec.path)
    now_ns = time.time_ns()
    st = rec.path.stat()
    existing = one(
        con,
        "select estado, sha256, mensaje, tamano_bytes, mtime_ns from raw.load_manifest where archivo = ?",
        [archivo],
    )
    seen = manifest.Landed(archivo, existing[1], None, existing[3], existing[4]) if existing else None
    e = manifest.Entry(
        archivo=archivo,
        fuente=rec.fuente,
        entidad=rec.entidad,
        periodo=period_key(rec),
        tamano_bytes=st.st_size,
        # A file seen before with the same size and mtime keeps its checksum without being read again.
        sha256=seen.sha256 if manifest.unchanged_file(seen, archivo, st) else manifest.file_sha256(rec.path),
        estado=estado,
        mensaje=mensaje,
        mtime_ns=manifest.trusted_mtime(st, now_ns),
    )
    if existing != (estado, e.sha256, mensaje, e.tamano_bytes, e.mtime_ns):  # the same situation changes nothing
        manifest.record(con, e)
    return e


def load_files(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    sources: set[str],
    key: bytes,
    solo_adicionales: bool,
    log: Callable[[str], None],
    tick: Callable[[str], None] = lambda _f: None,
    forzar: bool = False,
    muestra: int | None = None,
) -> Outcome:
    """Land every recognised file of `root` (with `muestra`, the IMSS files as a sample of that many
    registros patronales). Raises pseudonym.KeyMismatch before touching anything when the key is not the
    warehouse's."""
    if muestra is not None and muestra < 1:
        raise ValueError("muestra debe ser un número de registros patronales mayor que cero")
    manifest.ensure(con)
    pseudonym.check_key(con, key)
    textfile.remove_leftovers(root, log)
    if "externos" in sources:
        externos.ensure_tables(con)  # optional statistics series: their marts build (empty) without files
    out = Outcome()
    recognised, unknown = discover(root, sources)
    for path in unknown:
        log(
            f"***ADVERTENCIA***: {path}: el nombre no corresponde a ningún insumo del catálogo de fuentes "
            f"(seeds/fuentes.csv); se ignora."
        )
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
            msg = (
                f"hay {len(recs)} archivos para {fuente} {entidad} {periodo}: {names}. Deje solo uno; "
                f"no se cargó nada de ese periodo"
            )
            log(f"***ERROR***: {msg}.")
            for r in recs:
                out.entries.append(_record_error(con, r, "error", msg))
                tick(r.path.name)
            continue
        landed = land_file(con, recs[0], key, solo_adicionales, log, forzar, muestra)
        out.entries.append(landed)
        tick(recs[0].path.name)
        for r in earlier:
            if landed.estado != "error":
                out.entries.append(
                    _record_error(
                        con,
                        r,
                        "corte_anterior",
                        f"corte acumulado anterior a {recs[0].path.name}; el año se toma del último corte",
                    )
                )
            tick(r.path.name)
    return out


def count_files(root: Path, sources: set[str]) -> int:
    return len(discover(root, sources)[0])
