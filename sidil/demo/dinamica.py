"""How the demo world's working conditions change over the years (issue 16).

`World.cts.calidad` and `World.registros.calidad` are the conditions of the reference year (the demo's
today, ANIO_REFERENCIA). Every other year adds a change made of
- an area part, shared by every workplace of a state and sector: a per-state trend (some states improve,
  others worsen) and a sector shock (construction falls sharply in 2023 and recovers by half each year);
- a workplace part: a per-workplace trend and a persistent year-to-year deviation (AR(1)), so that this
  year's conditions are known better by this year's records than by last year's.
A CT that is the workplace of an IMSS registro shares the registro's path, so its IMSS records, its ENOE
area and its inspections all follow the same conditions. Sources draw each year's records from that year's
conditions (ENOE through the area effect, IMSS through the registro's calidad, SIAPI through the CT's), so
using next year's records for this year's inspections (the manual's historical rule) looks ahead.
Deterministic for a seed: each part has its own random stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sidil.demo.randomness import stream

ANIO_REFERENCIA = 2026
ANIOS = np.arange(2012, ANIO_REFERENCIA + 1)  # every year with inspections, ENOE or IMSS records
TENDENCIA_ESTADO = 0.25  # sd of a state's change in conditions per decade
TENDENCIA_CENTRO = 0.40  # sd of a workplace's change per decade
PERSISTENCIA = 0.6  # AR(1) coefficient of a workplace's yearly deviation
DESVIACION_ANUAL = 0.25  # sd of a year's new deviation (stationary sd 0.31)
# The sector shock: sector (SIDIL code), first year, effect on calidad that year, share left each later year.
CHOQUE_SECTOR = ("23", 2023, -0.8, 0.5)


@dataclass
class Trayectorias:
    """Per-entity changes relative to the reference year: `delta[i, k]` is added to the reference calidad
    of entity i in year ANIOS[k] (0 in the reference year)."""

    delta: np.ndarray  # float32 (n, len(ANIOS))

    def en(self, anio: int) -> np.ndarray:
        return self.delta[:, _k(anio)]

    def de(self, indices: np.ndarray, anios: np.ndarray) -> np.ndarray:
        """Change of each entity `indices[j]` in year `anios[j]` (vectorised over pairs)."""
        return self.delta[indices, _k(anios)]


def _k(anio) -> np.ndarray | int:
    k = np.asarray(anio, dtype=np.int64) - ANIOS[0]
    if np.any((k < 0) | (k >= len(ANIOS))):
        raise ValueError(f"año fuera del mundo de demostración ({ANIOS[0]}-{ANIOS[-1]}): {anio}")
    return k


def choque(sectores: np.ndarray) -> np.ndarray:
    """(n_sectores, n_anios) effect of the sector shock on calidad by year (0 before it)."""
    codigo, inicio, efecto, queda = CHOQUE_SECTOR
    out = np.zeros((len(sectores), len(ANIOS)))
    despues = ANIOS >= inicio
    out[np.asarray(sectores) == codigo] = np.where(despues, efecto * queda ** np.maximum(ANIOS - inicio, 0), 0.0)
    return out


class Dinamica:
    """The area and workplace paths of one world."""

    def __init__(self, seed: int, sectores: np.ndarray):
        rng = stream(seed, "world", "dinamica", "areas")
        self.tendencia_estado = rng.normal(0, TENDENCIA_ESTADO, 32)
        self.choque = choque(sectores)

    def area(self, estado: np.ndarray, sector: np.ndarray, anio) -> np.ndarray:
        """Change of the area effect of (state, sector) in `anio` relative to the reference year."""
        k, ref = _k(anio), _k(ANIO_REFERENCIA)
        anos = (np.asarray(anio, dtype=float) - ANIO_REFERENCIA) / 10.0
        return self.tendencia_estado[estado] * anos + self.choque[sector, k] - self.choque[sector, ref]

    def trayectorias(self, seed: int, nombre: str, estado: np.ndarray, sector: np.ndarray) -> Trayectorias:
        """Paths of `len(estado)` workplaces of the given states and sectors (0-based indices)."""
        rng = stream(seed, "world", "dinamica", nombre)
        n, t = len(estado), len(ANIOS)
        ref = _k(ANIO_REFERENCIA)
        anos = ((ANIOS - ANIO_REFERENCIA) / 10.0).astype(np.float32)
        tendencia = rng.normal(0, TENDENCIA_CENTRO, n).astype(np.float32) + self.tendencia_estado[estado].astype(
            np.float32
        )
        # float32 throughout: at full scale a million registros x 15 years stays under 100 MB.
        delta = np.empty((n, t), dtype=np.float32)
        delta[:, 0] = rng.normal(0, DESVIACION_ANUAL / np.sqrt(1 - PERSISTENCIA**2), n)
        for k in range(1, t):
            delta[:, k] = PERSISTENCIA * delta[:, k - 1] + rng.normal(0, DESVIACION_ANUAL, n)
        delta -= delta[:, [ref]]
        delta += tendencia[:, None] * anos[None, :]
        choque = self.choque.astype(np.float32)
        delta += choque[sector] - choque[sector][:, [ref]]
        return Trayectorias(delta)
