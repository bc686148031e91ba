"""What the interface shows, computed in DuckDB over the MPR snapshot: counts, distributions, the
selection by state and size class, the matrix statistics and a preview. Only aggregates and small pages
ever leave DuckDB."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from sidil.interfaz.filtros import SIN_DATO, Seleccion, filtrados_sql, seleccion_sql
from sidil.interfaz.mpr import Columna, Matriz, ident

# Attribute columns that carry a code and its label in a `nom_` column (DOMAIN.md section 11); the filterable
# columns of a matrix whose dictionary has no filter types (an MPR written before the catalogs held them).
CON_ETIQUETA = ("geo2", "geo5", "scian2018_2", "scian2018_3", "cat_tamanio")
# Filter types of the catalogs (seeds dne_campos and mpr_columnas) that the consultation offers.
FILTRABLES = ("combo", "sel_mul", "numérico")
# Without a filter type: a numeric attribute with more distinct values than this is filtered by range.
MAX_VALORES_LISTA = 12


def conteo(m: Matriz, sel: Seleccion) -> int:
    """CTs in the selection (after the filters and the subsample)."""
    sql, params = seleccion_sql(m, sel, "centro_trabajo_id")
    return m.cursor().execute(f"select count(*) from ({sql})", params).fetchone()[0]


def conteo_filtrados(m: Matriz, sel: Seleccion) -> tuple[int, int]:
    """(CTs passing the filters, states they are in), before the subsample."""
    sql, params = filtrados_sql(m, sel, "geo2")
    return m.cursor().execute(f"select count(*), count(distinct geo2) from ({sql})", params).fetchone()


def ids(m: Matriz, sel: Seleccion) -> list[int]:
    """The selected CTs' ids, sorted (tests and the subsample check)."""
    sql, params = seleccion_sql(m, sel, "centro_trabajo_id")
    return [r[0] for r in m.cursor().execute(f"select * from ({sql}) order by 1", params).fetchall()]


@dataclass(frozen=True)
class Distribucion:
    minimo: float
    q1: float
    mediana: float
    media: float
    q3: float
    maximo: float


def distribucion(m: Matriz, columna: str) -> Distribucion:
    """Quartiles, mean and range of a numeric column over the whole matrix (cached per snapshot)."""
    return _distribucion(m, m._huella, m.columna(columna).nombre)


@lru_cache(maxsize=256)
def _distribucion(m: Matriz, _huella, columna: str) -> Distribucion:
    c = ident(columna)
    fila = (
        m.cursor()
        .execute(
            f"select min({c}), quantile_cont({c}, 0.25), quantile_cont({c}, 0.5), avg({c}), "
            f"quantile_cont({c}, 0.75), max({c}) from mpr"
        )
        .fetchone()
    )
    return Distribucion(*[float(x) if x is not None else 0.0 for x in fila])


def histograma(m: Matriz, columna: str, cubetas: int = 20) -> pd.DataFrame:
    """Counts of a 0-1 column in equal-width bins over the whole matrix (columns desde, hasta, n)."""
    return _histograma(m, m._huella, m.columna(columna).nombre, cubetas).copy()


@lru_cache(maxsize=256)
def _histograma(m: Matriz, _huella, columna: str, cubetas: int) -> pd.DataFrame:
    c = ident(columna)
    df = (
        m.cursor()
        .execute(
            f"select least(floor({c} * ?)::int, ? - 1) as cubeta, count(*) as n from mpr "
            f"where {c} is not null group by 1 order by 1",
            [cubetas, cubetas],
        )
        .df()
    )
    todas = pd.DataFrame({"cubeta": range(cubetas)})
    df = todas.merge(df, on="cubeta", how="left").fillna({"n": 0})
    df["desde"] = df["cubeta"] / cubetas
    df["hasta"] = (df["cubeta"] + 1) / cubetas
    df["n"] = df["n"].astype("int64")
    return df[["desde", "hasta", "n"]]


