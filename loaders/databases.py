"""DNE and SIAPI-SIPAS: tables read from a database through a SQLAlchemy URL -> raw.dne_*, raw.siapi_*.

The fields read come from catalog seeds (seeds/dne_campos.csv, seeds/siapi_campos.csv), so a change of
fields needs no code. The demo's databases are SQLite files; the same code reads SQL Server through an
ODBC URL (`mssql+pyodbc://...`, with its driver installed). Nothing is ever written to the source.
Personal fields follow seeds/datos_personales.csv: those marked `omitir` are never read, and those kept only
for personas morales (the DNE's company name and RFC, the workplace name) are blanked, before anything
reaches the warehouse, on the rows of a company whose RFC is not a persona moral's.
Each table is a snapshot: it replaces the previous one in one transaction, unless its content hash
equals the one already landed.

Unchanged tables are noticed without reading them (issue 17): before the full read, the server is asked for
a cheap signature (`table_signature`), kept in raw.load_manifest.firma; a table whose signature equals the
landed one is skipped (`omitido`). The signature covers the catalog columns and personal-data treatments
(a changed catalog reads again) and, for a table masked by the DNE's company types, the company table too:
- a SQLite file (the demo's): the file's size and mtime (and its -wal file's, if it holds changes); a file
  written within `manifest.RACY_NS` of the check gives none;
- SQL Server: `count_big(*)` and `checksum_agg(binary_checksum(<catalog columns>))`, computed by the server.
  BINARY_CHECKSUM skips text, ntext, image and xml columns: a table with one in the catalog gives none;
- any other server: none, so the table is read in full as before. Row counts and max() of each column
  would be one query too, but they miss a row edited in place (an inspection's status), so a stale
  snapshot would be kept silently.
When the signature differs (or there is none) the table is read in full and the content hash stays the
authority: an identical content is still skipped, and its new signature recorded.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loaders import manifest
from loaders.catalog import seeds_dir
from loaders.errors import LoadError
from loaders.run import MIN_SHARE, Outcome
from loaders.sql import ident, one, table_name
from loaders.tables import append_by_name, table_columns

CHUNK_ROWS = 200_000


def _catalog(name: str) -> tuple[dict[str, str], ...]:
    return _catalog_in(seeds_dir(), name)


@lru_cache(maxsize=None)
def _catalog_in(seeds: Path, name: str) -> tuple[dict[str, str], ...]:
    with open(seeds / f"{name}.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def personal_fields(fuente: str) -> dict[str, dict[str, str]]:
    """Table -> {field: treatment} of the personal fields of a source (seeds/datos_personales.csv):
    `omitir` (never read), `solo_persona_moral` (landed only on rows of a persona moral, NULL otherwise)."""
    out: dict[str, dict[str, str]] = {}
    for row in _catalog("datos_personales"):
        if row["fuente"] == fuente:
            out.setdefault(row["tabla"], {})[row["campo"]] = row["tratamiento"]
    return out


def fields(catalog: str) -> dict[str, list[str]]:
    """Table -> fields to read, in catalog order, without the personal fields the catalog of personal
    data says are never read (`omitir`)."""
    personal = personal_fields(catalog.split("_", 1)[0])
    out: dict[str, list[str]] = {}
    for row in _catalog(catalog):
        if personal.get(row["tabla"], {}).get(row["campo"]) == "omitir":
            continue
        out.setdefault(row["tabla"], []).append(row["campo"])
    return out


# A persona moral's RFC: 3 letters (Ñ and & allowed), its date of incorporation and a 3-character homoclave;
# a persona física's has 4 letters (13 characters). The DNE's company table says which one each company is.
RFC_MORAL = re.compile(r"[A-ZÑ&]{3}[0-9]{6}[A-Z0-9]{3}")
RFC_FISICA = re.compile(r"[A-ZÑ&]{4}[0-9]{6}[A-Z0-9]{3}")
DNE_EMPRESA, DNE_EMPRESA_ID, DNE_RFC = "empresa", "empresa_id", "rfc"


def tipo_persona(rfc: str | None) -> str | None:
    """'moral', 'fisica' or None (no RFC, or one of neither shape) from an RFC as the DNE writes it."""
    text = re.sub(r"[\s-]", "", (rfc or "").upper())
    return "moral" if RFC_MORAL.fullmatch(text) else "fisica" if RFC_FISICA.fullmatch(text) else None


def company_types(url: str) -> dict[str, str]:
    """empresa_id -> 'moral' / 'fisica' for the DNE's companies with a valid RFC (read from the source,
    never landed). A failed read gives {}: every field kept only for personas morales then lands NULL."""
    try:
        data = _fetch(url, DNE_EMPRESA, [DNE_EMPRESA_ID, DNE_RFC], f"{safe_url(url)}#{DNE_EMPRESA}")
    except LoadError:
        return {}
    out = {}
    for empresa_id, rfc in zip(data.column(0).to_pylist(), data.column(1).to_pylist()):
        tipo = tipo_persona(rfc)
        if empresa_id is not None and tipo:
            out[empresa_id.strip()] = tipo
    return out


def mask_personal(data: pa.Table, treatments: dict[str, str], types: dict[str, str]) -> pa.Table:
    """Blank the fields kept only for personas morales on every other row (a persona física, or a company
    whose RFC is missing or malformed) and add `tipo_persona`, before anything reaches the warehouse."""
    masked = [c for c, t in treatments.items() if t == "solo_persona_moral" and c in data.column_names]
    if not masked:
        return data
    ids = data.column(DNE_EMPRESA_ID).to_pylist() if DNE_EMPRESA_ID in data.column_names else [None] * len(data)
    tipos = pa.array([types.get((i or "").strip()) for i in ids], pa.string())
    moral = pc.fill_null(pc.equal(tipos, "moral"), False)
    for c in masked:
        data = data.set_column(
            data.column_names.index(c),
            c,
            pc.if_else(moral, data.column(c).combine_chunks(), pa.scalar(None, pa.string())),
        )
    return data.append_column("tipo_persona", tipos)


def instances() -> list[tuple[int, str]]:
    """SIAPI-SIPAS instances (number, database name) in the manual's order."""
    return [(int(r["instancia"]), r["nombre"]) for r in _catalog("siapi_instancias")]


