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
from loaders.catalog import Recognised, field_renames
from loaders.errors import LoadError
from loaders.sql import literal
from loaders.tables import append_by_name

REQUIRED = {
    "patrones": ["cve_registro"],
    "puestos": ["cve_registro", "nss", "curp"],
    "riesgos": ["cve_registro", "nss"],
}


def _renamed(rec: Recognised, columns: list[str], archivo: str) -> list[str]:
    renames = field_renames(rec.fuente, rec.entidad)
    out = [renames.get(c, c) for c in columns]
    dup = sorted({c for c in out if out.count(c) > 1})
    if dup:
        raise LoadError(archivo, f"dos campos del archivo significan lo mismo según el catálogo de campos: "
                                 f"{', '.join(dup)}", fila=1)
    missing = [c for c in REQUIRED[rec.entidad] if c not in out]
    if missing:
        raise LoadError(archivo, f"falta el campo obligatorio '{missing[0]}' (encabezado: {', '.join(columns)})",
                        fila=1, campo=missing[0])
    return out


def _set_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    ipad, opad = pseudonym.hmac_pads(key)
    con.execute("set variable ipad = ?", [ipad])
    con.execute("set variable opad = ?", [opad])


def _hash(expr: str) -> str:
    """Keyed hash of a text expression; blank stays NULL."""
    return pseudonym.hmac_sql(f"nullif(trim({expr}), '')", "getvariable('ipad')", "getvariable('opad')")



def _period_sql(rec: Recognised, archivo: str) -> str:
    periodo = date(rec.anio, rec.mes_o_trimestre or 1, 1)
    return f"date '{periodo.isoformat()}' as periodo, {literal(archivo)} as archivo, current_localtimestamp() as cargado_en"


def land_text(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int]:
    """Land a patrones or puestos file. Returns (rows read, rows landed)."""
    with textfile.plain_file(rec.path, archivo) as plain:
        lay = textfile.layout(plain, archivo, rec.codificacion)
        names = _renamed(rec, lay.columns, archivo)
        source = textfile.relation_sql(lay, names)
        _set_key(con, key)
        keep = ", ".join(f's."{c}"' for c in names if c not in ("nss", "curp"))
        if rec.entidad == "puestos":
            curp = "coalesce(nullif(trim(s.curp), ''), c.curp)"
            select = f"""
                select {keep},
                       {_hash("s.nss")} as nss_hash,
                       {_hash(curp)} as curp_hash,
                       case upper(substr({curp}, 11, 1)) when 'H' then 1 when 'M' then 2 end::tinyint as sexo,
                       (nullif(trim(s.curp), '') is null and c.curp is not null) as curp_completada,
                       {_period_sql(rec, archivo)}
                from {source} as s
                left join (
                    select nss, max(nullif(trim(curp), '')) as curp from {source} group by nss
                ) as c on s.nss = c.nss"""
        else:
            select = f"select {keep}, {_period_sql(rec, archivo)} from {source} as s"
        try:
            landed = append_by_name(con, f"raw.imss_{rec.entidad}", select)
        except duckdb.Error as exc:
            err, rejects = textfile.explain_failure(con, lay, names, archivo, exc)
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
        columns = [str(h).strip().lower() if h is not None else "" for h in header]
        names = _renamed(rec, columns, archivo)
        data: list[list[str | None]] = [[] for _ in names]
        for i, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            if len(row) > len(names) and any(v is not None for v in row[len(names):]):
                raise LoadError(archivo, "la fila tiene más columnas con datos que el encabezado", fila=i,
                                campo=f"columna {len(names) + 1}")
            for j in range(len(names)):
                v = row[j] if j < len(row) else None
                data[j].append(None if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)))
    finally:
        wb.close()
    table = pa.table({n: pa.array(col, pa.string()) for n, col in zip(names, data)})
    con.register("sidil_riesgos_in", table)
    _set_key(con, key)
    keep = ", ".join(f'"{c}"' for c in names if c not in ("nss", "curp"))
    hashed = [f"{_hash(c)} as {c}_hash" for c in ("nss", "curp") if c in names]
    select = (f"select {keep}, {', '.join(hashed)}, {rec.anio} as anio, {_period_sql(rec, archivo)} "
              f"from sidil_riesgos_in")
    try:
        landed = append_by_name(con, "raw.imss_riesgos", select)
    finally:
        con.unregister("sidil_riesgos_in")
    return table.num_rows, landed


def land(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int]:
    if rec.entidad == "riesgos":
        return land_riesgos(con, rec, archivo, key)
    return land_text(con, rec, archivo, key)
