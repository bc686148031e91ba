"""Uploads of original inputs (spec 002 4.3, "Carga de insumos originales"), without the browser.

The operator picks a source and table (seed `fuentes`), a period from a list that fits the source, and a
file. `resumir` describes the upload before anything is stored: the name it will be stored under (built from
the period chosen and the seed's pattern, never from the uploaded name), size, checksum, the header mapped
through the field catalog, and the first rows with personal identifiers hidden. `guardar` runs the same checks
as `sidil load` (the loader itself, `loaders.run.land_file`, on a scratch DuckDB holding a copy of what is
landed for that period), and only then moves the file into the input folder, archiving the file it replaces
under `<insumos>/_archivo/<fecha>/`. What is landed never changes here: the next `sidil load` lands it.

Uploaded names never reach a path or SQL: the extension is matched against a fixed list and the stored name
is built from constants, the table and the period.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import settings
from loaders.catalog import (
    SOURCES_WITH_EXTRAS,
    FileKind,
    field_renames,
    file_kinds,
    known_fields,
    map_header,
    normal_name,
    recognise,
)
from loaders.errors import LoadError
from loaders.run import ARCHIVE_DIR

ENV_TAMANIO = settings.TAMANIO_MAXIMO_CARGA_ENV
EN_VALIDACION = ".en_validacion"  # under the archive folder: same file system as the inputs, never loaded
FILAS_VISTA = 5
# Every extension a loader reads; compound ones first so `x.tab.gz` is not taken for `.gz`.
EXTENSIONES = ("tab.gz", "csv.gz", "txt.gz", "dbf", "csv", "tab", "txt", "gz", "7z", "rar", "xlsx")
NOMBRES_FUENTE = {
    "enoe": "INEGI — ENOE",
    "imss": "IMSS",
    "censo": "INEGI — Censo Económico",
    "externos": "Series externas (Semáforos)",
}
MESES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
# The IMSS deliveries are named after the cut date (always day 31 in the STPS deliveries); the prefixes are
# the ones the STPS receives (seed fuentes, descripcion).
PREFIJOS_IMSS = {"patrones": "PATRONES_STPS_", "puestos": "PAFINALMES_F_", "riesgos": "STPS_"}
ENOE_N_DESDE = (2020, 3)  # the ENOE-N questionnaire, and INEGI's ENOEN_ file names, start in 2020T3


class CargaError(Exception):
    """An upload refused before any check of its content (size, extension, table, period)."""


def tamanio_maximo() -> int:
    """The largest upload in bytes (SIDIL_TAMANIO_MAXIMO_CARGA, else 4 GiB; a bad value is refused)."""
    return settings.tamanio_maximo_carga()


# -- tables and periods ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tabla:
    fuente: str
    entidad: str
    etiqueta: str
    carpeta: str
    formato_periodo: str
    extensiones: tuple[str, ...]

    @property
    def clave(self) -> str:
        return f"{self.fuente}/{self.entidad}"


def _etiqueta(kind_desc: str, fuente: str, entidad: str) -> str:
    corta = re.split(r" \(|, p\. ej\.|:", kind_desc, maxsplit=1)[0].strip()
    return (
        f"{NOMBRES_FUENTE.get(fuente, fuente)}: {entidad.upper()} — {corta}"
        if corta
        else f"{NOMBRES_FUENTE.get(fuente, fuente)}: {entidad.upper()}"
    )


def _descripciones() -> dict[tuple[str, str], str]:
    import csv

    from loaders.catalog import seeds_dir

    with open(seeds_dir() / "fuentes.csv", encoding="utf-8", newline="") as f:
        salida: dict[tuple[str, str], str] = {}
        for r in csv.DictReader(f):
            salida.setdefault((r["fuente"], r["entidad"]), r.get("descripcion") or "")
        return salida


def _periodo_ejemplo(kind: FileKind) -> str:
    return {"trimestre": "2023T2", "aaaammdd": "2023-05", "anio": "2019", "serie": "serie"}[kind.formato_periodo]


def tablas() -> list[Tabla]:
    """Every source and table a file can be uploaded for, in the seed's order, with the extensions its
    patterns accept (tested on the names this module builds, so a stored file is always recognised)."""
    por_tabla: dict[tuple[str, str], list[FileKind]] = {}
    for k in file_kinds():
        por_tabla.setdefault((k.fuente, k.entidad), []).append(k)
    desc = _descripciones()
    salida = []
    for (fuente, entidad), kinds in por_tabla.items():
        periodo = _periodo_ejemplo(kinds[0])
        exts = tuple(e for e in EXTENSIONES if _nombre_reconocido(fuente, entidad, kinds[0], periodo, e))
        salida.append(
            Tabla(
                fuente,
                entidad,
                _etiqueta(desc.get((fuente, entidad), ""), fuente, entidad),
                kinds[0].carpeta,
                kinds[0].formato_periodo,
                exts,
            )
        )
    return salida


def tabla(clave: str) -> Tabla:
    """The table of a form value ("imss/puestos"); anything else is refused."""
    for t in tablas():
        if t.clave == clave:
            return t
    raise CargaError(f"La fuente y tabla {clave!r} no están en el catálogo de fuentes.")


def periodos(t: Tabla, hoy: date | None = None) -> list[tuple[str, str]]:
    """(value, Spanish label) of the periods offered for a table, newest first: the quarters of the last three
    years for the ENOE, the months of the last two years for the IMSS, the census years (ending in 4 or 9)
    of the last fifteen, each with a few periods after today; the external series have one file, no period."""
    hoy = hoy or date.today()
    if t.formato_periodo == "trimestre":
        actual = hoy.year * 4 + (hoy.month - 1) // 3
        return [(f"{q // 4}T{q % 4 + 1}", f"{q // 4} T{q % 4 + 1}") for q in range(actual + 2, actual - 13, -1)]
    if t.formato_periodo == "aaaammdd":
        actual = hoy.year * 12 + hoy.month - 1
        return [
            (f"{m // 12}-{m % 12 + 1:02d}", f"{MESES[m % 12]} {m // 12}") for m in range(actual + 2, actual - 25, -1)
        ]
    if t.formato_periodo == "anio":
        return [(str(a), f"Censo {a}") for a in range(hoy.year + 5, hoy.year - 16, -1) if a % 5 == 4]
    return [("serie", "serie completa (un solo archivo)")]


def _partes_periodo(t: Tabla, periodo: str) -> tuple[int, int | None]:
    """Year and quarter or month of a period value; refuses anything not shaped like the table's periods."""
    if t.formato_periodo == "trimestre" and (m := re.fullmatch(r"(\d{4})T([1-4])", periodo)):
        return int(m.group(1)), int(m.group(2))
    if (
        t.formato_periodo == "aaaammdd"
        and (m := re.fullmatch(r"(\d{4})-(\d{2})", periodo))
        and 1 <= int(m.group(2)) <= 12
    ):
        return int(m.group(1)), int(m.group(2))
    if t.formato_periodo == "anio" and re.fullmatch(r"\d{4}", periodo):
        return int(periodo), None
    if t.formato_periodo == "serie" and periodo == "serie":
        return 0, None
    raise CargaError(f"El periodo {periodo!r} no es válido para {t.etiqueta}.")


