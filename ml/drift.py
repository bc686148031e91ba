"""Drift watch: the population stability index (PSI) of every model input between the inspections the model
learned from and the workplaces it scores, and of the risk between two consecutive MPRs.

PSI = sum over bins of (a - e) * ln(a / e), with e the reference share of a bin and a the current share.
Bins are the reference's deciles (fewer when values repeat, so a 0/1 flag has two bins), plus one bin for
"no data" (inputs are -1 when missing, every valid value is >= 0). A bin empty on one side counts as
PISO_PROPORCION so the index stays finite. The usual reading: < 0.10 stable, 0.10-0.25 moderate, > 0.25 a
population the model has not seen; the thresholds the project uses are in the seed `deriva_umbrales`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np

from loaders.sql import ident

CUBETAS = 10
PISO_PROPORCION = 1e-4
UMBRALES = "staging.deriva_umbrales"  # seed: medida, umbral_moderado, umbral_alto
SIN_DATO = -1.0  # features.expression: missing and infinite inputs become -1


class UmbralesFaltantes(Exception):
    pass


def referencia(x: np.ndarray, cubetas: int = CUBETAS) -> dict:
    """The reference distribution of one input: inner bin edges (its deciles among valid values) and the
    share of each bin, the last bin being "no data". Small and JSON-friendly: it is stored with the model."""
    x = np.asarray(x, dtype=np.float64)
    validos = x[~_sin_dato(x)]
    cortes = np.unique(np.quantile(validos, np.arange(1, cubetas) / cubetas)) if len(validos) else np.zeros(0)
    return {"cortes": [float(c) for c in cortes], "proporciones": [float(v) for v in _proporciones(x, cortes)]}


def _proporciones(x: np.ndarray, cortes) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    cortes = np.asarray(cortes, dtype=np.float64)
    sin_dato = _sin_dato(x)
    cubeta = np.searchsorted(cortes, x[~sin_dato], side="right")  # value == edge goes to the upper bin
    cuenta = np.r_[np.bincount(cubeta, minlength=len(cortes) + 1), sin_dato.sum()].astype(np.float64)
    return cuenta / max(len(x), 1)


def _sin_dato(x: np.ndarray) -> np.ndarray:
    return (x == SIN_DATO) | np.isnan(x)


def psi_proporciones(esperadas, actuales) -> float:
    e = np.maximum(np.asarray(esperadas, dtype=np.float64), PISO_PROPORCION)
    a = np.maximum(np.asarray(actuales, dtype=np.float64), PISO_PROPORCION)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(ref: dict, x: np.ndarray) -> float:
    """PSI of the values `x` against a reference made by `referencia`."""
    return psi_proporciones(ref["proporciones"], _proporciones(x, ref["cortes"]))


def psi_entre(anterior: np.ndarray, actual: np.ndarray) -> float:
    """PSI of `actual` against `anterior` (e.g. the risk of the new MPR against the previous one)."""
    return psi(referencia(anterior), actual)


def referencias(X: np.ndarray, nombres: list[str]) -> dict[str, dict]:
    return {n: referencia(X[:, j]) for j, n in enumerate(nombres)}


@dataclass(frozen=True)
class Umbrales:
    moderado: float
    alto: float

    def nivel(self, valor: float) -> str:
        if math.isnan(valor):  # nothing to compare
            return "sin_dato"
        return "alta" if valor >= self.alto else "moderada" if valor >= self.moderado else "estable"


def umbrales(con: duckdb.DuckDBPyConnection) -> dict[str, Umbrales]:
    """{medida: thresholds} from the seed; medida is `variable_entrada` or `riesgo_mpr`."""
    try:
        filas = con.execute(f"select medida, umbral_moderado, umbral_alto from {UMBRALES}").fetchall()
    except duckdb.CatalogException:
        raise UmbralesFaltantes(
            f"Falta la tabla {UMBRALES} (semilla deriva_umbrales): ejecute `sidil build`."
        ) from None
    out = {m: Umbrales(float(a), float(b)) for m, a, b in filas}
    for medida in ("variable_entrada", "riesgo_mpr"):
        if medida not in out:
            raise UmbralesFaltantes(
                f"La semilla deriva_umbrales no tiene la medida {medida}: agréguela y ejecute `sidil build`."
            )
    return out


def deriva_variables(refs: dict[str, dict], X: np.ndarray, nombres: list[str], u: Umbrales) -> list[dict]:
    """One row per input with its PSI and level, the most drifted first."""
    filas = []
    for j, n in enumerate(nombres):
        if n in refs:
            v = psi(refs[n], X[:, j])
            filas.append(
                {
                    "comparacion": "entrenamiento_vs_universo",
                    "variable": n,
                    "psi": v,
                    "nivel": u.nivel(v),
                    "sin_dato_referencia": refs[n]["proporciones"][-1],
                    "sin_dato_actual": float(np.mean(_sin_dato(X[:, j].astype(np.float64))))
                    if len(X)
                    else float("nan"),
                }
            )
    return sorted(filas, key=lambda f: -f["psi"])


def resumen_texto(filas: list[dict], nivel: str, maximo: int = 8) -> str:
    """'a (PSI 0.31), b (PSI 0.27)' for the rows of one level."""
    elegidas = [f for f in filas if f["nivel"] == nivel]
    texto = ", ".join(f"{f['variable']} (PSI {f['psi']:.2f})" for f in elegidas[:maximo])
    return texto + (f" y {len(elegidas) - maximo} más" if len(elegidas) > maximo else "")


DERIVA = "ml.deriva"


def deriva_riesgo(con: duckdb.DuckDBPyConnection, preds: dict[str, np.ndarray], u: Umbrales) -> list[dict]:
    """PSI of `riesgo` and of every pred_* column between the MPR now in ml.mpr (the previous one) and the new
    predictions; empty when there is no previous MPR. Column names are the model's own (pred_<id>, riesgo)."""
    if not con.execute(
        "select count(*) from information_schema.tables where table_schema = 'ml' and table_name = 'mpr'"
    ).fetchone()[0]:
        return []
    anteriores = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'ml' and table_name = 'mpr'"
        ).fetchall()
    }
    filas = []
    for col, nuevo in preds.items():
        if col not in anteriores:
            continue
        viejo = np.asarray(con.execute(f"select {ident(col)} from ml.mpr").fetchnumpy()[col], dtype=np.float64)
        v = psi_entre(viejo, nuevo) if len(viejo) and len(nuevo) else float("nan")
        filas.append(
            {
                "comparacion": "mpr_anterior_vs_nueva",
                "variable": col,
                "psi": v,
                "nivel": u.nivel(v),
                "sin_dato_referencia": None,
                "sin_dato_actual": None,
            }
        )
    return sorted(filas, key=lambda f: -f["psi"] if f["psi"] == f["psi"] else 0.0)


