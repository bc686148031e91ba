"""Reading the training history and the CT universe as arrays, with the inputs of `features.py`.

Inputs are the same for every submateria of one inspection (CT attributes and the indicators of its year),
so the training history is read once per inspection (`X`) plus the labels per (inspection, submateria).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

from ml.features import check_columns, select_list

ENTRENAMIENTO = "marts.entrenamiento"  # point-in-time: an inspection sees only what was published before it
ENTRENAMIENTO_MANUAL = "marts.entrenamiento_manual"  # the manual's historical rule (look-ahead included)
HISTORICOS = {"puntual": ENTRENAMIENTO, "manual": ENTRENAMIENTO_MANUAL}
UNIVERSO = "marts.universo_ct_con_indicadores"


@dataclass
class Historia:
    inspeccion_id: np.ndarray  # (n,) one per inspection
    fecha: np.ndarray  # (n,) datetime64[D]
    X: np.ndarray  # (n, f) float32
    cualquier_violacion: np.ndarray  # (n,) bool: any submateria with a violation that stands
    etiquetas: dict[int, tuple[np.ndarray, np.ndarray]]  # submateria -> (rows into X, violacion)
    submaterias: dict[int, str]  # modelled submaterias and their names


def leer_historia(con: duckdb.DuckDBPyConnection, names: list[str], tabla: str = ENTRENAMIENTO) -> Historia:
    """The history of `tabla` (one of HISTORICOS' tables, never a name from an input)."""
    if tabla not in HISTORICOS.values():
        raise ValueError(f"tabla de histórico desconocida {tabla!r}")
    check_columns(con, tabla, names)
    # Inputs are constant within an inspection: take them from any of its rows.
    inputs = ",\n    ".join(f"any_value({n}) as {n}" for n in names)
    con.execute(f"""
        create or replace temp table ml_inspecciones as
        with por_inspeccion as (
            select
                inspeccion_id,
                min(fecha_inspeccion) as fecha,
                bool_or(violacion) as cualquier_violacion,
                {inputs}
            from (select inspeccion_id, fecha_inspeccion, violacion, {select_list(names)} from {tabla})
            group by inspeccion_id
        )
        select row_number() over (order by inspeccion_id) - 1 as fila, *
        from por_inspeccion
        order by inspeccion_id
    """)
    cols = con.execute(
        f"select inspeccion_id, fecha, cualquier_violacion, {', '.join(names)} from ml_inspecciones order by fila"
    ).fetchnumpy()
    X = (
        np.column_stack([np.asarray(cols[n], dtype=np.float32) for n in names])
        if names
        else np.zeros((len(cols["inspeccion_id"]), 0), dtype=np.float32)
    )
    etiquetas: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    lab = con.execute(f"""
        select e.submateria_id, i.fila, e.violacion
        from {tabla} as e
        inner join ml_inspecciones as i using (inspeccion_id)
        where e.submateria_modelada
        order by e.submateria_id, i.fila
    """).fetchnumpy()
    sub = np.asarray(lab["submateria_id"])
    for s in np.unique(sub):
        m = sub == s
        etiquetas[int(s)] = (np.asarray(lab["fila"][m], dtype=np.int64), np.asarray(lab["violacion"][m], dtype=bool))
    nombres = dict(
        con.execute("""
        select submateria_id, any_value(submateria)
        from marts.inspecciones_historicas group by submateria_id
    """).fetchall()
    )
    con.execute("drop table ml_inspecciones")
    return Historia(
        inspeccion_id=np.asarray(cols["inspeccion_id"], dtype=np.int64),
        fecha=np.asarray(cols["fecha"], dtype="datetime64[D]"),
        X=X,
        cualquier_violacion=np.asarray(cols["cualquier_violacion"], dtype=bool),
        etiquetas=etiquetas,
        submaterias={s: str(nombres.get(s, s)) for s in etiquetas},
    )


def existe(con: duckdb.DuckDBPyConnection, tabla: str) -> bool:
    schema, name = tabla.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def leer_universo(con: duckdb.DuckDBPyConnection, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(centro_trabajo_id, X) of every CT of the universe, in centro_trabajo_id order."""
    check_columns(con, UNIVERSO, names)
    cols = con.execute(f"""
        select centro_trabajo_id, {select_list(names)}
        from {UNIVERSO}
        order by centro_trabajo_id
    """).fetchnumpy()
    X = np.column_stack([np.asarray(cols[n], dtype=np.float32) for n in names])
    return np.asarray(cols["centro_trabajo_id"], dtype=np.int64), X
