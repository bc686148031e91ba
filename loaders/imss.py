"""IMSS patrones, puestos (delimited text, 20M+ rows a month) and riesgos (Excel) -> raw.imss_*.

Field names pass through the field-name catalog (every known spelling -> one canonical name). Puestos:
missing CURPs are completed from another row of the same NSS, `sexo` is read from CURP position 11
(H -> 1, M -> 2), and NSS and CURP are replaced by keyed hashes (`nss_hash`, `curp_hash`) before
anything is written. Patrones: the razón social is not landed (a persona física's is the person's name,
and nothing after landing needs it; seeds/campos_insumo.csv marks it personal). Riesgos (.xlsx, or delimited text: .csv, .tab, .txt, also gzipped or in a .7z): NSS
and CURP are hashed the same way; both forms land the same text in raw.imss_riesgos.
"""

from __future__ import annotations

from datetime import date, datetime, time

import duckdb
import pyarrow as pa

from loaders import pseudonym, textfile
from loaders.catalog import HeaderPlan, Recognised, known_fields, map_header
from loaders.columns import landing_columns, select_items, source_column
from loaders.errors import LoadError
from loaders.sql import ident, one, table_name
from loaders.tables import append_by_name, table_columns


def _set_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    ipad, opad = pseudonym.hmac_pads(key)
    con.execute("set variable ipad = ?", [ipad])
    con.execute("set variable opad = ?", [opad])


def _hash(expr: str) -> str:
    """Keyed hash of a text expression; blank stays NULL."""
    return pseudonym.hmac_sql(f"nullif(trim({expr}), '')", "getvariable('ipad')", "getvariable('opad')")


def _period(rec: Recognised) -> str:
    return f"date '{date(rec.anio, rec.mes_o_trimestre or 1, 1).isoformat()}' as periodo, "


# `sidil load --muestra N` (the manual's `muestra`): N registros patronales chosen by a keyed hash of
# cve_registro with this fixed seed, so the same N gives the same registros every month.
MUESTRA_SEMILLA = "sidil-muestra-v1"


def sample_filter(
    con: duckdb.DuckDBPyConnection, rec: Recognised, cve: str, own: str, muestra: int | None
) -> tuple[str, dict]:
    """(WHERE clause, parameters) keeping only the rows of the sampled registros; ("", {}) without a sample.

    The sample is the N registros with the smallest md5(seed || cve_registro) among the candidates: for
    patrones, the file's own registros; for puestos and riesgos, the registros of the latest patrones month
    landed at or before the file's month (the patrones of that month were landed first, so puestos and
    riesgos follow the same registros), or the file's own registros when no patrones month is landed."""
    if not muestra:
        return "", {}
    candidates = f"select {cve} as cve from {own}"
    params: dict = {"muestra_n": int(muestra), "muestra_semilla": MUESTRA_SEMILLA}
    if rec.entidad != "patrones" and table_columns(con, "raw.imss_patrones"):
        mes = date(rec.anio, rec.mes_o_trimestre or 1, 1)
        base = one(con, "select max(periodo) from raw.imss_patrones where periodo <= ?", [mes])
        if base and base[0] is not None:
            candidates = "select cve_registro as cve from raw.imss_patrones where periodo = $muestra_base"
            params["muestra_base"] = base[0]
    where = (
        f" where trim({cve}) in (select c from (select distinct trim(cve) as c from ({candidates}) "
        f"where nullif(trim(cve), '') is not null) order by md5($muestra_semilla || c), c limit $muestra_n)"
    )
    return where, params


