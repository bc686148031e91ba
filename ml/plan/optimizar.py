"""Choose, office by office, the workplaces that maximise the expected violations found under the rules.

Why office by office is exact: every rule is per office (capacity, coverage shares of the office's plan, the
municipality maximum, since a municipality lies in one state) and the objective is a sum, so the national
problem is 32 independent problems and the sum of their optima is the national optimum.

Why the reduced problem is exact: two candidates with the same municipality and the same membership in every
coverage class ("signature") are interchangeable in every constraint. In an optimal plan, if a lower-valued
one is chosen while a higher-valued one of the same signature is not, swapping them keeps every rule and does
not lower the objective. So some optimal plan uses only the top L of each signature, where L is what can be
chosen at most (the remaining capacity, or the municipality's remaining maximum). Only those enter the MILP:
at full scale a few thousand variables per office instead of tens of thousands.

Without coverage rules the constraints (a cardinality and a maximum per municipality) form a laminar matroid,
on which the greedy choice (highest value first, skipping full municipalities) is optimal; the MILP (scipy's
`milp`, HiGHS) is used only when a coverage rule is present."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, vstack

from ml.plan.reglas import PlanInfactible, Reglas

MOTIVO_PRIORITARIO = "centro prioritario"
MOTIVO_EXPLORACION = "exploración aleatoria"
MOTIVO_RIESGO = "mayor número esperado de infracciones"
MOTIVO_COBERTURA = "cobertura: "
# A workplace without a municipality is under no municipality's maximum (it is not in any).
SIN_MUNICIPIO = "sin municipio"


def _tope(municipio: str, maximo: int) -> int:
    return 10**9 if municipio == SIN_MUNICIPIO else maximo


def valor_esperado(df: pd.DataFrame, pesos: dict[str, float]) -> np.ndarray:
    """Expected violations found by inspecting each row: the weighted sum of its calibrated probabilities
    (a missing prediction adds nothing)."""
    v = np.zeros(len(df))
    for col, w in pesos.items():
        v += w * np.nan_to_num(df[col].to_numpy(dtype=float), nan=0.0)
    return v


def rng_oficina(semilla: int, oficina: str, flujo: int = 0) -> np.random.Generator:
    """One random stream per (seed, office, purpose): an office's draw does not depend on the others."""
    return np.random.default_rng([int(semilla), zlib.crc32(str(oficina).encode()), flujo])


def preparar(cands: pd.DataFrame, reglas: Reglas, excluidos) -> pd.DataFrame:
    """The columns the solver needs: id, office, municipality, value, risk, one boolean per coverage rule,
    excluded and priority flags. Rows without an office are dropped (they belong to no office's plan)."""
    df = pd.DataFrame(
        {
            "centro_trabajo_id": cands["centro_trabajo_id"].to_numpy(dtype=np.int64),
            "oficina": cands["geo2"].astype("string"),
            "municipio": cands["geo5"].astype("string").fillna(SIN_MUNICIPIO),
            "valor": valor_esperado(cands, reglas.pesos),
            "riesgo": pd.to_numeric(cands["riesgo"], errors="coerce").fillna(0.0).to_numpy(dtype=float),
        }
    )
    for j, r in enumerate(reglas.cobertura):
        col = cands[r.dimension]
        texto = (
            col.astype("string")
            if col.dtype == object or str(col.dtype) == "string"
            else pd.to_numeric(col, errors="coerce").astype("Int64").astype("string")
        )
        df[f"cob_{j}"] = (texto == str(r.valor)).fillna(False).to_numpy(dtype=bool)
    df["excluido"] = df["centro_trabajo_id"].isin(
        np.asarray(list(excluidos) if not isinstance(excluidos, np.ndarray) else excluidos, dtype=np.int64)
    )
    df["prioritario"] = df["centro_trabajo_id"].isin(np.fromiter(reglas.prioritarios, dtype=np.int64))
    return df[df["oficina"].notna()].reset_index(drop=True)


@dataclass
class ResultadoOficina:
    oficina: str
    capacidad: int
    planeados: int
    candidatos: int  # eligible: in the office, not excluded (or priority)
    excluidos: int
    ids: np.ndarray
    motivos: list[str]
    exploracion: np.ndarray  # bool per chosen id
    valores: np.ndarray
    avisos: list[str]
    necesidad: dict[str, int]  # coverage rule name -> plan rows it requires in this office


