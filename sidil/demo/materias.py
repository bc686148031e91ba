"""The inspection subjects the demo's SIAPI-SIPAS holds: seven materias, their submaterias, the items
(indicadores, 8,148 in all) inspectors check, and how each submateria's violations depend on a CT.

This is the demo's stand-in for the ministry's catalog. Per submateria:
- base: log-odds of a violation for an average CT,
- calidad: weight of the CT's latent working conditions (worse conditions, more violations),
- peligro / recipientes: weight of the hazardous-substances and pressure-vessel flags,
- tamanio: weight of log10(workers),
- tendencia: change in log-odds per decade (violations drift over time),
- items: how many checkable items the submateria has.
A rule changes in one year (REFORMA): from then on the listed submaterias' log-odds shift, whatever the
workplace, so a model trained on earlier years underestimates them (issue 16: drift in the demo).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Submateria:
    submateria_id: int
    materia_id: int
    nombre: str
    base: float
    calidad: float
    peligro: float
    recipientes: float
    tamanio: float
    tendencia: float
    items: int


MATERIAS: dict[int, str] = {
    1: "Seguridad e Higiene",
    2: "Condiciones Generales de Trabajo",
    3: "Capacitación y Adiestramiento",
    4: "Agencias de Colocación",
    5: "Recipientes Sujetos a Presión y Calderas",
    6: "Constatación y Actualización de Datos",
    7: "Otras",
}

# fmt: off
SUBMATERIAS: tuple[Submateria, ...] = (
    Submateria(101, 1, "Comisión de seguridad e higiene",                  -0.9, 0.55, 0.4, 0.0, -0.10, 0.0, 412),
    Submateria(102, 1, "Equipo de protección personal",                    -1.1, 0.50, 0.7, 0.0, -0.05, -0.1, 655),
    Submateria(103, 1, "Prevención y protección contra incendios",         -1.0, 0.45, 0.8, 0.2, -0.05, 0.0, 780),
    Submateria(104, 1, "Sustancias químicas peligrosas",                   -1.6, 0.40, 1.3, 0.0, 0.00, 0.0, 1141),
    Submateria(105, 1, "Maquinaria y equipo",                              -1.3, 0.45, 0.6, 0.3, 0.05, 0.0, 810),
    Submateria(106, 1, "Servicios preventivos de seguridad y salud",       -0.8, 0.50, 0.3, 0.0, -0.15, -0.2, 366),
    Submateria(107, 1, "Factores de riesgo psicosocial",                   -0.6, 0.60, 0.0, 0.0, 0.10, 0.6, 244),
    Submateria(108, 1, "Condiciones de iluminación, ruido y temperatura",  -1.2, 0.40, 0.5, 0.1, 0.00, 0.0, 533),
    Submateria(201, 2, "Contrato individual y colectivo de trabajo",       -0.5, 0.85, 0.0, 0.0, -0.20, -0.1, 188),
    Submateria(202, 2, "Jornada de trabajo y descansos",                   -0.7, 0.70, 0.0, 0.0, 0.05, 0.0, 205),
    Submateria(203, 2, "Salario mínimo y pago de salario",                 -1.2, 1.00, 0.0, 0.0, -0.25, -0.3, 174),
    Submateria(204, 2, "Aguinaldo",                                        -1.0, 0.80, 0.0, 0.0, -0.15, 0.0, 96),
    Submateria(205, 2, "Vacaciones y prima vacacional",                    -0.8, 0.75, 0.0, 0.0, -0.10, 0.0, 132),
    Submateria(206, 2, "Participación de los trabajadores en las utilidades", -0.9, 0.70, 0.0, 0.0, 0.10, 0.1, 158),
    Submateria(207, 2, "Seguridad social e INFONAVIT",                     -1.1, 0.95, 0.0, 0.0, -0.30, -0.2, 141),
    Submateria(208, 2, "Trabajo de menores",                               -2.4, 0.60, 0.0, 0.0, -0.20, -0.4, 87),
    Submateria(209, 2, "Igualdad y no discriminación",                     -1.5, 0.55, 0.0, 0.0, 0.05, 0.5, 119),
    Submateria(210, 2, "Subcontratación",                                  -1.4, 0.65, 0.0, 0.0, 0.15, 0.4, 93),
    Submateria(301, 3, "Comisión mixta de capacitación",                   -0.7, 0.50, 0.0, 0.0, -0.10, 0.0, 201),
    Submateria(302, 3, "Planes y programas de capacitación",               -0.6, 0.55, 0.0, 0.0, 0.00, 0.0, 236),
    Submateria(303, 3, "Constancias de competencias o habilidades",        -0.8, 0.50, 0.2, 0.0, 0.00, 0.0, 198),
    Submateria(401, 4, "Autorización y registro de la agencia",            -1.0, 0.40, 0.0, 0.0, 0.00, 0.0, 77),
    Submateria(402, 4, "Cobro a solicitantes de empleo",                   -1.6, 0.40, 0.0, 0.0, 0.00, 0.0, 54),
    Submateria(501, 5, "Recipientes sujetos a presión",                    -1.4, 0.35, 0.2, 1.2, 0.05, 0.0, 389),
    Submateria(502, 5, "Generadores de vapor y calderas",                  -1.5, 0.35, 0.2, 1.1, 0.05, 0.0, 342),
    Submateria(601, 6, "Constatación de datos del centro de trabajo",      -2.0, 0.30, 0.0, 0.0, 0.00, 0.0, 61),
    Submateria(701, 7, "Reglamento interior de trabajo",                   -1.0, 0.45, 0.0, 0.0, 0.10, 0.0, 97),
    Submateria(702, 7, "Otras obligaciones patronales",                    -1.3, 0.45, 0.0, 0.0, 0.00, 0.0, 159),
)
# fmt: on

assert sum(s.items for s in SUBMATERIAS) == 8_148, "the real catalog has 8,148 items"

# The subcontracting reform (April 2021): outsourcing, and the social security of outsourced workers, are
# checked under the new rule from 2021 on, with more violations found (shift in log-odds).
REFORMA_ANIO = 2021
REFORMA: dict[int, float] = {210: 0.6, 207: 0.3}


def ajuste_regla(submateria_id: int, anio: np.ndarray | float) -> np.ndarray:
    """Log-odds shift of the rule change for a submateria in `anio` (0 before the change)."""
    return np.where(np.asarray(anio) >= REFORMA_ANIO, REFORMA.get(submateria_id, 0.0), 0.0)


def submaterias_frame() -> pd.DataFrame:
    return pd.DataFrame([s.__dict__ for s in SUBMATERIAS])


def log_odds(
    submateria: Submateria,
    calidad: np.ndarray,
    peligro: np.ndarray,
    recipientes: np.ndarray,
    n_trabajadores: np.ndarray,
    anio: np.ndarray | float,
) -> np.ndarray:
    """Log-odds that a CT violates the submateria when inspected in `anio` (vectorised over CTs)."""
    return (
        submateria.base
        - submateria.calidad * calidad
        + submateria.peligro * peligro
        + submateria.recipientes * recipientes
        + submateria.tamanio * np.log10(np.maximum(n_trabajadores, 1))
        + submateria.tendencia * (np.asarray(anio, dtype=float) - 2018.0) / 10.0
        + ajuste_regla(submateria.submateria_id, anio)
    )


def probability(log_odds_value: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-log_odds_value))
