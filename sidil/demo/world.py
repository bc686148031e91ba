"""The latent world every synthetic source is drawn from.

One economy per (scale, seed): municipalities and SCIAN subsectors with an area effect on working
conditions, IMSS employer registrations (registros) and DNE workplaces (CTs), each with a latent
`calidad` (higher = better working conditions). The same latent values drive
- ENOE answers (through the state x sector area effect),
- IMSS records of a registro (wages near the minimum, turnover, gender gap, accidents),
- the probability that a CT violates each submateria when inspected (the truth/ folder).
About a quarter of the CTs are the workplace of a registro and share its attributes and `calidad`.
`calidad` is the conditions of the reference year (the demo's today); conditions change over the years
(sidil/demo/dinamica.py): `calidad_registros(anio)`, `calidad_cts(anio)` and `efecto_area(..., anio)` give
them for another year, and every source draws a year's records from that year's conditions.

All arrays are numpy, indexed by position; codes are looked up in the frames `municipios` and
`subsectores`. Building the full-scale world takes a few seconds and well under 1 GB.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sidil.demo import catalogs
from sidil.demo.dinamica import ANIO_REFERENCIA, Dinamica, Trayectorias
from sidil.demo.randomness import stream
from sidil.demo.scales import Scale

# Rough shares of formal employment by SCIAN sector (SIDIL codes: 31 = 31-33, 48 = 48-49).
SECTOR_EMPLEO = {
    "11": 0.040,
    "21": 0.007,
    "22": 0.007,
    "23": 0.080,
    "31": 0.270,
    "43": 0.070,
    "46": 0.120,
    "48": 0.050,
    "51": 0.015,
    "52": 0.020,
    "53": 0.010,
    "54": 0.030,
    "55": 0.005,
    "56": 0.100,
    "61": 0.030,
    "62": 0.020,
    "71": 0.010,
    "72": 0.060,
    "81": 0.040,
    "93": 0.010,
}
# Sector effect on working conditions (more is better), before noise.
SECTOR_CALIDAD = {
    "11": -0.8,
    "21": 0.3,
    "22": 0.8,
    "23": -0.4,
    "31": 0.1,
    "43": 0.1,
    "46": -0.3,
    "48": -0.1,
    "51": 0.5,
    "52": 0.9,
    "53": 0.0,
    "54": 0.4,
    "55": 0.7,
    "56": -0.3,
    "61": 0.3,
    "62": 0.2,
    "71": -0.2,
    "72": -0.6,
    "81": -0.5,
    "93": 0.7,
}
# Sectors where hazardous substances and pressure vessels are common.
SECTOR_PELIGRO = {"21": 0.45, "22": 0.35, "31": 0.25, "23": 0.12, "48": 0.10, "11": 0.10}
SECTOR_RECIPIENTES = {"22": 0.30, "31": 0.20, "21": 0.20, "72": 0.10, "62": 0.10}
SHARE_CT_CON_REGISTRO = 0.275  # about 170k of 617k CTs match an IMSS registro in production


@dataclass
class Registros:
    """IMSS employer registrations (index = registro number in the world)."""

    municipio: np.ndarray  # index into World.municipios
    subsector: np.ndarray  # index into World.subsectores
    n_trabajadores: np.ndarray  # insured jobs in the latest month (>= 1)
    calidad: np.ndarray  # latent working conditions
    clase_riesgo: np.ndarray  # IMSS risk class 1-5 (I-V)
    en_historia: np.ndarray  # bool: present in the IMSS history months
    ct: np.ndarray  # index of its CT in the DNE, -1 if none


@dataclass
class CentrosTrabajo:
    """DNE workplaces (index = position; centro_trabajo_id is derived by the DNE writer)."""

    municipio: np.ndarray
    subsector: np.ndarray
    n_trabajadores: np.ndarray
    calidad: np.ndarray
    clase_riesgo: np.ndarray
    peligro: np.ndarray  # 0/1 handles hazardous substances
    recipientes: np.ndarray  # 0/1 has pressure vessels or boilers
    registro: np.ndarray  # index into Registros, -1 if the CT has no IMSS registro


class World:
    def __init__(self, scale: Scale, seed: int):
        self.scale = scale
        self.seed = seed
        self.municipios = catalogs.municipios()
        self.subsectores = catalogs.subsectores_scian()
        self.estados = np.array([f"{i:02d}" for i in range(1, 33)])
        self._build_areas()
        self.registros = self._build_registros()
        self.cts = self._build_cts()

    # ---- areas -------------------------------------------------------------------------------
    @cached_property
    def sectores(self) -> np.ndarray:
        return np.array(sorted(SECTOR_EMPLEO))

    def _build_areas(self) -> None:
        rng = stream(self.seed, "world", "areas")
        real = catalogs.ilmm_estados()
        informal = real.set_index("ent")["informales"].reindex(range(1, 33)).to_numpy()
        z = (informal - informal.mean()) / informal.std()
        self.efecto_estado = -0.5 * z + rng.normal(0, 0.1, 32)
        self.efecto_sector = np.array([SECTOR_CALIDAD[s] for s in self.sectores])
        self.efecto_interaccion = rng.normal(0, 0.2, (32, len(self.sectores)))
        # State of each municipality (0-based) and sector of each subsector (index into sectores).
        self.municipio_estado = self.municipios["cve_ent"].astype(int).to_numpy() - 1
        self.subsector_sector = np.searchsorted(self.sectores, self.subsectores["scian2018_2"].to_numpy())
        # Subsector weights: sector share split at random among its subsectors.
        w = np.zeros(len(self.subsectores))
        for k, s in enumerate(self.sectores):
            idx = np.flatnonzero(self.subsector_sector == k)
            w[idx] = SECTOR_EMPLEO[s] * rng.dirichlet(np.full(len(idx), 2.0))
        self.peso_subsector = w / w.sum()
        pop = self.municipios["poblacion_2020"].to_numpy(dtype=float)
        self.peso_municipio = pop**1.1 / (pop**1.1).sum()

    def efecto_area(self, estado: np.ndarray, sector: np.ndarray, anio: int = ANIO_REFERENCIA) -> np.ndarray:
        """Area effect on working conditions for 0-based state and sector indices (vectorised), in `anio`."""
        base = self.efecto_estado[estado] + self.efecto_sector[sector] + self.efecto_interaccion[estado, sector]
        if anio == ANIO_REFERENCIA:
            return base
        return base + self.dinamica.area(estado, sector, anio)

    # ---- conditions over time ----------------------------------------------------------------
    @cached_property
    def dinamica(self) -> Dinamica:
        return Dinamica(self.seed, self.sectores)

    @cached_property
    def trayectorias_registros(self) -> Trayectorias:
        reg = self.registros
        return self.dinamica.trayectorias(
            self.seed, "registros", self.municipio_estado[reg.municipio], self.subsector_sector[reg.subsector]
        )

    @cached_property
    def trayectorias_cts(self) -> Trayectorias:
        cts = self.cts
        t = self.dinamica.trayectorias(
            self.seed, "cts", self.municipio_estado[cts.municipio], self.subsector_sector[cts.subsector]
        )
        linked = np.flatnonzero(cts.registro >= 0)
        t.delta[linked] = self.trayectorias_registros.delta[cts.registro[linked]]  # one workplace, one path
        return t

    def calidad_registros(self, anio: int) -> np.ndarray:
        """Conditions of every registro in `anio` (the reference year's are `registros.calidad`)."""
        if anio == ANIO_REFERENCIA:
            return self.registros.calidad
        return self.registros.calidad + self.trayectorias_registros.en(anio)

    def calidad_cts(self, anio: int) -> np.ndarray:
        """Conditions of every CT in `anio`."""
        if anio == ANIO_REFERENCIA:
            return self.cts.calidad
        return self.cts.calidad + self.trayectorias_cts.en(anio)

    def calidad_ct(self, ct: np.ndarray, anio: np.ndarray) -> np.ndarray:
        """Conditions of CT `ct[j]` in year `anio[j]` (vectorised over pairs)."""
        return self.cts.calidad[ct] + self.trayectorias_cts.de(ct, anio)

    def _calidad(
        self, rng: np.random.Generator, municipio: np.ndarray, subsector: np.ndarray, n: np.ndarray
    ) -> np.ndarray:
        area = self.efecto_area(self.municipio_estado[municipio], self.subsector_sector[subsector])
        return area + 0.15 * np.log10(n) + rng.normal(0, 0.7, len(n))

    def _clase_riesgo(self, rng: np.random.Generator, subsector: np.ndarray) -> np.ndarray:
        sector = self.sectores[self.subsector_sector[subsector]]
        high = np.isin(sector, ["21", "23", "22"]) * 1.5 + np.isin(sector, ["31", "48", "11"]) * 0.8
        return np.clip(np.round(1 + high + rng.normal(0.8, 1.0, len(subsector))), 1, 5).astype(np.int8)

    def _sizes(self, rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
        sigma = 1.6
        mu = np.log(mean) - sigma**2 / 2
        return np.clip(np.ceil(rng.lognormal(mu, sigma, n)), 1, 60_000).astype(np.int32)

    # ---- registros and CTs -------------------------------------------------------------------
    def _build_registros(self) -> Registros:
        s = self.scale
        rng = stream(self.seed, "world", "registros")
        n = s.n_registros
        municipio = rng.choice(len(self.municipios), n, p=self.peso_municipio).astype(np.int32)
        subsector = rng.choice(len(self.subsectores), n, p=self.peso_subsector).astype(np.int16)
        size = self._sizes(rng, n, s.n_puestos / n)
        en_historia = rng.random(n) < s.frac_registros_historia
        return Registros(
            municipio=municipio,
            subsector=subsector,
            n_trabajadores=size,
            calidad=self._calidad(rng, municipio, subsector, size),
            clase_riesgo=self._clase_riesgo(rng, subsector),
            en_historia=en_historia,
            ct=np.full(n, -1, dtype=np.int64),
        )

    def _build_cts(self) -> CentrosTrabajo:
        s = self.scale
        rng = stream(self.seed, "world", "cts")
        n = s.n_ct
        reg = self.registros
        # CTs with a registro: a quarter of the DNE, biased towards larger employers.
        n_link = min(int(round(SHARE_CT_CON_REGISTRO * n)), len(reg.n_trabajadores))
        p = np.sqrt(reg.n_trabajadores.astype(float))
        linked_reg = rng.choice(len(p), n_link, replace=False, p=p / p.sum())
        ct_link = rng.choice(n, n_link, replace=False)
        registro = np.full(n, -1, dtype=np.int64)
        registro[ct_link] = linked_reg
        reg.ct[linked_reg] = ct_link

        municipio = rng.choice(len(self.municipios), n, p=self.peso_municipio).astype(np.int32)
        subsector = rng.choice(len(self.subsectores), n, p=self.peso_subsector).astype(np.int16)
        size = self._sizes(rng, n, 25.0)
        calidad = self._calidad(rng, municipio, subsector, size)
        clase = self._clase_riesgo(rng, subsector)
        # A CT with a registro is that employer's workplace: same place, activity, size and conditions.
        municipio[ct_link] = reg.municipio[linked_reg]
        subsector[ct_link] = reg.subsector[linked_reg]
        size[ct_link] = reg.n_trabajadores[linked_reg]
        calidad[ct_link] = reg.calidad[linked_reg]
        clase[ct_link] = reg.clase_riesgo[linked_reg]

        sector = self.sectores[self.subsector_sector[subsector]]
        p_pel = np.array([SECTOR_PELIGRO.get(x, 0.03) for x in sector])
        p_rec = np.array([SECTOR_RECIPIENTES.get(x, 0.03) for x in sector])
        return CentrosTrabajo(
            municipio=municipio,
            subsector=subsector,
            n_trabajadores=size,
            calidad=calidad,
            clase_riesgo=clase,
            peligro=(rng.random(n) < p_pel).astype(np.int8),
            recipientes=(rng.random(n) < p_rec).astype(np.int8),
            registro=registro,
        )

    # ---- convenience -------------------------------------------------------------------------
    def cvegeo(self, municipio: np.ndarray) -> np.ndarray:
        return self.municipios["cvegeo"].to_numpy()[municipio]

    def scian3(self, subsector: np.ndarray) -> np.ndarray:
        return self.subsectores["scian2018_3"].to_numpy()[subsector]

    def scian2(self, subsector: np.ndarray) -> np.ndarray:
        return self.subsectores["scian2018_2"].to_numpy()[subsector]
