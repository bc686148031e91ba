"""The one definition of the model's inputs, used for training (marts.entrenamiento) and for scoring
(marts.universo_ct_con_indicadores), so the two cannot drift.

Inputs are the CT attributes the DNE field catalog marks as model inputs (seed `dne_campos`, rows with a
`columna` and `entra_al_modelo = 'sí'`, in the catalog's order; same names in both tables, built by the macro
`atributos_dne`) and the unscaled `valor_<indicador>` of every indicator the indicator catalog marks as a model
input. Missing and infinite values become -1, as in the manual: every valid value is >= 0, so -1 lets the trees
tell "no data" apart. Codes (state, sector, branch) are ordinal numbers to the trees; booleans are 0/1. Trees are
invariant to monotone rescaling, so no standardisation is applied (and none can drift).
"""

from __future__ import annotations

import duckdb

CATALOGO = "staging.indicadores"
CATALOGO_DNE = "staging.dne_campos"  # seed: the DNE fields, which are CT attributes and which enter the model

# How an attribute becomes a number when a plain cast is not enough: the SCIAN sector may read '31-33'.
EXPRESIONES: dict[str, str] = {
    "scian2018_2": "try_cast(left(scian2018_2, 2) as double)",
}


class FeatureMismatch(Exception):
    """The model was trained on other inputs than the data now has."""


def indicadores_del_modelo(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Indicator codes the catalog marks as model inputs, in the catalog's order (fuente, indicador)."""
    rows = con.execute(
        f"select indicador from {CATALOGO} where entra_al_modelo = 'sí' order by fuente, indicador"
    ).fetchall()
    return [r[0] for r in rows]


def atributos_del_modelo(con: duckdb.DuckDBPyConnection) -> list[str]:
    """CT attribute columns the DNE field catalog marks as model inputs, in the catalog's order."""
    rows = con.execute(f"""
        select columna from (
            select columna, entra_al_modelo, tabla, row_number() over () as orden from {CATALOGO_DNE}
        )
        where tabla = 'centro_trabajo' and coalesce(columna, '') <> '' and entra_al_modelo = 'sí'
        order by orden
    """).fetchall()
    return [r[0] for r in rows]


def feature_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return atributos_del_modelo(con) + [f"valor_{i}" for i in indicadores_del_modelo(con)]


def expression(name: str) -> str:
    """SQL for one input as a double with missing/infinite -> -1."""
    raw = EXPRESIONES.get(name, f"try_cast({name} as double)")
    return f"coalesce(case when isfinite({raw}) then {raw} end, -1.0)"


def select_list(names: list[str]) -> str:
    return ",\n    ".join(f"{expression(n)} as {n}" for n in names)


def check_columns(con: duckdb.DuckDBPyConnection, table: str, names: list[str]) -> None:
    schema, name = table.split(".")
    have = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    missing = [n for n in names if n not in have]
    if missing:
        raise FeatureMismatch(
            f"La tabla {table} no tiene las variables de entrada {', '.join(missing)}: reconstruya los modelos "
            f"de dbt (sidil build) después de cambiar el catálogo de indicadores o el de campos del DNE."
        )


def check_same(modelo: list[str], datos: list[str], run_id: str) -> None:
    """Refuse to score with a model whose inputs differ from the data's (names and order)."""
    if modelo == datos:
        return
    faltan = [n for n in modelo if n not in datos]
    sobran = [n for n in datos if n not in modelo]
    detalle = []
    if faltan:
        detalle.append(f"el modelo usa {', '.join(faltan)}, que los datos ya no tienen")
    if sobran:
        detalle.append(f"los datos tienen {', '.join(sobran)}, que el modelo no conoce")
    if not detalle:
        detalle.append("las mismas variables en otro orden")
    raise FeatureMismatch(
        f"El modelo {run_id} no corresponde a los datos actuales: {'; '.join(detalle)}. Entrene un modelo "
        f"nuevo con `sidil train` (o `sidil run --train`) o indique otro con --run."
    )