def _greedy(valor: np.ndarray, municipio: np.ndarray, krem: dict | None, r: int) -> np.ndarray:
    """Positions of the greedy choice: highest value first, at most krem[m] per municipality, r in all."""
    orden = np.lexsort((np.arange(len(valor)), -valor))
    if krem is None:
        return orden[:r]
    tomados: dict = {}
    out = []
    for i in orden:
        m = municipio[i]
        if tomados.get(m, 0) < krem[m]:
            tomados[m] = tomados.get(m, 0) + 1
            out.append(i)
            if len(out) == r:
                break
    return np.asarray(out, dtype=np.int64)


def _reducir(pool: pd.DataFrame, firma: list[str], r: int, krem: dict | None) -> pd.DataFrame:
    """Keep the top L of every signature (see the module docstring)."""
    if pool.empty:
        return pool
    pool = pool.sort_values(["valor", "centro_trabajo_id"], ascending=[False, True], kind="stable")
    rango = pool.groupby(firma, sort=False, dropna=False).cumcount().to_numpy() if firma else np.arange(len(pool))
    limite = np.full(len(pool), r)
    if krem is not None:
        limite = np.minimum(limite, pool["municipio"].map(krem).to_numpy(dtype=np.int64))
    return pool[rango < limite]


def _milp(pool: pd.DataFrame, r: int, necesidades: dict[int, int], krem: dict | None):
    """Solve the reduced office problem; returns chosen positions in `pool`, or None when infeasible."""
    n = len(pool)
    filas, cols, vals, lb, ub = [], [], [], [], []
    fila = 0
    filas += [fila] * n
    cols += list(range(n))
    vals += [1.0] * n
    lb.append(r)
    ub.append(r)
    fila += 1
    for j, need in necesidades.items():
        idx = np.flatnonzero(pool[f"cob_{j}"].to_numpy())
        filas += [fila] * len(idx)
        cols += idx.tolist()
        vals += [1.0] * len(idx)
        lb.append(need)
        ub.append(np.inf)
        fila += 1
    if krem is not None:
        codigos, munis = pd.factorize(pool["municipio"])
        cuenta = np.bincount(codigos, minlength=len(munis))
        for k, m in enumerate(munis):
            if cuenta[k] > krem[m]:  # a municipality with fewer candidates than its maximum never binds
                idx = np.flatnonzero(codigos == k)
                filas += [fila] * len(idx)
                cols += idx.tolist()
                vals += [1.0] * len(idx)
                lb.append(-np.inf)
                ub.append(krem[m])
                fila += 1
    a = coo_array((vals, (filas, cols)), shape=(fila, n)).tocsr()
    c = -pool["valor"].to_numpy()
    lb, ub = np.asarray(lb, dtype=float), np.asarray(ub, dtype=float)
    # The LP relaxation first (dual simplex: a vertex). LP optimum >= MILP optimum, so an integral vertex is
    # a MILP optimum; on these instances it nearly always is, and it takes a twentieth of the MILP's time.
    arriba, abajo = np.isfinite(ub), np.isfinite(lb) & ~np.isfinite(ub)
    igual = np.isfinite(ub) & (lb == ub)
    arriba &= ~igual
    lp = linprog(
        c,
        A_ub=vstack([a[arriba], -a[abajo]]) if (arriba | abajo).any() else None,
        b_ub=np.r_[ub[arriba], -lb[abajo]] if (arriba | abajo).any() else None,
        A_eq=a[igual],
        b_eq=ub[igual],
        bounds=(0, 1),
        method="highs-ds",
    )
    if lp.status == 2:
        return None
    if lp.status == 0 and np.all(np.minimum(lp.x, 1 - lp.x) < 1e-9):
        return np.flatnonzero(lp.x > 0.5)
    res = milp(
        c=c,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(a, lb, ub),
        options={"mip_rel_gap": 1e-9},
    )
    if res.status == 2 or res.x is None:
        return None
    if res.status != 0:
        raise RuntimeError(f"HiGHS no terminó: {res.message}")
    return np.flatnonzero(res.x > 0.5)


