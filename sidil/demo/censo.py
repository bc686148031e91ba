"""Censo Económico 2019: `censo/TABLA_C3_CENSO2019.csv`, the table the ministry's team built from INEGI's
confidential tabulation of the three largest units per municipality and SCIAN sector (manual, Tabla 4.5).

One row per (municipality, census sector) present in the municipality. Layout as the team's CSV would
be (saved from Excel on Windows): 30 columns, comma separated, Windows-1252, CRLF, quotes only where a
label holds a comma, state and municipality keys as numbers (Excel dropped the leading zeros), sectors
as INEGI writes them ('31-33', '48-49'; no sector 93, which the census does not cover).

Column names keep the manual's spellings (`total_depndiente_rs`, `ct3_remuin_est_informales`), except
`ct3_ est_informales`, whose space is a typesetting slip of the manual: the file says `ct3_est_informales`.
The manual names 20 of the 30 fields (Tabla 2 columns G-J and U-V, Tabla 1 columns A-N); the 10 it does not
name are Tabla 2 columns K-T, here the usual INEGI breakdowns (by sex, by role, owners, fees, pay, hours,
output), between `total_remunerado` and `total_otra_rs` as in the sheet.

Statistical censorship: most rows of 1-2 units and some of up to 29 units have every Tabla 2 total empty
(`ue` stays), about 29 % of rows as in the real table (9,089 of 31,399).
Driven by the world: concentration falls with the number of units (higher in small municipalities),
subcontracting and pay depend on the sector and the state x sector area effect.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sidil.demo import catalogs
from sidil.demo.randomness import stream
from sidil.demo.world import World

ARCHIVO = "TABLA_C3_CENSO2019.csv"
FILAS_REALES = 31_399  # rows of the real table (all municipalities)

COLUMNAS = [
    "entidad",
    "etiq_entidad",
    "municipio",
    "etiq_municipio",
    "scian2dgts",
    "etiq_scian2dgts",
    "ct3_po",
    "ct3_remunerado",
    "ct3_otra_razon",
    "ct3_est_informales",
    "ct3_remun_po",
    "ct3_remun_remunerado",
    "ct3_remuin_est_informales",
    "ct3_costo_otra_razon",
    "ue",
    "total_ocupado",
    "total_depndiente_rs",
    "total_remunerado",
    "total_ocupado_hombres",
    "total_ocupado_mujeres",
    "total_remunerado_produccion",
    "total_remunerado_admvo",
    "total_propietarios",
    "total_no_depndiente_rs",
    "total_honorarios",
    "total_remuneraciones",
    "total_horas_trabajadas",
    "total_produccion_bruta",
    "total_otra_rs",
    "total_costo_otra_rs",
]

# Census sectors (SIDIL code, INEGI code): 93 is outside the census.
# Per sector: share of the country's units, persons per unit, share of personnel subcontracted,
# owners/family per unit, mean annual pay per paid worker (thousand pesos), share of men, output/pay.
# fmt: off
SECTORES = {
    #      inegi    ue_share  po/ue  subcontr owners  pay   men   output
    "11": ("11",    0.004,    8.0,   0.03,    0.6,    80,   0.85, 6.0),
    "21": ("21",    0.0006,   45.0,  0.30,    0.2,    300,  0.88, 12.0),
    "22": ("22",    0.0007,   30.0,  0.20,    0.1,    320,  0.78, 10.0),
    "23": ("23",    0.003,    20.0,  0.08,    0.3,    100,  0.88, 5.0),
    "31": ("31-33", 0.12,     12.0,  0.18,    0.5,    150,  0.62, 8.0),
    "43": ("43",    0.03,     9.0,   0.15,    0.4,    140,  0.70, 6.0),
    "46": ("46",    0.45,     3.0,   0.08,    0.9,    70,   0.48, 4.0),
    "48": ("48-49", 0.005,    25.0,  0.12,    0.3,    140,  0.85, 5.0),
    "51": ("51",    0.002,    15.0,  0.20,    0.3,    220,  0.60, 7.0),
    "52": ("52",    0.005,    10.0,  0.35,    0.2,    280,  0.45, 9.0),
    "53": ("53",    0.01,     3.0,   0.10,    0.6,    100,  0.60, 6.0),
    "54": ("54",    0.02,     5.0,   0.10,    0.5,    170,  0.55, 4.0),
    "55": ("55",    0.0002,   60.0,  0.40,    0.1,    350,  0.60, 3.0),
    "56": ("56",    0.02,     20.0,  0.05,    0.3,    90,   0.58, 3.0),
    "61": ("61",    0.01,     15.0,  0.05,    0.2,    130,  0.38, 2.5),
    "62": ("62",    0.03,     4.0,   0.06,    0.6,    110,  0.35, 3.0),
    "71": ("71",    0.01,     4.0,   0.05,    0.6,    70,   0.60, 3.5),
    "72": ("72",    0.13,     3.5,   0.05,    0.7,    55,   0.42, 3.0),
    "81": ("81",    0.19,     2.2,   0.02,    0.9,    55,   0.62, 3.0),
}
# fmt: on
SECTORES_INFORMALES = {"31", "43", "46", "72", "81"}  # sectors where the census counts informal units
UE_POR_HABITANTE = 0.038  # about 4.8 million units for 126 million people


def expected_files(world: World) -> int:
    return 1


def _presencia(pop: np.ndarray, share: np.ndarray, c: float) -> np.ndarray:
    """Probability that a (municipality, sector) has at least one unit, for a units-per-person scale c."""
    return 1.0 - np.exp(-c * pop[:, None] * share[None, :])


def _escala_presencia(pop: np.ndarray, share: np.ndarray) -> float:
    """Units-per-person scale so that all municipalities give the real table's row count (bisection)."""
    lo, hi = 1e-6, 1.0
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        if _presencia(pop, share, mid).sum() < FILAS_REALES:
            lo = mid
        else:
            hi = mid
    return float(np.sqrt(lo * hi))