def land_text(
    con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes, muestra: int | None = None
) -> tuple[int, int]:
    """Land a patrones or puestos file (only the sampled registros with `muestra`). Returns (rows read,
    rows landed)."""
    with textfile.plain_file(rec.path, archivo) as plain:
        lay = textfile.layout(plain, archivo, rec.codificacion)
        plan = map_header(rec.fuente, rec.entidad, lay.columns, archivo)
        source = textfile.relation_sql(lay)
        _set_key(con, key)
        items, params = select_items(plan, rec.fuente, rec.entidad, alias="s")
        extra, more = landing_columns(archivo, _period(rec))
        params.update(more)
        where, more = sample_filter(con, rec, source_column(plan, "cve_registro", "s"), f"{source} as s", muestra)
        params.update(more)
        if rec.entidad == "puestos":
            nss, curp_in = source_column(plan, "nss", "s"), source_column(plan, "curp", "s")
            curp = f"coalesce(nullif(trim({curp_in}), ''), c.curp)"
            select = f"""
                select {", ".join(items)},
                       {_hash(nss)} as nss_hash,
                       {_hash(curp)} as curp_hash,
                       case upper(substr({curp}, 11, 1)) when 'H' then 1 when 'M' then 2 end::tinyint as sexo,
                       (nullif(trim({curp_in}), '') is null and c.curp is not null) as curp_completada,
                       {extra}
                from {source} as s
                left join (
                    select {source_column(plan, "nss")} as nss, max(nullif(trim({source_column(plan, "curp")}), ''))
                           as curp
                    from {source} group by 1
                ) as c on {nss} = c.nss{where}"""
        else:
            select = f"select {', '.join(items)}, {extra} from {source} as s{where}"
        try:
            read = _file_rows(con, source, muestra)
            _drop_personal_columns(con, rec)
            landed = append_by_name(con, f"raw.imss_{rec.entidad}", select, params)
        except duckdb.Error as exc:
            err, rejects = textfile.explain_failure(con, lay, archivo, exc, _redactor(key, rec, plan, lay))
            err.rejects = rejects  # type: ignore[attr-defined]
            raise err from None
    return (read if read is not None else landed), landed


def _redactor(key: bytes, rec: Recognised, plan: HeaderPlan, lay: textfile.TextLayout):
    """What a rejected line of the file may keep: NSS and CURP become pseudonyms (pseudonym.Redactor), and
    the personal fields that are never landed (the patrones' razón social) are blanked by position."""
    base = pseudonym.Redactor(key)
    fields = known_fields(rec.fuente, rec.entidad)
    drop = sorted(i for name, i in plan.known.items() if fields[name].personal and name not in ("nss", "curp"))
    if not drop:
        return base

    def redact(text: str | None) -> str | None:
        if text is not None:
            parts = text.split(lay.delimiter)
            if len(parts) > 1:
                text = lay.delimiter.join("[dato personal omitido]" if i in drop else v for i, v in enumerate(parts))
        return base(text)

    return redact


def _drop_personal_columns(con: duckdb.DuckDBPyConnection, rec: Recognised) -> None:
    """A personal field landed in clear before the catalog marked it personal (the patrones' razon_social,
    a person's name when the employer is a persona física) leaves the raw table: months already landed
    do not keep it."""
    raw = f"raw.imss_{rec.entidad}"
    existing = table_columns(con, raw)
    for campo in known_fields(rec.fuente, rec.entidad).values():
        if campo.personal and campo.nombre in existing:
            con.execute(f"alter table {table_name(raw)} drop column {ident(campo.nombre)}")


def _file_rows(con: duckdb.DuckDBPyConnection, source: str, muestra: int | None) -> int | None:
    """The file's rows when only a sample of them lands (an empty file is refused either way); else None:
    a complete load reads each file once."""
    return int(one(con, f"select count(*) from {source}")[0]) if muestra else None


