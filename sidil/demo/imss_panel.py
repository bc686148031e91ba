"""The insured-jobs panel of a run of consecutive IMSS months (NSS x registro), simulated backwards.

The last month of a run has exactly the target number of jobs per registro (for the latest run, the world's
`n_trabajadores`). Going back one month, each job was hired this month with a probability driven by the
registro's `calidad` in the run's year (worse conditions -> more turnover); the rest were already there, and
jobs that ended this month (separations) are added so the previous month has its own, slightly different, size. Persons get an NSS
and a CURP; a few percent hold a second job in another registro. Everything is numpy, one array per attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sidil.demo.imss_empleadores import Empleadores
from sidil.demo.imss_ids import curp_chars, nss_chars
from sidil.demo.world import World

# Share of women among insured jobs by SIDIL sector.
MUJERES = {
    "11": 0.22,
    "21": 0.12,
    "22": 0.20,
    "23": 0.10,
    "31": 0.38,
    "43": 0.33,
    "46": 0.50,
    "48": 0.18,
    "51": 0.38,
    "52": 0.55,
    "53": 0.40,
    "54": 0.45,
    "55": 0.40,
    "56": 0.40,
    "61": 0.60,
    "62": 0.65,
    "71": 0.40,
    "72": 0.50,
    "81": 0.35,
    "93": 0.45,
}
SHARE_SEGUNDO_EMPLEO = 0.03  # jobs held by a person who also works for another registro
SHARE_SIN_CURP = 0.004  # persons with no CURP in any row
SHARE_CURP_VACIA_SEGUNDO = 0.5  # rows of a second job that leave the CURP empty
SHARE_ERROR_SALARIO = 0.001  # rows with a wage below the minimum (capture errors)


def cumsum0(x: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x) + 1, dtype=np.int64)
    np.cumsum(x, out=out[1:])
    return out


def within(counts: np.ndarray) -> np.ndarray:
    """Position of each element inside its block for blocks of the given sizes."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(cumsum0(counts)[:-1], counts)


def tasa_altas(calidad: np.ndarray) -> np.ndarray:
    """Monthly hire (and separation) rate of a registro: about 4.5 % on average, 1-15 % by conditions."""
    return np.clip(0.04 * np.exp(-0.6 * calidad), 0.004, 0.30)


@dataclass
class Panel:
    """Jobs of one run. `activos[t]` are job ids of month t grouped by registro in the order of `registros`."""

    registros: np.ndarray  # world registro index of each local registro
    conteos: np.ndarray  # (R, M) jobs per registro and month
    activos: list[np.ndarray]
    registro_de: np.ndarray  # local registro of each job
    persona: np.ndarray  # person id of each job (ids are job ids)
    nss: np.ndarray  # (J, 11) uint8, by person id
    curp: np.ndarray  # (J, 18) uint8, by person id
    tiene_curp: np.ndarray  # bool by person id
    mujer: np.ndarray  # bool by person id
    nacimiento: np.ndarray  # int32 days since 1970-01-01 by person id
    razon_sm: np.ndarray  # float32 wage as a multiple of the zone minimum, by job
    tipo_trabajador: np.ndarray  # int8 by job
    curp_vacia: np.ndarray  # bool by job: this job's rows leave the CURP empty


def tamanos(rng: np.random.Generator, final: np.ndarray, meses: int) -> np.ndarray:
    """(R, M) monthly sizes ending at `final`, with small month-to-month changes."""
    out = np.empty((len(final), meses), dtype=np.int64)
    out[:, -1] = final
    for t in range(meses - 1, 0, -1):
        n = out[:, t]
        step = np.rint(n * rng.normal(0.0, 0.02, len(n))) + rng.choice([-1, 0, 0, 0, 1], len(n)) * (n < 50)
        out[:, t - 1] = np.maximum(1, n + step)
    return out