# -- the stored name ---------------------------------------------------------------------------------------
def _construir_nombre(fuente: str, entidad: str, kind: FileKind, periodo: str, ext: str) -> str:
    t = Tabla(fuente, entidad, "", kind.carpeta, kind.formato_periodo, ())
    anio, sub = _partes_periodo(t, periodo)
    if kind.formato_periodo == "trimestre":
        nueva = (anio, sub or 0) >= ENOE_N_DESDE
        if ext == "dbf":
            return f"{'ENOEN_' if nueva else ''}{entidad.upper()}T{sub}{anio % 100:02d}.dbf"
        return f"conjunto_de_datos_{entidad}_enoe{'n' if nueva else ''}_{anio}_{sub}t.{ext}"
    if kind.formato_periodo == "aaaammdd":
        return f"{PREFIJOS_IMSS.get(entidad, entidad.upper() + '_')}{anio}{sub:02d}31.{ext}"
    if kind.formato_periodo == "anio":
        return f"TABLA_{entidad.upper()}_CENSO{anio}.{ext}"
    return f"{entidad}.{ext}"


def _nombre_reconocido(fuente: str, entidad: str, kind: FileKind, periodo: str, ext: str) -> bool:
    try:
        nombre = _construir_nombre(fuente, entidad, kind, periodo, ext)
    except CargaError:
        return False
    rec = recognise(Path("/insumos") / kind.carpeta / nombre, Path("/insumos"))
    return rec is not None and (rec.fuente, rec.entidad) == (fuente, entidad)


