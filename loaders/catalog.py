"""The catalogs that drive the loaders (seeds/fuentes.csv, seeds/catalogo_campos.csv,
seeds/campos_insumo.csv): which file is which source, entity and period, which old field names mean which
canonical one, and which fields each entity may carry (required, personal).

A header is input, not code: `map_header` turns the names a file declares into a plan of positions and
canonical catalog names, so no name read from a file ever reaches SQL."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import settings


def seeds_dir() -> Path:
    """The catalogs in use: the active seeds folder the operators' versions make (SIDIL_SEMILLAS, set by
    sidil.catalogos.preparar_semillas, relative to the project) or the repository's seeds."""
    return settings.semillas()


@dataclass(frozen=True)
class FileKind:
    fuente: str
    entidad: str
    carpeta: str
    patron: re.Pattern
    formato_periodo: str
    codificacion: str  # utf-8 / latin-1 for text; dbf (the file says) or xlsx for the others


@dataclass(frozen=True)
class Recognised:
    path: Path
    fuente: str
    entidad: str
    periodo: str  # 2023T1 (ENOE), 2022-01 (IMSS month), 2021-09 (riesgos cut), 2019 (Censo), serie (externos)
    anio: int
    mes_o_trimestre: int | None
    extension: str
    codificacion: str = "utf-8"


def file_kinds() -> tuple[FileKind, ...]:
    return _file_kinds(seeds_dir())


@lru_cache(maxsize=None)
def _file_kinds(seeds: Path) -> tuple[FileKind, ...]:
    with open(seeds / "fuentes.csv", encoding="utf-8", newline="") as f:
        return tuple(
            FileKind(
                r["fuente"],
                r["entidad"],
                r["carpeta"],
                re.compile(r["patron"], re.IGNORECASE),
                r["formato_periodo"],
                r["codificacion"],
            )
            for r in csv.DictReader(f)
        )


def field_renames(fuente: str, entidad: str) -> dict[str, str]:
    return _field_renames(seeds_dir(), fuente, entidad)


@lru_cache(maxsize=None)
def _field_renames(seeds: Path, fuente: str, entidad: str) -> dict[str, str]:
    with open(seeds / "catalogo_campos.csv", encoding="utf-8", newline="") as f:
        return {
            r["nombre_anterior"].lower(): r["nombre_nuevo"].lower()
            for r in csv.DictReader(f)
            if r["fuente"] == fuente and r["entidad"] == entidad
        }


@dataclass(frozen=True)
class Campo:
    nombre: str
    requerido: bool
    personal: bool  # never stored in clear: pseudonymised at landing (nss, curp) or not landed at all


def known_fields(fuente: str, entidad: str) -> dict[str, Campo]:
    """The fields an entity may carry (seeds/campos_insumo.csv), in catalog order."""
    return _known_fields(seeds_dir(), fuente, entidad)


@lru_cache(maxsize=None)
def _known_fields(seeds: Path, fuente: str, entidad: str) -> dict[str, Campo]:
    with open(seeds / "campos_insumo.csv", encoding="utf-8", newline="") as f:
        return {
            r["campo"]: Campo(r["campo"], r["requerido"] == "sí", r["personal"] == "sí")
            for r in csv.DictReader(f)
            if r["fuente"] == fuente and r["entidad"] == entidad
        }


# Sources whose INEGI layout carries hundreds of questionnaire fields that change with the questionnaire:
# fields not in the catalog are kept as data in one map column instead of refusing the file.
EXTRAS_COLUMN = "campos_adicionales"
SOURCES_WITH_EXTRAS = {"enoe"}


def normal_name(header: object) -> str:
    """A header as the catalogs spell it: lower case, no blanks (the Censo spells 'ct3_ est_informales')."""
    return re.sub(r"\s+", "", "" if header is None else str(header)).lower().strip('"')


@dataclass(frozen=True)
class HeaderPlan:
    """Where each catalog field is in the file (0-based position) and the file's other fields."""

    known: dict[str, int]  # canonical name -> position
    extras: dict[str, int]  # header name (data, never SQL) -> position; only for SOURCES_WITH_EXTRAS
    headers: list[str]  # the normalised header, for messages

    def name_at(self, position: int) -> str:
        return self.headers[position] if 0 <= position < len(self.headers) else f"campo {position + 1}"

    @property
    def personal(self) -> list[str]:
        return [n for n in self.known if n in ("nss", "curp")]