def safe_url(url: str) -> str:
    """The URL without its password, for messages and the manifest."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _batches(url: str, table: str, cols: list[str], archivo: str) -> Iterator[pa.RecordBatch]:
    from sqlalchemy import column, create_engine, inspect, select
    from sqlalchemy import table as sql_table

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            available = {c["name"].lower(): c["name"] for c in inspect(conn).get_columns(table)}
            missing = [c for c in cols if c.lower() not in available]
            if missing:
                raise LoadError(
                    archivo, f"la tabla {table} no tiene el campo '{missing[0]}' que pide el catálogo", campo=missing[0]
                )
            # The dialect quotes the names (they come from the catalog, matched to the database's spelling).
            query = select(*[column(available[c.lower()]) for c in cols]).select_from(sql_table(table))
            result = conn.execution_options(stream_results=True).execute(query)
            while rows := result.fetchmany(CHUNK_ROWS):
                columns = list(zip(*rows))
                yield pa.RecordBatch.from_arrays(
                    [pa.array([None if v is None else str(v) for v in col], pa.string()) for col in columns],
                    names=[c.lower() for c in cols],
                )
    except LoadError:
        raise
    except Exception as exc:  # driver errors: unreachable server, missing table, bad credentials
        first = str(exc).splitlines()[0]
        raise LoadError(archivo, f"no se pudo leer la tabla {table} ({type(exc).__name__}: {first})") from None
    finally:
        engine.dispose()


def _fetch(url: str, table: str, cols: list[str], archivo: str) -> pa.Table:
    batches = list(_batches(url, table, cols, archivo))
    schema = pa.schema([(c.lower(), pa.string()) for c in cols])
    return pa.Table.from_batches(batches, schema=schema)


def _digest(data: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, data.schema) as writer:
        writer.write_table(data)
    return hashlib.sha256(sink.getvalue()).hexdigest()


# Part of every signature: bump it when what lands from the same source rows changes (masking, digest), so
# that every table is read once more.
FIRMA_VERSION = 1
# SQL Server types BINARY_CHECKSUM ignores (and the CLR spatial ones): a catalog column of one gives no signature.
MSSQL_UNCHECKED = {"TEXT", "NTEXT", "IMAGE", "XML", "GEOGRAPHY", "GEOMETRY"}


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None (another server, in-memory, URI filename)."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:
        return None
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" or u.database.startswith("file:"):
        return None
    path = Path(u.database)
    return path if path.is_file() else None


def _file_signature(path: Path) -> list | None:
    """Size and mtime of a SQLite file and of its -wal file when it holds changes; None when one was written
    too recently to trust its mtime."""
    now_ns = time.time_ns()
    out = []
    for f in (path, path.with_name(path.name + "-wal")):
        try:
            st = f.stat()
        except FileNotFoundError:
            continue  # no -wal: every change is in the main file
        if f != path and st.st_size == 0:
            continue
        mtime = manifest.trusted_mtime(st, now_ns)
        if mtime is None:
            return None
        out.append([f.name, st.st_size, mtime])
    return out


def mssql_signature_query(table: str, cols: list[str]):
    """SQL Server's cheap signature of a table: its row count and the aggregate of every row's binary
    checksum over the catalog columns, computed by the server. Names are quoted by the dialect."""
    from sqlalchemy import column, func, literal_column, select
    from sqlalchemy import table as sql_table

    return select(
        func.count_big(literal_column("*")), func.checksum_agg(func.binary_checksum(*[column(c) for c in cols]))
    ).select_from(sql_table(table))


def _server_signature(url: str, table: str, cols: list[str]) -> list | None:
    """What the source can tell cheaply about a table's content, or None (then the table is read in full)."""
    if path := _sqlite_file(url):
        sig = _file_signature(path)
        return ["sqlite", sig] if sig else None
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.types import NullType

    try:
        if make_url(url).get_backend_name() != "mssql":
            return None
        engine = create_engine(url)
    except Exception:
        return None
    try:
        with engine.connect() as conn:
            reflected = {c["name"].lower(): c for c in inspect(conn).get_columns(table)}
            if any(c.lower() not in reflected for c in cols):
                return None  # the full read names the missing field
            chosen = [reflected[c.lower()] for c in cols]
            if any(
                isinstance(c["type"], NullType) or type(c["type"]).__name__.upper() in MSSQL_UNCHECKED for c in chosen
            ):
                return None
            n, checksum = conn.execute(mssql_signature_query(table, [c["name"] for c in chosen])).one()
            return ["mssql", int(n), None if checksum is None else int(checksum)]
    except Exception:  # no permission, driver error: the full read reports what is wrong
        return None
    finally:
        engine.dispose()