def extension(t: Tabla, nombre_original: str) -> str:
    """The uploaded file's extension, one of the table's fixed list (the name itself is never used)."""
    bajo = nombre_original.strip().lower()
    for e in EXTENSIONES:
        if bajo.endswith("." + e) and e in t.extensiones:
            return e
    raise CargaError(
        f"El archivo {nombre_original!r} no tiene una extensión que se acepte para {t.etiqueta}: "
        f"use {', '.join('.' + e for e in t.extensiones)}."
    )


def nombre_destino(t: Tabla, periodo: str, ext: str) -> str:
    """The name a file is stored under: the seed's naming for the period chosen, checked against the seed's
    pattern (the loader will recognise it as this table and period)."""
    _partes_periodo(t, periodo)
    for kind in (k for k in file_kinds() if (k.fuente, k.entidad) == (t.fuente, t.entidad)):
        nombre = _construir_nombre(t.fuente, t.entidad, kind, periodo, ext)
        rec = recognise(Path("/insumos") / kind.carpeta / nombre, Path("/insumos"))
        if (
            rec is not None
            and (rec.fuente, rec.entidad) == (t.fuente, t.entidad)
            and (rec.periodo == periodo or t.formato_periodo == "serie")
        ):
            return nombre
    raise CargaError(f"No hay un nombre de archivo para {t.etiqueta} {periodo} con extensión .{ext}.")


# -- the summary ---------------------------------------------------------------------------------------------
@dataclass
class Columna:
    encabezado: str  # as the file writes it (data: shown, never used as a name)
    campo: str | None  # the catalog field it maps to
    estado: str  # Spanish: "campo del catálogo", "dato personal: se seudonimiza", "adicional", "desconocido"


@dataclass
class Resumen:
    tabla: Tabla
    periodo: str
    archivo_original: str
    nombre: str
    ruta_relativa: str  # carpeta/nombre inside the input folder
    tamano_bytes: int
    sha256: str
    columnas: list[Columna] = field(default_factory=list)
    faltantes: list[str] = field(default_factory=list)  # required catalog fields the header lacks
    veredicto_encabezado: str | None = None  # the loader's refusal of the header, if any
    vista_encabezado: list[str] = field(default_factory=list)
    vista_filas: list[list[str]] = field(default_factory=list)
    reemplaza: list[str] = field(default_factory=list)  # files of the same period that would be archived
    avisos: list[str] = field(default_factory=list)


def _nombres_personales() -> set[str]:
    """Every field the field catalog marks personal, in any table: hidden in a preview whatever table the
    operator chose (a patrones file uploaded as puestos still carries the razón social)."""
    import csv

    from loaders.catalog import seeds_dir

    with open(seeds_dir() / "campos_insumo.csv", encoding="utf-8", newline="") as f:
        nombres = {r["campo"] for r in csv.DictReader(f) if r["personal"] == "sí"}
    for k in file_kinds():
        nombres |= {viejo for viejo, nuevo in field_renames(k.fuente, k.entidad).items() if nuevo in nombres}
    return nombres


def _ocultar(texto: str) -> str:
    from loaders.pseudonym import CURP_TOKEN, NSS_TOKEN

    return NSS_TOKEN.sub("[oculto]", CURP_TOKEN.sub("[oculto]", texto))