def _cell_text(v: object) -> str | None:
    """An Excel cell as the text a delimited export of the sheet writes: a date without time as
    `aaaa-mm-dd` (the same text a .csv cut carries), other dates and times in ISO form."""
    if v is None:
        return None
    if isinstance(v, datetime) and v.time() == time(0):
        return v.date().isoformat()
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def _riesgos_select(
    con: duckdb.DuckDBPyConnection, plan: HeaderPlan, rec: Recognised, archivo: str, source: str, muestra: int | None
) -> tuple[str, dict]:
    """The one SELECT that lands a riesgos cut from its source (columns by position), whatever its format."""
    items, params = select_items(plan, rec.fuente, rec.entidad)
    hashed = [f"{_hash(source_column(plan, c))} as {c}_hash" for c in plan.personal]
    extra, more = landing_columns(archivo, _period(rec))
    params.update(more)
    where, more = sample_filter(con, rec, source_column(plan, "cve_registro"), source, muestra)
    params.update(more)
    return f"select {', '.join(items + hashed)}, {int(rec.anio)} as anio, {extra} from {source}{where}", params


def land_riesgos(
    con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes, muestra: int | None = None
) -> tuple[int, int]:
    """Land one riesgos cut (.xlsx, first sheet, header in the first row)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(rec.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/etc. for damaged files
        raise LoadError(archivo, f"no se pudo abrir el libro de Excel ({type(exc).__name__}: {exc})") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise LoadError(archivo, "la hoja está vacía (no tiene encabezado)", fila=1)
        while header and header[-1] is None:  # blank cells after the last heading
            header = header[:-1]
        plan: HeaderPlan = map_header(rec.fuente, rec.entidad, list(header), archivo)
        n = len(plan.headers)
        data: list[list[str | None]] = [[] for _ in range(n)]
        for i, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            if len(row) > n and any(v is not None for v in row[n:]):
                raise LoadError(
                    archivo, "la fila tiene más columnas con datos que el encabezado", fila=i, campo=f"columna {n + 1}"
                )
            for j in range(n):
                text = _cell_text(row[j] if j < len(row) else None)
                if text is not None and "\0" in text:
                    raise LoadError(
                        archivo, "la celda contiene bytes nulos (\\0): entrega dañada", fila=i, campo=plan.headers[j]
                    )
                data[j].append(text)
    finally:
        wb.close()
    table = pa.table({textfile.position_name(j): pa.array(col, pa.string()) for j, col in enumerate(data)})
    con.register("sidil_riesgos_in", table)
    _set_key(con, key)
    select, params = _riesgos_select(con, plan, rec, archivo, "sidil_riesgos_in", muestra)
    try:
        landed = append_by_name(con, "raw.imss_riesgos", select, params)
    finally:
        con.unregister("sidil_riesgos_in")
    return table.num_rows, landed


def land_riesgos_text(
    con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes, muestra: int | None = None
) -> tuple[int, int]:
    """Land one riesgos cut delivered as delimited text (DuckDB reads it, like patrones and puestos)."""
    with textfile.plain_file(rec.path, archivo) as plain:
        lay = textfile.layout(plain, archivo, rec.codificacion)
        plan = map_header(rec.fuente, rec.entidad, lay.columns, archivo)
        _set_key(con, key)
        source = textfile.relation_sql(lay)
        select, params = _riesgos_select(con, plan, rec, archivo, f"{source} as s", muestra)
        try:
            read = _file_rows(con, source, muestra)
            landed = append_by_name(con, "raw.imss_riesgos", select, params)
        except duckdb.Error as exc:
            err, rejects = textfile.explain_failure(con, lay, archivo, exc, pseudonym.Redactor(key))
            err.rejects = rejects  # type: ignore[attr-defined]
            raise err from None
    return (read if read is not None else landed), landed


def land(
    con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes, muestra: int | None = None
) -> tuple[int, int]:
    """Land one IMSS file; with `muestra` only the rows of N sampled registros patronales (see sample_filter)."""
    if rec.entidad == "riesgos":  # the source catalog says which form a cut comes in (xlsx or text)
        return (land_riesgos if rec.codificacion == "xlsx" else land_riesgos_text)(con, rec, archivo, key, muestra)
    return land_text(con, rec, archivo, key, muestra)