def _numero(x: np.ndarray, decimales: int) -> np.ndarray:
    """Numbers as the CSV shows them: rounded, no trailing zeros, empty when missing."""
    out = np.full(len(x), "", dtype=object)
    ok = np.isfinite(x)
    txt = (
        np.char.mod(f"%.{decimales}f", np.round(x[ok], decimales))
        if decimales
        else np.char.mod("%d", np.round(x[ok]).astype(np.int64))
    )
    if decimales:
        txt = np.char.rstrip(np.char.rstrip(txt, "0"), ".")
    out[ok] = txt
    return out


def tabla(world: World) -> pd.DataFrame:
    """The Censo table as numbers (NaN = empty), one row per (municipality, sector)."""
    rng = stream(world.seed, "censo")
    mun = world.municipios
    pop = mun["poblacion_2020"].to_numpy(dtype=float)
    codes = np.array(list(SECTORES))
    params = np.array([v[1:] for v in SECTORES.values()], dtype=float)
    share, po_ue, subc, owners, pay, men, output = params.T
    share = share / share.sum()

    # Which municipalities the scale keeps (all at full), then which sectors each has.
    keep = rng.random(len(mun)) < world.scale.censo_frac_municipios
    c = _escala_presencia(pop, share)
    presente = rng.random((len(mun), len(codes))) < _presencia(pop, share, c)
    presente &= keep[:, None]
    mi, si = np.nonzero(presente)  # row-major: sorted by municipality, then sector
    n = len(mi)

    # Units: at least one, overdispersed around the expected count given presence.
    lam = c * pop[mi] * share[si] * rng.gamma(2.0, 0.5, n)
    ue = 1 + rng.poisson(np.maximum(lam - 1.0, 0.0) * 1.1)
    # Personnel: units times sector size, larger units in larger municipalities.
    size = po_ue[si] * np.exp(0.08 * (np.log10(pop[mi]) - 4.0)) * rng.lognormal(0.0, 0.35, n)
    total_ocupado = np.maximum(ue, np.round(ue * size))

    # Share of the top-three units in personnel: 100 with up to three units, falling with more units.
    beta = np.clip(rng.normal(0.55, 0.12, n), 0.2, 0.95)
    top3 = np.where(ue <= 3, 1.0, np.clip((3.0 / ue) ** beta * rng.lognormal(0, 0.1, n), 3.0 / ue, 1.0))
    ct3_po = 100.0 * top3
    ct3_remunerado = np.where(ue <= 3, 100.0, np.minimum(100.0, ct3_po * rng.uniform(1.0, 1.3, n)))

    # Area effect on pay and subcontracting (better areas pay more and subcontract less).
    # The 2019 edition describes 2018: that year's area conditions.
    area = world.efecto_area(world.municipio_estado[mi], np.searchsorted(world.sectores, codes[si]), 2018)
    # Subcontracting at the top three: often none, otherwise around the sector's rate.
    tiene_subc = rng.random(n) < 1.0 - np.exp(-np.sqrt(top3 * total_ocupado) * subc[si] * 1.5)
    tasa_subc = np.clip(subc[si] * np.exp(-0.3 * area) * rng.lognormal(0, 0.6, n), 0.0, 0.95)
    ct3_otra_razon = np.where(tiene_subc, 100.0 * tasa_subc, 0.0)
    informal = np.isin(codes[si], list(SECTORES_INFORMALES))
    ue_inf = np.maximum(1, np.round(ue * rng.uniform(0.0, 0.4, n)))
    ct3_est_informales = np.where(informal, np.where(ue_inf <= 3, 100.0, 100.0 * (3.0 / ue_inf) ** beta), np.nan)
    ct3_est_informales[informal & (rng.random(n) < 0.35)] = 0.0

    pago = pay[si] * np.exp(0.25 * area + 0.05 * (np.log10(pop[mi]) - 4.0)) * rng.lognormal(0, 0.2, n)
    ct3_remun_remunerado = pago * (1.0 + 0.1 * (top3 > 0.5))
    ct3_remun_po = ct3_remun_remunerado * rng.uniform(0.75, 0.97, n)
    ct3_remuin_est_informales = np.where(informal & (ct3_est_informales > 0), pago * rng.uniform(0.2, 0.45, n), np.nan)
    ct3_costo_otra_razon = np.where(ct3_otra_razon > 0, pago * rng.uniform(1.05, 1.5, n), np.nan)

    # Tabla 2 totals (persons; money in millions of pesos; hours in thousands).
    total_otra_rs = np.round(total_ocupado * np.clip(tasa_subc * 0.7, 0, 0.9) * tiene_subc)
    total_honorarios = np.round(total_ocupado * 0.01 * rng.random(n))
    total_no_dep = total_otra_rs + total_honorarios
    total_dep = total_ocupado - total_no_dep
    total_propietarios = np.minimum(total_dep, np.round(ue * owners[si] * rng.uniform(0.8, 1.2, n)))
    total_remunerado = total_dep - total_propietarios
    total_prod = np.round(total_remunerado * rng.uniform(0.7, 0.85, n))
    total_admvo = total_remunerado - total_prod
    total_hombres = np.round(total_ocupado * np.clip(men[si] + rng.normal(0, 0.05, n), 0.05, 0.98))
    total_mujeres = total_ocupado - total_hombres
    total_remuneraciones = total_remunerado * pago / 1000.0
    total_horas = total_ocupado * rng.uniform(1.9, 2.5, n)
    total_produccion = total_remuneraciones * output[si] * rng.lognormal(0, 0.3, n)
    total_costo_otra_rs = total_otra_rs * np.nan_to_num(ct3_costo_otra_razon) / 1000.0
    ct3_remunerado[total_remunerado == 0] = np.nan  # no paid personnel: no concentration of it

    # Censorship: every Tabla 2 total of most cells of one or two units and of a few of up to 29 units
    # (dominance), about 29 % of rows as in the real table.
    u = rng.random(n)
    censurada = ((ue <= 2) & (u < 0.7)) | ((ue <= 29) & (u < 0.06))
    totales = {
        "total_ocupado": total_ocupado,
        "total_depndiente_rs": total_dep,
        "total_remunerado": total_remunerado,
        "total_ocupado_hombres": total_hombres,
        "total_ocupado_mujeres": total_mujeres,
        "total_remunerado_produccion": total_prod,
        "total_remunerado_admvo": total_admvo,
        "total_propietarios": total_propietarios,
        "total_no_depndiente_rs": total_no_dep,
        "total_honorarios": total_honorarios,
        "total_remuneraciones": total_remuneraciones,
        "total_horas_trabajadas": total_horas,
        "total_produccion_bruta": total_produccion,
        "total_otra_rs": total_otra_rs,
        "total_costo_otra_rs": total_costo_otra_rs,
    }
    totales = {k: np.where(censurada, np.nan, v.astype(float)) for k, v in totales.items()}

    scian = catalogs.seed("scian2018")
    sector = scian[scian["nivel"] == "sector"]
    titulos = dict(zip(sector["codigo"], sector["titulo"]))
    inegi = np.array([v[0] for v in SECTORES.values()])
    return pd.DataFrame(
        {
            "entidad": mun["cve_ent"].astype(int).to_numpy()[mi],
            "etiq_entidad": mun["nom_ent"].to_numpy()[mi],
            "municipio": mun["cve_mun"].astype(int).to_numpy()[mi],
            "etiq_municipio": mun["nom_mun"].to_numpy()[mi],
            "scian2dgts": inegi[si],
            "etiq_scian2dgts": np.array([titulos[c] for c in inegi])[si],
            "ct3_po": ct3_po,
            "ct3_remunerado": ct3_remunerado,
            "ct3_otra_razon": ct3_otra_razon,
            "ct3_est_informales": ct3_est_informales,
            "ct3_remun_po": ct3_remun_po,
            "ct3_remun_remunerado": ct3_remun_remunerado,
            "ct3_remuin_est_informales": ct3_remuin_est_informales,
            "ct3_costo_otra_razon": ct3_costo_otra_razon,
            "ue": ue.astype(float),
            **totales,
        }
    )[COLUMNAS]


DECIMALES = {
    "ct3_po": 2,
    "ct3_remunerado": 2,
    "ct3_otra_razon": 2,
    "ct3_est_informales": 2,
    "ct3_remun_po": 3,
    "ct3_remun_remunerado": 3,
    "ct3_remuin_est_informales": 3,
    "ct3_costo_otra_razon": 3,
    "total_remuneraciones": 3,
    "total_horas_trabajadas": 3,
    "total_produccion_bruta": 3,
    "total_costo_otra_rs": 3,
}


def write(world: World, out: Path, tick: Callable[[str], None]) -> list[Path]:
    df = tabla(world)
    for col in COLUMNAS[6:]:
        df[col] = _numero(df[col].to_numpy(dtype=float), DECIMALES.get(col, 0))
    folder = Path(out) / "censo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ARCHIVO
    df.to_csv(path, index=False, encoding="cp1252", lineterminator="\r\n")
    tick(ARCHIVO)
    return [path]