def opciones(m: Matriz, columna: str) -> list[tuple]:
    """(value, label) pairs an attribute can take, with 'Sin dato' (None) when some CT lacks it."""
    return list(_opciones(m, m._huella, m.columna(columna).nombre))


@lru_cache(maxsize=64)
def _opciones(m: Matriz, _huella, columna: str) -> tuple:
    col = m.columna(columna)
    c = ident(col.nombre)
    if col.booleana:
        filas = m.cursor().execute(f"select distinct {c} from mpr order by 1 nulls last").fetchall()
        return tuple((v, SIN_DATO if v is None else ("Sí" if v else "No")) for (v,) in filas)
    nombre = _columna_etiqueta(m, columna)
    if nombre:
        filas = (
            m.cursor().execute(f"select {c}, min({ident(nombre)}) from mpr group by 1 order by 1 nulls last").fetchall()
        )
        return tuple((v, SIN_DATO if v is None else f"{v} {n or ''}".strip()) for v, n in filas)
    filas = m.cursor().execute(f"select distinct {c} from mpr order by 1 nulls last").fetchall()
    return tuple((v, SIN_DATO if v is None else str(v)) for (v,) in filas)


def _columna_etiqueta(m: Matriz, columna: str) -> str | None:
    """The `nom_` column naming a code: nom_geo2 for geo2, nom_rama_industrial for atrib_rama_industrial_id."""
    base = columna.removeprefix("atrib_")
    for nombre in (f"nom_{columna}", f"nom_{base}", f"nom_{base.removesuffix('_id')}"):
        if nombre in m.por_nombre:
            return nombre
    return None


def columnas_atributo(m: Matriz) -> list[Columna]:
    """The columns a user can filter as attributes: those the catalogs give a filter (combo, sel_mul,
    numérico), in the matrix's order. A dictionary without filter types: the coded identification columns and
    every atrib_."""
    if any(c.tipo_filtro for c in m.columnas):
        return [c for c in m.columnas if c.grupo in ("identificacion", "atributo") and c.tipo_filtro in FILTRABLES]
    return [m.por_nombre[c] for c in CON_ETIQUETA if c in m.por_nombre] + m.grupo("atributo")


def modo_filtro(m: Matriz, columna: str) -> str:
    """How the consultation filters an attribute: 'rango' (minimum and maximum), 'uno' (one value) or 'varios'
    (several values), as the catalog's filter type says (numérico, combo, sel_mul). Without one, a numeric
    column with more than MAX_VALORES_LISTA distinct values is a range, anything else a list of values."""
    col = m.columna(columna)
    if col.tipo_filtro == "numérico" and col.numerica:
        return "rango"
    if col.tipo_filtro == "combo":
        return "uno"
    if col.tipo_filtro == "sel_mul":
        return "varios"
    return "rango" if col.numerica and len(opciones(m, columna)) > MAX_VALORES_LISTA else "varios"


def etiqueta_valor(m: Matriz, columna: str, valor) -> str:
    for v, etiqueta in opciones(m, columna):
        if v == valor or str(v) == str(valor):
            return etiqueta
    return str(valor)


def por_estado(m: Matriz, sel: Seleccion) -> pd.DataFrame:
    """Selected CTs per state: clave, estado, centros, porcentaje (descending)."""
    sql, params = seleccion_sql(m, sel, "geo2, nom_geo2")
    df = (
        m.cursor()
        .execute(
            f"select coalesce(geo2, '') as clave, coalesce(min(nom_geo2), '{SIN_DATO}') as estado, count(*) as "
            f"centros from ({sql}) group by geo2 order by centros desc, clave",
            params,
        )
        .df()
    )
    total = df["centros"].sum()
    df["porcentaje"] = (100 * df["centros"] / total).round(2) if total else 0.0
    return df


