"""What the plan is worth: the same-size random plan and top-k by `riesgo` per office, the rules each of them
breaks, what every rule costs (the plan re-solved without it), and on demo data what each plan would really
have found according to `truth/` (the planted probabilities, weighted like the objective)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ml.plan.optimizar import SIN_MUNICIPIO, Plan, planear, rng_oficina
from ml.plan.reglas import Reglas


def _por_oficina(datos: pd.DataFrame, oficinas: pd.DataFrame, elegir) -> np.ndarray:
    """The ids a baseline chooses: `elegir(eligible rows of the office, size, office)` per office."""
    elegibles = datos[~datos["excluido"].to_numpy() | datos["prioritario"].to_numpy()]
    grupos = dict(tuple(elegibles.groupby("oficina", sort=True)))
    out = [elegir(grupos[o], int(n), o) for o, n in zip(oficinas["oficina"], oficinas["planeados"]) if o in grupos]
    return np.concatenate(out) if out else np.array([], dtype=np.int64)


def plan_aleatorio(datos: pd.DataFrame, oficinas: pd.DataFrame, semilla: int) -> np.ndarray:
    """A uniform draw of each office's plan size among its eligible workplaces."""
    return _por_oficina(
        datos,
        oficinas,
        lambda g, n, o: g["centro_trabajo_id"].to_numpy()[
            rng_oficina(semilla, o, 1).choice(len(g), size=min(n, len(g)), replace=False)
        ],
    )


def plan_top_riesgo(datos: pd.DataFrame, oficinas: pd.DataFrame) -> np.ndarray:
    """Each office's plan size of eligible workplaces with the highest overall `riesgo`."""
    return _por_oficina(
        datos,
        oficinas,
        lambda g, n, o: g.sort_values(["riesgo", "centro_trabajo_id"], ascending=[False, True], kind="stable")[
            "centro_trabajo_id"
        ].to_numpy()[:n],
    )


def incumplimientos(datos: pd.DataFrame, ids: np.ndarray, reglas: Reglas, oficinas: pd.DataFrame) -> dict[str, int]:
    """Per rule, the number of offices where the choice `ids` breaks it."""
    sel = datos[datos["centro_trabajo_id"].isin(ids)]
    n = dict(zip(oficinas["oficina"], oficinas["planeados"]))
    out: dict[str, int] = {}
    for j, r in enumerate(reglas.cobertura):
        cuenta = sel.groupby("oficina")[f"cob_{j}"].sum()
        out[r.nombre] = int(sum(cuenta.get(o, 0) < math.ceil(r.proporcion * k - 1e-9) for o, k in n.items()))
    if reglas.max_por_municipio is not None:
        por_muni = sel[sel["municipio"] != SIN_MUNICIPIO].groupby(["oficina", "municipio"]).size()
        out[f"máximo {reglas.max_por_municipio} por municipio"] = int(
            por_muni[por_muni > reglas.max_por_municipio].index.get_level_values(0).nunique()
        )
    if reglas.prioritarios:
        faltan = datos[datos["prioritario"].to_numpy() & ~datos["centro_trabajo_id"].isin(ids).to_numpy()]
        out["centros prioritarios"] = int(faltan["oficina"].isin(n).groupby(faltan["oficina"]).any().sum())
    return out


def valor_verdad(carpeta: Path, pesos: dict[str, float]) -> pd.Series:
    """Per CT, the violations an inspection would really find on demo data: the weighted planted
    probabilities of the submaterias in scope (`truth/ct_submateria.parquet`)."""
    t = pq.read_table(
        Path(carpeta) / "ct_submateria.parquet", columns=["centro_trabajo_id", "submateria_id", "prob_violacion"]
    ).to_pandas()
    w = {int(c.removeprefix("pred_")): p for c, p in pesos.items() if c.removeprefix("pred_").isdigit()}
    t = t[t["submateria_id"].isin(list(w))]
    t["v"] = t["prob_violacion"] * t["submateria_id"].map(w)
    return t.groupby("centro_trabajo_id")["v"].sum()


def costos_reglas(cands: pd.DataFrame, plan: Plan, reglas: Reglas, excluidos) -> list[dict]:
    """Each rule's cost in expected violations (plan without it minus plan) and the offices where the plan
    without it would break it (where the rule binds)."""
    total = float(plan.elegidos["infracciones_esperadas"].sum())
    nombres = [r.nombre for r in reglas.cobertura]
    if reglas.max_por_municipio is not None:
        nombres.append("municipio")
    if reglas.prioritarios:
        nombres.append("prioritarios")
    if reglas.exploracion > 0:
        nombres.append("exploracion")
    out = []
    for nombre in nombres:
        sin = planear(cands, reglas.sin(nombre), excluidos)
        rotas = incumplimientos(plan.datos, sin.elegidos["centro_trabajo_id"].to_numpy(), reglas, plan.oficinas)
        etiqueta = {
            "municipio": f"máximo {reglas.max_por_municipio} por municipio",
            "prioritarios": "centros prioritarios",
            "exploracion": f"exploración aleatoria {reglas.exploracion:.0%}",
        }.get(nombre, nombre)
        oficinas = rotas.get(etiqueta) if nombre != "exploracion" else int((plan.oficinas["exploracion"] > 0).sum())
        out.append(
            {
                "regla": etiqueta,
                "costo": float(sin.elegidos["infracciones_esperadas"].sum()) - total,
                "oficinas_donde_limita": int(oficinas or 0),
            }
        )
    return out


