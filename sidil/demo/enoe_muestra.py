"""The synthetic ENOE sample of one quarter: design, households, persons and their answers.

A stratified two-stage design like INEGI's: strata (`est_d` / `est_d_tri`) nested in states, several
PSUs (`upm`) per stratum, dwellings/households in PSUs and their residents. The frame (strata, PSUs and
their municipalities) is fixed per survey edition (classic ENOE / ENOE-N); dwellings are drawn anew
every quarter. Weights are inverse inclusion rates varying by stratum and household, calibrated to the
state population of the year.

Labor answers follow the world: state participation, unemployment and informality are calibrated to
INEGI's real 2023 Q1 values (shifted by the national trend of the year), and job quality (social
security, benefits, contract, union, income) is driven by `world.efecto_area(state, sector)`, so ENOE
area indicators carry the signal of the CT violation probabilities.

Everything is numpy, vectorised over persons; arrays are returned in `Muestra.v` (one row per SDEM
resident) with the codes INEGI uses, NaN where a question was not asked.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import lru_cache, partial

import numpy as np

from sidil.demo import catalogs
from sidil.demo.randomness import stream
from sidil.demo.world import World

# Households per PSU per quarter by scale (tiny needs few so that every state has >= 2 strata).
HOGARES_POR_UPM = {"tiny": 6, "small": 10, "full": 18}
POBLACION_2020 = 126_014_024
CRECIMIENTO_ANUAL = 0.0085
# National trend of INEGI's Q1 rates (participation, unemployment, informality TIL1, in %), the real
# 2023 Q1 state values are shifted by (year - 2023).
TENDENCIA = {
    2012: (59.2, 4.9, 59.8),
    2013: (58.9, 4.9, 58.8),
    2014: (58.4, 4.8, 58.2),
    2015: (59.1, 4.2, 57.6),
    2016: (59.2, 4.0, 57.4),
    2017: (58.8, 3.4, 57.0),
    2018: (59.5, 3.2, 56.8),
    2019: (60.0, 3.5, 56.9),
    2020: (59.8, 3.4, 56.1),
    2021: (57.1, 4.4, 55.1),
    2022: (59.1, 3.5, 55.2),
    2023: (60.2, 2.7, 55.1),
    2024: (59.9, 2.5, 54.3),
    2025: (59.5, 2.5, 54.9),
    2026: (59.6, 2.6, 54.6),
}
# Mean monthly labor income of paid subordinate workers (nominal pesos), INEGI order of magnitude.
INGRESO_MEDIO = {
    2012: 5300,
    2013: 5450,
    2014: 5600,
    2015: 5750,
    2016: 5950,
    2017: 6200,
    2018: 6450,
    2019: 6800,
    2020: 7100,
    2021: 7400,
    2022: 8100,
    2023: 9000,
    2024: 10500,
    2025: 11800,
    2026: 12800,
}
# Share of total employment by SIDIL sector (ENOE, all positions), before state adjustments.
SECTOR_OCUPACION = {
    "11": 0.115,
    "21": 0.004,
    "22": 0.005,
    "23": 0.080,
    "31": 0.165,
    "43": 0.035,
    "46": 0.165,
    "48": 0.050,
    "51": 0.008,
    "52": 0.010,
    "53": 0.005,
    "54": 0.020,
    "55": 0.001,
    "56": 0.040,
    "61": 0.045,
    "62": 0.030,
    "71": 0.010,
    "72": 0.085,
    "81": 0.085,
    "93": 0.045,
}
# Mean log10 of the size of the economic unit of paid workers, by sector.
SECTOR_TAMANIO = {
    "93": 2.3,
    "22": 2.3,
    "21": 2.2,
    "52": 2.1,
    "55": 2.0,
    "31": 1.8,
    "61": 1.9,
    "62": 1.8,
    "43": 1.4,
    "48": 1.3,
    "51": 1.5,
    "56": 1.5,
    "54": 1.1,
    "23": 1.2,
    "53": 0.9,
    "71": 1.0,
    "46": 0.9,
    "72": 0.8,
    "81": 0.5,
    "11": 0.6,
}
# Share of paid workers in public institutions by sector, and their level of government (fed, est, mun).
SECTOR_PUBLICO = {"93": 1.0, "61": 0.6, "62": 0.45, "22": 0.55, "21": 0.4}
NIVEL_GOBIERNO = {
    "93": (0.25, 0.40, 0.35),
    "61": (0.30, 0.65, 0.05),
    "62": (0.65, 0.33, 0.02),
    "22": (1.0, 0.0, 0.0),
    "21": (1.0, 0.0, 0.0),
}
# Unit-size codes (p3l / p3q) by number of workers: 1; 2-5; 6-10; 11-15; 16-20; 21-30; 31-50;
# 51-100; 101-250; 251-500; 501+.
TAMANIO_LIMITES = np.array([1, 5, 10, 15, 20, 30, 50, 100, 250, 500])
# INEGI's rama (SDEM `rama`): 1 construction, 2 manufacturing, 3 commerce, 4 services, 5 other, 6 agro.
RAMA_SECTOR = {"23": 1, "31": 2, "43": 3, "46": 3, "11": 6, "21": 5, "22": 5}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def calibrar(
    lin: np.ndarray, grupo: np.ndarray, objetivo: np.ndarray, peso: np.ndarray, n_grupos: int, iteraciones: int = 30
) -> np.ndarray:
    """Intercept per group so that the weighted mean of sigmoid(lin + c[group]) equals `objetivo`."""
    c = np.log(objetivo / (1 - objetivo)) - np.bincount(grupo, peso * lin, n_grupos) / np.maximum(
        np.bincount(grupo, peso, n_grupos), 1e-9
    )
    total = np.maximum(np.bincount(grupo, peso, n_grupos), 1e-9)
    for _ in range(iteraciones):
        p = _sigmoid(lin + c[grupo])
        f = np.bincount(grupo, peso * p, n_grupos) / total - objetivo
        d = np.bincount(grupo, peso * p * (1 - p), n_grupos) / total
        c -= f / np.maximum(d, 1e-6)
    return c


def _elegir(rng: np.random.Generator, prob: np.ndarray, fila: np.ndarray) -> np.ndarray:
    """Draw a category per unit from row `fila[i]` of the probability matrix `prob` (rows sum to 1)."""
    cum = np.cumsum(prob, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(fila))
    return (cum[fila] < u[:, None]).sum(axis=1)


def poblacion(anio: int, trimestre: int) -> float:
    return POBLACION_2020 * (1 + CRECIMIENTO_ANUAL) ** (anio - 2020 + (trimestre - 2.5) / 4)


@dataclass
class Marco:
    """Sampling frame of one survey edition: strata and PSUs (all arrays indexed by PSU)."""

    estrato: np.ndarray  # stratum number (1-based, national, nested in states)
    estado: np.ndarray  # 0-based state
    municipio: np.ndarray  # index into world.municipios
    t_loc: np.ndarray  # locality size 1 (100k+) .. 4 (< 2,500)
    upm: np.ndarray  # 7-digit PSU number (state prefix)
    con: np.ndarray  # control number, unique within the state
    cd_a: np.ndarray  # self-represented city code (state's main municipality) or 96
    est: np.ndarray  # socioeconomic stratum 1-4
    loc: np.ndarray  # locality number within the municipality


_MARCOS: "weakref.WeakKeyDictionary[World, dict[str, Marco]]" = weakref.WeakKeyDictionary()


def marco(world: World, edicion: str) -> Marco:
    """The frame of `edicion` ('clasica' or 'nueva'), built once per world."""
    cache = _MARCOS.setdefault(world, {})
    if edicion in cache:
        return cache[edicion]
    s = world.scale
    rng = stream(world.seed, "enoe", "marco", edicion)
    k = s.enoe_upm_por_estrato
    hogares = s.enoe_personas / 3.6
    n_upm = max(hogares / HOGARES_POR_UPM.get(s.name, 12), 64 * k)
    mun = world.municipios
    pob_mun = mun["poblacion_2020"].to_numpy(dtype=float)
    est_mun = world.municipio_estado
    pob_est = np.bincount(est_mun, pob_mun, 32)
    asign = np.sqrt(pob_est) / np.sqrt(pob_est).sum() * n_upm
    estratos_por_estado = np.maximum(2, np.round(asign / k)).astype(int)

    cols: dict[str, list] = {c: [] for c in ("estrato", "estado", "municipio", "t_loc", "est", "loc")}
    n_estrato = 0
    for e in range(32):
        n_h = estratos_por_estado[e]
        # Locality-size type of each stratum, ordered (codes grow with rurality within the state).
        t_loc_h = np.sort(rng.choice(4, n_h, p=[0.45, 0.15, 0.15, 0.25]) + 1)
        t_loc_h[0] = 1  # every state has an urban stratum (its capital)
        # PSUs per stratum: k, a few with one PSU (realistic), a few with k + 1.
        upm_h = np.full(n_h, k)
        u = rng.random(n_h)
        upm_h[u < 0.03] = 1
        upm_h[u > 0.93] = k + 1
        upm_h[0] = max(upm_h[0], 2)
        mis = np.flatnonzero(est_mun == e)
        pm = pob_mun[mis]
        for h in range(n_h):
            m = upm_h[h]
            urbano = t_loc_h[h] <= 2
            w = pm ** (1.3 if urbano else 0.6)
            cols["municipio"].append(rng.choice(mis, m, p=w / w.sum()))
            cols["estrato"].append(np.full(m, n_estrato + h + 1))
            cols["estado"].append(np.full(m, e))
            cols["t_loc"].append(np.full(m, t_loc_h[h]))
            base_est = {
                1: [0.15, 0.35, 0.35, 0.15],
                2: [0.25, 0.4, 0.25, 0.1],
                3: [0.4, 0.4, 0.15, 0.05],
                4: [0.6, 0.3, 0.08, 0.02],
            }[int(t_loc_h[h])]
            cols["est"].append(rng.choice(4, m, p=base_est) + 1)
            cols["loc"].append(np.where(urbano, 1, rng.integers(2, 900, m)))
        n_estrato += n_h
    a = {c: np.concatenate(v) for c, v in cols.items()}
    n = len(a["estrato"])
    estado = a["estado"]
    # Sequence number of each PSU within its state.
    orden = np.arange(n) - np.searchsorted(estado, estado, side="left")
    principal = np.array([np.flatnonzero(est_mun == e)[np.argmax(pob_mun[est_mun == e])] for e in range(32)])
    cd_a = np.where((a["municipio"] == principal[estado]) & (a["t_loc"] == 1), estado + 1, 96)
    offset = 1 if edicion == "clasica" else 5001  # a new frame gets new PSU numbers
    resultado = Marco(
        estrato=a["estrato"],
        estado=estado,
        municipio=a["municipio"],
        t_loc=a["t_loc"],
        upm=(estado + 1) * 100_000 + offset + orden,
        con=offset + orden,
        cd_a=cd_a,
        est=a["est"],
        loc=a["loc"],
    )
    cache[edicion] = resultado
    return resultado


@lru_cache(maxsize=1)
def _ramas() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    df = catalogs.seed("scian2018")
    ramas = df[df["nivel"] == "rama"][["codigo", "codigo_padre"]].sort_values("codigo")
    return ramas["codigo"].to_numpy(), {p: g["codigo"].to_numpy() for p, g in ramas.groupby("codigo_padre")}


@dataclass
class Muestra:
    """One quarter: `v` holds per-resident arrays (SDEM rows); `coe` marks who has COE1/COE2 rows."""

    anio: int
    trimestre: int
    v: dict[str, np.ndarray] = field(default_factory=dict)
    coe: np.ndarray | None = None


# The quarter is simulated in stages, each drawing from the one quarter generator `rng` in turn: the
# order of the stages and of the draws within them is what makes the sample reproducible for a seed.


@dataclass
class _Hogares:
    """The quarter's households (arrays indexed by household)."""

    upm: np.ndarray  # position of the household's PSU in the frame
    v_sel: np.ndarray
    n_hog: np.ndarray
    h_mud: np.ndarray
    n_ent: np.ndarray
    semana: np.ndarray
    tipo: np.ndarray
    mes: np.ndarray
    r_def: np.ndarray
    tam: np.ndarray
    estado: np.ndarray
    fac: np.ndarray  # expansion factor