def guardar(
    con: duckdb.DuckDBPyConnection, filas: list[dict], generado_en, run_id: str, u: dict[str, Umbrales]
) -> None:
    """Append the rows of one prediction to ml.deriva (the operators' status reads the latest generado_en).
    Runs inside the caller's transaction."""
    con.execute(f"""
        create table if not exists {DERIVA} (
            generado_en timestamp not null,
            run_id varchar not null,
            comparacion varchar not null,   -- entrenamiento_vs_universo | mpr_anterior_vs_nueva
            variable varchar not null,      -- a model input, riesgo or pred_<submateria>
            psi double,
            nivel varchar not null,         -- estable | moderada | alta | sin_dato
            umbral_moderado double,
            umbral_alto double
        )
    """)
    medida = {"entrenamiento_vs_universo": "variable_entrada", "mpr_anterior_vs_nueva": "riesgo_mpr"}
    con.executemany(
        f"insert into {DERIVA} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                generado_en,
                run_id,
                f["comparacion"],
                f["variable"],
                None if f["psi"] != f["psi"] else f["psi"],
                f["nivel"],
                u[medida[f["comparacion"]]].moderado,
                u[medida[f["comparacion"]]].alto,
            )
            for f in filas
        ],
    )


def mensajes(filas: list[dict]) -> list[str]:
    """The run's lines: ***ADVERTENCIA*** for high drift, INFO for moderate, per comparison."""
    out = []
    for comparacion, que in (
        ("entrenamiento_vs_universo", "variables de entrada (entrenamiento frente al universo)"),
        ("mpr_anterior_vs_nueva", "riesgos (MPR anterior frente a la nueva)"),
    ):
        propias = [f for f in filas if f["comparacion"] == comparacion]
        if alta := resumen_texto(propias, "alta"):
            out.append(f"***ADVERTENCIA***: deriva alta en {que}: {alta}. Revise los insumos o reentrene el modelo.")
        if moderada := resumen_texto(propias, "moderada"):
            out.append(f"INFO: deriva moderada en {que}: {moderada}.")
    return out


def ultima(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(generado_en, run_id, comparacion, variable, psi, nivel) of the latest prediction's moderate and high
    drift, the highest first; empty when ml.deriva does not exist or the latest prediction had none."""
    if not con.execute(
        "select count(*) from information_schema.tables where table_schema = 'ml' and table_name = 'deriva'"
    ).fetchone()[0]:
        return []
    return con.execute(f"""
        select generado_en, run_id, comparacion, variable, psi, nivel
        from {DERIVA}
        where generado_en = (select max(generado_en) from {DERIVA}) and nivel in ('moderada', 'alta')
        order by nivel = 'alta' desc, psi desc
    """).fetchall()
