"""The four external series of the Semáforos Económicos Estatales, in the input format of
`loaders/externos.py` (one CSV per series, UTF-8, header, state key, period, value):

    externos/itaee.csv                ITAEE, seasonally adjusted, 2018 = 100, 2011T1 to 2026T3
    externos/pibe.csv                 state GDP, millions of 2018 pesos, 2011 to 2025
    externos/deuda_publica.csv        state debt as % of the state's GDP, 2011 to 2025
    externos/canasta_alimentaria.csv  CONEVAL food basket, pesos a month per person, urban and rural,
                                      2011-01 to 2026-09 (national, cve_ent '00')

Plausible orders of magnitude: national GDP about 24 million million pesos in 2018 split by population
and a state productivity factor, growth near 2 % a year with the 2020 fall, state debt 0.5-8 % of GDP.
The national rows ('00') are the sum of the states (GDP, debt) or the GDP-weighted index (ITAEE), as INEGI
and SHCP publish them. Deterministic for the seed (own random stream).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from sidil.demo.randomness import stream
from sidil.demo.world import World

ANIOS = tuple(range(2011, 2027))
ULTIMO_TRIMESTRE = (2026, 3)
PIB_NACIONAL_2018 = 24_000_000.0  # millions of pesos
# National quarterly growth shock (log points): the 2020 fall and the partial rebound after it.
CHOQUES = {(2020, 2): -0.19, (2020, 3): 0.12, (2020, 4): 0.03, (2021, 1): 0.01}
CANASTA_URBANA_2011 = 1_080.0
ARCHIVOS = ("itaee.csv", "pibe.csv", "deuda_publica.csv", "canasta_alimentaria.csv")


def expected_files(world: World) -> int:
    return len(ARCHIVOS)


def _trimestres() -> list[tuple[int, int]]:
    return [(a, t) for a in ANIOS for t in (1, 2, 3, 4) if (a, t) <= ULTIMO_TRIMESTRE]


def series(world: World) -> dict[str, np.ndarray]:
    """The state series as arrays: itaee (32 x quarters), pibe and deuda (32 x years 2011-2025)."""
    rng = stream(world.seed, "externos", "series")
    pob = np.bincount(world.municipio_estado, world.municipios["poblacion_2020"].to_numpy(float), 32)
    productividad = rng.lognormal(0, 0.35, 32)
    trimestres = _trimestres()
    tendencia = rng.normal(0.005, 0.003, 32)  # quarterly log growth per state
    log_i = np.zeros((32, len(trimestres)))
    for k, tq in enumerate(trimestres[1:], start=1):
        log_i[:, k] = (
            log_i[:, k - 1] + tendencia + CHOQUES.get(tq, 0.0) * rng.uniform(0.7, 1.3, 32) + rng.normal(0, 0.008, 32)
        )
    k2018 = [k for k, (a, _t) in enumerate(trimestres) if a == 2018]
    itaee = 100 * np.exp(log_i - log_i[:, k2018].mean(axis=1, keepdims=True))
    anios_pibe = [a for a in ANIOS if a < ULTIMO_TRIMESTRE[0]]
    media_anual = np.stack(
        [itaee[:, [k for k, (a, _t) in enumerate(trimestres) if a == y]].mean(axis=1) for y in anios_pibe], axis=1
    )
    peso = pob * productividad
    pibe = (PIB_NACIONAL_2018 * peso / peso.sum())[:, None] * media_anual / 100
    deuda0 = rng.lognormal(np.log(2.5), 0.6, 32)
    deriva = np.cumsum(rng.normal(0, 0.12, (32, len(anios_pibe))), axis=1)
    deuda = np.clip(deuda0[:, None] + deriva, 0.1, 12.0)
    return {
        "trimestres": np.array(trimestres),
        "itaee": itaee,
        "anios": np.array(anios_pibe),
        "pibe": pibe,
        "deuda": deuda,
    }


def write(world: World, out: Path, tick: Callable[[str], None]) -> list[Path]:
    folder = out / "externos"
    folder.mkdir(parents=True, exist_ok=True)
    s = series(world)
    trimestres, itaee, anios, pibe, deuda = s["trimestres"], s["itaee"], s["anios"], s["pibe"], s["deuda"]
    paths = [folder / name for name in ARCHIVOS]

    nacional_i = (itaee * pibe[:, -1:]).sum(axis=0) / pibe[:, -1].sum()  # fixed weights: latest GDP
    lineas = ["cve_ent,periodo,valor"]
    for k, (a, t) in enumerate(trimestres):
        lineas.append(f"00,{a}T{t},{nacional_i[k]:.3f}")
        lineas += [f"{e + 1:02d},{a}T{t},{itaee[e, k]:.3f}" for e in range(32)]
    paths[0].write_text("\n".join(lineas) + "\n", encoding="utf-8")

    lineas = ["cve_ent,periodo,valor"]
    for j, a in enumerate(anios):
        lineas.append(f"00,{a},{pibe[:, j].sum():.3f}")
        lineas += [f"{e + 1:02d},{a},{pibe[e, j]:.3f}" for e in range(32)]
    paths[1].write_text("\n".join(lineas) + "\n", encoding="utf-8")

    lineas = ["cve_ent,periodo,valor"]
    for j, a in enumerate(anios):
        nacional = (deuda[:, j] * pibe[:, j]).sum() / pibe[:, j].sum()
        lineas.append(f"00,{a},{nacional:.2f}")
        lineas += [f"{e + 1:02d},{a},{deuda[e, j]:.2f}" for e in range(32)]
    paths[2].write_text("\n".join(lineas) + "\n", encoding="utf-8")

    rng = stream(world.seed, "externos", "canasta")
    lineas = ["cve_ent,ambito,periodo,valor"]
    urbana = CANASTA_URBANA_2011
    for a in ANIOS:
        for m in range(1, 13):
            if (a, (m - 1) // 3 + 1) > ULTIMO_TRIMESTRE:
                break
            urbana *= np.exp(rng.normal(0.0045, 0.004))  # about 5.5 % a year
            lineas.append(f"00,urbano,{a}-{m:02d},{urbana:.2f}")
            lineas.append(f"00,rural,{a}-{m:02d},{0.72 * urbana:.2f}")
    paths[3].write_text("\n".join(lineas) + "\n", encoding="utf-8")
    for p in paths:
        tick(p.name)
    return paths