def _vista_texto(ruta: Path, archivo: str, codificacion: str) -> tuple[list[str], list[list[str]]]:
    import duckdb

    from loaders import textfile

    with textfile.plain_file(ruta, archivo) as plano:
        lay = textfile.layout(plano, archivo, codificacion)
        con = duckdb.connect()
        try:
            filas = con.execute(f"select * from {textfile.relation_sql(lay)} limit {FILAS_VISTA}").fetchall()
        finally:
            con.close()
    return list(lay.columns), [["" if v is None else str(v) for v in f] for f in filas]


def _vista_dbf(ruta: Path, archivo: str) -> tuple[list[str], list[list[str]]]:
    from loaders.dbf import LANGUAGE_DRIVERS, _header

    with open(ruta, "rb") as f:
        cabeza = f.read(64 << 10)
        n, largo_cabeza, largo_registro, campos = _header(cabeza, archivo)
        codificacion = LANGUAGE_DRIVERS.get(cabeza[29], "latin-1")
        f.seek(largo_cabeza)
        filas = []
        for _ in range(min(n, FILAS_VISTA)):
            reg = f.read(largo_registro)
            if len(reg) < largo_registro:
                break
            filas.append(
                [reg[c.offset : c.offset + c.length].decode(codificacion, errors="replace").strip() for c in campos]
            )
    return [c.name for c in campos], filas


