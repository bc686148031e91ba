"""Catalog versions kept by the operators (spec 002 4.3, "Carga de catálogos").

How versions coexist with git: the repository's `seeds/` holds the shipped version of every catalog (version
"repositorio"); the operators' versions live beside the warehouse, `<warehouse>/catalogos/<seed>/vNNNN.csv`
(SIDIL_CATALOGOS overrides the folder), with `indice.json` recording every version (user, date, comment,
original file name, checksum) and the history of which version was active when. Which seeds an operator
maintains is a property of the seed YAML (`config: meta: mantenido_por_operador: true`, with its Spanish
`etiqueta`). Before every dbt call, and before the loaders read their catalogs, `preparar_semillas()` builds
the active seeds folder (the repository's seeds with the active operator versions over them) inside the
project, and points SIDIL_SEMILLAS (dbt_project.yml `seed-paths`, loaders.catalog.seeds_dir) at it. Without
operator versions it unsets SIDIL_SEMILLAS: the build reads `seeds/` exactly as before.

A new version is validated before it becomes active: the same columns as the active version, values that
parse as each column's type, and every data test of the seeds run by dbt on a scratch warehouse built from
the candidate folder. Messages name the row (as the file numbers it: header = row 1) and the column.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import settings
from settings import PROJECT_DIR

SEEDS_REPO = PROJECT_DIR / "seeds"
REPOSITORIO = "repositorio"
# The active and candidate seed folders must sit inside the project: dbt writes each seed's compiled
# output under target/run/<project>/<seed path>, so an absolute seed path would make it overwrite the CSV.
SEMILLAS_ACTIVAS = Path("target") / "semillas_activas"
ENV_SEMILLAS = settings.SEMILLAS_ENV
TAMANIO_MAXIMO_CATALOGO = 64 << 20  # a catalog is a few MB at most
_VERSION = re.compile(r"^v\d{4}$")
MAX_MENSAJES = 25


class CatalogoError(Exception):
    """A request the catalogs refuse (unknown catalog or version, nothing to restore)."""


# -- which catalogs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Catalogo:
    nombre: str  # the seed name
    etiqueta: str  # Spanish label for the operators
    descripcion: str
    column_types: dict[str, str]
    # Columns whose values the project's macros and loaders use as names (a column, a field, a code pasted into
    # a statement): only lower-case letters, digits and underscores are accepted (seed YAML meta).
    identificadores: tuple[str, ...] = ()


# What a name may hold: nothing that can end a quoted name or a statement.
NOMBRE_SEGURO = re.compile(r"^[a-z0-9_]+$")


@lru_cache(maxsize=4)
def _seeds_yaml(mtime: float) -> list[dict]:
    import yaml

    with open(SEEDS_REPO / "_seeds.yml", encoding="utf-8") as f:
        return yaml.safe_load(f).get("seeds") or []


def catalogos() -> dict[str, Catalogo]:
    """The catalogs an operator maintains, as the seed YAML marks them, in YAML order."""
    salida = {}
    for s in _seeds_yaml((SEEDS_REPO / "_seeds.yml").stat().st_mtime):
        config = s.get("config") or {}
        meta = config.get("meta") or {}
        if meta.get("mantenido_por_operador") is True and (SEEDS_REPO / f"{s['name']}.csv").exists():
            salida[s["name"]] = Catalogo(
                s["name"],
                str(meta.get("etiqueta") or s["name"]),
                " ".join(str(s.get("description") or "").split()),
                {k: str(v).lower() for k, v in (config.get("column_types") or {}).items()},
                tuple(str(c) for c in meta.get("identificadores") or ()),
            )
    return salida


def _catalogo(nombre: str) -> Catalogo:
    """The catalog named by a form value; anything not in the list is refused before it reaches a path."""
    cats = catalogos()
    if nombre not in cats:
        raise CatalogoError(f"El catálogo {nombre!r} no existe o no lo mantienen los operadores.")
    return cats[nombre]


# -- the versions folder and its index ----------------------------------------------------------------------
def raiz() -> Path:
    return settings.catalogos()


@contextlib.contextmanager
def _bloqueo() -> Iterator[None]:
    """One writer of the index at a time (web sessions and processes)."""
    r = raiz()
    r.mkdir(parents=True, exist_ok=True)
    with open(r / ".indice.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _leer_indice() -> dict:
    ruta = raiz() / "indice.json"
    if not ruta.exists():
        return {}
    return json.loads(ruta.read_text(encoding="utf-8"))


def _escribir_indice(indice: dict) -> None:
    r = raiz()
    fd, tmp = tempfile.mkstemp(dir=r, prefix=".indice-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(indice, f, ensure_ascii=False, indent=2, sort_keys=True)
    os.replace(tmp, r / "indice.json")


def versiones(nombre: str) -> list[dict]:
    """Every version of a catalog, newest first, the repository's last; each with `activa` and `anterior`
    flags (the version active before the current one)."""
    _catalogo(nombre)
    entrada = _leer_indice().get(nombre, {})
    act, ant = activa(nombre), anterior(nombre)
    repo = {
        "version": REPOSITORIO,
        "usuario": "",
        "fecha": "",
        "comentario": "versión del repositorio (git)",
        "archivo_original": f"seeds/{nombre}.csv",
        "filas": _contar_filas(SEEDS_REPO / f"{nombre}.csv"),
    }
    salida = [*reversed(entrada.get("versiones", [])), repo]
    return [{**v, "activa": v["version"] == act, "anterior": v["version"] == ant} for v in salida]


def _historial(nombre: str) -> list[dict]:
    return _leer_indice().get(nombre, {}).get("historial", [])


def activa(nombre: str) -> str:
    h = _historial(nombre)
    return h[-1]["version"] if h else REPOSITORIO


def anterior(nombre: str) -> str | None:
    """The version that was active before the current one (None: the repository's was always active)."""
    h = _historial(nombre)
    if not h:
        return None
    return h[-2]["version"] if len(h) > 1 else REPOSITORIO


def ruta_version(nombre: str, version: str) -> Path:
    _catalogo(nombre)
    if version == REPOSITORIO:
        return SEEDS_REPO / f"{nombre}.csv"
    if not _VERSION.match(version) or not any(
        v["version"] == version for v in _leer_indice().get(nombre, {}).get("versiones", [])
    ):
        raise CatalogoError(f"El catálogo {nombre} no tiene la versión {version!r}.")
    return raiz() / nombre / f"{version}.csv"


def _contar_filas(ruta: Path) -> int:
    with open(ruta, encoding="utf-8", newline="") as f:
        return max(0, sum(1 for _ in csv.reader(f)) - 1)


def _leer_csv_semilla(ruta: Path) -> tuple[list[str], list[list[str]]]:
    with open(ruta, encoding="utf-8", newline="") as f:
        filas = list(csv.reader(f))
    return (filas[0], filas[1:]) if filas else ([], [])


# -- the active seeds folder ---------------------------------------------------------------------------------
def _huella_repositorio() -> str:
    h = hashlib.sha256()
    for p in sorted(SEEDS_REPO.iterdir()):
        if p.is_file() and p.suffix in (".csv", ".yml"):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _materializar(destino: Path, reemplazos: dict[str, Path]) -> None:
    """The repository's seeds (CSV and YAML) with `reemplazos` {seed: file} over them, built aside and
    renamed into place, so a dbt reading the folder never sees it half written."""
    destino.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=destino.parent, prefix=".construyendo-"))
    try:
        for p in SEEDS_REPO.iterdir():
            if p.is_file() and p.suffix in (".csv", ".yml"):
                shutil.copy2(p, tmp / p.name)
        for nombre, ruta in reemplazos.items():
            shutil.copyfile(ruta, tmp / f"{nombre}.csv")
        try:
            os.rename(tmp, destino)
        except OSError:
            if not destino.exists():  # not another process building the same folder first
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _limpiar_activas(actual: Path, edad_s: float = 86400) -> None:
    """Remove active folders of earlier runs (a day old: a dbt still reading one is long finished)."""
    base = PROJECT_DIR / SEMILLAS_ACTIVAS
    ahora = time.time()
    for p in base.iterdir() if base.exists() else []:
        if p.is_dir() and p != actual and not p.name.startswith("candidato-") and ahora - p.stat().st_mtime > edad_s:
            shutil.rmtree(p, ignore_errors=True)