def resumen(
    cands: pd.DataFrame, plan: Plan, reglas: Reglas, excluidos, verdad: Path | None = None, con_costos: bool = True
) -> dict:
    datos = plan.datos
    ids = {
        "plan": plan.elegidos["centro_trabajo_id"].to_numpy(),
        "aleatorio": plan_aleatorio(datos, plan.oficinas, reglas.semilla),
        "top_riesgo": plan_top_riesgo(datos, plan.oficinas),
    }
    # The plan without its exploration rows against top-k by riesgo of that same size: what the model and the
    # rules do, apart from the random share kept for evaluation.
    dirigido = plan.oficinas.assign(planeados=plan.oficinas["planeados"] - plan.oficinas["exploracion"])
    ids["plan_sin_exploracion"] = plan.elegidos.loc[
        ~plan.elegidos["exploracion"].to_numpy(), "centro_trabajo_id"
    ].to_numpy()
    ids["top_riesgo_sin_exploracion"] = plan_top_riesgo(datos, dirigido)
    valor = datos.set_index("centro_trabajo_id")["valor"]
    real = valor_verdad(verdad, reglas.pesos) if verdad is not None else None
    if real is not None:  # the best any plan of these sizes could find, knowing the truth (no rules)
        oraculo = datos.assign(valor=real.reindex(datos["centro_trabajo_id"]).fillna(0).to_numpy())
        ids["oraculo"] = _por_oficina(
            oraculo,
            plan.oficinas,
            lambda g, n, o: g.sort_values(["valor", "centro_trabajo_id"], ascending=[False, True], kind="stable")[
                "centro_trabajo_id"
            ].to_numpy()[:n],
        )
    planes = {}
    for nombre, sel in ids.items():
        planes[nombre] = {
            "centros": len(sel),
            "infracciones_esperadas": float(valor.reindex(sel).fillna(0).sum()),
            "infracciones_verdad": float(real.reindex(sel).fillna(0).sum()) if real is not None else None,
            "reglas_incumplidas": incumplimientos(datos, sel, reglas, plan.oficinas)
            if nombre in ("plan", "aleatorio", "top_riesgo")
            else {},
        }
    explora = plan.oficinas[["oficina", "planeados", "exploracion"]].to_dict("records")
    return {
        "periodo": reglas.periodo,
        "oficinas": len(plan.oficinas),
        "capacidad": int(plan.oficinas["capacidad"].sum()) if len(plan.oficinas) else 0,
        "centros": len(plan.elegidos),
        "excluidos": int(datos["excluido"].sum()),
        "planes": planes,
        "reglas": costos_reglas(cands, plan, reglas, excluidos) if con_costos else [],
        "exploracion_por_oficina": explora,
        "avisos": list(plan.avisos),
        "notas": list(reglas.notas),
    }


def _oficinas(n: int) -> str:
    return f"{n} oficina" if n == 1 else f"{n} oficinas"


def _n(x: float) -> str:
    return f"{x:,.1f}"


def texto(r: dict) -> list[str]:
    """The summary as Spanish lines (for the command, the report file and the interface)."""
    p, a, t = r["planes"]["plan"], r["planes"]["aleatorio"], r["planes"]["top_riesgo"]
    lineas = [
        f"Plan de inspección {r['periodo']}: {r['centros']:,} centros de trabajo en {r['oficinas']} oficinas "
        f"(capacidad {r['capacidad']:,}); {r['excluidos']:,} centros excluidos.",
        f"Infracciones esperadas (probabilidades calibradas): plan {_n(p['infracciones_esperadas'])}, "
        f"plan aleatorio del mismo tamaño {_n(a['infracciones_esperadas'])}, los de mayor riesgo "
        f"{_n(t['infracciones_esperadas'])}.",
    ]
    if p["infracciones_verdad"] is not None:
        razon = p["infracciones_verdad"] / a["infracciones_verdad"] if a["infracciones_verdad"] else float("nan")
        lineas.append(
            f"Infracciones según la verdad del demo: plan {_n(p['infracciones_verdad'])}, aleatorio "
            f"{_n(a['infracciones_verdad'])} ({razon:.2f} veces), los de mayor riesgo "
            f"{_n(t['infracciones_verdad'])}; el óptimo con la verdad (sin reglas) "
            f"{_n(r['planes']['oraculo']['infracciones_verdad'])}."
        )
    d, dt = r["planes"]["plan_sin_exploracion"], r["planes"]["top_riesgo_sin_exploracion"]
    verdad_d = (
        f"; según la verdad {_n(d['infracciones_verdad'])} contra {_n(dt['infracciones_verdad'])}"
        if d["infracciones_verdad"] is not None
        else ""
    )
    lineas.append(
        f"Sin la parte de exploración ({d['centros']:,} centros): plan {_n(d['infracciones_esperadas'])} "
        f"contra {_n(dt['infracciones_esperadas'])} de los de mayor riesgo del mismo tamaño{verdad_d}."
    )
    for nombre, etiqueta in (("top_riesgo", "Los de mayor riesgo"), ("aleatorio", "El plan aleatorio")):
        rotas = {k: v for k, v in r["planes"][nombre]["reglas_incumplidas"].items() if v}
        if rotas:
            lineas.append(
                f"{etiqueta} incumple: " + "; ".join(f"{k} en {_oficinas(v)}" for k, v in rotas.items()) + "."
            )
    for regla in r["reglas"]:
        if regla["costo"] > 1e-9 or regla["oficinas_donde_limita"]:
            lineas.append(
                f"Regla «{regla['regla']}»: limita en {_oficinas(regla['oficinas_donde_limita'])} y cuesta "
                f"{_n(regla['costo'])} infracciones esperadas."
            )
        else:
            lineas.append(f"Regla «{regla['regla']}»: no limita el plan (el óptimo sin ella ya la cumple).")
    return lineas