def _trayectorias(
    calidad: np.ndarray, registros: np.ndarray, final: np.ndarray, meses: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Monthly sizes, active job ids per month (grouped by registro) and the registro of every job;
    `calidad` holds every world registro's conditions in the run's year."""
    R = len(registros)
    conteos = tamanos(rng, final, meses)
    h = tasa_altas(calidad[registros])
    activos: list[np.ndarray] = [np.empty(0, np.int32)] * meses
    n_t = conteos[:, -1]
    activos[-1] = np.arange(n_t.sum(), dtype=np.int32)
    registro_de = [np.repeat(np.arange(R, dtype=np.int32), n_t)]
    next_id = int(n_t.sum())
    for t in range(meses - 1, 0, -1):
        n_prev = conteos[:, t - 1]
        altas = np.clip(rng.binomial(n_t, h), n_t - n_prev, n_t)
        act = activos[t]
        sobreviven = act[within(n_t) >= np.repeat(altas, n_t)]
        s = n_t - altas
        e = n_prev - s  # jobs that ended in month t (present in t-1 only)
        nuevos = np.arange(next_id, next_id + e.sum(), dtype=np.int32)
        next_id += int(e.sum())
        registro_de.append(np.repeat(np.arange(R, dtype=np.int32), e))
        starts = cumsum0(n_prev)[:-1]
        prev = np.empty(int(n_prev.sum()), dtype=np.int32)
        prev[np.repeat(starts, s) + within(s)] = sobreviven
        del sobreviven
        prev[np.repeat(starts + s, e) + within(e)] = nuevos
        activos[t - 1] = prev
        n_t = n_prev
    return conteos, activos, np.concatenate(registro_de)


def _segundos_empleos(reg_job: np.ndarray, R: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Person of every job (= its id) except second jobs, which take the person of a job of another registro."""
    J = len(reg_job)
    persona = np.arange(J, dtype=np.int32)
    seg = np.flatnonzero(rng.random(J) < SHARE_SEGUNDO_EMPLEO)
    otro = rng.integers(0, J, len(seg))
    es_seg = np.zeros(J, dtype=bool)
    es_seg[seg] = True
    ok = (reg_job[otro] != reg_job[seg]) & ~es_seg[otro]
    seg, otro = seg[ok], otro[ok]
    _, first = np.unique(otro.astype(np.int64) * R + reg_job[seg], return_index=True)
    first = np.sort(first)
    seg, otro = seg[first], otro[first]
    persona[seg] = otro
    return persona, seg


def _secuencias(subdel: np.ndarray, anio_af: np.ndarray, anio_nac: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """NSS sequence numbers making every NSS unique: the rank inside its (subdelegación, affiliation year,
    birth year) group from a random offset. Persons beyond 10,000 in a group move to another subdelegación
    (`subdel` is updated in place)."""
    J = len(subdel)
    for _ in range(50):
        key = subdel.astype(np.int32) * 10_000 + (anio_af % 100).astype(np.int32) * 100 + (anio_nac % 100)
        order = np.argsort(key, kind="stable")
        sk = key[order]
        del key
        grp_start = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
        del sk
        grp_len = np.diff(np.r_[grp_start, J])
        rank = np.empty(J, dtype=np.int32)
        rank[order] = within(grp_len)
        over = rank >= 10_000
        if not over.any():
            break
        subdel[over] = rng.integers(1, 100, int(over.sum()))
    else:  # pragma: no cover - would need far more persons than any scale has
        raise ValueError("no se pudieron asignar NSS únicos")
    offset = np.empty(J, dtype=np.int32)
    offset[order] = np.repeat(rng.integers(0, 10_000, len(grp_start)), grp_len)
    return (rank + offset) % 10_000


def simular(
    world: World,
    emp: Empleadores,
    registros: np.ndarray,
    final: np.ndarray,
    meses: int,
    fecha_ref: np.datetime64,
    rng: np.random.Generator,
    chunk: int = 2_000_000,
) -> Panel:
    """Simulate a run; person and wage attributes are drawn `chunk` jobs at a time (bounded memory)."""
    R = len(registros)
    anio_ref = int(str(fecha_ref)[:4])
    calidad_anio = world.calidad_registros(anio_ref)  # the run's year's conditions (sidil/demo/dinamica.py)
    conteos, activos, reg_job = _trayectorias(calidad_anio, registros, final, meses, rng)
    J = len(reg_job)
    persona, seg = _segundos_empleos(reg_job, R, rng)

    p_mujer_sector = np.array([MUJERES[s] for s in world.sectores])
    es_construccion = np.asarray(world.sectores) == "23"
    es_agro = np.asarray(world.sectores) == "11"
    ref_days = int(fecha_ref.astype("datetime64[D]").astype(np.int64))
    mujer = np.empty(J, dtype=bool)
    nacimiento = np.empty(J, dtype=np.int32)  # days since 1970-01-01
    curp = np.empty((J, 18), dtype=np.uint8)
    subdel = np.empty(J, dtype=np.int16)
    anio_af = np.empty(J, dtype=np.int16)
    anio_nac = np.empty(J, dtype=np.int16)
    for a in range(0, J, chunk):
        b = min(a + chunk, J)
        n = b - a
        wreg = registros[reg_job[a:b]]
        mujer[a:b] = rng.random(n) < p_mujer_sector[emp.sector[wreg]]
        edad = 17.5 + rng.gamma(2.4, 7.5, n)
        edad = np.where(edad > 76, 18 + 40 * rng.random(n), edad)  # few insured workers past 75
        nac = ref_days - np.rint(edad * 365.25).astype(np.int64)
        nacimiento[a:b] = nac
        estado_nac = np.where(rng.random(n) < 0.75, emp.estado[wreg], rng.integers(0, 32, n))
        estado_nac[rng.random(n) < 0.005] = 32  # born abroad
        nac_d = nac.astype("datetime64[D]")
        y_nac = nac_d.astype("datetime64[Y]").astype(np.int64) + 1970
        anio_nac[a:b] = y_nac
        af = y_nac + 16 + np.floor(rng.random(n) * np.maximum(anio_ref - y_nac - 15, 1)).astype(np.int64)
        anio_af[a:b] = np.minimum(af, anio_ref)
        subdel[a:b] = np.where(rng.random(n) < 0.7, emp.cve_subdelegacion[wreg] % 100, rng.integers(1, 60, n))
        curp[a:b] = curp_chars(rng, nac_d, mujer[a:b], estado_nac)

    seq = _secuencias(subdel, anio_af, anio_nac, rng)
    nss = np.empty((J, 11), dtype=np.uint8)
    for a in range(0, J, chunk):
        b = min(a + chunk, J)
        nss[a:b] = nss_chars(subdel[a:b], anio_af[a:b], anio_nac[a:b], seq[a:b])
    del subdel, anio_af, anio_nac, seq
    tiene_curp = rng.random(J) >= SHARE_SIN_CURP
    curp_vacia = np.zeros(J, dtype=bool)
    curp_vacia[seg[rng.random(len(seg)) < SHARE_CURP_VACIA_SEGUNDO]] = True

    # Wages as a multiple of the zone minimum, driven by calidad; women earn less where conditions are worse.
    razon = np.empty(J, dtype=np.float32)
    tipo = np.empty(J, dtype=np.int8)
    for a in range(0, J, chunk):
        b = min(a + chunk, J)
        n = b - a
        wreg = registros[reg_job[a:b]]
        cal = calidad_anio[wreg]
        m = mujer[persona[a:b]]
        p_min = 1.0 / (1.0 + np.exp(1.0 + 1.3 * cal - 0.35 * m))
        al_minimo = rng.random(n) < p_min
        brecha = np.clip(0.15 - 0.10 * cal, 0.0, 0.40)
        extra = np.exp(rng.normal(np.log(0.5 + 0.45 * np.exp(0.45 * cal)), 0.7, n)) * np.exp(-brecha * m)
        r = np.where(al_minimo, np.where(rng.random(n) < 0.7, 1.0, 1.0 + 0.05 * rng.random(n)), 1.051 + extra)
        error = rng.random(n) < SHARE_ERROR_SALARIO
        r[error] = 0.3 + 0.6 * rng.random(int(error.sum()))
        razon[a:b] = r
        sector = emp.sector[wreg]
        u = rng.random(n)
        tipo[a:b] = np.where(
            es_construccion[sector],
            np.where(u < 0.55, 3, np.where(u < 0.9, 1, 2)),
            np.where(es_agro[sector], np.where(u < 0.4, 4, 1), np.where(u < 0.88, 1, 2)),
        )
    return Panel(
        registros=registros,
        conteos=conteos,
        activos=activos,
        registro_de=reg_job,
        persona=persona,
        nss=nss,
        curp=curp,
        tiene_curp=tiene_curp,
        mujer=mujer,
        nacimiento=nacimiento,
        razon_sm=razon,
        tipo_trabajador=tipo,
        curp_vacia=curp_vacia,
    )