def por_tamanio(m: Matriz, sel: Seleccion) -> pd.DataFrame:
    """Selected CTs per size class, every class of the matrix listed (zero if none) plus 'Sin dato'."""
    sql, params = seleccion_sql(m, sel, "cat_tamanio")
    df = (
        m.cursor()
        .execute(
            f"with clases as (select distinct cat_tamanio, nom_cat_tamanio from mpr where cat_tamanio is not null "
            f"union all select null, '{SIN_DATO}'), "
            f"sel as (select cat_tamanio, count(*) as n from ({sql}) group by 1) "
            f"select clases.cat_tamanio as clase, clases.nom_cat_tamanio as tamanio, coalesce(sel.n, 0) as centros "
            f"from clases left join sel on clases.cat_tamanio is not distinct from sel.cat_tamanio "
            f"order by clases.cat_tamanio nulls last",
            params,
        )
        .df()
    )
    total = df["centros"].sum()
    df["porcentaje"] = (100 * df["centros"] / total).round(2) if total else 0.0
    df["clase"] = df["clase"].astype("Int64")
    return df


TIPOS_USUARIO = {"VARCHAR": "carácter", "BOOLEAN": "lógica"}


def estadisticas(m: Matriz, sel: Seleccion) -> tuple[int, int, pd.DataFrame]:
    """(rows, columns, one row per column: tipo, faltantes, and min/quartiles/mean/max when numeric; the
    share of 'sí' as the mean of a logical column). One aggregate query over the selection (exact
    quartiles: on the full matrix they cost less than DuckDB's t-digest approximation)."""
    sql, params = seleccion_sql(m, sel)
    exprs = ["count(*)"]
    for col in m.columnas:
        c = ident(col.nombre)
        exprs.append(f"count({c})")
        if col.numerica:
            exprs += [
                f"min({c})::double",
                f"quantile_cont({c}, [0.25, 0.5, 0.75])",
                f"avg({c})::double",
                f"max({c})::double",
            ]
        elif col.booleana:
            exprs.append(f"avg({c}::int)::double")
    fila = list(m.cursor().execute(f"select {', '.join(exprs)} from ({sql})", params).fetchone())
    n = fila.pop(0)
    filas = []
    for col in m.columnas:
        presentes = fila.pop(0)
        d = {
            "columna": col.nombre,
            "etiqueta": col.etiqueta,
            "tipo": "numérica" if col.numerica else TIPOS_USUARIO.get(col.tipo, "carácter"),
            "faltantes": int(n - presentes),
            "minimo": None,
            "q1": None,
            "mediana": None,
            "media": None,
            "q3": None,
            "maximo": None,
        }
        if col.numerica:
            minimo, cuartiles, media, maximo = fila[:4]
            del fila[:4]
            cuartiles = cuartiles or [None] * 3
            d.update(
                minimo=_f(minimo),
                q1=_f(cuartiles[0]),
                mediana=_f(cuartiles[1]),
                media=_f(media),
                q3=_f(cuartiles[2]),
                maximo=_f(maximo),
            )
        elif col.booleana:
            d["media"] = _f(fila.pop(0))
        filas.append(d)
    return n, len(m.columnas), pd.DataFrame(filas)


def _f(x):
    try:
        return round(float(x), 4)
    except (TypeError, ValueError):
        return None


def vista_previa(m: Matriz, sel: Seleccion, filas: int = 20) -> pd.DataFrame:
    """The first selected CTs by overall risk, with their identification and risk columns."""
    pred = [c.nombre for c in m.grupo("prediccion")]
    if sel.predictor:
        pred = [sel.predictor.columna] + [p for p in pred if p != sel.predictor.columna]
    columnas = (
        [
            c
            for c in ("centro_trabajo_id", "nombre_ct", "nom_geo2", "nom_geo5", "nom_scian2018_2", "nom_cat_tamanio")
            if c in m.por_nombre
        ]
        + pred[:1]
        + ["riesgo"]
    )
    lista = ", ".join(ident(c) for c in columnas)
    sql, params = seleccion_sql(m, sel, lista)
    df = (
        m.cursor()
        .execute(f"select * from ({sql}) order by riesgo desc, centro_trabajo_id limit ?", params + [filas])
        .df()
        .round(4)
    )
    return df.rename(columns={c: m.por_nombre[c].etiqueta for c in columnas})
