"""Sizes and reference periods of the synthetic demo, one `Scale` per name.

tiny: unit tests (seconds). small: the README demo (a couple of minutes end to end).
full: production volumes (617k CTs, 1M patrones and 20M puestos a month for the latest four months,
ENOE quarters of about 400k persons, 1.1M inspections).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scale:
    name: str
    n_ct: int  # workplaces in the DNE
    n_registros: int  # IMSS employer registrations in the latest months
    n_puestos: int  # insured jobs in a latest month (about)
    frac_registros_historia: float  # share of registros present in the IMSS history months
    enoe_personas: int  # SDEM rows (residents) per quarter
    enoe_upm_por_estrato: int  # PSUs per stratum (several, for a real two-stage design)
    n_inspecciones: int  # inspections over all instances (before copies)
    censo_frac_municipios: float  # share of municipalities with Censo rows
    imss_max_chunk: int = 2_000_000  # jobs generated and written per chunk (memory bound)


SCALES: dict[str, Scale] = {
    "tiny": Scale(
        "tiny",
        n_ct=2_000,
        n_registros=1_200,
        n_puestos=15_000,
        frac_registros_historia=1.0,
        enoe_personas=4_000,
        enoe_upm_por_estrato=3,
        n_inspecciones=3_000,
        censo_frac_municipios=0.05,
    ),
    "small": Scale(
        "small",
        n_ct=20_000,
        n_registros=12_000,
        n_puestos=200_000,
        frac_registros_historia=1.0,
        enoe_personas=30_000,
        enoe_upm_por_estrato=4,
        n_inspecciones=30_000,
        censo_frac_municipios=0.3,
    ),
    "full": Scale(
        "full",
        n_ct=617_000,
        n_registros=1_000_000,
        n_puestos=20_000_000,
        frac_registros_historia=0.05,
        enoe_personas=400_000,
        enoe_upm_por_estrato=6,
        n_inspecciones=1_129_730,
        censo_frac_municipios=1.0,
    ),
}


@dataclass(frozen=True)
class Periods:
    """Reference periods every scale shares (the demo's 'today' is the 2026 Q3 cut)."""

    # ENOE: the first quarter of every year from 2012 (history) and the latest quarters.
    enoe_trimestres: tuple[tuple[int, int], ...] = tuple((y, 1) for y in range(2012, 2027)) + ((2026, 2), (2026, 3))
    # The quarter delivered in INEGI's CSV layout instead of DBF.
    enoe_trimestre_csv: tuple[int, int] = (2024, 1)
    # IMSS: four consecutive months per history year (rotation needs t-1, a moving average three months),
    # and the latest four months at full population.
    imss_anios_historia: tuple[int, ...] = tuple(range(2019, 2026))
    imss_meses_historia: tuple[int, ...] = (9, 10, 11, 12)
    imss_meses_recientes: tuple[tuple[int, int], ...] = ((2026, 6), (2026, 7), (2026, 8), (2026, 9))
    # A patrones file that arrived before its puestos (the loaders report the mismatch).
    imss_patrones_sin_puestos: tuple[int, int] = (2026, 10)
    # Riesgos arrive as cumulative cuts within a calendar year.
    riesgos_cortes: tuple[tuple[int, int], ...] = field(
        default_factory=lambda: tuple((y, m) for y in range(2019, 2027) for m in (3, 9))
    )
    # Inspection history.
    inspecciones_desde: str = "2012-08-01"
    inspecciones_hasta: str = "2026-09-30"


PERIODS = Periods()


def imss_months(scale: Scale) -> list[tuple[int, int, bool]]:
    """(year, month, is_recent) of every IMSS month with patrones and puestos, oldest first."""
    months = [(y, m, False) for y in PERIODS.imss_anios_historia for m in PERIODS.imss_meses_historia]
    months += [(y, m, True) for y, m in PERIODS.imss_meses_recientes]
    return months