def map_header(fuente: str, entidad: str, headers: list[object], archivo: str) -> HeaderPlan:
    """Map a file's header through the field catalog. Refuses (naming row 1 and the field) an empty or
    repeated name, two names that mean the same field, a missing required field, and, except for the
    survey sources, a field the catalog does not know (a wrong-kind file or an undeclared layout change)."""
    from loaders.errors import LoadError

    fields = known_fields(fuente, entidad)
    renames = field_renames(fuente, entidad)
    names = [normal_name(h) for h in headers]
    known: dict[str, int] = {}
    extras: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            raise LoadError(archivo, f"el encabezado tiene un nombre de campo vacío (columna {i + 1})", fila=1)
        canonical = renames.get(name, name)
        if canonical in known or name in extras:
            other = names[known.get(canonical, extras.get(name, 0))]
            raise LoadError(
                archivo,
                f"el encabezado repite el campo {canonical!r} ({other!r} y {name!r} significan "
                f"lo mismo según el catálogo de campos)",
                fila=1,
                campo=name,
            )
        if canonical in fields:
            known[canonical] = i
        else:
            extras[name] = i
    missing = [c.nombre for c in fields.values() if c.requerido and c.nombre not in known]
    if missing:
        raise LoadError(
            archivo,
            f"falta el campo obligatorio '{missing[0]}' de {fuente} {entidad} (faltan: "
            f"{', '.join(missing)}; encabezado: {', '.join(names)})",
            fila=1,
            campo=missing[0],
        )
    if extras and fuente not in SOURCES_WITH_EXTRAS:
        name, i = next(iter(extras.items()))
        raise LoadError(
            archivo,
            f"campo desconocido {name!r} en la columna {i + 1}: no está en el catálogo de "
            f"campos de {fuente} {entidad} (seeds/campos_insumo.csv: {', '.join(fields)}). ¿Es "
            f"un archivo de otro tipo o un cambio de formato? Si el campo es legítimo, "
            f"agréguelo al catálogo",
            fila=1,
            campo=name,
        )
    return HeaderPlan(known, extras, names)


def parse_fecha_imss(digits: str) -> tuple[int, int]:
    """Year and month from IMSS name digits: `aaaammdd` (20210731) or `aaaamdd` (2021731)."""
    anio = int(digits[:4])
    mes = int(digits[4:6]) if len(digits) == 8 else int(digits[4])
    if not 1 <= mes <= 12:
        raise ValueError(f"mes {mes} fuera de rango en '{digits}'")
    return anio, mes


def recognise(path: Path, root: Path) -> Recognised | None:
    """Which source, entity and period a file is, from its folder and name (None: not an input file)."""
    rel_folder = path.parent.relative_to(root).as_posix()
    for kind in file_kinds():
        if rel_folder != kind.carpeta and not rel_folder.startswith(kind.carpeta + "/"):
            continue
        m = kind.patron.match(path.name)
        if not m:
            continue
        g = m.groupdict()
        ext = path.name.rsplit(".", 1)[-1].lower()
        if kind.formato_periodo == "trimestre":
            anio = int(g["anio"]) if g.get("anio") else 2000 + int(g["anio2"])
            q = int(g["trimestre"])
            return Recognised(path, kind.fuente, kind.entidad, f"{anio}T{q}", anio, q, ext, kind.codificacion)
        if kind.formato_periodo == "aaaammdd":
            anio, mes = parse_fecha_imss(g["fecha"])
            return Recognised(path, kind.fuente, kind.entidad, f"{anio}-{mes:02d}", anio, mes, ext, kind.codificacion)
        if kind.formato_periodo == "serie":  # the whole series in one file (external series)
            return Recognised(path, kind.fuente, kind.entidad, "serie", 0, None, ext, kind.codificacion)
        if kind.formato_periodo == "anio":
            anio = int(g["anio"])
            return Recognised(path, kind.fuente, kind.entidad, str(anio), anio, None, ext, kind.codificacion)
        raise ValueError(f"formato_periodo desconocido en seeds/fuentes.csv: {kind.formato_periodo}")
    return None