def preparar_semillas() -> dict[str, str]:
    """Make the active catalogs the ones dbt and the loaders read; returns {seed: active version} of every
    maintained catalog ("repositorio" when the shipped one is active). Call before every dbt call."""
    activas = {nombre: activa(nombre) for nombre in catalogos()}
    reemplazos = {n: ruta_version(n, v) for n, v in activas.items() if v != REPOSITORIO}
    if not reemplazos:
        os.environ.pop(ENV_SEMILLAS, None)
        return activas
    h = hashlib.sha256(_huella_repositorio().encode())
    for n, ruta in sorted(reemplazos.items()):
        h.update(n.encode())
        h.update(ruta.read_bytes())
    relativa = SEMILLAS_ACTIVAS / h.hexdigest()[:20]
    destino = PROJECT_DIR / relativa
    if not destino.is_dir():
        _materializar(destino, reemplazos)
    else:
        os.utime(destino)
    _limpiar_activas(destino)
    os.environ[ENV_SEMILLAS] = relativa.as_posix()
    return activas


def carpeta_semillas() -> Path:
    """The seeds folder in use now (SIDIL_SEMILLAS, relative to the project, or the repository's)."""
    return settings.semillas()


# -- reading and checking a candidate -----------------------------------------------------------------------
@dataclass
class Candidato:
    nombre: str
    columnas: list[str]
    filas: list[list[str]]
    archivo_original: str
    sha256: str
    avisos: list[str] = field(default_factory=list)


