"""The plan's inputs from files: the capacity per office and period (the seed `seeds/plan_capacidad.csv` or a
planner's upload), the submaterias in scope with their weights (`seeds/plan_submaterias.csv`), the rules
(`seeds/plan_reglas.csv`) and a list of priority workplaces. Every value is checked against what it may be;
nothing read here is ever used as SQL or as a path, and a bad file is refused with its row and field named."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ml.plan.reglas import DIMENSIONES, ReglaCobertura
from settings import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds"
MAX_BYTES = 2_000_000
MAX_FILAS = 50_000
_GEO2 = re.compile(r"^\d{1,2}$")
_PERIODO = re.compile(r"^\d{4}(-(T[1-4]|S[12]|\d{2}))?$")
_VALOR = re.compile(r"^[0-9A-Za-z]{1,6}$")
_ESTATUS = re.compile(r"^[0-9A-Za-zÁÉÍÓÚÑáéíóúñ _.-]{1,40}$")


class EntradaInvalida(ValueError):
    """A plan input that cannot be used; the message (Spanish) names the file, row and field."""


def _filas(datos: bytes | str | Path, nombre: str, columnas: set[str], obligatorias: set[str]) -> list[dict]:
    if isinstance(datos, Path):
        if not datos.is_file():
            raise EntradaInvalida(f"No existe el archivo {nombre}.")
        datos = datos.read_bytes()
    if isinstance(datos, str):
        datos = datos.encode("utf-8")
    if len(datos) > MAX_BYTES:
        raise EntradaInvalida(f"{nombre}: el archivo excede {MAX_BYTES // 1_000_000} MB.")
    try:
        texto = datos.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EntradaInvalida(f"{nombre}: el archivo no está en UTF-8 (guárdelo como CSV UTF-8).") from None
    if "\x00" in texto:
        raise EntradaInvalida(f"{nombre}: el archivo no es un CSV de texto.")
    lector = csv.DictReader(io.StringIO(texto))
    encabezado = [(c or "").strip().lower() for c in (lector.fieldnames or [])]
    faltan = obligatorias - set(encabezado)
    if faltan:
        raise EntradaInvalida(
            f"{nombre}: faltan las columnas {', '.join(sorted(faltan))} (se esperan {', '.join(sorted(columnas))})."
        )
    sobran = [c for c in encabezado if c not in columnas]
    if sobran:
        raise EntradaInvalida(
            f"{nombre}: columna desconocida «{sobran[0][:40]}» (se esperan {', '.join(sorted(columnas))})."
        )
    filas = []
    for i, fila in enumerate(lector, start=2):
        if i - 1 > MAX_FILAS:
            raise EntradaInvalida(f"{nombre}: más de {MAX_FILAS:,} filas.")
        if None in fila:
            raise EntradaInvalida(f"{nombre}, fila {i}: tiene más campos que el encabezado.")
        filas.append({"_fila": i, **{(k or "").strip().lower(): (v or "").strip() for k, v in fila.items()}})
    if not filas:
        raise EntradaInvalida(f"{nombre}: el archivo no tiene filas.")
    return filas


def _entero(v: str, nombre: str, fila: int, campo: str, minimo: int = 0, maximo: int = 10**6) -> int:
    if not re.fullmatch(r"\d{1,9}", v or ""):
        raise EntradaInvalida(f"{nombre}, fila {fila}, campo {campo}: «{v[:40]}» no es un entero no negativo.")
    n = int(v)
    if not minimo <= n <= maximo:
        raise EntradaInvalida(f"{nombre}, fila {fila}, campo {campo}: {n} fuera del rango {minimo}-{maximo}.")
    return n


def _real(v: str, nombre: str, fila: int, campo: str, minimo: float, maximo: float) -> float:
    if not re.fullmatch(r"\d{1,6}(\.\d{1,9})?", v or ""):
        raise EntradaInvalida(f"{nombre}, fila {fila}, campo {campo}: «{v[:40]}» no es un número.")
    x = float(v)
    if not minimo <= x <= maximo:
        raise EntradaInvalida(f"{nombre}, fila {fila}, campo {campo}: {x} fuera del rango {minimo}-{maximo}.")
    return x


def leer_capacidad(
    datos: bytes | str | Path, periodo: str | None = None, nombre: str = "capacidad"
) -> tuple[dict[str, int], str]:
    """{office (geo2, 2 digits): inspections} for `periodo` (default: the latest period in the file)."""
    filas = _filas(datos, nombre, {"geo2", "periodo", "capacidad"}, {"geo2", "capacidad"})
    por_periodo: dict[str, dict[str, int]] = {}
    for f in filas:
        if not _GEO2.fullmatch(f["geo2"]) or not 1 <= int(f["geo2"]) <= 32:
            raise EntradaInvalida(
                f"{nombre}, fila {f['_fila']}, campo geo2: «{f['geo2'][:40]}» no es una clave de entidad (01 a 32)."
            )
        per = f.get("periodo", "")
        if per and not _PERIODO.fullmatch(per):
            raise EntradaInvalida(
                f"{nombre}, fila {f['_fila']}, campo periodo: «{per[:40]}» no es un periodo "
                f"(aaaa, aaaa-T1 a aaaa-T4, aaaa-S1, aaaa-S2 o aaaa-mm)."
            )
        geo2 = f["geo2"].zfill(2)
        cap = _entero(f["capacidad"], nombre, f["_fila"], "capacidad", 0, 100_000)
        d = por_periodo.setdefault(per, {})
        if geo2 in d:
            raise EntradaInvalida(
                f"{nombre}, fila {f['_fila']}: la oficina {geo2} se repite en el periodo {per or '(sin periodo)'}."
            )
        d[geo2] = cap
    if periodo is None:
        periodo = max(por_periodo)
    if periodo not in por_periodo:
        raise EntradaInvalida(
            f"{nombre}: no hay capacidad para el periodo {periodo[:20]} (hay: "
            f"{', '.join(sorted(p or '(sin periodo)' for p in por_periodo))})."
        )
    return por_periodo[periodo], periodo


def leer_pesos(
    datos: bytes | str | Path = SEEDS / "plan_submaterias.csv", nombre: str = "plan_submaterias.csv"
) -> dict[str, float]:
    """{pred_<submateria>: weight} of the submaterias in scope (weight > 0)."""
    filas = _filas(datos, nombre, {"submateria_id", "peso", "nota"}, {"submateria_id", "peso"})
    pesos = {}
    for f in filas:
        s = _entero(f["submateria_id"], nombre, f["_fila"], "submateria_id", 1, 10**6)
        w = _real(f["peso"], nombre, f["_fila"], "peso", 0.0, 1000.0)
        if w > 0:
            pesos[f"pred_{s}"] = w
    if not pesos:
        raise EntradaInvalida(f"{nombre}: ninguna submateria tiene peso mayor que cero.")
    return pesos


def leer_reglas(datos: bytes | str | Path = SEEDS / "plan_reglas.csv", nombre: str = "plan_reglas.csv") -> dict:
    """The rules seed: coverage minimums, maximum per municipality, exploration share, exclusion months and
    whether an open proceeding excludes."""
    filas = _filas(datos, nombre, {"regla", "dimension", "valor", "parametro", "nota"}, {"regla", "parametro"})
    out: dict = {
        "cobertura": [],
        "max_por_municipio": None,
        "exploracion": 0.0,
        "meses_exclusion": 0,
        "excluir_procedimiento_abierto": False,
        "estatus_abierto": (),
    }
    for f in filas:
        regla, fila = f["regla"], f["_fila"]
        if regla == "cobertura_minima":
            dim, valor = f.get("dimension", ""), f.get("valor", "")
            if dim not in DIMENSIONES:
                raise EntradaInvalida(
                    f"{nombre}, fila {fila}, campo dimension: «{dim[:40]}» (se espera {' o '.join(DIMENSIONES)})."
                )
            if not _VALOR.fullmatch(valor):
                raise EntradaInvalida(f"{nombre}, fila {fila}, campo valor: «{valor[:40]}» no es un código.")
            out["cobertura"].append(
                ReglaCobertura(dim, valor, _real(f["parametro"], nombre, fila, "parametro", 0.0, 1.0))
            )
        elif regla == "maximo_por_municipio":
            out["max_por_municipio"] = _entero(f["parametro"], nombre, fila, "parametro", 1, 100_000)
        elif regla == "exploracion":
            out["exploracion"] = _real(f["parametro"], nombre, fila, "parametro", 0.0, 1.0)
        elif regla == "excluir_inspeccionados_meses":
            out["meses_exclusion"] = _entero(f["parametro"], nombre, fila, "parametro", 0, 600)
        elif regla == "excluir_procedimiento_abierto":
            out["excluir_procedimiento_abierto"] = _entero(f["parametro"], nombre, fila, "parametro", 0, 1) == 1
            estatus = tuple(e.strip() for e in f.get("valor", "").split("|") if e.strip())
            if not estatus or not all(_ESTATUS.fullmatch(e) for e in estatus):
                raise EntradaInvalida(
                    f"{nombre}, fila {fila}, campo valor: indique los estatus de SIAPI que "
                    f"significan un procedimiento abierto, separados por |."
                )
            out["estatus_abierto"] = estatus
        else:
            raise EntradaInvalida(f"{nombre}, fila {fila}, campo regla: «{regla[:40]}» no es una regla conocida.")
    return out


def leer_prioritarios(datos: bytes | str | Path, nombre: str = "prioritarios") -> frozenset[int]:
    """The workplaces that must enter the plan: a CSV with a `centro_trabajo_id` column."""
    filas = _filas(datos, nombre, {"centro_trabajo_id", "nota"}, {"centro_trabajo_id"})
    return frozenset(_entero(f["centro_trabajo_id"], nombre, f["_fila"], "centro_trabajo_id", 1, 10**15) for f in filas)