def _vista_xlsx(ruta: Path, archivo: str, entidad: str) -> tuple[list[str], list[list[str]]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from loaders.imss import _cell_text

    with open(ruta, "rb") as fh:  # a file object: openpyxl does not judge by the temporary file's name
        try:
            libro = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
            # the loader's own words for a damaged book
            raise LoadError(archivo, f"no se pudo abrir el libro de Excel ({type(exc).__name__}: {exc})") from None
        try:
            hoja = libro["C3"] if entidad == "c3" and "C3" in libro.sheetnames else libro.worksheets[0]
            filas = []
            for fila in hoja.iter_rows(values_only=True):
                filas.append(["" if v is None else (_cell_text(v) or "") for v in fila])
                if len(filas) > FILAS_VISTA:
                    break
        finally:
            libro.close()
    if not filas:
        raise LoadError(archivo, "la hoja está vacía (no tiene encabezado)", fila=1)
    encabezado = filas[0]
    while encabezado and encabezado[-1] == "":
        encabezado = encabezado[:-1]
    return encabezado, [f[: len(encabezado)] for f in filas[1:]]


def _kind_de(t: Tabla, nombre: str) -> FileKind:
    for k in file_kinds():
        if (k.fuente, k.entidad) == (t.fuente, t.entidad) and k.patron.match(nombre):
            return k
    raise CargaError(f"{nombre} no corresponde al catálogo de fuentes")


def leer_vista(t: Tabla, ruta: Path, nombre: str) -> tuple[list[str], list[list[str]]]:
    """Header and first rows of a file, read the way its loader reads it."""
    kind = _kind_de(t, nombre)
    ext = nombre.lower().rsplit(".", 1)[-1]
    if ext == "dbf":
        return _vista_dbf(ruta, nombre)
    if ext == "xlsx":
        return _vista_xlsx(ruta, nombre, t.entidad)
    return _vista_texto(ruta, nombre, kind.codificacion if kind.codificacion not in ("dbf", "xlsx") else "auto")


def _mismos_periodo(insumos: Path, t: Tabla, periodo: str) -> list[Path]:
    """Files of the input folder recognised as this table and period (what a new file replaces)."""
    carpeta = insumos / t.carpeta
    if not carpeta.is_dir():
        return []
    salida = []
    for p in sorted(carpeta.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            rec = recognise(p, insumos)
            if rec is not None and (rec.fuente, rec.entidad) == (t.fuente, t.entidad) and rec.periodo == periodo:
                salida.append(p)
    return salida


def resumir(clave: str, periodo: str, ruta_subida: Path, nombre_original: str, insumos: Path) -> Resumen:
    """What will be stored, before anything is: raises CargaError for a file refused at once (too big, empty,
    wrong extension, unknown table or period)."""
    import duckdb

    from loaders.manifest import file_sha256
    from sidil.catalogos import preparar_semillas

    preparar_semillas()  # the header is mapped through the active field catalogs
    t = tabla(clave)
    _partes_periodo(t, periodo)
    ext = extension(t, nombre_original)
    tam = ruta_subida.stat().st_size
    limite = tamanio_maximo()
    if tam > limite:
        raise CargaError(f"El archivo pesa {tam:,} bytes y el máximo permitido es {limite:,} bytes ({ENV_TAMANIO}).")
    if tam == 0:
        raise CargaError(f"El archivo {nombre_original!r} está vacío (0 bytes).")
    nombre = nombre_destino(t, periodo, ext)
    r = Resumen(t, periodo, nombre_original, nombre, f"{t.carpeta}/{nombre}", tam, file_sha256(ruta_subida))
    r.reemplaza = [p.relative_to(insumos).as_posix() for p in _mismos_periodo(insumos, t, periodo)]
    try:
        encabezado, filas = leer_vista(t, ruta_subida, nombre)
    except LoadError as exc:
        r.veredicto_encabezado = _sin_ruta(str(exc), ruta_subida, r.ruta_relativa)
        return r
    except (duckdb.Error, ValueError, ArithmeticError, OSError, LookupError, TypeError) as exc:
        # a reader's own error, as loaders.run.land_file catches them: "Guardar archivo" says the same
        r.veredicto_encabezado = f"no se pudo leer el archivo ({type(exc).__name__})"
        return r
    campos, renombres = known_fields(t.fuente, t.entidad), field_renames(t.fuente, t.entidad)
    personales: set[int] = set()
    otros_personales = _nombres_personales()
    for i, h in enumerate(encabezado):
        canon = renombres.get(normal_name(h), normal_name(h))
        if canon in otros_personales or normal_name(h) in otros_personales:
            personales.add(i)
        if canon in campos:
            personal = campos[canon].personal
            if personal:
                personales.add(i)
            r.columnas.append(
                Columna(str(h), canon, "dato personal: se seudonimiza u omite" if personal else "campo del catálogo")
            )
        else:
            r.columnas.append(
                Columna(
                    str(h),
                    None,
                    "adicional (se guarda en campos_adicionales)"
                    if t.fuente in SOURCES_WITH_EXTRAS
                    else "desconocido: el archivo se rechazará",
                )
            )
    presentes = {c.campo for c in r.columnas}
    r.faltantes = [c.nombre for c in campos.values() if c.requerido and c.nombre not in presentes]
    try:
        map_header(t.fuente, t.entidad, list(encabezado), r.ruta_relativa)
    except LoadError as exc:
        r.veredicto_encabezado = str(exc)
    r.vista_encabezado = [str(h) for h in encabezado]
    r.vista_filas = [
        ["[dato personal oculto]" if i in personales else _ocultar(v) for i, v in enumerate(f)] for f in filas
    ]
    return r


def _sin_ruta(texto: str, ruta: Path, relativa: str) -> str:
    return texto.replace(str(ruta), relativa)


# -- storing -----------------------------------------------------------------------------------------------------
@dataclass
class Resultado:
    ok: bool
    mensajes: list[str]
    nombre: str = ""


@contextlib.contextmanager
def _bloqueo(insumos: Path) -> Iterator[None]:
    carpeta = insumos / ARCHIVE_DIR
    carpeta.mkdir(parents=True, exist_ok=True)
    with open(carpeta / ".bloqueo", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _llave() -> tuple[bytes, str | None]:
    """The pseudonymisation key `sidil load` will use; without one, a throwaway key for the check (nothing
    of the scratch copy is kept) and a warning that the load will need it."""
    from loaders import pseudonym

    try:
        return pseudonym.load_key(allow_demo_key=False), None
    except pseudonym.MissingKey:
        return secrets.token_hex(32).encode(), (
            f"***ADVERTENCIA***: falta la llave de seudonimización "
            f"({pseudonym.KEY_ENV}); la comprobación usó una temporal, pero "
            f"`sidil load` la necesitará."
        )


def _copia_de_trabajo(con, rec, log: Callable[[str], None]) -> None:
    """Put in the scratch DuckDB what `sidil load` compares a new file with: the manifest rows of the table and
    the rows landed for the file's period (read-only from the warehouse)."""
    import duckdb

    from loaders import manifest
    from loaders.run import period_filter, raw_table
    from loaders.sql import literal, table_name
    from loaders.warehouse import db_path

    manifest.ensure(con)
    almacen = db_path().resolve()
    if not almacen.exists():
        return
    try:
        con.execute(f"attach {literal(str(almacen))} as almacen (read_only)")
    except duckdb.Error:
        log(
            "***ADVERTENCIA***: la base de datos está en uso por otro proceso; el archivo se comprobó sin compararlo "
            "con lo ya cargado (esa comparación se hará al ejecutar la carga)."
        )
        return
    try:
        existe = lambda esquema, tabla_: (
            con.execute(
                "select count(*) from duckdb_tables() where database_name = 'almacen' and schema_name = ? "
                "and table_name = ?",
                [esquema, tabla_],
            ).fetchone()[0]
            > 0
        )
        if existe("raw", "load_manifest"):
            con.execute(
                "insert into raw.load_manifest by name select * from almacen.raw.load_manifest "
                "where fuente = ? and entidad = ?",
                [rec.fuente, rec.entidad],
            )
        tabla_raw = raw_table(rec)
        if existe("raw", tabla_raw.split(".")[1]):
            where, params = period_filter(rec)
            con.execute(
                f"create table {table_name(tabla_raw)} as select * from almacen.{table_name(tabla_raw)} where {where}",
                params,
            )
    finally:
        con.execute("detach almacen")


def comprobar(clave: str, periodo: str, ruta: Path, insumos: Path, log: Callable[[str], None]) -> bool:
    """Run `sidil load`'s checks on a staged file (`ruta`, already named and placed as it will be stored,
    under `raiz`): the loader lands it into a scratch DuckDB. Returns True when the loader accepts it."""
    import duckdb

    from loaders.run import land_file
    from loaders.warehouse import connect, db_path
    from sidil.catalogos import preparar_semillas

    preparar_semillas()  # the loader checks against the operators' active field catalogs, as `sidil load` will
    t = tabla(clave)
    raiz = ruta.parents[len(Path(t.carpeta).parts)]
    rec = recognise(ruta, raiz)
    if (
        rec is None
        or (rec.fuente, rec.entidad) != (t.fuente, t.entidad)
        or (rec.periodo != periodo and t.formato_periodo != "serie")
    ):
        raise CargaError(f"{ruta.name} no se reconoce como {t.etiqueta} {periodo}")
    key, aviso = _llave()
    if aviso:
        log(aviso)
    base = db_path().resolve().parent / "validacion_cargas"
    base.mkdir(parents=True, exist_ok=True)
    trabajo = Path(tempfile.mkdtemp(dir=base, prefix="carga-"))
    lineas: list[str] = []
    try:
        con = connect(path=trabajo / "copia.duckdb")
        try:
            _copia_de_trabajo(con, rec, log)
            e = land_file(con, rec, key, False, lineas.append, forzar=False)
        finally:
            con.close()
    except duckdb.Error as exc:
        lineas.append(f"***ERROR***: archivo {ruta.name}: no se pudo comprobar ({type(exc).__name__}).")
        e = None
    finally:
        shutil.rmtree(trabajo, ignore_errors=True)
    relativa = f"{t.carpeta}/{ruta.name}"
    for linea in lineas:
        linea = linea.replace(str(ruta), relativa)
        if linea.startswith("INFO: ") and " filas cargadas en " in linea:
            linea = linea.replace(" filas cargadas en ", " filas se cargarán en ", 1)
        log(linea)
    return e is not None and e.estado != "error"


def guardar(
    clave: str,
    periodo: str,
    ruta_subida: Path,
    nombre_original: str,
    insumos: Path,
    usuario: str,
    log: Callable[[str], None] = lambda _l: None,
) -> Resultado:
    """Check an uploaded file as `sidil load` would and, if the loader accepts it, store it in the input
    folder under its period's name, archiving the file(s) of that period it replaces. The upload is consumed
    (moved or deleted). Every attempt goes to the audit log with the user."""
    from sidil.interfaz.auditoria import auditar

    mensajes: list[str] = []

    def decir(linea: str) -> None:
        mensajes.append(linea)
        log(linea)

    detalle: dict = {"tabla": clave, "periodo": periodo, "archivo_original": nombre_original}
    staged_dir: Path | None = None
    try:
        t = tabla(clave)
        ext = extension(t, nombre_original)
        nombre = nombre_destino(t, periodo, ext)
        detalle["nombre"] = nombre
        tam = ruta_subida.stat().st_size
        detalle["tamano_bytes"] = tam
        if tam > tamanio_maximo():
            raise CargaError(
                f"El archivo pesa {tam:,} bytes y el máximo permitido es {tamanio_maximo():,} bytes ({ENV_TAMANIO})."
            )
        if tam == 0:
            raise CargaError(f"El archivo {nombre_original!r} está vacío (0 bytes).")
        staged_dir = insumos / ARCHIVE_DIR / EN_VALIDACION / secrets.token_hex(8)
        staged = staged_dir / t.carpeta / nombre
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(ruta_subida), staged)
        decir(
            f"INFO: comprobando {nombre} con las reglas de `sidil load` en una copia de trabajo (lo cargado no cambia)…"
        )
        aceptado = comprobar(clave, periodo, staged, insumos, decir)
        from loaders.manifest import file_sha256

        detalle["sha256"] = file_sha256(staged)
        if not aceptado:
            decir(f"***ERROR***: {nombre} no se guardó; la carpeta de insumos y lo cargado siguen igual.")
            auditar(usuario, "insumo_rechazado", json.dumps({**detalle, "mensajes": mensajes[-4:]}, ensure_ascii=False))
            return Resultado(False, mensajes, nombre)
        with _bloqueo(insumos):
            anteriores = _mismos_periodo(insumos, t, periodo)
            if anteriores:
                archivo = insumos / ARCHIVE_DIR / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
                for p in anteriores:
                    destino = archivo / p.relative_to(insumos)
                    destino.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(p, destino)
                    decir(
                        f"INFO: {p.relative_to(insumos).as_posix()} se archivó en "
                        f"{destino.relative_to(insumos).as_posix()}."
                    )
                detalle["archivados"] = [p.relative_to(insumos).as_posix() for p in anteriores]
            final = insumos / t.carpeta / nombre
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
        decir(f"INFO: {nombre} guardado")
        auditar(usuario, "insumo_guardado", json.dumps(detalle, ensure_ascii=False))
        return Resultado(True, mensajes, nombre)
    except CargaError as exc:
        decir(f"***ERROR***: {exc}")
        auditar(usuario, "insumo_rechazado", json.dumps({**detalle, "mensajes": [str(exc)]}, ensure_ascii=False))
        return Resultado(False, mensajes)
    finally:
        if staged_dir is not None:
            shutil.rmtree(staged_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            ruta_subida.unlink(missing_ok=True)


def rechazar(clave: str, periodo: str, nombre_original: str, usuario: str, motivo: str) -> None:
    """Record an upload refused before "Guardar archivo" (too big, empty, wrong extension)."""
    from sidil.interfaz.auditoria import auditar

    auditar(
        usuario,
        "insumo_rechazado",
        json.dumps(
            {"tabla": clave, "periodo": periodo, "archivo_original": nombre_original, "mensajes": [motivo]},
            ensure_ascii=False,
        ),
    )