def _draw_hogares(rng: np.random.Generator, world: World, fr: Marco, anio: int, trimestre: int) -> _Hogares:
    """Households per PSU, their dwellings, visit week and size, then their expansion factors."""
    s = world.scale
    n_upm = len(fr.upm)
    tam_medio = 3.75 - 0.025 * (anio - 2012)
    lam = s.enoe_personas / tam_medio / n_upm
    hog_por_upm = np.maximum(1, rng.poisson(lam, n_upm))
    upm_h = np.repeat(np.arange(n_upm), hog_por_upm)
    n_hog_tot = len(upm_h)
    primero = np.r_[True, upm_h[1:] != upm_h[:-1]]
    # A few dwellings hold a second household (n_hog = 2); some households moved in (h_mud = 1).
    segundo = (~primero) & (rng.random(n_hog_tot) < 0.03)
    segundo[1:] &= ~segundo[:-1]
    nuevo_viv = ~segundo
    viv_id = np.cumsum(nuevo_viv) - 1
    inicio_upm = np.searchsorted(upm_h, upm_h)  # first household of the PSU
    v_sel_h = viv_id - viv_id[inicio_upm] + 1
    n_hog_h = np.where(segundo, 2, 1)
    h_mud_h = (rng.random(n_hog_tot) < 0.01).astype(int)
    n_viv = viv_id[-1] + 1
    n_ent_v = rng.integers(1, 6, n_viv)
    semana_v = rng.integers(1, 14, n_viv)
    tipo_v = np.where(rng.random(n_viv) < 0.93, 1, 2)
    n_ent_h, semana_h, tipo_h = n_ent_v[viv_id], semana_v[viv_id], tipo_v[viv_id]
    mes_h = 3 * (trimestre - 1) + np.minimum((semana_h - 1) * 3 // 13, 2) + 1
    r_def_h = np.where(rng.random(n_hog_tot) < 0.006, 15, 0)
    tam_h = np.minimum(1 + rng.poisson(tam_medio - 1, n_hog_tot), 14)
    return _Hogares(
        upm=upm_h,
        v_sel=v_sel_h,
        n_hog=n_hog_h,
        h_mud=h_mud_h,
        n_ent=n_ent_h,
        semana=semana_h,
        tipo=tipo_h,
        mes=mes_h,
        r_def=r_def_h,
        tam=tam_h,
        estado=fr.estado[upm_h],
        fac=_expansion_factors(rng, world, fr, upm_h, tam_h, anio, trimestre),
    )


def _expansion_factors(
    rng: np.random.Generator, world: World, fr: Marco, upm_h: np.ndarray, tam_h: np.ndarray, anio: int, trimestre: int
) -> np.ndarray:
    """Weights: state population / state sample, times a stratum and a household factor."""
    estado_h = fr.estado[upm_h]
    f_estrato = rng.lognormal(0, 0.25, fr.estrato.max() + 1)
    w_h = f_estrato[fr.estrato[upm_h]] * rng.lognormal(0, 0.12, len(upm_h))
    pob_est = np.bincount(world.municipio_estado, world.municipios["poblacion_2020"].to_numpy(float), 32)
    pob_obj = pob_est / pob_est.sum() * poblacion(anio, trimestre)
    w_h *= (pob_obj / np.bincount(estado_h, w_h * tam_h, 32))[estado_h]
    return np.maximum(1, np.rint(w_h)).astype(np.int64)


@dataclass
class _Personas:
    """The residents of the households (arrays indexed by person, in household order)."""

    hog: np.ndarray  # household of the person
    n_ren: np.ndarray
    par_c: np.ndarray
    c_res: np.ndarray
    sexo: np.ndarray
    edad: np.ndarray
    eda: np.ndarray  # the age as answered (98 = does not know)
    anios_esc: np.ndarray
    cs_p13_1: np.ndarray
    estado: np.ndarray
    upm: np.ndarray
    municipio: np.ndarray
    w: np.ndarray  # expansion factor, float
    r_def: np.ndarray
    universo: np.ndarray  # in the labor questionnaire (15+ and interviewed)
    edad_f: np.ndarray  # age for the models (40 when not known)
    hombre: np.ndarray


def _draw_personas(rng: np.random.Generator, h: _Hogares, fr: Marco, anio: int) -> _Personas:
    """Head, spouse, children and others of each household: kinship, age, sex, residence, schooling."""
    n_hog_tot = len(h.upm)
    hog = np.repeat(np.arange(n_hog_tot), h.tam)
    n = len(hog)
    n_ren = np.arange(n) - np.searchsorted(hog, hog) + 1
    jefe = n_ren == 1
    edad_jefe_h = np.clip(np.rint(20 + rng.gamma(3.2, 9.0, n_hog_tot)), 18, 99).astype(int)
    edad_jefe = edad_jefe_h[hog]
    conyuge = (n_ren == 2) & (rng.random(n) < 0.72) & (edad_jefe >= 20)
    hijo = ~jefe & ~conyuge & (rng.random(n) < 0.82)
    edad = np.where(jefe, edad_jefe, 0)
    edad = np.where(conyuge, np.clip(edad_jefe + np.rint(rng.normal(-2, 5, n)), 16, 99), edad)
    lim = np.clip(edad_jefe - 17, 1, 40)
    edad = np.where(hijo, np.floor(rng.random(n) * lim), edad)
    otro = ~jefe & ~conyuge & ~hijo
    edad = np.where(otro, np.floor(rng.random(n) * 85), edad).astype(int)
    hombre_jefe = rng.random(n_hog_tot) < 0.68
    sexo = np.where(rng.random(n) < 0.49, 1, 2)
    sexo = np.where(jefe, np.where(hombre_jefe[hog], 1, 2), sexo)
    sexo = np.where(conyuge, np.where(hombre_jefe[hog], 2, 1), sexo)
    par_c = np.select([jefe, conyuge, hijo & (edad_jefe - edad >= 35) & (edad < 18), hijo], [101, 201, 609, 301], 601)
    c_res = rng.choice([1, 2, 3], n, p=[0.966, 0.014, 0.020])
    c_res[jefe] = 1
    eda = np.minimum(edad, 97)
    adulto_desc = (eda >= 12) & (rng.random(n) < 0.0006)
    eda = np.where(adulto_desc, 98, eda)
    anios_esc, cs_p13_1 = _draw_escolaridad(rng, edad, anio)

    upm = h.upm[hog]
    r_def = h.r_def[hog]
    return _Personas(
        hog=hog,
        n_ren=n_ren,
        par_c=par_c,
        c_res=c_res,
        sexo=sexo,
        edad=edad,
        eda=eda,
        anios_esc=anios_esc,
        cs_p13_1=cs_p13_1,
        estado=h.estado[hog],
        upm=upm,
        municipio=fr.municipio[upm],
        w=h.fac[hog].astype(float),
        r_def=r_def,
        universo=(r_def == 0) & (c_res != 2) & (eda >= 15) & (eda <= 98),
        edad_f=np.where(eda == 98, 40, edad).astype(float),
        hombre=sexo == 1,
    )


def _draw_escolaridad(rng: np.random.Generator, edad: np.ndarray, anio: int) -> tuple[np.ndarray, np.ndarray]:
    """Schooling years and level (cs_p13_1) from age and cohort, 99 where not known."""
    n = len(edad)
    anios_esc = np.clip(
        np.rint(rng.normal(10.5 - 0.06 * (np.maximum(edad, 25) - 40) + 0.05 * (anio - 2012), 3.6, n)), 0, 22
    )
    anios_esc = np.minimum(anios_esc, np.maximum(edad - 5, 0)).astype(int)
    nivel = np.select(
        [anios_esc == 0, anios_esc <= 6, anios_esc <= 9, anios_esc <= 12, anios_esc <= 16, anios_esc <= 18],
        [0, 2, 3, 4, 7, 8],
        9,
    )
    nivel = np.where((nivel == 4) & (rng.random(n) < 0.15), 6, nivel)
    nivel = np.where((edad < 6) & (edad >= 3), 1, nivel)
    esc_desc = rng.random(n) < 0.003
    cs_p13_1 = np.where(esc_desc, 99, nivel)
    anios_esc = np.where(esc_desc, 99, anios_esc)
    return anios_esc, cs_p13_1


def _state_targets(anio: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Participation, unemployment and informality rates per state: INEGI's real 2023 Q1 values shifted by
    the national trend of the year."""
    real = catalogs.ilmm_estados().set_index("ent").reindex(range(0, 33))
    tp, td, ti = TENDENCIA[anio]
    nac = real.loc[0]
    part_obj = np.clip((real["pea"].to_numpy()[1:] + tp - nac["pea"]) / 100, 0.3, 0.9)
    desoc_obj = np.clip((100 - real["ocupados"].to_numpy()[1:] + td - (100 - nac["ocupados"])) / 100, 0.005, 0.2)
    inf_obj = np.clip((real["informales"].to_numpy()[1:] + ti - nac["informales"]) / 100, 0.15, 0.92)
    return part_obj, desoc_obj, inf_obj


def _assign_condicion(
    rng: np.random.Generator, p: _Personas, part_obj: np.ndarray, desoc_obj: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labor force status calibrated to the state rates of the year: (ocupado, clase1, clase2)."""
    n = len(p.hog)
    universo, estado, w, edad_f, hombre = p.universo, p.estado, p.w, p.edad_f, p.hombre
    ef_edad = np.select([edad_f < 20, edad_f < 25, edad_f < 55, edad_f < 65], [-1.6, -0.1, 0.9, 0.0], -1.7)
    lin = np.where(hombre, 0.9 + 0.6 * ef_edad, -0.7 + 0.4 * ef_edad) + 0.04 * (np.minimum(p.anios_esc, 22) - 10)
    idx = np.flatnonzero(universo)
    c = calibrar(lin[idx], estado[idx], part_obj, w[idx], 32)
    pea = np.zeros(n, bool)
    pea[idx] = rng.random(len(idx)) < _sigmoid(lin[idx] + c[estado[idx]])
    lin_d = np.where(edad_f < 25, 0.9, 0.0) - 0.2 * hombre
    idx_p = np.flatnonzero(pea)
    c = calibrar(lin_d[idx_p], estado[idx_p], desoc_obj, w[idx_p], 32)
    desocupado = np.zeros(n, bool)
    desocupado[idx_p] = rng.random(len(idx_p)) < _sigmoid(lin_d[idx_p] + c[estado[idx_p]])
    ocupado = pea & ~desocupado
    disponible = universo & ~pea & (rng.random(n) < 0.15)
    clase1 = np.where(universo, np.where(pea, 1, 2), 0)
    clase2 = np.select([ocupado, desocupado, disponible, universo], [1, 2, 3, 4], 0)
    return ocupado, clase1, clase2


@dataclass
class _Empleos:
    """The jobs of the employed (arrays indexed by job, `io` the person of each)."""

    io: np.ndarray
    estado: np.ndarray
    pos: np.ndarray  # position: 1 subordinate, 2 employer, 3 own account, 4 unpaid, 5 other
    sector: np.ndarray  # index into world.sectores
    sec_cod: np.ndarray
    p4a: np.ndarray  # 4-digit rama
    publico: np.ndarray
    nivel_gob: np.ndarray
    trabajadores: np.ndarray  # size of the economic unit
    calidad: np.ndarray  # latent job quality
    formal: np.ndarray


def _draw_empleos(
    rng: np.random.Generator, world: World, p: _Personas, ocupado: np.ndarray, inf_obj: np.ndarray, anio: int
) -> _Empleos:
    """Position, sector and rama, public or private unit, its size, the job's latent quality and formality."""
    io = np.flatnonzero(ocupado)
    m = len(io)
    e_o = p.estado[io]
    pos = _draw_posicion(rng, p, io, inf_obj)
    sector = _draw_sector(rng, world, e_o, pos, inf_obj)
    p4a = _draw_rama(rng, world, sector)

    # Public institutions and level of government.
    sectores = world.sectores
    sec_cod = sectores[sector]
    p_pub = np.array([SECTOR_PUBLICO.get(x, 0.0) for x in sectores])[sector]
    publico = (pos == 1) & (rng.random(m) < p_pub)
    niveles = np.array([NIVEL_GOBIERNO.get(x, (1.0, 0.0, 0.0)) for x in sectores])
    nivel_gob = _elegir(rng, niveles, sector) + 1

    # Size of the economic unit (workers) and latent job quality.
    mu = np.array([SECTOR_TAMANIO[x] for x in sectores])[sector]
    area = world.efecto_area(e_o, sector, anio)  # the year's conditions (sidil/demo/dinamica.py)
    log_t = np.where(
        pos == 1,
        rng.normal(mu + 0.3 * area + 0.5 * publico, 0.9),
        np.where(pos == 2, rng.normal(0.75, 0.35, m), rng.normal(0.05, 0.35, m)),
    )
    trabajadores = np.maximum(np.rint(10**log_t), np.where(pos == 1, 2, 1)).astype(np.int64)
    calidad = area + 0.35 * (np.log10(trabajadores) - 1.2) + rng.normal(0, 0.7, m)

    g_pos = np.select([pos == 1, pos == 2, pos == 3, pos == 4], [0.0, -0.8, -2.8, -9.0], -1.5) + 3.0 * publico
    lin_f = 1.3 * calidad + g_pos
    c = calibrar(lin_f, e_o, 1 - inf_obj, p.w[io], 32)
    formal = rng.random(m) < _sigmoid(lin_f + c[e_o])
    return _Empleos(
        io=io,
        estado=e_o,
        pos=pos,
        sector=sector,
        sec_cod=sec_cod,
        p4a=p4a,
        publico=publico,
        nivel_gob=nivel_gob,
        trabajadores=trabajadores,
        calidad=calidad,
        formal=formal,
    )


def _draw_posicion(rng: np.random.Generator, p: _Personas, io: np.ndarray, inf_obj: np.ndarray) -> np.ndarray:
    """Position in the job: fewer subordinates where informality is high, more unpaid among women and the young."""
    e_o = p.estado[io]
    p_sub = np.clip(0.68 + 0.45 * (0.55 - inf_obj), 0.5, 0.82)[e_o]
    u = rng.random(len(io))
    p_sin_pago = np.where(~p.hombre[io] | (p.edad_f[io] < 20), 0.06, 0.025)
    return np.select([u < p_sub, u < p_sub + 0.05, u < p_sub + 0.05 + p_sin_pago, u > 0.997], [1, 2, 4, 5], 3)


def _draw_sector(
    rng: np.random.Generator, world: World, e_o: np.ndarray, pos: np.ndarray, inf_obj: np.ndarray
) -> np.ndarray:
    """Sector of each job: national shares, adjusted by state (agro where informal, manufacturing where
    formal) and by position (subordinate or not)."""
    sectores = world.sectores
    base = np.array([SECTOR_OCUPACION[x] for x in sectores])
    es = {x: i for i, x in enumerate(sectores)}
    ajuste_estado = np.ones((32, len(sectores)))
    ajuste_estado[:, es["11"]] = (inf_obj / 0.55) ** 2.5
    ajuste_estado[:, es["31"]] = (0.55 / inf_obj) ** 1.5
    ajuste_estado *= stream(world.seed, "enoe", "sectores_estado").lognormal(0, 0.15, ajuste_estado.shape)
    f_sub = np.ones(len(sectores))
    f_ind = np.ones(len(sectores))
    for x in ("93", "61", "62", "31", "52", "22", "21", "55", "56"):
        f_sub[es[x]] = 1.3
    for x in ("11", "81", "46"):
        f_sub[es[x]] = 0.75
        f_ind[es[x]] = 1.6
    for x in ("93", "61", "62", "22", "21", "52", "55"):
        f_ind[es[x]] = 0.05
    prob = np.concatenate([base * ajuste_estado * f_sub, base * ajuste_estado * f_ind])
    prob /= prob.sum(axis=1, keepdims=True)
    return _elegir(rng, prob, e_o + 32 * (pos != 1))


def _draw_rama(rng: np.random.Generator, world: World, sector: np.ndarray) -> np.ndarray:
    """Subsector within the sector (world weights), then a 4-digit rama of the subsector (p4a)."""
    sub_sector = world.subsector_sector
    psub = np.zeros((len(world.sectores), len(sub_sector)))
    psub[sub_sector, np.arange(len(sub_sector))] = world.peso_subsector
    psub /= psub.sum(axis=1, keepdims=True)
    subsector = _elegir(rng, psub, sector)
    ramas, por_sub = _ramas()
    codigos_sub = world.subsectores["scian2018_3"].to_numpy()
    lista = [por_sub.get(cs, np.array([cs + "0"])) for cs in codigos_sub]
    inicio = np.r_[0, np.cumsum([len(x) for x in lista])[:-1]]
    todas = np.concatenate(lista)
    cuenta = np.array([len(x) for x in lista])
    return todas[inicio[subsector] + np.floor(rng.random(len(sector)) * cuenta[subsector]).astype(int)]


@dataclass
class _Jornada:
    """Hours and days worked (arrays indexed by job)."""

    thrs: np.ndarray  # hours as answered (999 = does not know)
    hrsocup: np.ndarray
    dias: np.ndarray
    dur9c: np.ndarray
    sub_o: np.ndarray  # underemployed
    busca: np.ndarray  # looks for another job


def _draw_jornada(rng: np.random.Generator, e: _Empleos) -> _Jornada:
    """Hours (p5b_thrs / p5c_thrs), days, duration class, underemployment and job search."""
    m, pos, calidad = len(e.io), e.pos, e.calidad
    u = rng.random(m)
    ausente = u < 0.025
    horas_desc = (u >= 0.025) & (u < 0.029)
    parcial = rng.random(m) < np.where(pos == 1, 0.13, 0.3)
    horas = np.where(pos == 1, rng.normal(47 - 2 * calidad, 8), rng.normal(42, 14, m))
    horas = np.where(parcial, rng.uniform(3, 35, m), horas)
    horas = np.clip(np.rint(horas), 1, 112).astype(int)
    horas = np.where(ausente, 0, horas)
    thrs = np.where(horas_desc, 999, horas)
    hrsocup = np.where(horas_desc, 0, horas)
    dias = np.clip(np.rint(horas / rng.uniform(6.5, 9.5, m)), 1, 7).astype(int)
    dias = np.where((pos == 1) & ~parcial & (rng.random(m) < 0.5), np.where(rng.random(m) < 0.6, 6, 5), dias)
    dias = np.where(ausente, 0, dias)
    dias = np.where(rng.random(m) < 0.003, 9, dias)
    dur9c = np.select(
        [ausente, horas_desc, horas < 15, horas < 25, horas < 35, horas < 40, horas <= 48, horas <= 56],
        [1, 9, 2, 3, 4, 5, 6, 7],
        8,
    )
    sub_o = np.where(~ausente & (rng.random(m) < np.where(horas < 35, 0.22, 0.025)), 1, 0)
    busca = rng.random(m) < _sigmoid(-3.2 - 0.5 * calidad + 0.9 * sub_o)
    return _Jornada(thrs=thrs, hrsocup=hrsocup, dias=dias, dur9c=dur9c, sub_o=sub_o, busca=busca)


def _salario_minimo(anio: int, trimestre: int, frontera: np.ndarray) -> np.ndarray:
    """Daily minimum wage of the quarter's middle month, the border zone's where `frontera`."""
    mes_sm = 3 * trimestre - 1
    return np.where(frontera, catalogs.salario_minimo(anio, mes_sm, True), catalogs.salario_minimo(anio, mes_sm, False))


@dataclass
class _Ingreso:
    """Labor income answers (arrays indexed by job)."""

    ingocup: np.ndarray
    ing7c: np.ndarray
    veces: np.ndarray  # income in minimum wages
    p6b1: np.ndarray
    p6b2: np.ndarray
    p6c: np.ndarray
    ing_x_hrs: np.ndarray


def _draw_ingreso(
    rng: np.random.Generator,
    p: _Personas,
    e: _Empleos,
    hrsocup: np.ndarray,
    frontera_mun: np.ndarray,
    anio: int,
    trimestre: int,
) -> _Ingreso:
    """Income (COE2 p6b1 period, p6b2 amount; SDEM ingocup, ing7c, ing_x_hrs), with non-response."""
    io, pos, m = e.io, e.pos, len(e.io)
    sm = _salario_minimo(anio, trimestre, frontera_mun[p.municipio[io]])
    log_y = (
        np.log(INGRESO_MEDIO[anio])
        - 0.2
        + 0.40 * e.calidad
        + 0.25 * e.formal
        + 0.05 * (np.where(p.anios_esc[io] == 99, 10, p.anios_esc[io]) - 10)
        + 0.12 * p.hombre[io]
        + 0.35 * np.log(np.maximum(hrsocup, 5) / 45)
        + rng.normal(0, 0.5, m)
    )
    log_y += np.select([pos == 2, pos == 3], [np.log(1.8), np.log(0.75)], 0.0)
    ingreso = np.exp(log_y)
    # Scale so that paid subordinate workers earn INEGI's mean income of the year on average.
    ingreso *= INGRESO_MEDIO[anio] / np.average(ingreso[pos == 1], weights=p.w[io][pos == 1])
    sin_ingreso = (pos == 4) | ((pos == 3) & (rng.random(m) < 0.04)) | ((pos == 5) & (rng.random(m) < 0.5))
    no_resp = ~sin_ingreso & (rng.random(m) < 0.12 + 0.012 * (anio - 2012))
    periodo = np.where(
        pos == 1,
        rng.choice([1, 2, 3, 4], m, p=[0.25, 0.35, 0.35, 0.05]),
        rng.choice([1, 2, 3, 4, 5], m, p=[0.45, 0.1, 0.3, 0.1, 0.05]),
    )
    factor = np.select([periodo == 2, periodo == 3, periodo == 4], [2.0, 4.3, 30.0], 1.0)
    monto = np.clip(np.rint(ingreso / factor), 1, 999_990)
    ingocup = np.where(sin_ingreso | no_resp, 0, np.minimum(np.rint(monto * factor), 999_998)).astype(np.int64)
    veces = ingreso / (sm * 30.4)
    clase_sm = np.select([veces <= 1, veces <= 2, veces <= 3, veces <= 5], [1, 2, 3, 4], 5)
    rango = no_resp & (rng.random(m) < 0.7)  # gave the range (p6c) instead of the amount
    ing7c = np.select([sin_ingreso, no_resp & ~rango], [6, 7], clase_sm)
    p6c = np.where(
        rango,
        np.select([veces <= 0.9, veces <= 1, veces <= 2, veces <= 3, veces <= 5, veces <= 10], [1, 2, 3, 4, 5, 6], 7),
        np.where(no_resp, 9, np.nan),
    )
    p6b1 = np.where(sin_ingreso, 6, np.where(no_resp, np.where(rng.random(m) < 0.5, 7, 8), periodo))
    p6b2 = np.where(sin_ingreso, np.nan, np.where(no_resp, 999_999, monto))
    ing_x_hrs = np.where((ingocup > 0) & (hrsocup > 0), np.round(ingocup / (np.maximum(hrsocup, 1) * 4.3), 2), 0.0)
    return _Ingreso(ingocup=ingocup, ing7c=ing7c, veces=veces, p6b1=p6b1, p6b2=p6b2, p6c=p6c, ing_x_hrs=ing_x_hrs)


@dataclass
class _Prestaciones:
    """Job quality answers of paid subordinate workers (arrays indexed by job)."""

    seg: np.ndarray
    contrato_cod: np.ndarray
    tipo_cod: np.ndarray
    prest: np.ndarray
    prest_desc: np.ndarray
    sind_cod: np.ndarray
    asalariado: np.ndarray
    items: np.ndarray  # aguinaldo, paid vacation, profit sharing named (job x 3)


def _draw_prestaciones(rng: np.random.Generator, e: _Empleos) -> _Prestaciones:
    """Social security, contract, union and benefits, driven by formality and latent quality."""
    m, formal, calidad, publico = len(e.io), e.formal, e.calidad, e.publico
    subord = e.pos == 1
    seg = np.where(subord, np.where(formal, 1, 2), np.where(formal & (rng.random(m) < 0.4), 1, 2))
    seg = np.where(rng.random(m) < 0.004, 3, seg)
    contrato = rng.random(m) < _sigmoid(-0.4 + 2.4 * formal + 0.6 * calidad)
    contrato_cod = np.where(rng.random(m) < 0.006, 9, np.where(contrato, 1, 2))
    base_c = rng.random(m) < _sigmoid(0.7 + 0.6 * calidad + 0.8 * formal + 1.0 * publico)
    tipo_cod = np.where(rng.random(m) < 0.01, 9, np.where(base_c, 2, 1))
    prest = rng.random(m) < _sigmoid(-2.0 + 3.6 * formal + 0.6 * calidad)
    prest_desc = rng.random(m) < 0.005
    sindicato = rng.random(m) < _sigmoid(
        -3.0
        + 1.3 * formal
        + 0.5 * (np.log10(e.trabajadores) - 1)
        + 1.5 * publico
        + 0.4 * np.isin(e.sec_cod, ["21", "22", "31"])
    )
    sind_cod = np.where(rng.random(m) < 0.003, 9, np.where(sindicato, 1, 2))
    asalariado = subord & (rng.random(m) < 0.92)
    # Benefits named (aguinaldo, paid vacation, profit sharing) by those who have at least one.
    items = np.stack([rng.random(m) < 0.95, rng.random(m) < 0.88, rng.random(m) < 0.45], axis=1)
    items[~items.any(axis=1), 0] = True
    items &= (subord & prest & ~prest_desc)[:, None]
    return _Prestaciones(
        seg=seg,
        contrato_cod=contrato_cod,
        tipo_cod=tipo_cod,
        prest=prest,
        prest_desc=prest_desc,
        sind_cod=sind_cod,
        asalariado=asalariado,
        items=items,
    )


def _classify_unidad(rng: np.random.Generator, e: _Empleos) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit-size code with non-response and type of economic unit: (tam_cod, tue1, tue2)."""
    m, formal, sec_cod = len(e.io), e.formal, e.sec_cod
    subord = e.pos == 1
    # 12-14: does not know the number of workers but says small/medium/large.
    tam_cod = np.searchsorted(TAMANIO_LIMITES, e.trabajadores, side="left") + 1
    u = rng.random(m)
    tam_cod = np.select([u < 0.02, u < 0.027, u < 0.03, u < 0.04], [12, 13, 14, 99], tam_cod)

    # Type of economic unit: tue2 (5 = informal sector) and tue1.
    agro = sec_cod == "11"
    domestico = subord & (sec_cod == "81") & ~formal & (rng.random(m) < 0.5)
    tue2 = np.select(
        [
            e.publico,
            domestico,
            agro & ~subord & ~formal & (rng.random(m) < 0.4),
            ~formal & ~subord & ~agro,
            ~formal & subord & ~agro & (rng.random(m) < 0.4),
            np.isin(sec_cod, ["61", "62", "81"]) & formal,
            formal & (e.trabajadores > 10),
        ],
        [4, 6, 7, 5, 5, 3, 1],
        2,
    )
    tue2 = np.where(e.pos == 5, 8, tue2)
    tue1 = np.select([np.isin(tue2, [1, 2, 5]), np.isin(tue2, [3, 4]), np.isin(tue2, [6, 7])], [1, 2, 3], 4)
    return tam_cod, tue1, tue2


def _classify_tcco(j: _Jornada, ing: _Ingreso) -> np.ndarray:
    """Critical employment conditions (tcco): short hours involuntarily, low pay, long hours for little."""
    hrsocup = j.hrsocup
    return np.select(
        [
            (hrsocup < 35) & (j.sub_o == 1),
            (hrsocup >= 35) & (ing.ing7c == 1) & (ing.veces < 0.7),
            (hrsocup > 48) & (ing.ing7c == 2),
        ],
        [1, 2, 3],
        4,
    )


def _por_persona(n: int, io: np.ndarray, valores: np.ndarray, defecto: float = 0) -> np.ndarray:
    """Per-job values spread over the `n` residents (`defecto` for those without a job)."""
    out = np.full(n, defecto, dtype=float)
    out[io] = valores
    return out


def _variables_vivienda(fr: Marco, h: _Hogares, p: _Personas) -> dict[str, np.ndarray]:
    """Design, dwelling, household and sociodemographic columns of every resident."""
    n, hog, upm = len(p.hog), p.hog, p.upm
    return dict(
        r_def=p.r_def,
        estado=p.estado,
        municipio=p.municipio,
        upm=fr.upm[upm],
        con=fr.con[upm],
        cd_a=fr.cd_a[upm],
        estrato=fr.estrato[upm],
        t_loc=fr.t_loc[upm],
        est=fr.est[upm],
        loc=fr.loc[upm],
        d_sem=h.semana[hog],
        n_pro_viv=np.ones(n, int),
        v_sel=h.v_sel[hog],
        n_hog=h.n_hog[hog],
        h_mud=h.h_mud[hog],
        n_ent=h.n_ent[hog],
        tipo=h.tipo[hog],
        mes_cal=h.mes[hog],
        n_ren=p.n_ren,
        hogar=hog,
        c_res=p.c_res,
        par_c=p.par_c,
        sex=p.sexo,
        eda=p.eda,
        cs_p13_1=p.cs_p13_1,
        anios_esc=p.anios_esc,
        fac=h.fac[hog],
        ur=np.where(fr.t_loc[upm] <= 3, 1, 2),
    )


def _variables_empleo(
    world: World,
    p: _Personas,
    clases: tuple[np.ndarray, np.ndarray],
    e: _Empleos,
    j: _Jornada,
    ing: _Ingreso,
    pr: _Prestaciones,
    tue: tuple[np.ndarray, np.ndarray],
    tcco: np.ndarray,
) -> dict[str, np.ndarray]:
    """SDEM labor columns of every resident (0 for those without a job)."""
    por_persona = partial(_por_persona, len(p.hog), e.io)
    subord = e.pos == 1
    tue1, tue2 = tue
    return dict(
        clase1=clases[0],
        clase2=clases[1],
        pos_ocu=por_persona(e.pos).astype(int),
        seg_soc=por_persona(pr.seg).astype(int),
        ing7c=por_persona(ing.ing7c).astype(int),
        dur9c=por_persona(j.dur9c).astype(int),
        tue1=por_persona(tue1).astype(int),
        tue2=por_persona(tue2).astype(int),
        sub_o=por_persona(j.sub_o).astype(int),
        remune2c=por_persona(np.where(subord, np.where(pr.asalariado, 1, 2), 0)).astype(int),
        pre_asa=por_persona(np.where(subord, np.where(pr.prest_desc, 3, np.where(pr.prest, 1, 2)), 0)).astype(int),
        tip_con=por_persona(
            np.where(
                subord,
                np.select(
                    [pr.contrato_cod == 9, pr.contrato_cod == 2, pr.tipo_cod == 1, pr.tipo_cod == 2], [5, 4, 1, 2], 3
                ),
                0,
            )
        ).astype(int),
        hrsocup=por_persona(j.hrsocup).astype(int),
        ingocup=por_persona(ing.ingocup).astype(np.int64),
        ing_x_hrs=por_persona(ing.ing_x_hrs),
        tpg_p8a=por_persona(np.where(j.busca, 1, 2)).astype(int),
        tcco=por_persona(tcco).astype(int),
        emp_ppal=por_persona(np.where(e.formal, 2, 1)).astype(int),
        rama=por_persona(np.array([RAMA_SECTOR.get(x, 4) for x in world.sectores])[e.sector]).astype(int),
    )


def _variables_coe(
    rng: np.random.Generator,
    p: _Personas,
    clase2: np.ndarray,
    e: _Empleos,
    j: _Jornada,
    ing: _Ingreso,
    pr: _Prestaciones,
    tam_cod: np.ndarray,
) -> dict[str, np.ndarray]:
    """COE answers of every resident (NaN = not asked), and the informant."""
    n, m, nan = len(p.hog), len(e.io), np.nan
    por_persona = partial(_por_persona, n, e.io)
    subord, publico, contrato_cod, prest_desc, items = e.pos == 1, e.publico, pr.contrato_cod, pr.prest_desc, pr.items
    return dict(
        p1=np.where(clase2 == 1, 1, np.where(p.universo, 2, nan)),
        p3=por_persona(np.floor(rng.random(m) * 9000) + 1000, nan),
        p3a=por_persona(np.where(subord, 1, 2), nan),
        p4d1=por_persona(np.where(publico, 4, np.where(e.pos == 1, np.where(e.trabajadores > 10, 2, 1), nan)), nan),
        p4d2=por_persona(np.where(publico, e.nivel_gob, nan), nan),
        contrato=por_persona(np.where(subord, contrato_cod, nan), nan),
        tipo_contrato=por_persona(np.where(subord & (contrato_cod == 1), pr.tipo_cod, nan), nan),
        sindicato=por_persona(np.where(subord, pr.sind_cod, nan), nan),
        prestaciones=por_persona(np.where(subord, np.where(prest_desc, 9, np.where(pr.prest, 1, 0)), nan), nan),
        tamanio=por_persona(tam_cod, nan),
        dias=por_persona(j.dias, nan),
        horas=por_persona(j.thrs, nan),
        p6b1=por_persona(ing.p6b1, nan),
        p6b2=por_persona(ing.p6b2, nan),
        p6c=por_persona(ing.p6c, nan),
        p8a=por_persona(np.where(j.busca, 1, 2), nan),
        aguinaldo=por_persona(np.where(items[:, 0], 1, nan), nan),
        vacaciones=por_persona(np.where(items[:, 1], 2, nan), nan),
        utilidades=por_persona(np.where(items[:, 2], 3, nan), nan),
        prest_ns=por_persona(np.where(subord & prest_desc, 9, nan), nan),
        n_inf=np.where(rng.random(n) < 0.55, p.n_ren, 1),
    )


def simular(world: World, anio: int, trimestre: int) -> Muestra:
    """Simulate the quarter (deterministic for the world's seed, independent of other quarters)."""
    edicion = "clasica" if (anio, trimestre) <= (2020, 1) else "nueva"
    fr = marco(world, edicion)
    rng = stream(world.seed, "enoe", anio, trimestre)

    h = _draw_hogares(rng, world, fr, anio, trimestre)
    p = _draw_personas(rng, h, fr, anio)
    part_obj, desoc_obj, inf_obj = _state_targets(anio)
    ocupado, clase1, clase2 = _assign_condicion(rng, p, part_obj, desoc_obj)
    e = _draw_empleos(rng, world, p, ocupado, inf_obj, anio)
    j = _draw_jornada(rng, e)
    frontera_mun = np.isin(world.municipios["cvegeo"].to_numpy(), list(catalogs.zlfn_cvegeo())) & (anio >= 2019)
    ing = _draw_ingreso(rng, p, e, j.hrsocup, frontera_mun, anio, trimestre)
    pr = _draw_prestaciones(rng, e)
    tam_cod, tue1, tue2 = _classify_unidad(rng, e)

    v: dict[str, np.ndarray] = _variables_vivienda(fr, h, p)
    v.update(_variables_empleo(world, p, (clase1, clase2), e, j, ing, pr, (tue1, tue2), _classify_tcco(j, ing)))
    v["salario"] = _salario_minimo(anio, trimestre, frontera_mun[p.municipio])
    v.update(_variables_coe(rng, p, clase2, e, j, ing, pr, tam_cod))
    p4a_full = np.full(len(p.hog), "", dtype=object)
    p4a_full[e.io] = e.p4a
    v["p4a"] = p4a_full
    return Muestra(anio, trimestre, v, coe=p.universo)
