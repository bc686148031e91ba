"""IMSS patrones, puestos (delimited text, 20M+ rows a month) and riesgos (Excel) -> raw.imss_*.

Field names pass through the field-name catalog (every known spelling -> one canonical name). Puestos:
missing CURPs are completed from another row of the same NSS, `sexo` is read from CURP position 11
(H -> 1, M -> 2), and NSS and CURP are replaced by keyed hashes (`nss_hash`, `curp_hash`) before
anything is written. Riesgos: NSS is hashed the same way.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from loaders import pseudonym, textfile
from loaders.catalog import HeaderPlan, Recognised, map_header
from loaders.columns import landing_columns, select_items, source_column
from loaders.errors import LoadError
from loaders.tables import append_by_name


def _set_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    ipad, opad = pseudonym.hmac_pads(key)
    con.execute("set variable ipad = ?", [ipad])
    con.execute("set variable opad = ?", [opad])


def _hash(expr: str) -> str:
    """Keyed hash of a text expression; blank stays NULL."""
    return pseudonym.hmac_sql(f"nullif(trim({expr}), '')", "getvariable('ipad')", "getvariable('opad')")


def _period(rec: Recognised) -> str:
    return f"date '{date(rec.anio, rec.mes_o_trimestre or 1, 1).isoformat()}' as periodo, "


def land_text(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int]:
    """Land a patrones or puestos file. Returns (rows read, rows landed)."""
    with textfile.plain_file(rec.path, archivo) as plain:
        lay = textfile.layout(plain, archivo, rec.codificacion)
        plan = map_header(rec.fuente, rec.entidad, lay.columns, archivo)
        source = textfile.relation_sql(lay)
        _set_key(con, key)
        items, params = select_items(plan, rec.fuente, rec.entidad, alias="s")
        extra, more = landing_columns(archivo, _period(rec))
        params.update(more)
        if rec.entidad == "puestos":
            nss, curp_in = source_column(plan, "nss", "s"), source_column(plan, "curp", "s")
            curp = f"coalesce(nullif(trim({curp_in}), ''), c.curp)"
            select = f"""
                select {', '.join(items)},
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
                ) as c on {nss} = c.nss"""
        else:
            select = f"select {', '.join(items)}, {extra} from {source} as s"
        try:
            landed = append_by_name(con, f"raw.imss_{rec.entidad}", select, params)
        except duckdb.Error as exc:
            err, rejects = textfile.explain_failure(con, lay, archivo, exc, pseudonym.Redactor(key))
            err.rejects = rejects  # type: ignore[attr-defined]
            raise err from None
    return landed, landed


def land_riesgos(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int]:
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
                raise LoadError(archivo, "la fila tiene más columnas con datos que el encabezado", fila=i,
                                campo=f"columna {n + 1}")
            for j in range(n):
                v = row[j] if j < len(row) else None
                text = None if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v))
                if text is not None and "\0" in text:
                    raise LoadError(archivo, "la celda contiene bytes nulos (\\0): entrega dañada", fila=i,
                                    campo=plan.headers[j])
                data[j].append(text)
    finally:
        wb.close()
    table = pa.table({textfile.position_name(j): pa.array(col, pa.string()) for j, col in enumerate(data)})
    con.register("sidil_riesgos_in", table)
    _set_key(con, key)
    items, params = select_items(plan, rec.fuente, rec.entidad)
    hashed = [f"{_hash(source_column(plan, c))} as {c}_hash" for c in plan.personal]
    extra, more = landing_columns(archivo, _period(rec))
    params.update(more)
    select = (f"select {', '.join(items + hashed)}, {int(rec.anio)} as anio, {extra} from sidil_riesgos_in")
    try:
        landed = append_by_name(con, "raw.imss_riesgos", select, params)
    finally:
        con.unregister("sidil_riesgos_in")
    return table.num_rows, landed


def land(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int]:
    if rec.entidad == "riesgos":
        return land_riesgos(con, rec, archivo, key)
    return land_text(con, rec, archivo, key)