def resolver_oficina(g: pd.DataFrame, oficina: str, capacidad: int, reglas: Reglas) -> ResultadoOficina:
    avisos: list[str] = []
    K = reglas.max_por_municipio
    prio = g[g["prioritario"].to_numpy()]
    pool = g[~g["excluido"].to_numpy() & ~g["prioritario"].to_numpy()]
    prio_recientes = int(prio["excluido"].sum())
    if prio_recientes:
        avisos.append(
            f"oficina {oficina}: {prio_recientes} centros prioritarios entran aunque fueron "
            f"excluidos (inspección reciente o procedimiento abierto)"
        )
    if len(prio) > capacidad:
        raise PlanInfactible(
            f"No se puede cumplir la regla de centros prioritarios en la oficina {oficina}: hay {len(prio)} "
            f"prioritarios y la capacidad es de {capacidad} inspecciones."
        )
    prio_m = prio["municipio"].value_counts().to_dict()
    if K is not None:
        excede = {m: c for m, c in prio_m.items() if c > _tope(m, K)}
        if excede:
            m, c = next(iter(sorted(excede.items())))
            raise PlanInfactible(
                f"No se puede cumplir la regla de máximo {K} inspecciones por municipio en la oficina "
                f"{oficina}: el municipio {m} tiene {c} centros prioritarios."
            )
        pool_m = pool["municipio"].value_counts()
        disponibles = len(prio) + int(sum(min(_tope(m, K) - prio_m.get(m, 0), c) for m, c in pool_m.items()))
    else:
        disponibles = len(prio) + len(pool)
    n = min(capacidad, disponibles)
    if n < capacidad:
        avisos.append(
            f"oficina {oficina}: solo {n} de {capacidad} inspecciones se pueden asignar "
            f"(candidatos elegibles insuficientes)"
        )
    e = math.floor(reglas.exploracion * n + 0.5)
    if len(prio) + e > n:
        raise PlanInfactible(
            f"No se puede cumplir la regla de exploración ({reglas.exploracion:.0%}) en la oficina {oficina}: "
            f"{len(prio)} centros prioritarios más {e} de exploración exceden las {n} inspecciones."
        )

    # Exploration: a uniform draw among the eligible non-priority candidates (skipping full municipalities).
    ocupado = dict(prio_m)
    perm = rng_oficina(reglas.semilla, oficina).permutation(len(pool))
    muni = pool["municipio"].to_numpy()
    explora = []
    for i in perm:
        if len(explora) == e:
            break
        if K is None or ocupado.get(muni[i], 0) < _tope(muni[i], K):
            ocupado[muni[i]] = ocupado.get(muni[i], 0) + 1
            explora.append(i)
    if len(explora) < e:  # cannot happen: n already respects the municipality maximum
        raise PlanInfactible(f"No se puede cumplir la regla de exploración en la oficina {oficina}.")
    explora_mask = np.zeros(len(pool), dtype=bool)
    explora_mask[explora] = True
    resto = pool[~explora_mask]
    fijos = pd.concat([prio, pool[explora_mask]])
    r = n - len(fijos)

    krem = None
    if K is not None:
        krem = {m: _tope(m, K) - ocupado.get(m, 0) for m in resto["municipio"].unique()}
    necesidad: dict[str, int] = {}
    necesidades: dict[int, int] = {}
    for j, regla in enumerate(reglas.cobertura):
        total = math.ceil(regla.proporcion * n - 1e-9)
        necesidad[regla.nombre] = total
        falta = total - int(fijos[f"cob_{j}"].sum())
        if falta > 0:
            necesidades[j] = falta
            en_clase = resto[resto[f"cob_{j}"].to_numpy()]
            if krem is None:
                alcanzable = len(en_clase)
            else:
                alcanzable = int(sum(min(krem[m], c) for m, c in en_clase["municipio"].value_counts().items()))
            if falta > r:
                raise PlanInfactible(
                    f"No se puede cumplir la regla de {regla.nombre} en la oficina {oficina}: requiere {total} de "
                    f"{n} inspecciones y los centros prioritarios y la exploración aleatoria solo aportan "
                    f"{total - falta}, con {r} inspecciones libres."
                )
            if alcanzable < falta:
                raise PlanInfactible(
                    f"No se puede cumplir la regla de {regla.nombre} en la oficina {oficina}: requiere {total} de "
                    f"{n} inspecciones y solo hay {alcanzable + total - falta} centros elegibles de esa clase"
                    + (f" (con el máximo de {K} por municipio)." if K is not None else ".")
                )

    firma = (["municipio"] if K is not None else []) + [f"cob_{j}" for j in necesidades]
    red = _reducir(resto, firma, r, krem)
    greedy = red.iloc[_greedy(red["valor"].to_numpy(), red["municipio"].to_numpy(), krem, r)]
    if necesidades and r > 0:
        pos = _milp(red, r, necesidades, krem)
        if pos is None:
            raise PlanInfactible(_nombrar_conflicto(red, r, necesidades, krem, reglas, oficina, n))
        elegidos = red.iloc[pos]
    else:
        elegidos = greedy
    sin_cobertura = set(greedy["centro_trabajo_id"].tolist())
    motivos = [MOTIVO_PRIORITARIO] * len(prio) + [MOTIVO_EXPLORACION] * len(explora)
    ids_el = elegidos["centro_trabajo_id"].to_numpy()
    clases = {j: elegidos[f"cob_{j}"].to_numpy() for j in necesidades}
    for k, ct in enumerate(ids_el):
        motivo = MOTIVO_RIESGO
        if ct not in sin_cobertura:
            j = next((j for j in necesidades if clases[j][k]), None)
            if j is not None:
                motivo = MOTIVO_COBERTURA + reglas.cobertura[j].nombre
        motivos.append(motivo)
    todos = pd.concat([fijos, elegidos])
    return ResultadoOficina(
        oficina=oficina,
        capacidad=capacidad,
        planeados=len(todos),
        candidatos=int((~g["excluido"]).sum() + prio_recientes),
        excluidos=int(g["excluido"].sum()),
        ids=todos["centro_trabajo_id"].to_numpy(),
        motivos=motivos,
        exploracion=np.r_[np.zeros(len(prio), bool), np.ones(len(explora), bool), np.zeros(len(elegidos), bool)],
        valores=todos["valor"].to_numpy(),
        avisos=avisos,
        necesidad=necesidad,
    )