def table_signature(url: str, fuente: str, table: str, cols: list[str]) -> str | None:
    """The signature kept in raw.load_manifest.firma: the server's (see the module's docstring) with the
    catalog columns and personal-data treatments, and the DNE company table's when this table is masked by
    company type. None: the source cannot tell cheaply."""
    own = _server_signature(url, table, cols)
    if own is None:
        return None
    treatments = personal_fields(fuente).get(table, {})
    depends = None
    if fuente == "dne" and "solo_persona_moral" in treatments.values():
        depends = _server_signature(url, DNE_EMPRESA, [DNE_EMPRESA_ID, DNE_RFC])
        if depends is None:
            return None
    payload = json.dumps([FIRMA_VERSION, table, cols, sorted(treatments.items()), own, depends])
    return f"{own[0]}:{hashlib.sha256(payload.encode()).hexdigest()}"


def land_table(
    con: duckdb.DuckDBPyConnection,
    url: str,
    fuente: str,
    table: str,
    cols: list[str],
    instancia: int | None,
    solo_adicionales: bool,
    log: Callable[[str], None],
    forzar: bool = False,
    company_type: dict[str, str] | Callable[[], dict[str, str]] | None = None,
) -> manifest.Entry:
    """Land one table as a snapshot. `company_type`: the DNE's company types, or a function giving them
    (called only when the table is read)."""
    raw = f"raw.{fuente}_{table.lower()}"
    archivo = f"{safe_url(url)}#{table}"
    periodo = f"instancia {instancia}" if instancia else "vigente"
    e = manifest.Entry(archivo=archivo, fuente=fuente, entidad=table.lower(), periodo=periodo)
    start = time.perf_counter()
    e.firma = table_signature(url, fuente, table, cols)  # before the read: a later change alters it
    prev = one(
        con,
        "select sha256, firma from raw.load_manifest where archivo = ? and estado in ('cargado', 'reemplazado')",
        [archivo],
    )
    if prev and solo_adicionales and e.firma is not None and prev[1] == e.firma:
        e.sha256, e.estado = prev[0], "omitido"
        return e  # the source says it is unchanged: not read
    treatments = personal_fields(fuente).get(table, {})
    try:
        data = _fetch(url, table, cols, archivo)
        types = company_type() if callable(company_type) else company_type
        data = mask_personal(data, treatments, types or {})  # before the digest and the warehouse
    except LoadError as err:
        e.estado, e.mensaje, e.duracion_s = "error", str(err), time.perf_counter() - start
        manifest.record(con, e)
        log(f"***ERROR***: {err}. Lo cargado antes sigue intacto.")
        return e
    e.sha256, e.filas_leidas = _digest(data), data.num_rows
    if prev and prev[0] == e.sha256 and solo_adicionales:
        e.estado = "omitido"
        if prev[1] != e.firma:  # same content, new signature (a touched file): cheap next time
            con.execute("update raw.load_manifest set firma = ? where archivo = ?", [e.firma, archivo])
        return e
    # What is landed is counted in the raw table itself (as for files): a refused read leaves the manifest row
    # in error, and a retry must still compare with the rows the warehouse holds.
    landed_rows = 0
    if table_columns(con, raw):
        where, args = ("where instancia = ?", [instancia]) if instancia else ("", [])
        landed_rows = int(one(con, f"select count(*) from {table_name(raw)} {where}", args)[0])
    if data.num_rows < MIN_SHARE * landed_rows and not forzar:
        e.estado, e.duracion_s = "error", time.perf_counter() - start
        e.mensaje = (
            f"{archivo}: la tabla trae {data.num_rows:,} filas y lo ya cargado tiene {landed_rows:,} "
            f"(mínimo aceptado {100 * MIN_SHARE:.0f} %): parece una lectura incompleta. Si la reducción es "
            f"legítima, cárguela con `sidil load --forzar`"
        )
        manifest.record(con, e)
        log(f"***ERROR***: {e.mensaje}. Lo cargado antes sigue intacto.")
        return e
    con.execute("begin transaction")
    try:
        if existing := table_columns(con, raw):
            for c, treatment in treatments.items():  # a field landed before the catalog said `omitir`
                if treatment == "omitir" and c in existing:
                    con.execute(f"alter table {table_name(raw)} drop column {ident(c)}")
            if instancia:
                con.execute(f"delete from {table_name(raw)} where instancia = ?", [instancia])
            else:
                con.execute(f"delete from {table_name(raw)}")
        con.register("sidil_db_in", data)
        select_cols = ", ".join(ident(c) for c in data.column_names)
        inst = "$instancia::tinyint as instancia, " if instancia else ""
        params = {"archivo": archivo, **({"instancia": instancia} if instancia else {})}
        e.filas_cargadas = append_by_name(
            con,
            raw,
            f"select {select_cols}, {inst}$archivo as archivo, current_localtimestamp() as cargado_en from sidil_db_in",
            params,
        )
        con.unregister("sidil_db_in")
        e.estado = "reemplazado" if prev or landed_rows else "cargado"
        e.duracion_s = time.perf_counter() - start
        manifest.record(con, e)
        con.execute("commit")
        log(f"INFO: {archivo}: {e.filas_cargadas:,} filas cargadas en {raw}.")
    except (duckdb.Error, LoadError) as err:
        con.execute("rollback")
        e.estado, e.mensaje = "error", f"{archivo}: {str(err).splitlines()[0]}"
        manifest.record(con, e)
        log(f"***ERROR***: {e.mensaje}. Lo cargado antes sigue intacto.")
    return e


