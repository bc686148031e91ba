"""Confidence of each submateria's risk model, from its held-out metrics and the rules of the seed
`confianza_modelo`: a label alta / media / baja and whether it is fit to prioritise inspections.

Rules are tried in `orden`; the first whose every threshold the metrics meet applies (an empty threshold
does not constrain). Metrics that meet no rule get "baja" and are not fit for prioritisation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

REGLAS = "staging.confianza_modelo"
METRICAS_CONFIANZA = ("roc_auc", "lift_top10", "brier", "ece")
NO_APTA = "no apta para priorizar"


class ReglasFaltantes(Exception):
    pass


@dataclass(frozen=True)
class Regla:
    orden: int
    nivel: str
    auc_minimo: float | None
    lift_top10_minimo: float | None
    ece_maximo: float | None
    apta: bool
    descripcion: str

    def cumple(self, m: dict) -> bool:
        def ok(valor, limite, mayor: bool) -> bool:
            if limite is None:
                return True
            if valor is None or math.isnan(valor):  # a metric that could not be computed meets no threshold
                return False
            return valor >= limite if mayor else valor <= limite

        return (
            ok(m.get("roc_auc"), self.auc_minimo, True)
            and ok(m.get("lift_top10"), self.lift_top10_minimo, True)
            and ok(m.get("ece"), self.ece_maximo, False)
        )


SIN_REGLA = Regla(
    10**9,
    "baja",
    None,
    None,
    None,
    False,
    "Sus métricas en prueba no cumplen ninguna regla de confianza: no apta para priorizar",
)


def reglas(con: duckdb.DuckDBPyConnection) -> list[Regla]:
    try:
        filas = con.execute(f"""
            select orden, nivel, auc_minimo, lift_top10_minimo, ece_maximo, apta_para_priorizar, descripcion
            from {REGLAS} order by orden
        """).fetchall()
    except duckdb.CatalogException:
        raise ReglasFaltantes(f"Falta la tabla {REGLAS} (semilla confianza_modelo): ejecute `sidil build`.") from None
    return [Regla(int(o), n, a, l, e, ap == "sí", d or "") for o, n, a, l, e, ap, d in filas]


def regla_de(metricas: dict, rs: list[Regla]) -> Regla:
    return next((r for r in rs if r.cumple(metricas)), SIN_REGLA)


def confianza(metricas: dict, rs: list[Regla]) -> dict:
    """The label of one submateria: its metrics, nivel, apta and the text a planner reads."""
    r = regla_de(metricas, rs)
    return {
        **{k: _num(metricas.get(k)) for k in METRICAS_CONFIANZA},
        "nivel": r.nivel,
        "apta": r.apta,
        "etiqueta": texto(r.nivel, r.apta),
        "descripcion": r.descripcion,
    }


def texto(nivel: str, apta: bool) -> str:
    return f"confianza {nivel}" + ("" if apta else f" · {NO_APTA}")


def detalle(c: dict) -> str:
    """'AUC 0.71 · lift 10 % 2.3 · Brier 0.151 · ECE 0.012' for the interface and the exports."""

    def f(v, d=3):
        return "—" if v is None or math.isnan(v) else f"{v:.{d}f}"

    return (
        f"AUC en prueba {f(c.get('roc_auc'), 2)} · lift 10 % {f(c.get('lift_top10'), 2)} · "
        f"Brier {f(c.get('brier'))} · error de calibración {f(c.get('ece'))}"
    )


def _num(v):
    return None if v is None or math.isnan(v) else float(v)


def metricas_de_corrida(modelos: dict, resumen: dict | None) -> dict[str, dict]:
    """{'<submateria_id>' | 'general': held-out metrics} of a stored run: saved with the models since
    calibration; older runs have them in metrics.json's rows."""
    if isinstance(modelos.get("metricas_prueba"), dict):
        return modelos["metricas_prueba"]
    out = {}
    for f in (resumen or {}).get("metricas", []):
        if f.get("modelo") in ("submateria", "general"):
            clave = "general" if f["modelo"] == "general" else str(f["submateria_id"])
            out[clave] = {k: f.get(k) for k in METRICAS_CONFIANZA}
    return out


def por_columna(metricas: dict[str, dict], rs: list[Regla]) -> dict[str, dict]:
    """{pred_<submateria> | riesgo: confidence} for the MPR's dictionary, metadata and interface."""
    return {("riesgo" if k == "general" else f"pred_{k}"): confianza(m, rs) for k, m in metricas.items()}