def _nombrar_conflicto(red, r, necesidades, krem, reglas, oficina, n) -> str:
    """Which coverage rules cannot be met together: those whose removal alone makes the office feasible."""
    culpables = [
        reglas.cobertura[j].nombre
        for j in necesidades
        if _milp(red, r, {k: v for k, v in necesidades.items() if k != j}, krem) is not None
    ]
    nombres = culpables or [reglas.cobertura[j].nombre for j in necesidades]
    if len(nombres) == 1:
        return (
            f"No se puede cumplir la regla de {nombres[0]} en la oficina {oficina} ({n} inspecciones) junto "
            f"con las demás reglas"
            + (f" (máximo de {reglas.max_por_municipio} por municipio)." if krem is not None else ".")
        )
    extra = f" y el máximo de {reglas.max_por_municipio} por municipio" if krem is not None else ""
    return (
        f"No se pueden cumplir juntas en la oficina {oficina} ({n} inspecciones{extra}) las reglas: "
        + "; ".join(nombres)
        + ". Reduzca alguna de esas proporciones o aumente la capacidad."
    )


@dataclass
class Plan:
    elegidos: pd.DataFrame  # one row per chosen workplace
    oficinas: pd.DataFrame  # one row per office
    avisos: list[str]
    datos: pd.DataFrame  # the prepared candidates (for baselines and the summary)


def planear(cands: pd.DataFrame, reglas: Reglas, excluidos=()) -> Plan:
    """The plan for every office in `reglas.capacidad` (an office with no capacity gets no rows)."""
    datos = preparar(cands, reglas, excluidos)
    por_oficina = {o: g for o, g in datos.groupby("oficina", sort=True)}
    vacio = datos.iloc[:0]
    resultados = [
        resolver_oficina(por_oficina.get(o, vacio), o, int(c), reglas)
        for o, c in sorted(reglas.capacidad.items())
        if c > 0
    ]
    avisos = [a for res in resultados for a in res.avisos]
    sin_oficina = sorted(set(reglas.capacidad) - set(por_oficina))
    if sin_oficina:
        avisos.append("oficinas con capacidad sin centros de trabajo en la MPR: " + ", ".join(sin_oficina))
    filas = []
    for res in resultados:
        orden = np.argsort(-res.valores, kind="stable")
        filas.append(
            pd.DataFrame(
                {
                    "oficina": res.oficina,
                    "centro_trabajo_id": res.ids[orden],
                    "motivo": np.asarray(res.motivos, dtype=object)[orden],
                    "infracciones_esperadas": res.valores[orden],
                    "exploracion": res.exploracion[orden],
                    "orden": np.arange(1, len(res.ids) + 1),
                }
            )
        )
    elegidos = (
        pd.concat(filas, ignore_index=True)
        if filas
        else pd.DataFrame(
            columns=["oficina", "centro_trabajo_id", "motivo", "infracciones_esperadas", "exploracion", "orden"]
        )
    )
    oficinas = pd.DataFrame(
        [
            {
                "oficina": res.oficina,
                "capacidad": res.capacidad,
                "planeados": res.planeados,
                "candidatos": res.candidatos,
                "excluidos": res.excluidos,
                "exploracion": int(res.exploracion.sum()),
                "prioritarios": sum(m == MOTIVO_PRIORITARIO for m in res.motivos),
                "infracciones_esperadas": float(res.valores.sum()),
                **{f"necesidad::{k}": v for k, v in res.necesidad.items()},
            }
            for res in resultados
        ]
    )
    return Plan(elegidos=elegidos, oficinas=oficinas, avisos=avisos, datos=datos)
