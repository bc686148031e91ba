"""Work risks (riesgos de trabajo) reported to IMSS in a calendar year, as cumulative cuts.

Each registro's accidents follow a Poisson rate per insured worker driven by its `calidad` of that year and
its risk class;
each risk names a worker of that registro (NSS), a start date, its type, consequence and days of subsidised
incapacity. A cut for month m holds every risk whose case closed (`fecha_alta`) by the end of m, so the
September cut contains every row of the March cut, unchanged.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sidil.demo.imss_empleadores import Empleadores
from sidil.demo.imss_panel import Panel, cumsum0
from sidil.demo.world import World

TASA_ANUAL = 0.026  # risks per insured worker and year (IMSS: about 2.5-3 per 100)
CLASE_FACTOR = np.array([0.5, 0.8, 1.0, 1.4, 2.0])
# consecuencia: 0 sin incapacidad, 1 incapacidad temporal, 2 incapacidad permanente parcial,
# 3 incapacidad permanente total, 4 defunción.
P_CONSECUENCIA = np.array([0.06, 0.876, 0.048, 0.009, 0.007])


def riesgos_anio(
    world: World, emp: Empleadores, panel: Panel, anio: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Every risk starting in `anio`, sorted by fecha_inicio (then registro). Columns as numpy arrays;
    `registro` holds world registro indices (the writer formats them)."""
    regs = panel.registros
    n0 = panel.conteos[:, 0]
    cal = world.calidad_registros(anio)[regs]
    clase = world.registros.clase_riesgo[regs].astype(np.int64)
    lam = TASA_ANUAL * np.exp(-0.45 * cal) * CLASE_FACTOR[clase - 1] * n0
    k = rng.poisson(lam)
    local = np.repeat(np.arange(len(regs)), k)
    m = len(local)
    # A worker of the registro in the run's first month.
    starts = cumsum0(n0)[:-1]
    job = panel.activos[0][starts[local] + np.floor(rng.random(m) * n0[local]).astype(np.int64)]
    nss = panel.nss[panel.persona[job]]
    ini = np.datetime64(f"{anio}-01-01") + np.floor(rng.random(m) * 365).astype("timedelta64[D]")
    sector = np.asarray(world.sectores)[emp.sector[regs[local]]]
    p_enf = 0.02 * np.where(clase[local] >= 4, 3.0, 1.0) * np.where(sector == "21", 2.0, 1.0)
    u = rng.random(m)
    tipo = np.where(u < p_enf, 3, np.where(u < p_enf + 0.22, 2, 1)).astype(np.int64)
    p = np.tile(P_CONSECUENCIA, (m, 1))
    p[:, 4] *= np.where(tipo == 2, 2.0, 1.0) * np.where(clase[local] == 5, 2.0, 1.0)
    p /= p.sum(axis=1, keepdims=True)
    cons = (rng.random(m)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    cons = np.minimum(cons, 4)
    mediana = np.array([0.0, 12.0, 60.0, 120.0, 2.0])[cons]
    dias = np.where(cons == 0, 0, np.minimum(np.ceil(mediana * np.exp(rng.normal(0, 0.8, m))), 364)).astype(np.int64)
    dias = np.where(cons == 4, np.minimum(dias, 30), dias)
    alta = ini + dias.astype("timedelta64[D]")
    pct = np.where(cons == 2, rng.integers(5, 70, m), np.where(cons == 3, 100, -1))
    sel = np.lexsort((local, ini))
    return {
        "registro": regs[local[sel]],
        "nss": nss[sel],
        "fecha_inicio": ini[sel],
        "tipo_riesgo": tipo[sel],
        "consecuencia": cons[sel],
        "dias_subsidiados": dias[sel],
        "porcentaje_incapacidad": pct[sel],
        "fecha_alta": alta[sel],
    }


def corte(r: dict[str, np.ndarray], anio: int, mes: int) -> dict[str, np.ndarray]:
    """The rows a cut at the end of `mes` holds: cases closed by then (cumulative within the year)."""
    fin = (np.datetime64(f"{anio}-{mes:02d}", "M") + 1).astype("datetime64[D]")
    keep = r["fecha_alta"] < fin
    return {k: v[keep] for k, v in r.items()}


def tabla(world: World, emp: Empleadores, r: dict, campo_registro: str) -> pa.Table:
    reg = r["registro"]
    n = len(reg)
    pct = r["porcentaje_incapacidad"]
    return pa.table(
        {
            campo_registro: pa.array(emp.registro[reg].astype(str)),
            "nss": pa.array(r["nss"].view("S11").ravel().astype(str) if n else np.array([], dtype=str)),
            "fecha_inicio": pa.array(r["fecha_inicio"], pa.date32()),
            "tipo_riesgo": pa.array(r["tipo_riesgo"], pa.int32()),
            "consecuencia": pa.array(r["consecuencia"], pa.int32()),
            "dias_subsidiados": pa.array(r["dias_subsidiados"], pa.int32()),
            "porcentaje_incapacidad": pa.array(pct, pa.int32(), mask=pct < 0),
            "fecha_alta": pa.array(r["fecha_alta"], pa.date32()),
            "cve_delegacion": pa.array(emp.cve_delegacion[reg], pa.int32()),
            "cve_subdelegacion": pa.array(emp.cve_subdelegacion[reg], pa.int32()),
            "cve_municipio": pa.array(emp.cve_municipio[reg].astype(str)),
            "sector_economico_4": pa.array(emp.sector_economico_4[reg], pa.int32()),
            "clase_riesgo": pa.array(world.registros.clase_riesgo[reg], pa.int32()),
        }
    )
