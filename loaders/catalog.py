"""The catalogs that drive the loaders (seeds/fuentes.csv, seeds/catalogo_campos.csv): which file is
which source, entity and period, and which old field names mean which canonical one."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


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


@lru_cache(maxsize=None)
def file_kinds() -> tuple[FileKind, ...]:
    with open(SEEDS / "fuentes.csv", encoding="utf-8", newline="") as f:
        return tuple(
            FileKind(r["fuente"], r["entidad"], r["carpeta"], re.compile(r["patron"], re.IGNORECASE),
                     r["formato_periodo"], r["codificacion"])
            for r in csv.DictReader(f)
        )


@lru_cache(maxsize=None)
def field_renames(fuente: str, entidad: str) -> dict[str, str]:
    with open(SEEDS / "catalogo_campos.csv", encoding="utf-8", newline="") as f:
        return {r["nombre_anterior"].lower(): r["nombre_nuevo"].lower() for r in csv.DictReader(f)
                if r["fuente"] == fuente and r["entidad"] == entidad}


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
