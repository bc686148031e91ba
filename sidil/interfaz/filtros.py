"""The user's selection (one predictor, any number of indicator and attribute filters, an optional random
subsample with a seed) and the SQL it stands for. Column names reach SQL only after the matrix validated
them; values always travel as parameters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sidil.interfaz.mpr import Matriz, ident

SIN_DATO = "Sin dato"


@dataclass(frozen=True)
class FiltroRango:
    """Keep the CTs whose column lies in [minimo, maximo]."""

    columna: str
    minimo: float
    maximo: float

    def sql(self, m: Matriz) -> tuple[str, list]:
        col = m.columna(self.columna)
        if not col.numerica:
            raise ValueError(f"{col.etiqueta} no es numérica: no admite un rango.")
        return f"{ident(col.nombre)} between ? and ?", [self.minimo, self.maximo]


@dataclass(frozen=True)
class FiltroValores:
    """Keep the CTs whose column takes one of `valores`; None stands for a missing value (sin dato)."""

    columna: str
    valores: tuple

    def sql(self, m: Matriz) -> tuple[str, list]:
        col = m.columna(self.columna)
        presentes = [v for v in self.valores if v is not None]
        partes, params = [], []
        if presentes:
            partes.append(f"{ident(col.nombre)} in ({', '.join('?' for _ in presentes)})")
            params.extend(_como_tipo(col.tipo, v) for v in presentes)
        if len(presentes) < len(self.valores):
            partes.append(f"{ident(col.nombre)} is null")
        if not partes:
            return "false", []
        return "(" + " or ".join(partes) + ")", params


Filtro = FiltroRango | FiltroValores


def _como_tipo(tipo: str, valor):
    if tipo == "BOOLEAN":
        return valor if isinstance(valor, bool) else str(valor).lower() in ("true", "1", "sí", "si")
    if tipo in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"):
        return int(valor)
    if tipo in ("FLOAT", "DOUBLE") or tipo.startswith("DECIMAL"):
        return float(valor)
    return str(valor)


@dataclass(frozen=True)
class Seleccion:
    predictor: FiltroRango | None = None
    indicadores: tuple[FiltroRango, ...] = ()
    atributos: tuple[Filtro, ...] = ()
    muestra: int | None = None  # keep N CTs drawn at random from the filtered ones
    semilla: int = 1

    def filtros(self) -> list[Filtro]:
        return ([self.predictor] if self.predictor else []) + list(self.indicadores) + list(self.atributos)

    def con_indicador(self, f: FiltroRango) -> Seleccion:
        """Add an indicator filter; a second one on the same indicator replaces the first."""
        return replace(self, indicadores=tuple(x for x in self.indicadores if x.columna != f.columna) + (f,))

    def con_atributo(self, f: Filtro) -> Seleccion:
        return replace(self, atributos=tuple(x for x in self.atributos if x.columna != f.columna) + (f,))

    def sin_indicador(self, columna: str) -> Seleccion:
        return replace(self, indicadores=tuple(x for x in self.indicadores if x.columna != columna))

    def sin_atributo(self, columna: str) -> Seleccion:
        return replace(self, atributos=tuple(x for x in self.atributos if x.columna != columna))


def where(m: Matriz, sel: Seleccion) -> tuple[str, list]:
    """The filters as one SQL condition (every filter must hold) and its parameters."""
    partes, params = [], []
    for f in sel.filtros():
        sql, p = f.sql(m)
        partes.append(sql)
        params.extend(p)
    return (" and ".join(partes) or "true"), params


def filtrados_sql(m: Matriz, sel: Seleccion, columnas: str = "*") -> tuple[str, list]:
    """The CTs that pass every filter, before the random subsample."""
    cond, params = where(m, sel)
    return f"select {columnas} from mpr where {cond}", params


def seleccion_sql(m: Matriz, sel: Seleccion, columnas: str = "*") -> tuple[str, list]:
    """The selected CTs: the filtered ones, or N of them drawn with the seed. The draw orders the filtered
    CTs by a hash of (centro_trabajo_id, semilla), so one seed always gives the same CTs for the same
    filters, whatever the order of the file."""
    cond, params = where(m, sel)
    if sel.muestra is None:
        return f"select {columnas} from mpr where {cond}", params
    if sel.muestra < 0:
        raise ValueError("El tamaño de la muestra no puede ser negativo.")
    return (
        f"select {columnas} from mpr where {cond} "
        f"order by hash(centro_trabajo_id, ?::bigint), centro_trabajo_id limit ?",
        params + [int(sel.semilla), int(sel.muestra)],
    )


@dataclass
class Criterio:
    """One applied filter as the user reads it (analysis tab and export sheets)."""

    seccion: str  # predictor | indicador | atributo
    columna: str
    etiqueta: str
    descripcion: str
    condicion: str
    minimo: float | None = None
    maximo: float | None = None
    valores: list[str] = field(default_factory=list)


def criterios(m: Matriz, sel: Seleccion, etiquetas_valores=None) -> list[Criterio]:
    """Spanish descriptions of the applied filters. `etiquetas_valores(columna, valor)` names a code."""
    salida = []
    for seccion, filtros in (
        ("predictor", [sel.predictor] if sel.predictor else []),
        ("indicador", sel.indicadores),
        ("atributo", sel.atributos),
    ):
        for f in filtros:
            col = m.columna(f.columna)
            if isinstance(f, FiltroRango):
                salida.append(
                    Criterio(
                        seccion,
                        col.nombre,
                        col.etiqueta,
                        col.descripcion,
                        f"entre {_num(f.minimo)} y {_num(f.maximo)}",
                        f.minimo,
                        f.maximo,
                    )
                )
            else:
                nombres = [
                    SIN_DATO if v is None else (etiquetas_valores(col.nombre, v) if etiquetas_valores else _valor(v))
                    for v in f.valores
                ]
                salida.append(
                    Criterio(
                        seccion, col.nombre, col.etiqueta, col.descripcion, "es " + " o ".join(nombres), valores=nombres
                    )
                )
    return salida


def _num(x: float) -> str:
    return f"{x:,.4f}".rstrip("0").rstrip(".") if isinstance(x, float) else f"{x:,}"


def _valor(v) -> str:
    if isinstance(v, bool):
        return "Sí" if v else "No"
    return str(v)