def _parse_urls(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep:
            raise LoadError("--siapi-url", f"use INSTANCIA=URL (recibido {pair!r})")
        out[name.strip()] = url.strip()
    return out


def load_databases(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    sources: set[str],
    dne_url: str | None,
    siapi_urls: list[str],
    solo_adicionales: bool,
    log: Callable[[str], None],
    forzar: bool = False,
) -> list[Outcome]:
    manifest.ensure(con)
    outcomes: list[Outcome] = []
    if "dne" in sources:
        out = Outcome()
        url = dne_url or _sqlite_url(root / "dne" / "dne.sqlite")
        if url:
            types = cache(lambda: company_types(url))  # read from the source only if a table is read
            for table, cols in fields("dne_campos").items():
                out.entries.append(
                    land_table(con, url, "dne", table, cols, None, solo_adicionales, log, forzar, company_type=types)
                )
        else:
            log("***ADVERTENCIA***: no se indicó el DNE (--dne-url) ni existe dne/dne.sqlite; no se cargó el DNE.")
        outcomes.append(out)
    if "siapi" in sources:
        out = Outcome()
        given = _parse_urls(siapi_urls)
        for number, name in instances():
            url = given.get(name) or given.get(str(number)) or _sqlite_url(root / "siapi" / f"{name}.sqlite")
            if not url:
                log(f"***ADVERTENCIA***: no se encontró la instancia {number} ({name}) del SIAPI-SIPAS.")
                continue
            for table, cols in fields("siapi_campos").items():
                out.entries.append(land_table(con, url, "siapi", table, cols, number, solo_adicionales, log, forzar))
        outcomes.append(out)
    return outcomes


def _sqlite_url(path: Path) -> str | None:
    return f"sqlite:///{path.resolve()}" if path.exists() else None
