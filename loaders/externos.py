"""External series of the Semáforos Económicos Estatales (spec 004) -> raw.externos_<serie>.

One CSV per series (UTF-8, header, one row per state and period), the whole series in every file: a new
file replaces the series. Columns per series (the README's "Series externas de los Semáforos"):

    itaee.csv                cve_ent, periodo (2024T1), valor   ITAEE, seasonally adjusted index
    pibe.csv                 cve_ent, periodo (2024),   valor   state GDP, millions of constant pesos
    deuda_publica.csv        cve_ent, periodo (2024),   valor   state debt, % of the state's GDP
    canasta_alimentaria.csv  cve_ent, ambito, periodo (2024-01), valor   CONEVAL food basket, pesos a
                                                                          month per person (urbano/rural)

cve_ent is the INEGI state key ('01'-'32', '00' national; '1' is read as '01'). The file is read by
DuckDB with every column declared as text (loaders.textfile); each value is then checked here so a bad
row stops the file naming its row and field, and nothing of it lands.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from loaders import textfile
from loaders.catalog import Recognised, map_header
from loaders.columns import landing_columns, source_column
from loaders.errors import LoadError
from loaders.pseudonym import Redactor
from loaders.sql import ident
from loaders.tables import append_by_name


@dataclass(frozen=True)
class Serie:
    columnas: tuple[str, ...]
    periodo: re.Pattern
    formato: str  # how the period is written, for the error message
    minimo: float  # smallest accepted value (inclusive)


TRIMESTRE = re.compile(r"^\d{4}T[1-4]$")
ANIO = re.compile(r"^\d{4}$")
MES = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SERIES: dict[str, Serie] = {
    "itaee": Serie(("cve_ent", "periodo", "valor"), TRIMESTRE, "AAAATn (p. ej. 2024T1)", 1e-9),
    "pibe": Serie(("cve_ent", "periodo", "valor"), ANIO, "AAAA (p. ej. 2024)", 1e-9),
    "deuda_publica": Serie(("cve_ent", "periodo", "valor"), ANIO, "AAAA (p. ej. 2024)", 0.0),
    "canasta_alimentaria": Serie(("cve_ent", "ambito", "periodo", "valor"), MES, "AAAA-MM (p. ej. 2024-01)", 1e-9),
}
AMBITOS = {"urbano", "rural"}


def _fail(archivo: str, fila: int, campo: str, valor: str | None, mensaje: str) -> LoadError:
    err = LoadError(archivo, mensaje, fila=fila, campo=campo)
    err.rejects = [(fila, campo, valor, mensaje)]  # type: ignore[attr-defined]
    return err


def _checked(serie: Serie, rows: list[tuple], archivo: str) -> dict[str, list]:
    """Typed columns of the file, or a LoadError naming the first bad row (header = row 1) and field."""
    out: dict[str, list] = {c: [] for c in serie.columnas}
    seen: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        fila = i + 2
        values = dict(zip(serie.columnas, (None if v is None else v.strip() for v in row)))
        ent = values["cve_ent"] or ""
        if not (ent.isdigit() and len(ent) <= 2 and 0 <= int(ent) <= 32):
            raise _fail(archivo, fila, "cve_ent", ent, f"clave de entidad inválida {ent!r} (use 00 a 32)")
        values["cve_ent"] = ent.zfill(2)
        if "ambito" in values:
            amb = (values["ambito"] or "").lower()
            if amb not in AMBITOS:
                raise _fail(
                    archivo,
                    fila,
                    "ambito",
                    values["ambito"],
                    f"ámbito inválido {values['ambito']!r} (use urbano o rural)",
                )
            values["ambito"] = amb
        per = values["periodo"] or ""
        if not serie.periodo.match(per):
            raise _fail(archivo, fila, "periodo", per, f"periodo inválido {per!r} (formato {serie.formato})")
        texto = values["valor"] or ""
        try:
            valor = float(texto)
        except ValueError:
            raise _fail(archivo, fila, "valor", texto, f"valor no numérico {texto!r}") from None
        if not math.isfinite(valor) or valor < serie.minimo:
            raise _fail(
                archivo,
                fila,
                "valor",
                texto,
                f"valor fuera de rango {texto!r} (debe ser {'positivo' if serie.minimo > 0 else 'mayor o igual a 0'})",
            )
        values["valor"] = valor
        key = tuple(values[c] for c in serie.columnas if c != "valor")
        if key in seen:
            raise _fail(
                archivo,
                fila,
                "periodo",
                per,
                f"fila repetida: la misma entidad y periodo ya están en la fila {seen[key]}",
            )
        seen[key] = fila
        for c in serie.columnas:
            out[c].append(values[c])
    return out


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every series' raw table, empty, so the Semáforos build when a delivery has no external
    series (real ones are published apart from the ministry's data); a later file fills them."""
    for nombre, serie in SERIES.items():
        cols = ", ".join(f'"{c}" {"double" if c == "valor" else "varchar"}' for c in serie.columnas)
        con.execute(
            f"create table if not exists raw.{ident('externos_' + nombre)} ({cols}, archivo varchar, "
            f"cargado_en timestamp)"
        )


def land(con: duckdb.DuckDBPyConnection, rec: Recognised, archivo: str, key: bytes) -> tuple[int, int]:
    serie = SERIES[rec.entidad]
    lay = textfile.layout(rec.path, archivo, rec.codificacion)
    plan = map_header(rec.fuente, rec.entidad, lay.columns, archivo)
    source = textfile.relation_sql(lay)
    cols = ", ".join(source_column(plan, c) for c in serie.columnas)
    try:
        rows = con.execute(f"select {cols} from {source}").fetchall()  # a few thousand rows at most
    except duckdb.Error as exc:
        err, rejects = textfile.explain_failure(con, lay, archivo, exc, Redactor(key))
        err.rejects = rejects  # type: ignore[attr-defined]
        raise err from None
    if not rows:
        raise LoadError(archivo, "el archivo no tiene filas de datos", fila=2)
    typed = _checked(serie, rows, archivo)
    data = pa.table({c: pa.array(v, pa.float64() if c == "valor" else pa.string()) for c, v in typed.items()})
    con.register("sidil_externos_in", data)
    extra, params = landing_columns(archivo)
    try:
        landed = append_by_name(
            con,
            f"raw.externos_{rec.entidad}",
            f"select {', '.join(ident(c) for c in serie.columnas)}, {extra} from sidil_externos_in",
            params,
        )
    finally:
        con.unregister("sidil_externos_in")
    return len(rows), landed