def _texto_celda(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _des_neutralizar(v: str) -> str:
    """Undo the leading quote the project's CSV downloads put before a formula-like cell (csv_seguro)."""
    from sidil.csv_seguro import INICIOS_DE_FORMULA

    return v[1:] if v.startswith("'") and v[1:].startswith(INICIOS_DE_FORMULA) else v


def leer_candidato(nombre: str, ruta: Path, archivo_original: str) -> Candidato:
    """Read an uploaded CSV (UTF-8, or Windows-1252 as Excel saves it) or XLSX (first sheet) as text.
    Raises CatalogoError with a Spanish message for a file that cannot be a catalog."""
    _catalogo(nombre)
    ext = Path(archivo_original).suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise CatalogoError(
            f"El archivo {archivo_original!r} no es CSV ni XLSX; suba el catálogo en uno de esos formatos."
        )
    tam = ruta.stat().st_size
    if tam == 0:
        raise CatalogoError(f"El archivo {archivo_original!r} está vacío.")
    if tam > TAMANIO_MAXIMO_CATALOGO:
        raise CatalogoError(
            f"El archivo {archivo_original!r} pesa {tam:,} bytes; un catálogo no puede pasar de "
            f"{TAMANIO_MAXIMO_CATALOGO:,}."
        )
    from loaders.manifest import file_sha256

    avisos: list[str] = []
    if ext == ".csv":
        datos = ruta.read_bytes()
        try:
            texto = datos.decode("utf-8-sig")
        except UnicodeDecodeError:
            texto = datos.decode("cp1252", errors="replace")
            avisos.append(
                "***ADVERTENCIA***: el archivo no está en UTF-8; se leyó como Windows-1252 (Excel). "
                "Revise los acentos en la vista previa."
            )
        try:
            filas = list(csv.reader(io.StringIO(texto, newline="")))
        except csv.Error as exc:
            raise CatalogoError(f"El archivo {archivo_original!r} no es un CSV válido: {exc}.") from None
    else:
        import zipfile

        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        with open(ruta, "rb") as fh:  # a file object: openpyxl does not judge by the temporary file's name
            try:
                libro = openpyxl.load_workbook(fh, read_only=True, data_only=True)
                try:
                    hoja = libro.worksheets[0]
                    filas = [[_texto_celda(v) for v in fila] for fila in hoja.iter_rows(values_only=True)]
                finally:
                    libro.close()
            except (zipfile.BadZipFile, InvalidFileException, OSError, KeyError, ValueError, IndexError) as exc:
                raise CatalogoError(
                    f"El archivo {archivo_original!r} no es un XLSX válido ({type(exc).__name__})."
                ) from None
        while filas and filas[-1] and all(v == "" for v in filas[-1]):
            filas.pop()
        if filas:  # trailing empty header cells of a sheet that was wider once
            ancho = len(filas[0])
            while ancho and filas[0][ancho - 1] == "":
                ancho -= 1
            filas = [
                f[:ancho] + [""] * (ancho - len(f))
                if len(f) < ancho
                else (f[:ancho] if all(v == "" for v in f[ancho:]) else f)
                for f in filas
            ]
    while filas and not any(v.strip() for v in filas[-1]):  # trailing blank lines; inner ones keep numbering
        filas.pop()
    if not filas:
        raise CatalogoError(f"El archivo {archivo_original!r} no tiene encabezado ni filas.")
    columnas = [c.strip().lower() for c in filas[0]]
    datos_filas = [[_des_neutralizar(v) for v in f] for f in filas[1:]]
    return Candidato(nombre, columnas, datos_filas, archivo_original, file_sha256(ruta), avisos)


def _tipo_inferido(valores: list[str]) -> str:
    """The type the shipped version's values all have (dbt infers the same): integer, double, date or text."""
    vals = [v for v in valores if v != ""]
    if not vals:
        return "varchar"
    if all(re.fullmatch(r"-?\d+", v) and not (len(v) > 1 and v.startswith("0")) for v in vals):
        return "integer"
    if all(_es_decimal(v) for v in vals):
        return "double"
    if all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in vals):
        return "date"
    return "varchar"


def _es_decimal(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return bool(re.fullmatch(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", v))


def _valido(tipo: str, v: str) -> str | None:
    """Why a text value does not parse as `tipo` (None: it does)."""
    if v == "":
        return None
    base = tipo.split("(")[0].strip()
    if base in ("integer", "int", "bigint", "smallint", "tinyint", "hugeint"):
        return None if re.fullmatch(r"-?\d+", v) else "no es un número entero"
    if base in ("double", "float", "real", "decimal", "numeric"):
        return None if _es_decimal(v) else "no es un número"
    if base == "date":
        try:
            date.fromisoformat(v)
        except ValueError:
            return "no es una fecha AAAA-MM-DD"
        return None
    if base == "boolean":
        return None if v.lower() in ("true", "false", "1", "0") else "no es verdadero/falso (true o false)"
    return None


def revisar_forma(cand: Candidato) -> list[str]:
    """Columns and types against the active version. Reorders the candidate's columns to the active order.
    Returns the error messages (empty: the shape is right)."""
    cat = _catalogo(cand.nombre)
    columnas_act, filas_act = _leer_csv_semilla(ruta_version(cand.nombre, activa(cand.nombre)))
    errores: list[str] = []
    vistos: set[str] = set()
    for i, c in enumerate(cand.columnas):
        if c == "":
            errores.append(f"fila 1, columna {i + 1}: el encabezado tiene un nombre de columna vacío")
        elif c in vistos:
            errores.append(f"fila 1: la columna {c!r} está repetida")
        vistos.add(c)
    faltan = [c for c in columnas_act if c not in cand.columnas]
    sobran = [c for c in cand.columnas if c and c not in columnas_act]
    if faltan:
        errores.append(
            f"fila 1: faltan las columnas {', '.join(faltan)} (el catálogo {cand.nombre} tiene "
            f"{', '.join(columnas_act)})"
        )
    if sobran:
        errores.append(
            f"fila 1: columnas desconocidas {', '.join(repr(c) for c in sobran)} (el catálogo "
            f"{cand.nombre} tiene {', '.join(columnas_act)})"
        )
    if errores:
        return errores
    if not cand.filas:
        return [f"el archivo {cand.archivo_original!r} solo tiene el encabezado: un catálogo sin filas no se acepta"]
    for n, f in enumerate(cand.filas, start=2):
        if not any(v.strip() for v in f):
            errores.append(f"fila {n}: está vacía")
        elif len(f) != len(cand.columnas):
            errores.append(f"fila {n}: tiene {len(f)} valores y el encabezado {len(cand.columnas)} columnas")
            if len(errores) >= MAX_MENSAJES:
                return errores
    if errores:
        return errores
    pos = [cand.columnas.index(c) for c in columnas_act]
    cand.filas = [[f[p].strip() for p in pos] for f in cand.filas]
    cand.columnas = list(columnas_act)
    tipos = {
        c: cat.column_types.get(c) or _tipo_inferido([f[i] for f in filas_act if i < len(f)])
        for i, c in enumerate(columnas_act)
    }
    for n, f in enumerate(cand.filas, start=2):
        for c, v in zip(columnas_act, f):
            motivo = _valido(tipos[c], v)
            if motivo is None and c in cat.identificadores and v != "" and not NOMBRE_SEGURO.match(v):
                motivo = "no es un nombre válido (solo minúsculas sin acentos, dígitos y _)"
            if motivo:
                errores.append(f"fila {n}, columna {c}: el valor {v!r} {motivo}")
                if len(errores) >= MAX_MENSAJES:
                    errores.append("… (se muestran los primeros errores)")
                    return errores
    return errores


def _escribir_csv(ruta: Path, columnas: list[str], filas: list[list[str]]) -> None:
    with open(ruta, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columnas)
        w.writerows(filas)


# -- the data tests, by dbt, on a scratch warehouse ----------------------------------------------------------
def _filas_donde(cand: Candidato, pred: Callable[[list[str]], bool]) -> list[int]:
    return [n for n, f in enumerate(cand.filas, start=2) if pred(f)]


def _lista_filas(filas: list[int], maximo: int = 8) -> str:
    texto = ", ".join(str(n) for n in filas[:maximo])
    return ("fila " if len(filas) == 1 else "filas ") + texto + (" …" if len(filas) > maximo else "")


def _explicar_prueba(cand: Candidato, nodo: dict, fallas: int, con) -> str:
    """A failed dbt data test as a Spanish message naming the rows and columns of the candidate."""
    import duckdb

    from loaders.sql import ident, table_name

    meta = nodo.get("test_metadata") or {}
    tipo = meta.get("name", "")
    kw = meta.get("kwargs") or {}
    col = str(kw.get("column_name") or nodo.get("column_name") or "")
    modelo = (nodo.get("attached_node") or "").rsplit(".", 1)[-1] or cand.nombre
    propia = modelo == cand.nombre and col in cand.columnas
    i = cand.columnas.index(col) if propia else -1
    if tipo == "not_null" and propia:
        return f"columna {col}: no puede quedar vacía ({_lista_filas(_filas_donde(cand, lambda f: f[i] == ''))})"
    if tipo == "unique" and propia:
        cuenta: dict[str, list[int]] = {}
        for n, f in enumerate(cand.filas, start=2):
            if f[i] != "":
                cuenta.setdefault(f[i], []).append(n)
        rep = [(v, ns) for v, ns in cuenta.items() if len(ns) > 1][:5]
        return f"columna {col}: cada valor debe ser único; se repiten " + "; ".join(
            f"{v!r} ({_lista_filas(ns)})" for v, ns in rep
        )
    if tipo == "accepted_values" and propia:
        admitidos = [str(v) for v in kw.get("values") or []]
        malos = _filas_donde(cand, lambda f: f[i] != "" and f[i] not in admitidos)
        valores = sorted({cand.filas[n - 2][i] for n in malos})[:5]
        return (
            f"columna {col}: valores no admitidos {', '.join(repr(v) for v in valores)} "
            f"({_lista_filas(malos)}); se admiten: {', '.join(admitidos)}"
        )
    if tipo == "unique_combination_of_columns" and modelo == cand.nombre:
        cols = [str(c) for c in kw.get("combination_of_columns") or []]
        if all(c in cand.columnas for c in cols):
            idx = [cand.columnas.index(c) for c in cols]
            cuenta2: dict[tuple, list[int]] = {}
            for n, f in enumerate(cand.filas, start=2):
                cuenta2.setdefault(tuple(f[j] for j in idx), []).append(n)
            rep2 = [(k, ns) for k, ns in cuenta2.items() if len(ns) > 1][:5]
            return f"columnas {', '.join(cols)}: la combinación debe ser única; se repite " + "; ".join(
                f"({', '.join(k)}) ({_lista_filas(ns)})" for k, ns in rep2
            )
    if tipo == "relationships":
        to = re.search(r"ref\(['\"](\w+)['\"]\)", str(kw.get("to") or ""))
        destino, campo = (to.group(1) if to else "?"), str(kw.get("field") or "")
        try:
            huerfanos = [
                r[0]
                for r in con.execute(
                    f"select distinct {ident(col)}::varchar from {table_name('staging.' + modelo)} where {ident(col)} "
                    f"is not null and {ident(col)} not in (select {ident(campo)} from {table_name('staging.' + destino)} "
                    f"where {ident(campo)} is not null) order by 1 limit 5"
                ).fetchall()
            ]
        except duckdb.Error:  # the explanation is a courtesy; the test's verdict stands
            huerfanos = []
        ejemplos = f" ({', '.join(repr(v) for v in huerfanos)})" if huerfanos else ""
        if modelo == cand.nombre and propia:
            filas = _filas_donde(cand, lambda f: f[i] in huerfanos)
            return f"columna {col}: valores que no existen en el catálogo {destino} (columna {campo}){ejemplos}" + (
                f" ({_lista_filas(filas)})" if filas else ""
            )
        return (
            f"el catálogo {modelo} usa en su columna {col} valores que la nueva versión de {destino} ya no tiene "
            f"en la columna {campo}{ejemplos}"
        )
    return f"la prueba {nodo.get('name', '?')} del catálogo {modelo} no pasó ({fallas} filas con error)"


def probar_con_dbt(cand: Candidato, log: Callable[[str], None] = lambda _l: None) -> list[str]:
    """Every data test of the seeds, run by dbt on a scratch warehouse loaded from the active seeds with the
    candidate over them. Returns the failures as Spanish messages (empty: all pass)."""
    import duckdb

    preparar_semillas()  # the candidate joins the other catalogs' active versions
    base = PROJECT_DIR / SEMILLAS_ACTIVAS
    base.mkdir(parents=True, exist_ok=True)
    carpeta = Path(tempfile.mkdtemp(dir=base, prefix="candidato-"))
    trabajo = Path(tempfile.mkdtemp(prefix="sidil-catalogo-"))
    try:
        for p in carpeta_semillas().iterdir():
            if p.is_file() and p.suffix in (".csv", ".yml"):
                shutil.copy2(p, carpeta / p.name)
        _escribir_csv(carpeta / f"{cand.nombre}.csv", cand.columnas, cand.filas)
        db = trabajo / "prueba.duckdb"
        env = dict(
            os.environ,
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            **{settings.DB_ENV: str(db), ENV_SEMILLAS: carpeta.relative_to(PROJECT_DIR).as_posix()},
        )
        dbt = Path(sys.executable).with_name("dbt")
        log("INFO: ejecutando las pruebas de datos de los catálogos (dbt) sobre una copia de trabajo…")
        res = subprocess.run(
            [
                str(dbt),
                "build",
                "--select",
                "resource_type:seed",
                "--indirect-selection",
                "cautious",
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target-path",
                str(trabajo / "target"),
                "--log-path",
                str(trabajo / "logs"),
            ],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        resultados = trabajo / "target" / "run_results.json"
        if not resultados.exists():
            ultima = (res.stdout.strip().splitlines() or ["sin salida"])[-1]
            return [f"no se pudieron ejecutar las pruebas de dbt ({ultima[:300]})"]
        nodos = json.loads((trabajo / "target" / "manifest.json").read_text(encoding="utf-8"))["nodes"]
        fallidas = [
            r for r in json.loads(resultados.read_text(encoding="utf-8"))["results"] if r["status"] in ("fail", "error")
        ]
        if not fallidas:
            return []
        mensajes = []
        con = duckdb.connect(str(db), read_only=True) if db.exists() else None
        try:
            for r in fallidas:
                nodo = nodos.get(r["unique_id"], {})
                if nodo.get("resource_type") == "seed":
                    primera = (str(r.get("message") or "").strip().splitlines() or [""])[0]
                    mensajes.append(f"dbt no pudo cargar el catálogo {nodo.get('name')}: {primera[:300]}")
                    continue
                mensajes.append(_explicar_prueba(cand, nodo, int(r.get("failures") or 0), con))
        finally:
            if con is not None:
                con.close()
        return mensajes
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)
        shutil.rmtree(trabajo, ignore_errors=True)


# -- storing, restoring, downloading ---------------------------------------------------------------------------
@dataclass
class Resultado:
    ok: bool
    mensajes: list[str]
    version: str | None = None


def cargar_version(
    nombre: str,
    ruta: Path,
    archivo_original: str,
    usuario: str,
    comentario: str,
    log: Callable[[str], None] = lambda _l: None,
) -> Resultado:
    """Validate an uploaded catalog and, if it passes, store it as the new active version. Every attempt,
    accepted or refused, goes to the audit log."""
    from sidil.interfaz.auditoria import auditar

    mensajes: list[str] = []
    try:
        cand = leer_candidato(nombre, ruta, archivo_original)
        mensajes += cand.avisos
        errores = revisar_forma(cand)
        if not errores:
            errores = probar_con_dbt(cand, log)
    except CatalogoError as exc:
        errores = [str(exc)]
        cand = None
    if errores:
        mensajes += [f"***ERROR***: {e}" for e in errores]
        mensajes.append(f"***ERROR***: el catálogo {nombre} no cambió: sigue vigente la versión {activa(nombre)}.")
        auditar(
            usuario,
            "catalogo_rechazado",
            json.dumps({"catalogo": nombre, "archivo": archivo_original, "errores": errores[:5]}, ensure_ascii=False),
        )
        return Resultado(False, mensajes)
    assert cand is not None
    with _bloqueo():
        indice = _leer_indice()
        entrada = indice.setdefault(nombre, {"versiones": [], "historial": []})
        numero = max([int(v["version"][1:]) for v in entrada["versiones"]] or [0]) + 1
        version = f"v{numero:04d}"
        carpeta = raiz() / nombre
        carpeta.mkdir(parents=True, exist_ok=True)
        tmp = carpeta / f".{version}.tmp"
        _escribir_csv(tmp, cand.columnas, cand.filas)
        os.replace(tmp, carpeta / f"{version}.csv")
        ahora = datetime.now().isoformat(timespec="seconds")
        entrada["versiones"].append(
            {
                "version": version,
                "usuario": usuario,
                "fecha": ahora,
                "comentario": comentario.strip(),
                "archivo_original": archivo_original,
                "sha256": cand.sha256,
                "filas": len(cand.filas),
            }
        )
        entrada["historial"].append({"version": version, "fecha": ahora, "usuario": usuario, "accion": "carga"})
        _escribir_indice(indice)
    auditar(
        usuario,
        "catalogo_cargado",
        json.dumps(
            {
                "catalogo": nombre,
                "version": version,
                "archivo": archivo_original,
                "sha256": cand.sha256,
                "filas": len(cand.filas),
                "comentario": comentario.strip(),
            },
            ensure_ascii=False,
        ),
    )
    mensajes.append(
        f"INFO: catálogo {nombre} guardado como versión {version} ({len(cand.filas):,} filas); es la "
        f"versión vigente desde la próxima ejecución."
    )
    return Resultado(True, mensajes, version)


def restaurar_anterior(nombre: str, usuario: str) -> Resultado:
    """Make the version that was active before the current one active again (one click)."""
    from sidil.interfaz.auditoria import auditar

    _catalogo(nombre)
    with _bloqueo():
        indice = _leer_indice()
        entrada = indice.get(nombre)
        previa = anterior(nombre)
        if not entrada or previa is None:
            raise CatalogoError(f"El catálogo {nombre} no tiene una versión anterior que restaurar.")
        actual = activa(nombre)
        entrada["historial"].append(
            {
                "version": previa,
                "fecha": datetime.now().isoformat(timespec="seconds"),
                "usuario": usuario,
                "accion": "restauracion",
            }
        )
        _escribir_indice(indice)
    auditar(
        usuario,
        "catalogo_restaurado",
        json.dumps({"catalogo": nombre, "version": previa, "reemplaza": actual}, ensure_ascii=False),
    )
    return Resultado(
        True, [f"INFO: catálogo {nombre}: se restauró la versión {previa} (reemplaza a {actual})."], previa
    )


def exportar_csv(nombre: str, version: str) -> bytes:
    """A version as CSV (UTF-8 with BOM so Excel reads the accents; formula-like cells neutralised)."""
    from sidil.csv_seguro import texto_seguro

    columnas, filas = _leer_csv_semilla(ruta_version(nombre, version))
    salida = io.StringIO()
    w = csv.writer(salida, lineterminator="\r\n")
    w.writerow([texto_seguro(c) for c in columnas])
    w.writerows([[texto_seguro(v) for v in f] for f in filas])
    return ("\ufeff" + salida.getvalue()).encode("utf-8")


def exportar_xlsx(nombre: str, version: str) -> bytes:
    """A version as XLSX with every cell as text (codes keep their leading zeros; nothing is a formula)."""
    import openpyxl

    columnas, filas = _leer_csv_semilla(ruta_version(nombre, version))
    libro = openpyxl.Workbook(write_only=True)
    hoja = libro.create_sheet(nombre[:31])
    from openpyxl.cell import WriteOnlyCell

    def fila_texto(valores: list[str]) -> list:
        celdas = []
        for v in valores:
            celda = WriteOnlyCell(hoja, value=v)
            celda.data_type = "s"  # a value starting with '=' stays text
            celdas.append(celda)
        return celdas

    hoja.append(fila_texto(columnas))
    for f in filas:
        hoja.append(fila_texto(f))
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def nombre_descarga(nombre: str, version: str, formato: str) -> str:
    return f"{nombre}_{version}.{formato}"
